using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Detectors.Road;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>AVW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record AvwOptions
{
    /// <summary>Below this speed a vehicle is stopped or crawling (2.78 m/s, 10 km/h; V2X-REFERENCE section 4).</summary>
    public double SlowSpeedMps { get; init; } = 10 / 3.6;

    /// <summary>Slowness is abnormal only on lanes whose limit is above this (8.33 m/s, 30 km/h; provisional).</summary>
    public double MinLimitMps { get; init; } = 30 / 3.6;

    /// <summary>A vehicle must be slow for this long before it is abnormal: momentary stops are not (2,000 ms; provisional). Flags count at once.</summary>
    public long MinSlowMs { get; init; } = 2000;

    /// <summary>A slow vehicle within this of a stop line is queueing at the junction, not abnormal (60 m; provisional).</summary>
    public double QueueStopLineM { get; init; } = 60;

    /// <summary>A slow vehicle with another slow vehicle ahead in its lane within this (centre to centre) is in a queue, not abnormal (20 m; provisional).</summary>
    public double QueueGapM { get; init; } = 20;

    /// <summary>How far behind the abnormal vehicle (along the road) approaching vehicles are warned (300 m; provisional).</summary>
    public double RangeM { get; init; } = 300;

    /// <summary>Only vehicles moving faster than this are warned: those already queueing behind it know (5 m/s; provisional).</summary>
    public double MinSubjectSpeedMps { get; init; } = 5;

    /// <summary>The flags that make a vehicle abnormal whatever its speed (hazard lights, disabled vehicle; section 4).</summary>
    public ParticipantFlags Flags { get; init; } = ParticipantFlags.HazardLights | ParticipantFlags.Disabled;

    /// <summary>Heading difference up to which two vehicles travel the same way (30°; provisional).</summary>
    public double SameHeadingDeg { get; init; } = 30;

    /// <summary>Lateral offset within which a vehicle the map cannot place is in the same lane (1.75 m; provisional).</summary>
    public double LaneToleranceM { get; init; } = 1.75;

    /// <summary>Lateral offset within which a vehicle the map cannot place travels the same road (10.5 m, three lanes; provisional).</summary>
    public double CorridorM { get; init; } = 10.5;
}

/// <summary>
/// AVW, abnormal vehicle warning: a vehicle stopped or crawling (below 10 km/h for 2 s) on a lane whose limit is
/// above 30 km/h, not queueing (not within 60 m of a stop line, no slow vehicle just ahead of it in its lane, not
/// inside a junction), or showing hazard lights or the disabled flag, warns the vehicles approaching it from
/// behind in its direction within the range: severity 2 in its lane, 1 in the other lanes. Keeps one timestamp
/// per track slot; allocation-free per tick after the first; not thread-safe.
/// </summary>
public sealed class AbnormalVehicleWarning : Detector
{
    private readonly AvwOptions _options;
    private long[] _slowSinceMs = [];
    private long[] _slotTrack = [];
    private int[] _abnormal = [];

    public AbnormalVehicleWarning(AvwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Avw;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(events);
        EnsureCapacity(context.Capacity);
        ReadOnlySpan<TrackState> tracks = context.Tracks;

        // First pass: who is abnormal now (a slow vehicle's queue check queries the index, so the warnings wait).
        int count = 0;
        for (int r = 0; r < tracks.Length; r++)
        {
            ref readonly TrackState rv = ref tracks[r];
            if (RoadGeometry.IsVehicle(rv) && IsAbnormal(context, r))
            {
                _abnormal[count++] = r;
            }
        }

        for (int a = 0; a < count; a++)
        {
            int r = _abnormal[a];
            ref readonly TrackState rv = ref tracks[r];
            var followers = new Followers(context, r, _options.RangeM, _options.SameHeadingDeg, _options.LaneToleranceM, _options.CorridorM);
            while (followers.MoveNext())
            {
                if (followers.Current.SpeedMps < _options.MinSubjectSpeedMps)
                {
                    continue;
                }

                EventFigures figures = default;
                followers.SetFigures(ref figures);
                if (!double.IsNaN(rv.Match.SpeedLimitMps))
                {
                    figures.Set(Figure.LimitMps, rv.Match.SpeedLimitMps);
                }

                followers.Report(events, EventType.Avw, figures);
            }
        }
    }

    public override void UseMap(LaneMap map) => Array.Fill(_slowSinceMs, long.MinValue);

    private bool IsAbnormal(TickContext context, int r)
    {
        ref readonly TrackState rv = ref context.Tracks[r];
        int h = rv.Handle;
        if (_slotTrack[h] != rv.TrackId)
        {
            _slotTrack[h] = rv.TrackId;
            _slowSinceMs[h] = long.MinValue;
        }

        if ((rv.Flags & _options.Flags) != 0)
        {
            return true;
        }

        ref readonly MapMatch m = ref rv.Match;
        bool slow = rv.SpeedMps < _options.SlowSpeedMps && m.Status == MatchStatus.OnLane && m.SpeedLimitMps > _options.MinLimitMps;
        if (!slow)
        {
            _slowSinceMs[h] = long.MinValue;
            return false;
        }

        if (_slowSinceMs[h] == long.MinValue)
        {
            _slowSinceMs[h] = context.TimeUtcMs;
        }

        return context.TimeUtcMs - _slowSinceMs[h] >= _options.MinSlowMs && !IsQueueing(context, r);
    }

    // Queueing: near a stop line, or behind another slow vehicle in the same lane.
    private bool IsQueueing(TickContext context, int r)
    {
        ref readonly TrackState rv = ref context.Tracks[r];
        double toStopLine = rv.Match.ToStopLineM;
        if (toStopLine >= 0 && toStopLine <= _options.QueueStopLineM)
        {
            return true;
        }

        ReadOnlySpan<TrackState> tracks = context.Tracks;
        ReadOnlySpan<int> near = context.Neighbours(r, _options.QueueGapM);
        for (int k = 0; k < near.Length; k++)
        {
            ref readonly TrackState other = ref tracks[near[k]];
            if (RoadGeometry.IsVehicle(other) && other.SpeedMps < _options.SlowSpeedMps
                && RoadGeometry.SameLane(context.Map, rv, other, 180, _options.LaneToleranceM, out double aheadM)
                && aheadM > 0 && aheadM <= _options.QueueGapM)
            {
                return true;
            }
        }

        return false;
    }

    private void EnsureCapacity(int capacity)
    {
        if (_slowSinceMs.Length >= capacity)
        {
            return;
        }

        _slowSinceMs = new long[capacity];
        _slotTrack = new long[capacity];
        _abnormal = new int[capacity];
        Array.Fill(_slowSinceMs, long.MinValue);
    }
}
