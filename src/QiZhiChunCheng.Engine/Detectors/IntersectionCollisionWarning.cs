using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Events;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>ICW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record IcwOptions
{
}

/// <summary>ICW, intersection collision warning: two vehicles on crossing approaches reaching the conflict point within overlapping windows.</summary>
public sealed class IntersectionCollisionWarning : Detector
{
    private readonly IcwOptions _options;

    public IntersectionCollisionWarning(IcwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Icw;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        _ = _options;
    }
}
