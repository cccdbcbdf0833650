using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Events;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>FCW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record FcwOptions
{
}

/// <summary>FCW, forward collision warning: a remote vehicle ahead in the same lane, closing, with time to collision below the threshold.</summary>
public sealed class ForwardCollisionWarning : Detector
{
    private readonly FcwOptions _options;

    public ForwardCollisionWarning(FcwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Fcw;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        _ = _options;
    }
}
