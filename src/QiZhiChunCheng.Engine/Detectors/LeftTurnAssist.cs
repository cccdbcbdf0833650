using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Events;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>LTA thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record LtaOptions
{
}

/// <summary>LTA, left turn assist: a vehicle turning left with an oncoming vehicle's time to conflict below the threshold.</summary>
public sealed class LeftTurnAssist : Detector
{
    private readonly LtaOptions _options;

    public LeftTurnAssist(LtaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Lta;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        _ = _options;
    }
}
