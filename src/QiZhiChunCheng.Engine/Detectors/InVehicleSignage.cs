using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Events;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>IVS thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record IvsOptions
{
}

/// <summary>IVS, in-vehicle signage: a vehicle on an RSI sign's reference path, approaching it.</summary>
public sealed class InVehicleSignage : Detector
{
    private readonly IvsOptions _options;

    public InVehicleSignage(IvsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Ivs;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        _ = _options;
    }
}
