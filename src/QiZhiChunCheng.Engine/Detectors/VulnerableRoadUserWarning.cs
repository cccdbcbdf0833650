using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Events;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>VRUCW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record VrucwOptions
{
}

/// <summary>VRUCW, vulnerable road user collision warning: a pedestrian's or cyclist's path and a vehicle's meet within the threshold.</summary>
public sealed class VulnerableRoadUserWarning : Detector
{
    private readonly VrucwOptions _options;

    public VulnerableRoadUserWarning(VrucwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Vrucw;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        _ = _options;
    }
}
