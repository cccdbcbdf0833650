using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Detectors.Conflict;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>LTA thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record LtaOptions
{
    /// <summary>The oncoming vehicle's time to the conflict area below which the left turn is unsafe (5 s; section 4, provisional).</summary>
    public double TimeToConflictS { get; init; } = 5.0;

    /// <summary>Below this oncoming time to conflict the event is imminent, severity 3 (2.5 s; provisional).</summary>
    public double ImminentS { get; init; } = 2.5;

    /// <summary>Smallest heading difference of the oncoming approach (150 degrees; provisional).</summary>
    public double MinHeadingDiffDeg { get; init; } = 150;

    /// <summary>
    /// How far before the stop line a left-turner is a subject even when slow or stopped (waiting to turn), metres
    /// (30; provisional). A faster one is also a subject while it reaches the conflict area no later than the
    /// oncoming vehicle leaves it.
    /// </summary>
    public double SubjectRangeM { get; init; } = 30;

    /// <summary>An oncoming vehicle slower than this reaches nothing, m/s (0.5; provisional).</summary>
    public double MinSpeedMps { get; init; } = 0.5;

    /// <summary>A yaw rate at least this large to the left (deg/s; clockwise positive, so -5 or less) marks a left turn on a lane that allows it (5; provisional).</summary>
    public double TurnYawRateDps { get; init; } = 5;

    /// <summary>An oncoming vehicle braking hard enough to stop before the conflict area (its reported acceleration) does not reach it (true).</summary>
    public bool ConsiderBraking { get; init; } = true;
}

/// <summary>
/// LTA, left turn assist: a vehicle about to turn left (on a left-only lane, on a left-turn connection in the
/// junction, or on a lane that allows a left turn with the left turn signal on or a yaw rate to the left) and an
/// oncoming vehicle (approach headings 150..210 degrees apart) going straight or right whose time to the conflict
/// area of the two paths is below <see cref="LtaOptions.TimeToConflictS"/>. The subject is the left-turner (it
/// must yield), the other the oncoming vehicle. Severity 2; 3 below <see cref="LtaOptions.ImminentS"/> or when the
/// oncoming vehicle can no longer stop before the conflict area on the current surface. Allocates nothing per
/// tick; not thread-safe.
/// </summary>
public sealed class LeftTurnAssist : Detector
{
    private readonly LtaOptions _options;
    private ConflictIndex? _index;
    private Candidate[] _turners = new Candidate[32];
    private Candidate[] _oncoming = new Candidate[64];

    public LeftTurnAssist(LtaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Lta;

    public override void UseMap(LaneMap map) => _index = null;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(events);
        ConflictIndex index = _index = ConflictIndex.For(_index, context.Map);
        LaneMap map = context.Map;
        ReadOnlySpan<TrackState> tracks = context.Tracks;
        int turners = 0;
        int oncoming = 0;
        for (int i = 0; i < tracks.Length; i++)
        {
            ref readonly TrackState t = ref tracks[i];
            if (t.Kind != ParticipantKind.Vehicle)
            {
                continue;
            }

            if (TryLeftTurn(t, map, out PredictedPath left))
            {
                if (left.ToStartM <= Math.Max(_options.SubjectRangeM, t.SpeedMps * _options.TimeToConflictS))
                {
                    Add(ref _turners, turners++, new Candidate(i, left, index.ApproachHeadingDeg(left.Connection)));
                }

                continue;
            }

            if (t.SpeedMps < _options.MinSpeedMps || !ConflictPaths.TryPredict(t, map, _options.TurnYawRateDps, out PredictedPath path))
            {
                continue;
            }

            AllowedManeuvers maneuver = map.Connections[path.Connection].Maneuver;
            if ((maneuver & (AllowedManeuvers.Straight | AllowedManeuvers.Right)) == 0 || path.ToStartM > t.SpeedMps * _options.TimeToConflictS)
            {
                continue;
            }

            Add(ref _oncoming, oncoming++, new Candidate(i, path, index.ApproachHeadingDeg(path.Connection)));
        }

        double decel = context.AvailableDecelMps2;
        for (int h = 0; h < turners; h++)
        {
            ref readonly Candidate hv = ref _turners[h];
            ref readonly TrackState ht = ref tracks[hv.Track];
            for (int r = 0; r < oncoming; r++)
            {
                ref readonly Candidate rv = ref _oncoming[r];
                if (rv.Path.Node != hv.Path.Node || ConflictPaths.AngleDiffDeg(hv.ApproachHeadingDeg, rv.ApproachHeadingDeg) < _options.MinHeadingDiffDeg)
                {
                    continue;
                }

                int area = index.Find(hv.Path.Connection, rv.Path.Connection, out double entryH, out double exitH, out double entryR, out double exitR);
                if (area < 0)
                {
                    continue;
                }

                ref readonly TrackState rt = ref tracks[rv.Track];
                double hvEntryM = hv.Path.ToStartM + entryH;
                double rvEntryM = rv.Path.ToStartM + entryR;
                if (hv.Path.ToStartM + exitH <= 0 || rv.Path.ToStartM + exitR <= 0)
                {
                    continue; // one of them has left the conflict area
                }

                if (_options.ConsiderBraking && ConflictPaths.StopsBefore(rt.SpeedMps, rt.AccelMps2, rvEntryM))
                {
                    continue;
                }

                ConflictPaths.Window(rvEntryM, rv.Path.ToStartM + exitR, rt.SpeedMps, _options.MinSpeedMps, out double rvIn, out double rvOut);
                if (rvIn >= _options.TimeToConflictS)
                {
                    continue;
                }

                ConflictPaths.Window(hvEntryM, hv.Path.ToStartM + exitH, ht.SpeedMps, _options.MinSpeedMps, out double hvIn, out _);
                if (hvEntryM > _options.SubjectRangeM && hvIn > rvOut)
                {
                    continue; // a left-turner still far off arrives after the oncoming vehicle has gone
                }

                double rvDistanceM = Math.Max(0, rvEntryM);
                bool imminent = rvIn < _options.ImminentS || ConflictPaths.CannotStop(rt.SpeedMps, rvDistanceM, decel);
                EventFigures figures = default;
                figures.Set(Figure.TimeToConflictS, hvIn);
                figures.Set(Figure.OtherTimeToConflictS, rvIn);
                figures.Set(Figure.SpeedMps, ht.SpeedMps);
                figures.Set(Figure.OtherSpeedMps, rt.SpeedMps);
                figures.Set(Figure.DistanceM, rvDistanceM);
                figures.Set(Figure.HeadingDiffDeg, ConflictPaths.AngleDiffDeg(hv.ApproachHeadingDeg, rv.ApproachHeadingDeg));
                figures.Set(Figure.AvailableDecelMps2, decel);
                ref readonly MapConflictArea conflict = ref map.ConflictAreas[area];
                events.Report(EventType.Lta, ht, rt, imminent ? (byte)3 : (byte)2, figures, conflict.CentroidXM, conflict.CentroidYM, EventLocation.AtNode(conflict.Node));
            }
        }
    }

    /// <summary>
    /// Whether the vehicle is turning left, and on which connection: on a left-turn connection; on a lane whose
    /// manoeuvres allow a left turn but not straight on; on a lane that allows a left turn with the left signal on
    /// or a yaw rate to the left.
    /// </summary>
    private bool TryLeftTurn(in TrackState t, LaneMap map, out PredictedPath path)
    {
        ref readonly MapMatch m = ref t.Match;
        if (m.Status == MatchStatus.OnConnection && m.Connection >= 0)
        {
            path = new PredictedPath(m.Connection, map.Connections[m.Connection].Node, -m.AlongM);
            return (map.Connections[m.Connection].Maneuver & AllowedManeuvers.Left) != 0;
        }

        path = default;
        if (m.Status != MatchStatus.OnLane || m.Lane < 0 || double.IsNaN(m.ToStopLineM))
        {
            return false;
        }

        ref readonly MapLaneInfo lane = ref map.Lanes[m.Lane];
        if ((lane.Maneuvers & AllowedManeuvers.Left) == 0)
        {
            return false;
        }

        bool leftOnly = (lane.Maneuvers & AllowedManeuvers.Straight) == 0;
        if (!leftOnly && ConflictPaths.Intent(t, _options.TurnYawRateDps) != AllowedManeuvers.Left)
        {
            return false;
        }

        ReadOnlySpan<MapConnectionInfo> connections = map.Connections;
        for (int c = lane.FirstConnection; c < lane.FirstConnection + lane.ConnectionCount; c++)
        {
            if ((connections[c].Maneuver & AllowedManeuvers.Left) != 0)
            {
                path = new PredictedPath(c, lane.Node, m.ToStopLineM);
                return true;
            }
        }

        return false;
    }

    private static void Add(ref Candidate[] array, int at, in Candidate value)
    {
        if (at == array.Length)
        {
            Array.Resize(ref array, at * 2);
        }

        array[at] = value;
    }

    private readonly record struct Candidate(int Track, PredictedPath Path, double ApproachHeadingDeg);
}
