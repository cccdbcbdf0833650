using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Scenarios.Format;

namespace QiZhiChunCheng.Scenarios.Generation.Kinds;

/// <summary>
/// Random traffic on the whole zone: vehicles enter on every approach from the zone's edge at random intervals and
/// drive random routes (straight 70 %, left 15 %, right 15 %, by the lanes' manoeuvres) under the IDM, changing
/// lanes behind slow cars and stopping for the signal plans; pedestrians and cyclists cross at the crosswalks on
/// their green; every RSU senses and every junction broadcasts SPAT. <c>mixed</c> is a minute of light traffic;
/// <c>rush-hour</c> five minutes of the morning peak with 300 or more participants (parameters
/// <c>participants</c>, <c>durationS</c>, <c>connectedShare</c>, <c>vruShare</c>).
/// </summary>
internal static class TrafficKind
{
    /// <summary>2026-11-30 00:00 UTC: 08:00 on a Monday in Changchun.</summary>
    public static readonly long MondayPeak = new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    public static Dictionary<string, double> Defaults(string kind) => kind == "rush-hour"
        ? new() { ["participants"] = 320, ["durationS"] = 300, ["connectedShare"] = 0.3, ["vruShare"] = 0.15 }
        : new() { ["participants"] = 60, ["durationS"] = 60, ["connectedShare"] = 0.3, ["vruShare"] = 0.15 };

    public static ScenarioDraft Build(string kind, int seed, IReadOnlyDictionary<string, double> parameters)
    {
        Dictionary<string, double> p = Defaults(kind);
        foreach ((string key, double value) in parameters)
        {
            p[key] = value;
        }

        int participants = (int)p["participants"];
        long durationMs = (long)(p["durationS"] * 1000);
        double connected = p["connectedShare"];
        double vruShare = p["vruShare"];
        long start = MondayPeak + (kind == "rush-hour" ? 0 : 3_600_000);
        GeneratorZone zone = GeneratorZone.Default;
        World world = new(zone, start, seed);
        foreach (IntersectionSignalPlan plan in zone.SignalPlans)
        {
            world.SpatNodes.Add(plan.Id.Id);
        }

        AddTraffic(world, new Random(seed ^ 0x5EED), participants, durationMs, connected, vruShare, dongfengOnly: false);
        if (p.TryGetValue("crawlers", out double crawlers) && crawlers > 0)
        {
            AddCrawlers(world, new Random(seed ^ 0xC4A7), (int)crawlers);
        }

        ScenarioManifest manifest = new()
        {
            Name = kind == "rush-hour" ? "rush-hour" : $"mixed-{seed}",
            Kind = kind == "rush-hour" ? "LOAD" : "MIXED",
            Description = kind == "rush-hour"
                ? $"The Monday morning peak on the whole zone: {participants} road users over {durationMs / 1000} s, {connected:P0} of the vehicles connected, every RSU sensing, SPAT from every junction."
                : $"A minute of light random traffic on the whole zone: {participants} road users, {connected:P0} of the vehicles connected.",
            StartUtcMs = start,
            DurationMs = durationMs,
            Seed = seed,
        };
        return new ScenarioDraft { Manifest = manifest, World = world, Expectations = _ => new ExpectedEvents() };
    }

    /// <summary>
    /// Adds random traffic to <paramref name="world"/>: vehicles entering on the zone's edge lanes (only Dongfeng
    /// Street's with <paramref name="dongfengOnly"/>), a third of them on the road from the start, and pedestrians
    /// and cyclists crossing on their green. Vehicles are <c>VEH-0001</c>... in the order drawn.
    /// </summary>
    public static void AddTraffic(World world, Random random, int participants, long durationMs, double connected, double vruShare, bool dongfengOnly)
    {
        GeneratorZone zone = world.Zone;
        long start = world.StartUtcMs;
        LaneMap map = zone.Map;
        List<int> entries = [];
        for (int l = 0; l < map.Lanes.Length; l++)
        {
            MapLaneInfo lane = map.Lanes[l];
            if (lane.Type == LaneType.Vehicle && lane.ConnectionCount > 0 && !map.Nodes[map.Links[lane.Link].UpstreamNode].IsIntersection
                && (!dongfengOnly || map.LinkName(lane.Link).Contains("Dongfeng", StringComparison.Ordinal)))
            {
                entries.Add(l);
            }
        }

        int vrus = (int)Math.Round(participants * vruShare);
        int vehicles = participants - vrus;

        // A third of the vehicles are on the road at the start, spread along the entry lanes; the rest enter over
        // the run at random times.
        int n = 0;
        int initial = vehicles / 3;
        for (int i = 0; i < vehicles; i++)
        {
            int lane = entries[random.Next(entries.Count)];
            AllowedManeuvers[] turns = [Turn(random), Turn(random), Turn(random)];
            int startLane = LaneFor(map, lane, turns[0]);
            Route route = Route.Build(map, startLane, turns, 4);
            bool early = i < initial;
            double along = early ? random.NextDouble() * Math.Max(0, route.Parts[0].EndM - 80) : 0;
            long appear = early ? 0 : (long)(random.NextDouble() * (durationMs - 20_000)) / 100 * 100;
            double speed = route.Parts[0].LimitMps * (0.7 + (0.25 * random.NextDouble()));
            n++;
            bool isConnected = random.NextDouble() < connected;
            bool truck = random.NextDouble() < 0.08;
            world.Add(new Vehicle($"VEH-{n:D4}", route, along, speed)
            {
                BsmId = isConnected ? OctetId8.FromAscii($"VEH{n:D5}") : null,
                AppearMs = appear,
                DesiredFactor = 0.85 + (0.15 * random.NextDouble()),
                HeadwayS = 1.0 + (0.8 * random.NextDouble()),
                LengthM = truck ? 10 : 4.5 + (0.6 * random.NextDouble()),
                WidthM = truck ? 2.5 : 1.8,
                VehicleClass = truck ? (byte)40 : (byte)10,
                ChangesLanes = true,
            });
        }

        // Pedestrians and cyclists cross an arm of a junction while the traffic of that arm has red: on the cross
        // road's phase for Dongfeng Street's arms, on Dongfeng Street's phase for the cross roads' arms.
        int walkers = 0;
        for (int c = 0; c < vrus; c++)
        {
            MapCrosswalkInfo cw = map.Crosswalks[random.Next(map.Crosswalks.Length)];
            MapLaneInfo lane = map.Lanes[cw.Lane];
            int a = lane.FirstPoint, b = lane.FirstPoint + lane.PointCount - 1;
            Pose p1 = new(map.PointX[a], map.PointY[a], 0), p2 = new(map.PointX[b], map.PointY[b], 0);
            if (random.Next(2) == 0)
            {
                (p1, p2) = (p2, p1);
            }

            bool cyclist = random.NextDouble() < 0.25;
            ushort node = map.Nodes[lane.Node].Id.Id;
            bool dongfengArm = map.LinkName(lane.Link).Contains("Dongfeng", StringComparison.Ordinal);
            byte phase = dongfengArm ? (byte)3 : (byte)1;
            long arrive = (long)(random.NextDouble() * (durationMs - 15_000)) / 100 * 100;
            long walk = NextGreen(zone, node, phase, start, arrive) + (random.Next(0, 30) * 100);
            double speed = cyclist ? 3.5 + random.NextDouble() : 1.1 + (0.5 * random.NextDouble());
            walkers++;
            double length = Math.Sqrt(((p2.X - p1.X) * (p2.X - p1.X)) + ((p2.Y - p1.Y) * (p2.Y - p1.Y)));
            world.Add(new Walker($"{(cyclist ? "CYC" : "PED")}-{walkers:D4}", cyclist ? ActorKind.Cyclist : ActorKind.Pedestrian, speed, p1, p2)
            {
                AppearMs = arrive,
                StartWalkMs = walk,
                DisappearMs = walk + (long)(length / speed * 1000) + 2000,
            });
        }
    }

    /// <summary>
    /// Slow vehicles (<c>CRAWL-01</c>...) on Dongfeng Street's lanes from the start: drivers who want 10-30 % of the
    /// limit and never change lanes, so queues form behind them (the slowing and congested traffic of the training
    /// sets).
    /// </summary>
    public static void AddCrawlers(World world, Random random, int count)
    {
        LaneMap map = world.Zone.Map;
        List<int> lanes = [];
        for (int l = 0; l < map.Lanes.Length; l++)
        {
            MapLaneInfo lane = map.Lanes[l];
            if (lane.Type == LaneType.Vehicle && lane.ConnectionCount > 0 && map.LinkName(lane.Link).Contains("Dongfeng", StringComparison.Ordinal))
            {
                lanes.Add(l);
            }
        }

        for (int i = 0; i < count; i++)
        {
            int lane = lanes[random.Next(lanes.Count)];
            Route route = Route.Build(map, lane, [AllowedManeuvers.Straight, AllowedManeuvers.Straight], 4);
            double along = random.NextDouble() * Math.Max(0, route.Parts[0].EndM - 60);
            double factor = 0.1 + (0.2 * random.NextDouble());
            world.Add(new Vehicle($"CRAWL-{i + 1:D2}", route, along, factor * route.Parts[0].LimitMps)
            {
                DesiredFactor = factor,
                LengthM = 4.8,
            });
        }
    }

    private static AllowedManeuvers Turn(Random random)
    {
        double r = random.NextDouble();
        return r < 0.7 ? AllowedManeuvers.Straight : r < 0.85 ? AllowedManeuvers.Left : AllowedManeuvers.Right;
    }

    // The lane of the entry lane's link that allows the turn (a left turner starts in lane 1, and so on).
    private static int LaneFor(LaneMap map, int entry, AllowedManeuvers turn)
    {
        MapLaneInfo info = map.Lanes[entry];
        if ((info.Maneuvers & turn) != 0)
        {
            return entry;
        }

        for (int l = 0; l < map.Lanes.Length; l++)
        {
            MapLaneInfo other = map.Lanes[l];
            if (other.Link == info.Link && other.Type == LaneType.Vehicle && (other.Maneuvers & turn) != 0)
            {
                return l;
            }
        }

        return entry;
    }

    private static long NextGreen(GeneratorZone zone, ushort node, byte phase, long startUtcMs, long fromMs)
    {
        for (long t = fromMs; t < fromMs + 130_000; t += 1000)
        {
            if (SignalTimeline.Light(zone, node, phase, startUtcMs + t, out _) == PhaseLight.Green)
            {
                return t;
            }
        }

        return fromMs;
    }
}
