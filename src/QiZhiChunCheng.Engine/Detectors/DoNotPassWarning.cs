using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Detectors.Road;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>DNPW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record DnpwOptions
{
    /// <summary>An oncoming vehicle closer than this in time (gap / closing speed) makes passing unsafe (9 s; V2X-REFERENCE section 4).</summary>
    public double OvertakeTimeS { get; init; } = 9;

    /// <summary>In the opposing lane with the oncoming vehicle closer than this, the severity is 3, imminent (4 s; provisional).</summary>
    public double ImminentTtcS { get; init; } = 4;

    /// <summary>The fastest oncoming vehicle looked for, which sizes the search (25 m/s, 90 km/h; provisional).</summary>
    public double MaxOncomingSpeedMps { get; init; } = 25;

    /// <summary>Hosts slower than this are not passing anybody (5 m/s; provisional).</summary>
    public double MinSpeedMps { get; init; } = 5;

    /// <summary>A host in the innermost lane signalling left and this far left of the lane centre is moving out (0.5 m; provisional).</summary>
    public double DriftM { get; init; } = 0.5;

    /// <summary>... or moving left this fast (0.5 m/s; provisional).</summary>
    public double LateralSpeedMps { get; init; } = 0.5;

    /// <summary>Heading difference from 180° up to which a vehicle is oncoming (30°; provisional).</summary>
    public double OncomingHeadingDeg { get; init; } = 30;

    /// <summary>An oncoming vehicle within this of the host's heading line is in the lane it passes in (2.5 m; provisional).</summary>
    public double CorridorM { get; init; } = 2.5;
}

/// <summary>
/// DNPW, do not pass warning: a host in the opposing lane (its position matches only a lane of the opposing
/// direction, its heading against that lane: severity 2, 3 below <see cref="DnpwOptions.ImminentTtcS"/>), or in the
/// innermost lane moving out towards it with its left signal on (severity 1), with an oncoming vehicle in that lane
/// whose time to collision is below the overtaking time (9 s). Mid-block only (not inside junctions).
/// Allocation-free per tick; not thread-safe.
/// </summary>
public sealed class DoNotPassWarning : Detector
{
    private readonly DnpwOptions _options;
    private RoadTopology? _topology;
    private LaneMap? _topologyMap;

    public DoNotPassWarning(DnpwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Dnpw;

    public override void UseMap(LaneMap map) => _topology = null;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(events);
        LaneMap map = context.Map;
        if (_topology is null || !ReferenceEquals(_topologyMap, map))
        {
            _topology = new RoadTopology(map); // once per map
            _topologyMap = map;
        }

        ReadOnlySpan<TrackState> tracks = context.Tracks;
        for (int i = 0; i < tracks.Length; i++)
        {
            ref readonly TrackState hv = ref tracks[i];
            if (!RoadGeometry.IsVehicle(hv) || hv.SpeedMps < _options.MinSpeedMps)
            {
                continue;
            }

            int opposing;
            int opposingLaneId = 0;
            bool inOpposingLane;
            EventLocation location;
            if (hv.Match.Status == MatchStatus.OffMap)
            {
                // Off every lane of its own direction: is it on a lane of the other direction, driving against it?
                MapMatch reverse = map.MatchLocal(hv.XM, hv.YM, (hv.HeadingDeg + 180) % 360, hv.SpeedMps);
                if (reverse.Status != MatchStatus.OnLane)
                {
                    continue;
                }

                opposing = reverse.Link;
                inOpposingLane = true;
                location = EventLocation.OnLane(reverse.Link, reverse.Lane);
            }
            else if (hv.Match.Status == MatchStatus.OnLane && IsMovingOut(map, hv))
            {
                opposing = _topology.OpposingLink(hv.Match.Link);
                if (opposing < 0)
                {
                    continue;
                }

                opposingLaneId = _topology.InnermostLaneId(opposing);
                inOpposingLane = false;
                location = EventLocation.OnLane(hv.Match.Link, hv.Match.Lane);
            }
            else
            {
                continue;
            }

            double radius = _options.OvertakeTimeS * (hv.SpeedMps + _options.MaxOncomingSpeedMps);
            ReadOnlySpan<int> near = context.Neighbours(i, radius);
            int best = -1;
            double bestTtc = double.PositiveInfinity;
            double bestDistance = 0;
            double bestClosing = 0;
            for (int k = 0; k < near.Length; k++)
            {
                ref readonly TrackState rv = ref tracks[near[k]];
                if (!RoadGeometry.IsVehicle(rv) || rv.Match.Status != MatchStatus.OnLane || rv.Match.Link != opposing
                    || 180 - RoadGeometry.HeadingDiffDeg(hv.HeadingDeg, rv.HeadingDeg) > _options.OncomingHeadingDeg)
                {
                    continue;
                }

                RoadGeometry.Relative(hv, rv, out double aheadM, out double leftM);
                bool inPath = inOpposingLane ? Math.Abs(leftM) <= _options.CorridorM : map.Lanes[rv.Match.Lane].LaneId == opposingLaneId;
                if (!inPath || aheadM <= 0)
                {
                    continue;
                }

                double gap = aheadM - (0.5 * (hv.LengthM + rv.LengthM));
                double closing = hv.SpeedMps + (rv.SpeedMps * Math.Cos((180 - RoadGeometry.HeadingDiffDeg(hv.HeadingDeg, rv.HeadingDeg)) * (Math.PI / 180)));
                double ttc = gap <= 0 ? 0 : gap / closing;
                if (ttc < _options.OvertakeTimeS && ttc < bestTtc)
                {
                    best = near[k];
                    bestTtc = ttc;
                    bestDistance = gap;
                    bestClosing = closing;
                }
            }

            if (best < 0)
            {
                continue;
            }

            ref readonly TrackState oncoming = ref tracks[best];
            EventFigures figures = default;
            figures.Set(Figure.TtcS, bestTtc);
            figures.Set(Figure.OvertakeTimeS, _options.OvertakeTimeS);
            figures.Set(Figure.DistanceM, bestDistance);
            figures.Set(Figure.SpeedMps, hv.SpeedMps);
            figures.Set(Figure.OtherSpeedMps, oncoming.SpeedMps);
            figures.Set(Figure.ClosingSpeedMps, bestClosing);
            byte severity = !inOpposingLane ? (byte)1 : bestTtc < _options.ImminentTtcS ? (byte)3 : (byte)2;
            events.Report(EventType.Dnpw, hv, oncoming, severity, figures, 0.5 * (hv.XM + oncoming.XM), 0.5 * (hv.YM + oncoming.YM), location);
        }
    }

    // In the innermost lane, left signal on, and already left of the lane centre or moving left.
    private bool IsMovingOut(LaneMap map, in TrackState hv)
    {
        if ((hv.Flags & ParticipantFlags.LeftTurnSignal) == 0 || _topology is null)
        {
            return false;
        }

        ref readonly MapLaneInfo lane = ref map.Lanes[hv.Match.Lane];
        if (lane.LaneId != _topology.InnermostLaneId(hv.Match.Link))
        {
            return false;
        }

        return -hv.Match.LateralM >= _options.DriftM || RoadGeometry.LeftwardSpeedMps(map, hv) >= _options.LateralSpeedMps;
    }
}
