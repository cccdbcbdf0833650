using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.Signals;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>IVS thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record IvsOptions
{
    /// <summary>A sign is shown this far ahead at most (300 m; provisional: the distance a driver reads a roadside sign from and more).</summary>
    public double RangeM { get; init; } = 300;

    /// <summary>On a reference path, the heading must be within this of the path segment's direction (45°; provisional).</summary>
    public double PathHeadingDeg { get; init; } = 45;

    /// <summary>
    /// A sign without reference paths applies to vehicles within <see cref="RangeM"/> that have it ahead within this
    /// of their heading (±30°; provisional: a narrow cone, since with no path the sign's direction is unknown).
    /// </summary>
    public double NoPathAheadDeg { get; init; } = 30;
}

/// <summary>
/// IVS, in-vehicle signage (notice, severity 1): a vehicle on an active RSI sign's (RTS) reference path (within the
/// path radius, heading along it, upstream of the sign's position projected on the path) at most
/// <see cref="IvsOptions.RangeM"/> before it; for a sign with no path, within that range with the sign ahead within
/// <see cref="IvsOptions.NoPathAheadDeg"/>. Keyed by the vehicle and the sign (RSU id, rtsId). Vehicles only.
/// Figures: distanceM, rsiCode (the GB 5768.2 sign type). Sign speed limits are not turned into SLW: SLW stays
/// lane-limit based. Location: the vehicle's lane, if any. Allocates nothing per tick.
/// </summary>
public sealed class InVehicleSignage : Detector
{
    private readonly IvsOptions _options;
    private int[] _candidates = [];

    public InVehicleSignage(IvsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Ivs;

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
            if (item.Kind != RsiKind.Sign || !item.IsActive(now))
            {
                continue;
            }

            double radius = item.PathCount > 0 ? 0 : _options.RangeM;
            double query = item.PathCount > 0 ? item.BoundRadiusM : _options.RangeM;
            var vehicles = new RsiApproachers(context, ref _candidates, e, query, radius, _options.PathHeadingDeg, _options.NoPathAheadDeg, _options.RangeM);
            while (vehicles.MoveNext())
            {
                EventFigures figures = default;
                vehicles.SetFigures(ref figures);
                events.Report(EventType.Ivs, vehicles.Current, item.Key, 1, figures, vehicles.Location);
            }
        }
    }
}
