using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Events;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>BSW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record BswOptions
{
}

/// <summary>BSW and LCW, blind spot and lane change warnings: a vehicle in the adjacent lane's blind zone; LCW when the host signals or moves towards it.</summary>
public sealed class BlindSpotWarning : Detector
{
    private readonly BswOptions _options;

    public BlindSpotWarning(BswOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Bsw;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        _ = _options;
    }
}
