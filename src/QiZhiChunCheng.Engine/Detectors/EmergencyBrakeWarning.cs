using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Events;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>EBW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record EbwOptions
{
}

/// <summary>EBW, emergency brake warning: a vehicle ahead in the same lane braking harder than 0.4 g.</summary>
public sealed class EmergencyBrakeWarning : Detector
{
    private readonly EbwOptions _options;

    public EmergencyBrakeWarning(EbwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Ebw;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        _ = _options;
    }
}
