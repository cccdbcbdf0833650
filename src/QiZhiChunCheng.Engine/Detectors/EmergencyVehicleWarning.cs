using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Events;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>EVW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record EvwOptions
{
}

/// <summary>EVW, emergency vehicle warning: an emergency vehicle with siren or lights approaching on the same path.</summary>
public sealed class EmergencyVehicleWarning : Detector
{
    private readonly EvwOptions _options;

    public EmergencyVehicleWarning(EvwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Evw;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        _ = _options;
    }
}
