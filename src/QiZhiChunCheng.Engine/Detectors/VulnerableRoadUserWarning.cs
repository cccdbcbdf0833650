using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Detectors.Conflict;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>VRUCW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record VrucwOptions
{
    /// <summary>Time to collision below which a vehicle is warned of a pedestrian or cyclist (3 s; section 4, provisional).</summary>
    public double TtcS { get; init; } = 3.0;

    /// <summary>Below this TTC the event is imminent, severity 3 (1.5 s; provisional).</summary>
    public double ImminentS { get; init; } = 1.5;

    /// <summary>Radius of a pedestrian or cyclist, metres (0.4; provisional).</summary>
    public double VruRadiusM { get; init; } = 0.4;

    /// <summary>Added to the vehicle's half width and the VRU's radius to make the collision radius, metres (0.6; provisional: roadside position noise).</summary>
    public double MarginM { get; init; } = 0.6;

    /// <summary>Width of a vehicle whose size is unknown, metres (1.8).</summary>
    public double DefaultWidthM { get; init; } = 1.8;

    /// <summary>Length of a vehicle whose size is unknown, metres (4.5).</summary>
    public double DefaultLengthM { get; init; } = 4.5;

    /// <summary>A vehicle slower than this is not warned (a VRU walking into a standing car is not its hazard), m/s (1.0; provisional).</summary>
    public double MinVehicleSpeedMps { get; init; } = 1.0;

    /// <summary>
    /// A pedestrian or cyclist on a crosswalk ahead of a vehicle, not moving away from its path, within this lateral
    /// distance beyond the vehicle's half width counts as in its path, metres (1.5; provisional: about the half of
    /// the next lane a crossing pedestrian covers in one second).
    /// </summary>
    public double CrosswalkLateralM { get; init; } = 1.5;

    /// <summary>A vehicle no more than this before its stop line (or inside the junction) places the event at the intersection, metres (30; provisional).</summary>
    public double NearNodeM { get; init; } = 30;
}

/// <summary>
/// VRUCW, vulnerable road user collision warning: a pedestrian or cyclist (RSM pedestrian / non-motor, or BSM classes
/// 82 / 85) and a moving vehicle whose constant-velocity paths come within the collision radius (vehicle half width +
/// VRU radius + margin) of the vehicle's front within <see cref="VrucwOptions.TtcS"/>: TTC is the first time the
/// distance falls to the radius (0 when already within it). A pedestrian standing in the vehicle's lane ahead is the
/// same computation with the VRU's velocity zero. A VRU on a crosswalk ahead of the vehicle, within the vehicle's
/// half width plus <see cref="VrucwOptions.CrosswalkLateralM"/> of its path and not moving away from it, also counts,
/// with TTC the time for the front to come within the radius of the VRU's position along the path.
/// Subject: the vehicle; other: the VRU; raised for any vehicle, connected or not. Severity 2; 3 below
/// <see cref="VrucwOptions.ImminentS"/> or when the vehicle can no longer stop before the conflict point on the
/// current surface. Neighbours are searched around each VRU within (its speed + the fastest vehicle's) × TTC +
/// radius, so the cost follows the number of VRUs. Allocates nothing per tick; not thread-safe.
/// </summary>
public sealed class VulnerableRoadUserWarning : Detector
{
    private readonly VrucwOptions _options;
    private int[] _vrus = new int[32];

    public VulnerableRoadUserWarning(VrucwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Vrucw;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(events);
        ReadOnlySpan<TrackState> tracks = context.Tracks;
        int vrus = 0;
        double fastest = 0;
        double longest = 0;
        for (int i = 0; i < tracks.Length; i++)
        {
            ref readonly TrackState t = ref tracks[i];
            if (t.Kind is ParticipantKind.Pedestrian or ParticipantKind.NonMotor)
            {
                if (vrus == _vrus.Length)
                {
                    Array.Resize(ref _vrus, vrus * 2);
                }

                _vrus[vrus++] = i;
            }
            else if (t.Kind == ParticipantKind.Vehicle)
            {
                fastest = Math.Max(fastest, t.SpeedMps);
                longest = Math.Max(longest, t.LengthM > 0 ? t.LengthM : _options.DefaultLengthM);
            }
        }

        if (vrus == 0 || fastest < _options.MinVehicleSpeedMps)
        {
            return;
        }

        LaneMap map = context.Map;
        double decel = context.AvailableDecelMps2;
        for (int q = 0; q < vrus; q++)
        {
            int u = _vrus[q];
            ref readonly TrackState vru = ref tracks[u];
            int crosswalk = CrosswalkOf(map, vru.XM, vru.YM);
            double radius = ((vru.SpeedMps + fastest) * _options.TtcS) + (longest / 2) + _options.VruRadiusM + _options.MarginM + 3;
            ReadOnlySpan<int> near = context.Neighbours(u, radius);
            for (int n = 0; n < near.Length; n++)
            {
                ref readonly TrackState car = ref tracks[near[n]];
                if (car.Kind != ParticipantKind.Vehicle || car.SpeedMps < _options.MinVehicleSpeedMps)
                {
                    continue;
                }

                Check(map, events, car, vru, crosswalk, decel);
            }
        }
    }

    /// <summary>
    /// The pair test. Worked example: a car's front 20 m before a pedestrian standing in its lane, at 11.1 m/s, with a
    /// collision radius of 1.9 m: the distance falls to 1.9 m after (20 - 1.9) / 11.1 = 1.63 s.
    /// </summary>
    private void Check(LaneMap map, EventLifecycle events, in TrackState car, in TrackState vru, int crosswalk, double decelMps2)
    {
        double ux = car.VxMps / car.SpeedMps;
        double uy = car.VyMps / car.SpeedMps;
        double halfLength = (car.LengthM > 0 ? car.LengthM : _options.DefaultLengthM) / 2;
        double halfWidth = (car.WidthM > 0 ? car.WidthM : _options.DefaultWidthM) / 2;
        double frontX = car.XM + (ux * halfLength);
        double frontY = car.YM + (uy * halfLength);
        double reach = halfWidth + _options.VruRadiusM + _options.MarginM;

        // Closest approach of the VRU to the vehicle's front: |r + w t| = reach, r the relative position, w the relative velocity.
        double rx = vru.XM - frontX, ry = vru.YM - frontY;
        double wx = vru.VxMps - car.VxMps, wy = vru.VyMps - car.VyMps;
        double r2 = (rx * rx) + (ry * ry);
        double ttc = double.PositiveInfinity;
        if (r2 <= reach * reach)
        {
            ttc = 0;
        }
        else
        {
            double a = (wx * wx) + (wy * wy);
            double b = (rx * wx) + (ry * wy);
            double disc = (b * b) - (a * (r2 - (reach * reach)));
            if (b < 0 && disc >= 0 && a > 1e-9)
            {
                ttc = (-b - Math.Sqrt(disc)) / a;
            }
        }

        // A VRU on a crosswalk ahead, beside the path but not leaving it.
        double along = (rx * ux) + (ry * uy);
        if (crosswalk >= 0 && along > 0)
        {
            double lateral = (rx * uy) - (ry * ux); // positive to the right of travel
            double lateralSpeed = (vru.VxMps * uy) - (vru.VyMps * ux);
            bool leaving = (lateral * lateralSpeed > 0) && Math.Abs(lateral) > reach;
            if (Math.Abs(lateral) <= halfWidth + _options.CrosswalkLateralM && !leaving)
            {
                ttc = Math.Min(ttc, Math.Max(0, along - reach) / car.SpeedMps);
            }
        }

        if (ttc >= _options.TtcS)
        {
            return;
        }

        double conflictX = vru.XM + (vru.VxMps * ttc);
        double conflictY = vru.YM + (vru.VyMps * ttc);
        double toConflictM = car.SpeedMps * ttc;
        bool imminent = ttc < _options.ImminentS || ConflictPaths.CannotStop(car.SpeedMps, toConflictM, decelMps2);
        EventFigures figures = default;
        figures.Set(Figure.TtcS, ttc);
        figures.Set(Figure.DistanceM, Math.Sqrt(r2));
        figures.Set(Figure.SpeedMps, car.SpeedMps);
        figures.Set(Figure.OtherSpeedMps, vru.SpeedMps);
        figures.Set(Figure.AvailableDecelMps2, decelMps2);
        events.Report(EventType.Vrucw, car, vru, imminent ? (byte)3 : (byte)2, figures, conflictX, conflictY, Location(map, car, crosswalk));
    }

    /// <summary>At the crosswalk's or the junction's node when the VRU is on a crosswalk or the vehicle is in or near a junction; else on the vehicle's lane.</summary>
    private EventLocation Location(LaneMap map, in TrackState car, int crosswalk)
    {
        if (crosswalk >= 0)
        {
            return EventLocation.AtNode(map.Lanes[map.Crosswalks[crosswalk].Lane].Node);
        }

        ref readonly MapMatch m = ref car.Match;
        if (m.Status is MatchStatus.OnConnection or MatchStatus.InIntersectionArea
            || (m.Status == MatchStatus.OnLane && m.ToStopLineM <= _options.NearNodeM))
        {
            return EventLocation.AtNode(m.Node);
        }

        return m.HasLane ? EventLocation.OnLane(m.Link, m.Lane) : EventLocation.None;
    }

    private static int CrosswalkOf(LaneMap map, double x, double y)
    {
        ReadOnlySpan<MapCrosswalkInfo> crosswalks = map.Crosswalks;
        for (int c = 0; c < crosswalks.Length; c++)
        {
            if (map.Contains(crosswalks[c].PolygonStart, crosswalks[c].PolygonCount, x, y))
            {
                return c;
            }
        }

        return -1;
    }
}
