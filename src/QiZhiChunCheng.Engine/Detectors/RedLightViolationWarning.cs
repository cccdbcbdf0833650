using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Events;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>RLVW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record RlvwOptions
{
}

/// <summary>RLVW, red light violation warning: a vehicle that will reach its stop line on red and cannot or does not stop.</summary>
public sealed class RedLightViolationWarning : Detector
{
    private readonly RlvwOptions _options;

    public RedLightViolationWarning(RlvwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Rlvw;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        _ = _options;
    }
}
