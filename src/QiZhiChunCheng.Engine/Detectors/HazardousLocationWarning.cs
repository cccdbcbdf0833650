using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.Signals;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>HLW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record HlwOptions
{
    /// <summary>On a reference path, the heading must be within this of the path segment's direction (45°; provisional).</summary>
    public double PathHeadingDeg { get; init; } = 45;

    /// <summary>Within the event radius, the event must lie ahead within this of the heading (±60°; provisional).</summary>
    public double AheadDeg { get; init; } = 60;

    /// <summary>
    /// On a reference path, only vehicles at most this far (along the path) before the event are warned (500 m;
    /// provisional: paths describe the approach, this caps an over-long one).
    /// </summary>
    public double MaxPathDistanceM { get; init; } = 500;

    /// <summary>
    /// The congestion event type, left to TJW (707, GB/T 29100). Adverse-weather events (the RSI weather class) are
    /// area-wide and set the road surface instead; they raise no HLW either.
    /// </summary>
    public int CongestionEventType { get; init; } = 707;
}

/// <summary>
/// HLW, hazardous location warning: a vehicle approaching an active RSI traffic event (RTE): on one of the event's
/// reference paths (within the path radius, heading along the path within <see cref="HlwOptions.PathHeadingDeg"/>,
/// upstream of the event's position projected on the path), or within the event radius with the event ahead
/// (within <see cref="HlwOptions.AheadDeg"/>). Every RTE counts except congestion (707, TJW's) and adverse weather
/// (3xx, the surface's). Vehicles only (pedestrians and cyclists are not warned of road hazards). Severity 2.
/// The event is keyed by the vehicle and the RSI item (RSU id, rteId), so it keeps its id while the RSU repeats the
/// RTE. Figures: distanceM (along the path, else straight), rsiCode, radiusM. Location: the vehicle's lane, if any.
/// Allocates nothing per tick (a candidate buffer the size of the track capacity is allocated once).
/// </summary>
public sealed class HazardousLocationWarning : Detector
{
    private readonly HlwOptions _options;
    private int[] _candidates = [];

    public HazardousLocationWarning(HlwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Hlw;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(events);
        long now = context.TimeUtcMs;
        RsiState rsi = context.Rsi;
        ReadOnlySpan<RsiItem> items = rsi.Items;
        for (int e = 0; e < items.Length; e++)
        {
            ref readonly RsiItem item = ref items[e];
            if (item.Kind != RsiKind.Event || !item.IsActive(now) || item.IsWeather || item.Code == _options.CongestionEventType)
            {
                continue;
            }

            var vehicles = new RsiApproachers(context, ref _candidates, e, item.BoundRadiusM, item.RadiusM, _options.PathHeadingDeg, _options.AheadDeg, _options.MaxPathDistanceM);
            while (vehicles.MoveNext())
            {
                EventFigures figures = default;
                vehicles.SetFigures(ref figures);
                figures.Set(Figure.RadiusM, item.RadiusM);
                events.Report(EventType.Hlw, vehicles.Current, item.Key, 2, figures, vehicles.Location);
            }
        }
    }
}
