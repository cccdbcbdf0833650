using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Engine.Signals;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>TJW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record TjwOptions
{
    /// <summary>A lane is jammed with at least this many vehicles on it at every tick of the window (10, V2X-REFERENCE section 4).</summary>
    public int MinVehicles { get; init; } = 10;

    /// <summary>
    /// The window the vehicle count must hold over, and the mean speed is taken over (1,500 ms, V2X-REFERENCE
    /// section 4). At most 3,000 ms (the per-lane history holds 32 ticks of 100 ms).
    /// </summary>
    public long WindowMs { get; init; } = 1500;

    /// <summary>Mean speed below this: level 1 (30 km/h; provisional).</summary>
    public double Level1SpeedMps { get; init; } = 30 / 3.6;

    /// <summary>Mean speed below this: level 2 (20 km/h; provisional).</summary>
    public double Level2SpeedMps { get; init; } = 20 / 3.6;

    /// <summary>Mean speed below this: level 3 (10 km/h; provisional).</summary>
    public double Level3SpeedMps { get; init; } = 10 / 3.6;

    /// <summary>
    /// A queue on a lane whose phase is red or yellow now is a signal queue, not a jam, unless it reaches farther
    /// than this from the stop line (100 m, about 14 cars; provisional: a queue that long outlasts a green).
    /// </summary>
    public double RedQueueExemptM { get; init; } = 100;

    /// <summary>The RSI event type of congestion (707, GB/T 29100): vehicles approaching it are warned.</summary>
    public int CongestionEventType { get; init; } = 707;

    /// <summary>On an RSI congestion event's reference path, the heading must be within this of the path (45°; provisional).</summary>
    public double PathHeadingDeg { get; init; } = 45;

    /// <summary>Within an RSI congestion event's radius, the event must be ahead within this of the heading (±60°; provisional).</summary>
    public double AheadDeg { get; init; } = 60;

    /// <summary>On an RSI congestion event's path, vehicles at most this far before it are warned (500 m; provisional).</summary>
    public double MaxPathDistanceM { get; init; } = 500;
}

/// <summary>
/// TJW, traffic jam warning, from two sources.
/// <para>
/// Lane-based: a map lane on which at least <see cref="TjwOptions.MinVehicles"/> vehicles (tracks matched on the
/// lane, not on a connection) are seen at every tick for <see cref="TjwOptions.WindowMs"/>, with the mean speed over
/// the window (the sum of the vehicles' speeds over the window's ticks / the sum of the counts) below a level
/// threshold: level 3 under 10 km/h, 2 under 20, 1 under 30; severity = level. A queue at a red or yellow light
/// shorter than <see cref="TjwOptions.RedQueueExemptM"/> is not a jam. The event is keyed by the lane (map lane index
/// + 1, stable for a map) with no participant; position: the centroid of the lane's vehicles; figures
/// vehicleCount (now), meanSpeedMps, level; location: the lane.
/// </para>
/// <para>
/// RSI-based: an active RSI congestion event (707) warns each vehicle approaching it (same geometry as HLW), severity
/// 2, keyed by the vehicle and the RSI item; figures distanceM, rsiCode, radiusM.
/// </para>
/// Per-lane history is a ring of 32 ticks of counts and speed sums, sized by the map's lane count (reallocated only
/// when the map changes). Allocates nothing per tick.
/// </summary>
public sealed class TrafficJamWarning : Detector
{
    private const int Ring = 32;

    private readonly TjwOptions _options;
    private readonly long[] _slotTime = new long[Ring];
    private int[] _counts = [];
    private double[] _speedSums = [];
    private double[] _xSums = [];
    private double[] _ySums = [];
    private double[] _queueM = [];
    private long[] _since = [];
    private int _lanes = -1;
    private int _slot;
    private int[] _candidates = [];

    public TrafficJamWarning(TjwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Tjw;

    public override void UseMap(LaneMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        Size(map.Lanes.Length);
    }

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(events);
        ReadOnlySpan<MapLaneInfo> lanes = context.Map.Lanes;
        if (lanes.Length != _lanes)
        {
            Size(lanes.Length);
        }

        long now = context.TimeUtcMs;
        ReadOnlySpan<TrackState> tracks = context.Tracks;
        Accumulate(tracks, lanes.Length, now);
        if (context.Trust is { Options.TrafficModel: not null } trust)
        {
            EvaluateModel(context, events, trust, lanes, now);
            EvaluateRsi(context, events, now);
            return;
        }

        for (int lane = 0; lane < lanes.Length; lane++)
        {
            int count = _counts[(lane * Ring) + _slot];
            if (count < _options.MinVehicles)
            {
                _since[lane] = long.MinValue;
                continue;
            }

            if (_since[lane] == long.MinValue)
            {
                _since[lane] = now;
            }

            if (now - _since[lane] < _options.WindowMs)
            {
                continue;
            }

            double mean = MeanSpeed(lane, now);
            byte level = mean < _options.Level3SpeedMps ? (byte)3
                : mean < _options.Level2SpeedMps ? (byte)2
                : mean < _options.Level1SpeedMps ? (byte)1
                : (byte)0;
            if (level == 0 || IsSignalQueue(context, lanes[lane], lane, now))
            {
                continue;
            }

            EventFigures figures = default;
            figures.Set(Figure.VehicleCount, count);
            figures.Set(Figure.MeanSpeedMps, mean);
            figures.Set(Figure.Level, level);
            events.Report(EventType.Tjw, lane + 1, level, figures, _xSums[lane] / count, _ySums[lane] / count, EventLocation.OnLane(lanes[lane].Link, lane));
        }

        EvaluateRsi(context, events, now);
    }

    private void Accumulate(ReadOnlySpan<TrackState> tracks, int laneCount, long now)
    {
        _slot = (_slot + 1) % Ring;
        _slotTime[_slot] = now;
        for (int lane = 0; lane < laneCount; lane++)
        {
            _counts[(lane * Ring) + _slot] = 0;
            _speedSums[(lane * Ring) + _slot] = 0;
        }

        Array.Clear(_xSums);
        Array.Clear(_ySums);
        Array.Clear(_queueM);
        for (int i = 0; i < tracks.Length; i++)
        {
            ref readonly TrackState t = ref tracks[i];
            int lane = t.Match.Lane;
            if (t.Kind != ParticipantKind.Vehicle || t.Match.Status != MatchStatus.OnLane || (uint)lane >= (uint)laneCount)
            {
                continue;
            }

            int k = (lane * Ring) + _slot;
            _counts[k]++;
            _speedSums[k] += double.IsFinite(t.SpeedMps) ? t.SpeedMps : 0;
            _xSums[lane] += t.XM;
            _ySums[lane] += t.YM;
            if (t.Match.ToStopLineM > _queueM[lane])
            {
                _queueM[lane] = t.Match.ToStopLineM;
            }
        }
    }

    // Model-fed: a lane segment the traffic-state model calls Congested (level 3) or Slowing (level 1), with at least
    // ModelJamMinVehicles vehicles on it at one tick of its window, and not a queue at a red light. The level is
    // the model's of the last closed second (it is held between seconds); keyed by segment (offset past the lane keys).
    private void EvaluateModel(TickContext context, EventLifecycle events, Trust.TrustMonitor trust, ReadOnlySpan<MapLaneInfo> lanes, long now)
    {
        Trust.LaneSegments segments = trust.Segments;
        int minVehicles = trust.Options.ModelJamMinVehicles;
        for (int seg = 0; seg < segments.Count; seg++)
        {
            if (trust.SegmentLevel(seg) is not { } level || level == Trust.TrafficLevel.FreeFlow)
            {
                continue;
            }

            int vehicles = trust.SegmentVehicles(seg);
            int lane = segments.Lane(seg);
            if (vehicles < minVehicles || (uint)lane >= (uint)lanes.Length || IsSignalQueue(context, lanes[lane], lane, now))
            {
                continue;
            }

            byte severity = level == Trust.TrafficLevel.Congested ? (byte)3 : (byte)1;
            EventFigures figures = default;
            figures.Set(Figure.VehicleCount, vehicles);
            figures.Set(Figure.MeanSpeedMps, trust.SegmentMeanSpeed(seg));
            figures.Set(Figure.Level, severity);
            (double x, double y) = segments.Center(seg);
            events.Report(EventType.Tjw, ModelKeyBase + seg, severity, figures, x, y, EventLocation.OnLane(lanes[lane].Link, lane));
        }
    }

    /// <summary>Model-fed TJW events are keyed by segment from here (lane-keyed events use lane + 1).</summary>
    public const long ModelKeyBase = 1_000_000;

    private double MeanSpeed(int lane, long now)
    {
        double sum = 0;
        int count = 0;
        for (int s = 0; s < Ring; s++)
        {
            if (_slotTime[s] >= now - _options.WindowMs && _slotTime[s] <= now)
            {
                sum += _speedSums[(lane * Ring) + s];
                count += _counts[(lane * Ring) + s];
            }
        }

        return count == 0 ? double.NaN : sum / count;
    }

    private bool IsSignalQueue(TickContext context, in MapLaneInfo info, int lane, long now)
    {
        if (!info.HasStopLine || info.PhaseId <= 0 || _queueM[lane] > _options.RedQueueExemptM)
        {
            return false;
        }

        return context.Signals.TryGetLight(info.Node, info.PhaseId, now, now, out PhaseInterval light)
            && (light.IsRed || light.Light == Core.Messages.LightState.Yellow);
    }

    private void EvaluateRsi(TickContext context, EventLifecycle events, long now)
    {
        RsiState rsi = context.Rsi;
        ReadOnlySpan<RsiItem> items = rsi.Items;
        for (int e = 0; e < items.Length; e++)
        {
            ref readonly RsiItem item = ref items[e];
            if (item.Kind != RsiKind.Event || item.Code != _options.CongestionEventType || !item.IsActive(now))
            {
                continue;
            }

            var vehicles = new RsiApproachers(context, ref _candidates, e, item.BoundRadiusM, item.RadiusM, _options.PathHeadingDeg, _options.AheadDeg, _options.MaxPathDistanceM);
            while (vehicles.MoveNext())
            {
                EventFigures figures = default;
                vehicles.SetFigures(ref figures);
                figures.Set(Figure.RadiusM, item.RadiusM);
                events.Report(EventType.Tjw, vehicles.Current, item.Key, 2, figures, vehicles.Location);
            }
        }
    }

    private void Size(int lanes)
    {
        _lanes = lanes;
        _counts = new int[lanes * Ring];
        _speedSums = new double[lanes * Ring];
        _xSums = new double[lanes];
        _ySums = new double[lanes];
        _queueM = new double[lanes];
        _since = new long[lanes];
        _since.AsSpan().Fill(long.MinValue);
        _slotTime.AsSpan().Fill(long.MinValue);
    }
}
