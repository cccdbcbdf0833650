using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Scenarios.Format;

namespace QiZhiChunCheng.Scenarios.Generation.Kinds;

/// <summary>
/// The helpers a scripted scenario is written with: vehicles placed on the zone's lanes (by lane and distance to
/// the stop line, or at a pose the lane map matches), walkers, and the truth measures the expectations are
/// computed from. Lane references are MAP ids: (node, upstream node, laneID); node 1 is Dongfeng St x Feiyue Rd,
/// upstream 11 the north-east-bound Dongfeng approach, 2 the south-west-bound one, 12 Feiyue south-bound, 13
/// Feiyue north-bound.
/// </summary>
internal sealed class Stage
{
    /// <summary>2026-11-28 08:00:00 UTC (16:00 in Changchun): the day scripted scenarios happen.</summary>
    public static readonly long Day = new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private int _vehicles;
    private int _walkers;

    public Stage(int seed, long startUtcMs, GnssModel? gnss = null, RsuSensorModel? sensors = null)
    {
        Zone = GeneratorZone.Default;
        World = new World(Zone, startUtcMs, seed) { Gnss = gnss ?? new GnssModel(), Sensors = sensors ?? new RsuSensorModel() };
    }

    public GeneratorZone Zone { get; }

    public World World { get; }

    public LaneMap Map => Zone.Map;

    /// <summary>The pose on a lane <paramref name="beforeStopLineM"/> before its end (its stop line at a junction).</summary>
    public Pose Lane(ushort node, ushort upstream, byte laneId, double beforeStopLineM)
    {
        Route route = Route.Build(Map, Zone.Lane(node, upstream, laneId), [], 1);
        return route.At(route.Parts[0].EndM - beforeStopLineM);
    }

    /// <summary>A vehicle on lane (node, upstream, laneId), <paramref name="beforeStopLineM"/> before its stop line.</summary>
    public Vehicle Car((ushort Node, ushort Upstream, byte Lane) lane, double beforeStopLineM, double speedMps, AllowedManeuvers[]? turns = null,
        bool connected = true, Func<VehicleContext, double?>? accel = null, Func<VehicleContext, double?>? lateral = null,
        ActorKind kind = ActorKind.Vehicle, byte vehicleClass = 10, double lengthM = 4.8, Func<long, ExteriorLights?>? lights = null,
        Func<long, VehicleEventFlags?>? events = null, Func<long, VehicleEmergencyExtensions?>? emergency = null, bool obeysSignals = false)
    {
        Route route = Route.Build(Map, Zone.Lane(lane.Node, lane.Upstream, lane.Lane), turns ?? [], 4);
        return Add(route, route.Parts[0].EndM - beforeStopLineM, speedMps, connected, accel, lateral, kind, vehicleClass, lengthM, lights, events, emergency, obeysSignals);
    }

    /// <summary>A vehicle at <paramref name="pose"/>, on the lane the map matches there.</summary>
    public Vehicle CarAt(Pose pose, double speedMps, bool connected = true, Func<VehicleContext, double?>? accel = null, Func<VehicleContext, double?>? lateral = null,
        ActorKind kind = ActorKind.Vehicle, byte vehicleClass = 10, double lengthM = 4.8, Func<long, ExteriorLights?>? lights = null,
        Func<long, VehicleEventFlags?>? events = null, Func<long, VehicleEmergencyExtensions?>? emergency = null)
    {
        MapMatch match = Map.MatchLocal(pose.X, pose.Y, pose.HeadingDeg, Math.Max(speedMps, 1));
        if (match.Status != MatchStatus.OnLane)
        {
            throw new InvalidOperationException($"no lane at ({pose.X:F1}, {pose.Y:F1}) heading {pose.HeadingDeg:F0}");
        }

        Route route = Route.Build(Map, match.Lane, [], 4);
        Vehicle v = Add(route, match.AlongM, speedMps, connected, accel, lateral, kind, vehicleClass, lengthM, lights, events, emergency, false);
        return v;
    }

    public Walker Walk(ActorKind kind, double speedMps, long startWalkMs, params Pose[] points)
    {
        _walkers++;
        string prefix = kind == ActorKind.Cyclist ? "CYC" : "PED";
        return World.Add(new Walker($"{prefix}-{_walkers:D4}", kind, speedMps, points) { StartWalkMs = startWalkMs });
    }

    /// <summary>Holds a speed (accelerating or braking towards it at <paramref name="rateMps2"/>).</summary>
    public static double Hold(VehicleContext c, double speedMps, double rateMps2 = 2) =>
        Math.Clamp((speedMps - c.SpeedMps) / 0.1, -rateMps2, rateMps2);

    public static ScenarioManifest Manifest(string name, string kind, string description, bool negative, int seed, long startUtcMs, long durationMs, string surface = "dry") => new()
    {
        Name = name,
        Kind = kind,
        Description = description,
        Negative = negative,
        StartUtcMs = startUtcMs,
        DurationMs = durationMs,
        Seed = seed,
        Surface = surface,
    };

    /// <summary>The first truth time (ms) at which <paramref name="condition"/> holds over the tracks of <paramref name="a"/> and <paramref name="b"/>; -1 when never.</summary>
    public static long First(World world, string a, string b, Func<TrackPoint, TrackPoint, bool> condition)
    {
        var ta = world.Track[a];
        var tb = world.Track[b];
        foreach (var pa in ta)
        {
            foreach (var pb in tb)
            {
                if (pb.T == pa.T && condition(new TrackPoint(pa), new TrackPoint(pb)))
                {
                    return pa.T;
                }
            }
        }

        return -1;
    }

    /// <summary>The first truth time at which <paramref name="condition"/> holds for <paramref name="a"/>; -1 when never.</summary>
    public static long First(World world, string a, Func<TrackPoint, bool> condition)
    {
        foreach (var p in world.Track[a])
        {
            if (condition(new TrackPoint(p)))
            {
                return p.T;
            }
        }

        return -1;
    }

    public static ExpectedEvent Expect(string type, long truthMs, long conflictMs, params string[] participants) => new()
    {
        Type = type,
        Participants = [.. participants],
        FromMs = Math.Max(0, truthMs - 1500),
        ToMs = truthMs + 1500,
        ConflictMs = conflictMs,
    };

    public static ForbiddenEvent Forbid(string type, params string[] participants) => new() { Type = type, Participants = [.. participants] };

    private Vehicle Add(Route route, double s, double speed, bool connected, Func<VehicleContext, double?>? accel, Func<VehicleContext, double?>? lateral,
        ActorKind kind, byte vehicleClass, double lengthM, Func<long, ExteriorLights?>? lights, Func<long, VehicleEventFlags?>? events,
        Func<long, VehicleEmergencyExtensions?>? emergency, bool obeysSignals)
    {
        _vehicles++;
        string id = $"VEH-{_vehicles:D4}";
        return World.Add(new Vehicle(id, route, s, speed, kind)
        {
            BsmId = connected ? OctetId8.FromAscii($"VEH{_vehicles:D5}") : null,
            AccelScript = accel,
            LateralScript = lateral,
            VehicleClass = vehicleClass,
            LengthM = lengthM,
            Lights = lights,
            Events = events,
            Emergency = emergency,
            ObeysSignals = obeysSignals,
            FollowsLeader = accel is null,
        });
    }
}

/// <summary>One truth point of a track (local metres), with the measures expectations use.</summary>
internal readonly record struct TrackPoint(long T, double X, double Y, double HeadingDeg, double SpeedMps, double AccelMps2)
{
    public TrackPoint((long T, double X, double Y, double HeadingDeg, double SpeedMps, double AccelMps2) p)
        : this(p.T, p.X, p.Y, p.HeadingDeg, p.SpeedMps, p.AccelMps2)
    {
    }

    public double DistanceTo(TrackPoint o) => Math.Sqrt(((X - o.X) * (X - o.X)) + ((Y - o.Y) * (Y - o.Y)));

    /// <summary>How far <paramref name="o"/> is ahead along this point's heading (negative: behind).</summary>
    public double AheadOf(TrackPoint o)
    {
        double r = HeadingDeg * Math.PI / 180;
        return ((o.X - X) * Math.Sin(r)) + ((o.Y - Y) * Math.Cos(r));
    }
}
