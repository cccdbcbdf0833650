using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Detectors.Conflict;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>ICW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record IcwOptions
{
    /// <summary>A pair is in conflict when both would be in the conflict area within this time (3 s; section 4, provisional).</summary>
    public double TimeToConflictS { get; init; } = 3.0;

    /// <summary>Below this time to conflict the event is imminent, severity 3 (1.5 s; provisional).</summary>
    public double ImminentS { get; init; } = 1.5;

    /// <summary>Smallest heading difference of two crossing approaches (60 degrees; section 4).</summary>
    public double MinHeadingDiffDeg { get; init; } = 60;

    /// <summary>Largest heading difference of two crossing approaches (120 degrees; section 4).</summary>
    public double MaxHeadingDiffDeg { get; init; } = 120;

    /// <summary>Each occupancy window is widened by this much on both sides before the overlap test (0.5 s; provisional: position and speed noise).</summary>
    public double WindowMarginS { get; init; } = 0.5;

    /// <summary>A vehicle slower than this reaches nothing (waiting at a red light), m/s (0.5; provisional).</summary>
    public double MinSpeedMps { get; init; } = 0.5;

    /// <summary>A yaw rate at least this large (deg/s, clockwise positive) picks the turning connection of a lane that allows several (5; provisional).</summary>
    public double TurnYawRateDps { get; init; } = 5;

    /// <summary>A vehicle braking hard enough to stop before the conflict area (its reported acceleration) does not reach it (true).</summary>
    public bool ConsiderBraking { get; init; } = true;

    /// <summary>Without map data: the half length of the conflict zone around the crossing point of the two paths, metres (3; provisional: half a lane plus half a car).</summary>
    public double FallbackHalfLengthM { get; init; } = 3.0;

    /// <summary>Without map data: the highest speed assumed of the other vehicle when searching neighbours, m/s (25; provisional, 90 km/h).</summary>
    public double FallbackMaxSpeedMps { get; init; } = 25;
}

/// <summary>
/// ICW, intersection collision warning: two vehicles on crossing approaches (approach headings 60..120 degrees apart)
/// that would occupy the same conflict area of the lane map within overlapping time windows, the later of the two
/// entering within <see cref="IcwOptions.TimeToConflictS"/>. Each vehicle's path is the connection of its lane
/// (<see cref="ConflictPaths.TryPredict"/>); the window is [entry, exit] / speed, widened by the margin. A vehicle
/// off the map or in the junction's area on no path falls back to the crossing point of the two heading rays.
/// Both vehicles are warned: one event with subject A and other B, one with subject B and other A.
/// Severity 2; 3 below <see cref="IcwOptions.ImminentS"/> or when the subject can no longer stop before the conflict
/// area on the current surface. Allocates nothing per tick (scratch arrays grow only with the track count).
/// Not thread-safe.
/// </summary>
public sealed class IntersectionCollisionWarning : Detector
{
    private readonly IcwOptions _options;
    private ConflictIndex? _index;
    private Candidate[] _candidates = new Candidate[64];
    private int[] _fallback = new int[16];
    private sbyte[] _hasPath = new sbyte[256];

    public IntersectionCollisionWarning(IcwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Icw;

    public override void UseMap(LaneMap map) => _index = null;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(events);
        ConflictIndex index = _index = ConflictIndex.For(_index, context.Map);
        ReadOnlySpan<TrackState> tracks = context.Tracks;
        if (_hasPath.Length < tracks.Length)
        {
            _hasPath = new sbyte[tracks.Length * 2];
        }

        int k = 0;
        int f = 0;
        double reachS = _options.TimeToConflictS + _options.WindowMarginS;
        for (int i = 0; i < tracks.Length; i++)
        {
            ref readonly TrackState t = ref tracks[i];
            _hasPath[i] = 0;
            if (t.Kind != ParticipantKind.Vehicle || t.SpeedMps < _options.MinSpeedMps)
            {
                continue;
            }

            if (!ConflictPaths.TryPredict(t, context.Map, _options.TurnYawRateDps, out PredictedPath path))
            {
                if (t.Match.Status is MatchStatus.OffMap or MatchStatus.InIntersectionArea)
                {
                    Add(ref _fallback, f++, i);
                }

                continue;
            }

            _hasPath[i] = 1;
            if (path.ToStartM > t.SpeedMps * reachS)
            {
                continue; // cannot reach the junction within the threshold: no conflict area can be reached either
            }

            if (k == _candidates.Length)
            {
                Array.Resize(ref _candidates, k * 2);
            }

            _candidates[k++] = new Candidate(i, path, index.ApproachHeadingDeg(path.Connection));
        }

        for (int a = 0; a < k; a++)
        {
            ref readonly Candidate ca = ref _candidates[a];
            for (int b = a + 1; b < k; b++)
            {
                ref readonly Candidate cb = ref _candidates[b];
                if (cb.Path.Node != ca.Path.Node)
                {
                    continue;
                }

                double diff = ConflictPaths.AngleDiffDeg(ca.ApproachHeadingDeg, cb.ApproachHeadingDeg);
                if (diff < _options.MinHeadingDiffDeg || diff > _options.MaxHeadingDiffDeg)
                {
                    continue;
                }

                int area = index.Find(ca.Path.Connection, cb.Path.Connection, out double entryA, out double exitA, out double entryB, out double exitB);
                if (area < 0)
                {
                    continue;
                }

                ref readonly MapConflictArea conflict = ref context.Map.ConflictAreas[area];
                Check(
                    context,
                    events,
                    tracks[ca.Track],
                    tracks[cb.Track],
                    ca.Path.ToStartM + entryA,
                    ca.Path.ToStartM + exitA,
                    cb.Path.ToStartM + entryB,
                    cb.Path.ToStartM + exitB,
                    diff,
                    conflict.CentroidXM,
                    conflict.CentroidYM,
                    EventLocation.AtNode(conflict.Node));
            }
        }

        for (int q = 0; q < f; q++)
        {
            EvaluateFallback(context, events, _fallback[q]);
        }
    }

    /// <summary>Pairs a vehicle with no map path with its neighbours by the crossing point of their heading rays.</summary>
    private void EvaluateFallback(TickContext context, EventLifecycle events, int i)
    {
        ReadOnlySpan<TrackState> tracks = context.Tracks;
        ref readonly TrackState a = ref tracks[i];
        double radius = (a.SpeedMps + _options.FallbackMaxSpeedMps) * (_options.TimeToConflictS + _options.WindowMarginS) + _options.FallbackHalfLengthM;
        ReadOnlySpan<int> near = context.Neighbours(i, radius);
        for (int n = 0; n < near.Length; n++)
        {
            int j = near[n];
            ref readonly TrackState b = ref tracks[j];
            if (b.Kind != ParticipantKind.Vehicle || b.SpeedMps < _options.MinSpeedMps)
            {
                continue;
            }

            if (_hasPath[j] == 0 && j < i && (b.Match.Status is MatchStatus.OffMap or MatchStatus.InIntersectionArea))
            {
                continue; // a pair of two fallback vehicles is checked once, from the lower index
            }

            double diff = ConflictPaths.AngleDiffDeg(a.HeadingDeg, b.HeadingDeg);
            if (diff < _options.MinHeadingDiffDeg || diff > _options.MaxHeadingDiffDeg)
            {
                continue;
            }

            if (!ConflictPaths.RayCrossing(a.XM, a.YM, a.HeadingDeg, b.XM, b.YM, b.HeadingDeg, out double sa, out double sb, out double cx, out double cy))
            {
                continue;
            }

            double half = _options.FallbackHalfLengthM;
            int node = a.Match.Node >= 0 ? a.Match.Node : b.Match.Node;
            EventLocation location = node >= 0 ? EventLocation.AtNode(node) : EventLocation.None;
            Check(context, events, a, b, sa - half, sa + half, sb - half, sb + half, diff, cx, cy, location);
        }
    }

    /// <summary>
    /// The pair test. Worked example: A 27.8 m from the entry at 13.9 m/s (window 2.0..2.26 s), B 22.2 m at
    /// 11.1 m/s (2.0..2.32 s): the windows overlap, both are in the area 2.0 s from now, under 3 s: both are warned.
    /// </summary>
    private void Check(
        TickContext context,
        EventLifecycle events,
        in TrackState a,
        in TrackState b,
        double entryAM,
        double exitAM,
        double entryBM,
        double exitBM,
        double headingDiffDeg,
        double xM,
        double yM,
        EventLocation location)
    {
        if (exitAM <= 0 || exitBM <= 0)
        {
            return; // one of them has left the conflict area
        }

        if (_options.ConsiderBraking && (ConflictPaths.StopsBefore(a.SpeedMps, a.AccelMps2, entryAM) || ConflictPaths.StopsBefore(b.SpeedMps, b.AccelMps2, entryBM)))
        {
            return;
        }

        ConflictPaths.Window(entryAM, exitAM, a.SpeedMps, _options.MinSpeedMps, out double inA, out double outA);
        ConflictPaths.Window(entryBM, exitBM, b.SpeedMps, _options.MinSpeedMps, out double inB, out double outB);
        double m = _options.WindowMarginS;
        if (inA - m > outB + m || inB - m > outA + m)
        {
            return; // one clears the area before the other arrives
        }

        double conflictS = Math.Max(inA, inB);
        if (conflictS >= _options.TimeToConflictS)
        {
            return;
        }

        double decel = context.AvailableDecelMps2;
        Raise(events, a, b, inA, inB, Math.Max(0, entryAM), headingDiffDeg, conflictS, decel, xM, yM, location);
        Raise(events, b, a, inB, inA, Math.Max(0, entryBM), headingDiffDeg, conflictS, decel, xM, yM, location);
    }

    private void Raise(
        EventLifecycle events,
        in TrackState subject,
        in TrackState other,
        double subjectS,
        double otherS,
        double distanceM,
        double headingDiffDeg,
        double conflictS,
        double decelMps2,
        double xM,
        double yM,
        EventLocation location)
    {
        byte severity = conflictS < _options.ImminentS || ConflictPaths.CannotStop(subject.SpeedMps, distanceM, decelMps2) ? (byte)3 : (byte)2;
        EventFigures figures = default;
        figures.Set(Figure.TimeToConflictS, subjectS);
        figures.Set(Figure.OtherTimeToConflictS, otherS);
        figures.Set(Figure.SpeedMps, subject.SpeedMps);
        figures.Set(Figure.OtherSpeedMps, other.SpeedMps);
        figures.Set(Figure.HeadingDiffDeg, headingDiffDeg);
        figures.Set(Figure.DistanceM, distanceM);
        figures.Set(Figure.AvailableDecelMps2, decelMps2);
        events.Report(EventType.Icw, subject, other, severity, figures, xM, yM, location);
    }

    private static void Add(ref int[] array, int at, int value)
    {
        if (at == array.Length)
        {
            Array.Resize(ref array, at * 2);
        }

        array[at] = value;
    }

    private readonly record struct Candidate(int Track, PredictedPath Path, double ApproachHeadingDeg);
}
