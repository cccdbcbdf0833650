using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Zone;

namespace QiZhiChunCheng.Scenarios.Generation;

/// <summary>What a participant is, as truth and RSM see it.</summary>
public enum ActorKind
{
    Vehicle,
    Pedestrian,
    Cyclist,
    Emergency,
}

/// <summary>
/// A road user of a generated scenario: its true state (local frame), what it sends (a BSM id when connected) and
/// how it moves (<see cref="Step"/>, every 100 ms). Not thread-safe: a world steps its actors in order.
/// </summary>
public abstract class Actor
{
    protected Actor(string id, ActorKind kind)
    {
        Id = id;
        Kind = kind;
    }

    /// <summary>The truth id: <c>VEH-0001</c>, <c>PED-0001</c>, ...</summary>
    public string Id { get; }

    public ActorKind Kind { get; }

    /// <summary>Set for a connected vehicle: the 8-octet id of its BSMs (and the device id of its topic).</summary>
    public OctetId8? BsmId { get; init; }

    public double LengthM { get; init; } = 4.8;

    public double WidthM { get; init; } = 1.85;

    public byte VehicleClass { get; init; } = 10;

    /// <summary>
    /// A ghost: nothing is really there. Its OBU sends BSMs along its path (a spoofer's fabricated vehicle), but no
    /// RSU sensor sees it and no driver reacts to it; the truth lists it with kind <c>ghost</c> so that events can
    /// name it.
    /// </summary>
    public bool Phantom { get; init; }

    /// <summary>The actor is in the scene (sensed, in the truth) from this time (ms from start).</summary>
    public long AppearMs { get; init; }

    /// <summary>The actor leaves the scene at this time, or when it reaches the end of its way.</summary>
    public long DisappearMs { get; set; } = long.MaxValue;

    public double X { get; protected set; }

    public double Y { get; protected set; }

    public double HeadingDeg { get; protected set; }

    public double SpeedMps { get; protected set; }

    /// <summary>Longitudinal acceleration over the last step.</summary>
    public double AccelMps2 { get; protected set; }

    /// <summary>Yaw rate over the last step, degrees per second.</summary>
    public double YawRateDps { get; protected set; }

    public bool IsActive(long tMs) => tMs >= AppearMs && tMs < DisappearMs;

    /// <summary>Where the actor starts (local frame), before <see cref="Initialise"/>.</summary>
    public abstract double StartX { get; }

    public abstract double StartY { get; }

    /// <summary>Lights, events and the emergency extension at a time (scripted; none by default).</summary>
    public Func<long, ExteriorLights?>? Lights { get; init; }

    public Func<long, VehicleEventFlags?>? Events { get; init; }

    public Func<long, VehicleEmergencyExtensions?>? Emergency { get; init; }

    public ParticipantType ParticipantType => Kind switch
    {
        ActorKind.Pedestrian => ParticipantType.Pedestrian,
        ActorKind.Cyclist => ParticipantType.NonMotor,
        _ => ParticipantType.Motor,
    };

    public string TruthKind => Phantom ? "ghost" : Kind switch
    {
        ActorKind.Pedestrian => "pedestrian",
        ActorKind.Cyclist => "cyclist",
        ActorKind.Emergency => "emergency",
        _ => "vehicle",
    };

    /// <summary>Moves the actor from <paramref name="tMs"/> to <paramref name="tMs"/> + <paramref name="dtS"/>.</summary>
    public abstract void Step(World world, long tMs, double dtS);

    /// <summary>Puts the actor at its initial state.</summary>
    public abstract void Initialise(World world);

    protected void SetPose(Pose pose, double speed)
    {
        X = pose.X;
        Y = pose.Y;
        HeadingDeg = ((pose.HeadingDeg % 360) + 360) % 360;
        SpeedMps = speed;
    }
}

/// <summary>
/// What a vehicle's driver decides in a step, when a script takes over from the driver model: the acceleration
/// (null: the model's), and the lateral offset from the route's centre line to steer to (null: stay).
/// </summary>
public readonly record struct VehicleContext(long TMs, double SM, double SpeedMps, double ToStopLineM, Vehicle Vehicle);

/// <summary>
/// A vehicle following its <see cref="Route"/>: the Intelligent Driver Model behind its leader (Treiber 2000: a
/// = A [1 − (v/v0)^4 − (s*/s)^2], s* = s0 + vT + vΔv / 2√(AB)), slowing for the turns through junctions, stopping
/// for red (and for a yellow it can stop for comfortably) from the signal plans, changing lanes when its lane is
/// slow and the next one is free. Scripts replace any of these for scripted scenarios.
/// </summary>
public sealed class Vehicle : Actor
{
    private int _part;
    private double _lateralRate;
    private double _lastHeading = double.NaN;

    public Vehicle(string id, Route route, double startM, double speedMps, ActorKind kind = ActorKind.Vehicle)
        : base(id, kind)
    {
        Route = route;
        SM = startM;
        SpeedMps = speedMps;
    }

    public Route Route { get; private set; }

    /// <summary>Distance along the route (the vehicle's centre).</summary>
    public double SM { get; private set; }

    /// <summary>Offset from the route's centre line, positive to the left.</summary>
    public double LateralM { get; private set; }

    /// <summary>The speed the driver wants on a free road, as a share of the lane's limit.</summary>
    public double DesiredFactor { get; init; } = 0.95;

    /// <summary>IDM: maximum acceleration (1.5), comfortable deceleration (2.5), time headway (1.3 s), jam distance (2.5 m).</summary>
    public double MaxAccelMps2 { get; init; } = 1.5;

    public double ComfortDecelMps2 { get; init; } = 2.5;

    public double HeadwayS { get; init; } = 1.3;

    public double JamGapM { get; init; } = 2.5;

    /// <summary>The hardest the tyres can brake (8 m/s² dry asphalt).</summary>
    public double MaxDecelMps2 { get; init; } = 8;

    public bool ObeysSignals { get; init; } = true;

    public bool FollowsLeader { get; init; } = true;

    public bool ChangesLanes { get; init; }

    /// <summary>A script for the acceleration: null from the script means the driver model decides.</summary>
    public Func<VehicleContext, double?>? AccelScript { get; init; }

    /// <summary>A script for the lateral offset to steer to (m, positive left); null: keep to the centre line.</summary>
    public Func<VehicleContext, double?>? LateralScript { get; init; }

    /// <summary>How fast the vehicle moves sideways when steering to a new offset (m/s).</summary>
    public double LateralSpeedMps { get; init; } = 1.0;

    public RoutePart Part => Route.Parts[_part];

    public override double StartX => Route.At(SM).X;

    public override double StartY => Route.At(SM).Y;

    /// <summary>Distance from the centre to the first signalised stop line ahead on the route (∞ when none).</summary>
    public double ToStopLineM()
    {
        for (int p = _part; p < Route.Parts.Count; p++)
        {
            RoutePart part = Route.Parts[p];
            if (part.StopNode != 0 && part.EndM > SM)
            {
                return part.EndM - SM;
            }
        }

        return double.PositiveInfinity;
    }

    public override void Initialise(World world)
    {
        _part = Route.PartAt(SM);
        SetPose(Route.At(SM), SpeedMps);

        // A scripted manoeuvre under way at the start is reported from the first message (a car already braking).
        if (AccelScript?.Invoke(new VehicleContext(0, SM, SpeedMps, ToStopLineM(), this)) is { } a)
        {
            AccelMps2 = SpeedMps > 0 || a > 0 ? a : 0;
        }
    }

    public override void Step(World world, long tMs, double dtS)
    {
        ArgumentNullException.ThrowIfNull(world);
        VehicleContext context = new(tMs, SM, SpeedMps, ToStopLineM(), this);
        double a = AccelScript?.Invoke(context) ?? Idm(world, tMs);
        a = Math.Clamp(a, -MaxDecelMps2, MaxAccelMps2 * 2);
        double v0 = SpeedMps;
        double v1 = Math.Max(0, v0 + (a * dtS));
        double ds = (v0 + v1) / 2 * dtS;
        SM += ds;
        AccelMps2 = (v1 - v0) / dtS;
        SpeedMps = v1;

        double target = LateralScript?.Invoke(context) ?? 0;
        double dl = Math.Clamp(target - LateralM, -LateralSpeedMps * dtS, LateralSpeedMps * dtS);
        LateralM += dl;
        _lateralRate = dl / dtS;

        if (ChangesLanes && LateralScript is null && Math.Abs(LateralM) < 0.01)
        {
            TryChangeLane(world, tMs);
        }

        _part = Route.PartAt(SM, _part);
        Pose centre = Route.At(SM);
        Pose pose = centre.Left(LateralM);
        double drift = SpeedMps > 0.5 ? Math.Atan2(_lateralRate, SpeedMps) * 180 / Math.PI : 0;
        double heading = centre.HeadingDeg - drift;
        if (SpeedMps < 0.05 && !double.IsNaN(_lastHeading))
        {
            heading = _lastHeading; // a stopped car keeps its heading
        }

        YawRateDps = double.IsNaN(_lastHeading) ? 0 : Wrap(heading - _lastHeading) / dtS;
        _lastHeading = heading;
        SetPose(pose with { HeadingDeg = heading }, SpeedMps);
        if (SM >= Route.LengthM - 1)
        {
            DisappearMs = tMs + (long)(dtS * 1000); // it leaves the zone
        }
    }

    /// <summary>The IDM acceleration towards the leader, the next red stop line and the turn ahead.</summary>
    public double Idm(World world, long tMs)
    {
        ArgumentNullException.ThrowIfNull(world);
        double v = SpeedMps;
        double v0 = Math.Max(1, DesiredFactor * Part.LimitMps);

        // Slow down for a turn ahead: the speed from which the turn's speed can be reached at the comfortable rate.
        for (int p = _part; p < Route.Parts.Count && Route.Parts[p].StartM - SM < 80; p++)
        {
            RoutePart part = Route.Parts[p];
            double d = Math.Max(0, part.StartM - SM);
            double reachable = Math.Sqrt((part.LimitMps * part.LimitMps) + (2 * 1.5 * d));
            v0 = Math.Min(v0, Math.Max(part.LimitMps, Math.Min(reachable, v0)));
        }

        double free = MaxAccelMps2 * (1 - Math.Pow(v / v0, 4));
        double gap = double.PositiveInfinity;
        double dv = 0;
        if (FollowsLeader && world.LeaderOf(this) is { } leader)
        {
            gap = leader.GapM;
            dv = v - leader.SpeedMps;
        }

        if (ObeysSignals)
        {
            double toLine = ToStopLineM() - (LengthM / 2);
            if (toLine > -0.5 && toLine < 150 && NextStop() is { } stop)
            {
                PhaseLight? light = SignalTimeline.Light(world.Zone, stop.StopNode, stop.StopPhase, world.StartUtcMs + tMs, out double left);
                bool stopHere = light switch
                {
                    PhaseLight.Red => !(left < 1.5 && toLine > v * left), // about to turn green by the time it is there
                    PhaseLight.Yellow => v * v / (2 * Math.Max(0.1, toLine)) < 3.0 && toLine > v * left,
                    _ => false,
                };
                if (stopHere && toLine + 0.5 < gap)
                {
                    gap = Math.Max(0.1, toLine + 0.5);
                    dv = v;
                }
            }
        }

        if (double.IsPositiveInfinity(gap))
        {
            return free;
        }

        double sStar = JamGapM + Math.Max(0, (v * HeadwayS) + (v * dv / (2 * Math.Sqrt(MaxAccelMps2 * ComfortDecelMps2))));
        return MaxAccelMps2 * (1 - Math.Pow(v / v0, 4) - Math.Pow(sStar / Math.Max(0.1, gap), 2));
    }

    private RoutePart? NextStop()
    {
        for (int p = _part; p < Route.Parts.Count; p++)
        {
            RoutePart part = Route.Parts[p];
            if (part.StopNode != 0 && part.EndM > SM)
            {
                return part;
            }
        }

        return null;
    }

    // Mixed traffic: a driver stuck behind a slower car moves to the next lane of its link that goes its way, when
    // the gaps there are safe (MOBIL's safety criterion with the IDM's comfortable deceleration).
    private void TryChangeLane(World world, long tMs)
    {
        RoutePart part = Part;
        if (part.IsConnection || part.EndM - SM < 60 || SM - part.StartM < 10 || world.LeaderOf(this) is not { } leader
            || leader.GapM > 40 || leader.SpeedMps > SpeedMps * 0.8 + 0.5 || (tMs / 100 + Id.Length) % 10 != 0)
        {
            return;
        }

        var map = world.Zone.Map;
        var lane = map.Lanes[part.Element];
        foreach (int side in (ReadOnlySpan<int>)[-1, 1])
        {
            int laneId = lane.LaneId + side;
            int other = map.FindLane(map.Nodes[lane.Node].Id, map.Links[lane.Link].UpstreamId, (byte)laneId);
            if (other < 0 || (map.Lanes[other].Maneuvers & part.Maneuver) == 0)
            {
                continue;
            }

            List<Core.Messages.AllowedManeuvers> rest = [];
            for (int p = _part; p < Route.Parts.Count; p++)
            {
                if (!Route.Parts[p].IsConnection)
                {
                    rest.Add(Route.Parts[p].Maneuver);
                }
            }

            Route candidate = Route.Build(map, other, rest.ToArray(), rest.Count);
            double along = SM - part.StartM;
            if (!world.IsGapFree(candidate, along, this))
            {
                continue;
            }

            // Lane 1 is next to the centre line: a lower lane id is to the left.
            double offset = side < 0 ? -3.5 : 3.5;
            Route = candidate;
            SM = along;
            _part = Route.PartAt(SM);
            LateralM = offset;
            return;
        }
    }

    private static double Wrap(double deg) => ((deg % 360) + 540) % 360 - 180;
}

/// <summary>
/// A pedestrian or cyclist walking a polyline at a constant speed from <see cref="StartWalkMs"/> (standing at the
/// first point before), then standing at the last point until <see cref="Actor.DisappearMs"/>.
/// </summary>
public sealed class Walker : Actor
{
    private readonly Pose[] _points;
    private double _s;

    public Walker(string id, ActorKind kind, double speedMps, params Pose[] points)
        : base(id, kind)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(points.Length, 2);
        _points = points;
        WalkSpeedMps = speedMps;
        LengthM = kind == ActorKind.Cyclist ? 1.8 : 0.5;
        WidthM = kind == ActorKind.Cyclist ? 0.6 : 0.5;
        VehicleClass = 0;
    }

    public double WalkSpeedMps { get; }

    public override double StartX => _points[0].X;

    public override double StartY => _points[0].Y;

    public long StartWalkMs { get; init; }

    public override void Initialise(World world)
    {
        SetPose(PoseAt(0), 0);
    }

    public override void Step(World world, long tMs, double dtS)
    {
        double before = SpeedMps;
        bool walking = tMs + (long)(dtS * 1000) > StartWalkMs && _s < TotalM();
        if (walking)
        {
            _s = Math.Min(TotalM(), _s + (WalkSpeedMps * dtS));
        }

        Pose p = PoseAt(_s);
        SetPose(p, walking && _s < TotalM() ? WalkSpeedMps : 0);
        AccelMps2 = (SpeedMps - before) / dtS;
    }

    private double TotalM()
    {
        double total = 0;
        for (int i = 1; i < _points.Length; i++)
        {
            total += Distance(_points[i - 1], _points[i]);
        }

        return total;
    }

    private Pose PoseAt(double s)
    {
        for (int i = 1; i < _points.Length; i++)
        {
            double len = Distance(_points[i - 1], _points[i]);
            double heading = (Math.Atan2(_points[i].X - _points[i - 1].X, _points[i].Y - _points[i - 1].Y) * 180 / Math.PI + 360) % 360;
            if (s <= len || i == _points.Length - 1)
            {
                double f = len > 0 ? Math.Min(1, s / len) : 0;
                return new Pose(_points[i - 1].X + ((_points[i].X - _points[i - 1].X) * f), _points[i - 1].Y + ((_points[i].Y - _points[i - 1].Y) * f), heading);
            }

            s -= len;
        }

        return _points[^1];
    }

    private static double Distance(Pose a, Pose b) => Math.Sqrt(((a.X - b.X) * (a.X - b.X)) + ((a.Y - b.Y) * (a.Y - b.Y)));
}
