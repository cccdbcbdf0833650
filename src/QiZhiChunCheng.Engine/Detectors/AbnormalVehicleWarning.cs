using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Events;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>AVW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record AvwOptions
{
}

/// <summary>AVW, abnormal vehicle warning: a vehicle ahead stopped or crawling on a faster road, or showing hazard lights or disabled.</summary>
public sealed class AbnormalVehicleWarning : Detector
{
    private readonly AvwOptions _options;

    public AbnormalVehicleWarning(AvwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Avw;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        _ = _options;
    }
}
