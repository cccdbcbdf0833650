using System.Globalization;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.Scenarios.Format;

namespace QiZhiChunCheng.Scenarios.Generation.Kinds;

/// <summary>
/// <c>misbehavior</c>: random traffic on Dongfeng Street (half of the vehicles connected, so the honest RSUs and
/// vehicles cross-check each other) with one injected fault, chosen by <c>--param fault=NAME</c>:
/// <list type="bullet">
/// <item><c>drift-radar</c>: one RSU's sensor positions drift at <c>driftMPerMin</c> (1.5 m a minute, 3 m after two
/// minutes) towards <c>bearingDeg</c> (332°, across Dongfeng Street from the kerb lane towards the centre line);
/// near the end a car overtakes a van the drifting RSU alone sees, which the drift has moved into the car's lane.</item>
/// <item><c>ghost-vehicle</c>: a spoofer's vehicle whose BSMs are plausible but which no RSU covering it ever sees,
/// driving 60 m ahead of a real car and braking in front of it (a false FCW), then pulling out and vanishing.</item>
/// <item><c>replayed-bsm</c>: an attacker re-publishes a real car's BSMs <c>delayS</c> (5) seconds late: old secMarks
/// and positions, the same id in two places.</item>
/// <item><c>frozen-clock</c>: one RSU's clock stops: its RSM secMarks and generation time stay at the instant of the
/// freeze while the positions it reports stay current.</item>
/// <item><c>none</c>: the same traffic without a fault (clean training data).</item>
/// </list>
/// The fault starts at <c>startS</c>; the RSU is <c>--param rsu=RSU-DF-01</c> (the mid-block RSU by default).
/// Expectations: the fault's MISBEHAVIOR naming the faulty source from the fault's start to its end plus
/// <see cref="DetectionAllowanceMs"/>; forbidden: MISBEHAVIOR of every honest source and the warnings the fault
/// would cause.
/// </summary>
internal static class FaultKind
{
    public const string Kind = "misbehavior";

    /// <summary>How long after a fault ends its MISBEHAVIOR may still begin: one 10 s feature window.</summary>
    public const long DetectionAllowanceMs = 10_000;

    public static readonly IReadOnlyList<string> Faults = ["drift-radar", "ghost-vehicle", "replayed-bsm", "frozen-clock", "none"];

    /// <summary>Dongfeng Street's heading north-east (degrees), and the left of it: across the road towards the centre line.</summary>
    private const double NorthEastDeg = 61.6;

    private static readonly (ushort, ushort, byte) NeStraight = (1, 11, 2);
    private static readonly (ushort, ushort, byte) NeKerb = (1, 11, 3);

    public static Dictionary<string, double> Defaults(string fault) => new()
    {
        ["durationS"] = fault == "drift-radar" ? 150 : 60,
        ["participants"] = 40,
        ["connectedShare"] = 0.5,
        ["vruShare"] = 0.1,
        ["startS"] = fault switch { "drift-radar" => 10, "ghost-vehicle" => 5, "replayed-bsm" => 15, _ => 20 },
        ["driftMPerMin"] = 1.5,
        ["bearingDeg"] = NorthEastDeg - 90 + 360,
        ["delayS"] = 5,
    };

    public static ScenarioDraft Build(int seed, IReadOnlyDictionary<string, double> parameters, IReadOnlyDictionary<string, string> choices)
    {
        string fault = choices.GetValueOrDefault("fault") ?? throw new ArgumentException($"misbehavior needs --param fault=NAME, one of {string.Join(", ", Faults)}");
        if (!Faults.Contains(fault))
        {
            throw new ArgumentException($"unknown fault '{fault}': expected one of {string.Join(", ", Faults)}");
        }

        Dictionary<string, double> p = Defaults(fault);
        foreach ((string key, double value) in parameters)
        {
            p[key] = value;
        }

        GeneratorZone zone = GeneratorZone.Default;
        string rsuId = choices.GetValueOrDefault("rsu") ?? "RSU-DF-01";
        GeneratorRsu rsu = zone.Rsus.FirstOrDefault(r => r.DeviceId == rsuId)
            ?? throw new ArgumentException($"unknown RSU '{rsuId}': expected one of {string.Join(", ", zone.Rsus.Select(r => r.DeviceId))}");
        long durationMs = (long)(p["durationS"] * 1000);
        long startMs = (long)(p["startS"] * 1000);
        if (durationMs < 30_000 || startMs < 0 || startMs >= durationMs - 10_000)
        {
            throw new ArgumentException("misbehavior: durationS must be at least 30 and startS within it, at least 10 s before the end");
        }

        // Green for north-east-bound Dongfeng Street at Feiyue Road from about 18 s to 62 s: the scripted cars of the
        // ghost and replay scenes pass the junction without stopping.
        long start = SignalTimeline.FindInstant(zone, 1, 1, PhaseLight.Green, 40, Stage.Day + 3_600_000 + (seed % 97 * 120_000)) - 22_000;
        World world = new(zone, start, seed);
        world.SpatNodes.Add(1);
        Random random = new(seed ^ 0xFA17);
        TrafficKind.AddTraffic(world, random, (int)p["participants"], durationMs, p["connectedShare"], p["vruShare"], dongfengOnly: true);

        string name = $"misbehavior-{fault}-{seed}";
        Fault built = fault switch
        {
            "drift-radar" => DriftRadar(world, rsu, startMs, durationMs, p["driftMPerMin"], p["bearingDeg"]),
            "ghost-vehicle" => GhostVehicle(world, startMs),
            "replayed-bsm" => ReplayedBsm(world, startMs, durationMs, (long)(p["delayS"] * 1000)),
            "frozen-clock" => FrozenClock(world, rsu, startMs, durationMs),
            _ => new Fault(null, 0, 0, [], "no fault: clean traffic"),
        };

        ScenarioManifest manifest = new()
        {
            Name = name,
            Kind = "MISBEHAVIOR",
            Negative = fault == "none",
            Description = $"{built.Description} Background: {(int)p["participants"]} road users on Dongfeng Street, {p["connectedShare"]:P0} of the vehicles connected, every RSU sensing.",
            StartUtcMs = start,
            DurationMs = durationMs,
            Seed = seed,
        };
        return new ScenarioDraft { Manifest = manifest, World = world, Expectations = w => Expectations(w, built, durationMs) };
    }

    /// <summary>What a fault built: the faulty source's name in expected-events.json, its active window, the warnings it must not cause.</summary>
    private sealed record Fault(string? Source, long FromMs, long ToMs, List<ForbiddenEvent> Forbidden, string Description);

    private static ExpectedEvents Expectations(World world, Fault fault, long durationMs)
    {
        ExpectedEvents e = new();
        if (fault.Source is null)
        {
            e.Forbidden.Add(new ForbiddenEvent { Type = "MISBEHAVIOR" });
            return e;
        }

        e.Expected.Add(new ExpectedEvent
        {
            Type = "MISBEHAVIOR",
            Participants = [fault.Source],
            FromMs = fault.FromMs,
            ToMs = Math.Min(fault.ToMs, durationMs) + DetectionAllowanceMs,
        });
        e.Forbidden.AddRange(fault.Forbidden);

        // Before the fault the faulty source is honest; every other source is honest throughout.
        if (fault.FromMs > 0)
        {
            e.Forbidden.Add(new ForbiddenEvent { Type = "MISBEHAVIOR", Participants = [fault.Source], ToMs = fault.FromMs - 1 });
        }

        foreach (GeneratorRsu r in world.Zone.Rsus)
        {
            if (r.DeviceId != fault.Source)
            {
                e.Forbidden.Add(new ForbiddenEvent { Type = "MISBEHAVIOR", Participants = [r.DeviceId] });
            }
        }

        foreach (Actor a in world.Actors)
        {
            if (a.BsmId is not null && a.Id != fault.Source && world.Track.ContainsKey(a.Id))
            {
                e.Forbidden.Add(new ForbiddenEvent { Type = "MISBEHAVIOR", Participants = [a.Id] });
            }
        }

        return e;
    }

    /// <summary>
    /// The RSU's sensors drift linearly from <paramref name="startMs"/>. Near the end, when the drift is largest, a
    /// van in the kerb lane 470-540 m before Feiyue Road (where only the mid-block RSU sees) is overtaken by a
    /// connected car in the next lane: the drifted van is in the car's lane, a false FCW.
    /// </summary>
    private static Fault DriftRadar(World world, GeneratorRsu rsu, long startMs, long durationMs, double mPerMin, double bearingDeg)
    {
        double rad = bearingDeg * Math.PI / 180;
        world.RsuFaults[rsu.DeviceId] = new RsuFault
        {
            Bias = t =>
            {
                double d = t <= startMs ? 0 : (t - startMs) / 60_000.0 * mPerMin;
                return (d * Math.Sin(rad), d * Math.Cos(rad));
            },
        };

        long sceneMs = Math.Max(startMs, durationMs - 30_000);
        Vehicle van = Scripted(world, "VEH-9002", NeKerb, 540, 0.5, sceneMs, connected: false);
        Vehicle car = Scripted(world, "VEH-9001", NeStraight, 600, 0.95, sceneMs, connected: true);
        double endDrift = (durationMs - startMs) / 60_000.0 * mPerMin;
        return new Fault(
            rsu.DeviceId,
            startMs,
            durationMs,
            rsu.DeviceId == "RSU-DF-01" ? [new ForbiddenEvent { Type = "FCW", Participants = [car.Id, van.Id] }] : [],
            string.Create(CultureInfo.InvariantCulture, $"The sensors of {rsu.DeviceId} drift by {mPerMin:0.##} m a minute from {startMs / 1000} s ({endDrift:0.#} m at the end) towards {bearingDeg:0}°; at {sceneMs / 1000} s a car overtakes a van that only this RSU sees, which the drift has moved into the car's lane."));
    }

    /// <summary>
    /// A ghost appears 60 m ahead of a real connected car in lane 2, keeps that distance for 25 s, brakes to 3 m/s
    /// in front of it (the car, which cannot see a ghost, drives on), pulls out to lane 1 when 10 m ahead and is
    /// gone 15 s after it started braking.
    /// </summary>
    private static Fault GhostVehicle(World world, long startMs)
    {
        long appear = startMs;
        long brakeAt = appear + 25_000;
        long vanish = brakeAt + 15_000;
        Vehicle car = Scripted(world, "VEH-9001", NeStraight, 530, 0.9, appear, connected: true);
        long pullOut = long.MaxValue;
        Route route = Route.Build(world.Zone.Map, world.Zone.Lane(NeStraight.Item1, NeStraight.Item2, NeStraight.Item3), [AllowedManeuvers.Straight, AllowedManeuvers.Straight], 4);
        Vehicle ghost = world.Add(new Vehicle("VEH-9900", route, route.Parts[0].EndM - 470, 13)
        {
            BsmId = OctetId8.FromAscii("VEH09900"),
            Phantom = true,
            AppearMs = appear,
            DisappearMs = vanish,
            FollowsLeader = false,
            ObeysSignals = false,
            AccelScript = c =>
            {
                double gap = c.SM - car.SM;
                if (c.TMs < brakeAt)
                {
                    return Stage.Hold(c, Math.Max(0, car.SpeedMps - (0.3 * (gap - 60))), 1.5);
                }

                if (pullOut == long.MaxValue && gap < 10 + 4.8)
                {
                    pullOut = c.TMs;
                }

                return c.TMs < pullOut ? Stage.Hold(c, 3, 2.5) : Stage.Hold(c, 12, 1.5);
            },
            LateralScript = c => c.TMs >= pullOut ? 3.5 : 0,
        });
        return new Fault(
            ghost.Id,
            appear,
            vanish,
            [new ForbiddenEvent { Type = "FCW", Participants = [car.Id, ghost.Id] }, new ForbiddenEvent { Type = "AVW", Participants = [car.Id, ghost.Id] }, new ForbiddenEvent { Type = "EBW", Participants = [car.Id, ghost.Id] }],
            string.Create(CultureInfo.InvariantCulture, $"A ghost vehicle (BSMs only, never seen by the RSUs that cover it) drives 60 m ahead of a real car on Dongfeng Street from {appear / 1000} s and brakes in front of it at {brakeAt / 1000} s: a false forward collision warning unless the ghost is caught."));
    }

    /// <summary>A connected car's BSMs from <paramref name="startMs"/> on are re-published <paramref name="delayMs"/> later, byte for byte.</summary>
    private static Fault ReplayedBsm(World world, long startMs, long durationMs, long delayMs)
    {
        Vehicle victim = Scripted(world, "VEH-9001", NeStraight, 560, 0.9, 0, connected: true);
        string topic = World.Topic("OBU", "VEH-9001", "BSM");
        long until = durationMs - delayMs;
        world.AfterRun = w =>
        {
            List<GeneratedMessage> captured = [.. w.Messages.Where(m => m.Topic == topic && m.T >= startMs && m.T < until)];
            foreach (GeneratedMessage m in captured)
            {
                w.PublishRaw(m.T + delayMs, topic, m.Payload);
            }
        };
        return new Fault(
            victim.Id,
            startMs + delayMs,
            durationMs,
            [new ForbiddenEvent { Type = "FCW", Participants = [victim.Id], FromMs = startMs + delayMs }],
            string.Create(CultureInfo.InvariantCulture, $"An attacker re-publishes the BSMs of a car on Dongfeng Street {delayMs / 1000.0:0.#} s late from {(startMs + delayMs) / 1000} s: old secMarks and positions, the same id in two places."));
    }

    private static Fault FrozenClock(World world, GeneratorRsu rsu, long startMs, long durationMs)
    {
        world.RsuFaults[rsu.DeviceId] = new RsuFault { FreezeFromMs = startMs };
        return new Fault(
            rsu.DeviceId,
            startMs,
            durationMs,
            [],
            string.Create(CultureInfo.InvariantCulture, $"The clock of {rsu.DeviceId} freezes at {startMs / 1000} s: its RSMs keep their secMarks and generation time from then on while the positions stay current."));
    }

    // A scripted-in car with the driver model (it follows real leaders and the signals), appearing at appearMs.
    private static Vehicle Scripted(World world, string id, (ushort Node, ushort Upstream, byte Lane) lane, double beforeStopLineM, double desired, long appearMs, bool connected)
    {
        Route route = Route.Build(world.Zone.Map, world.Zone.Lane(lane.Node, lane.Upstream, lane.Lane), [AllowedManeuvers.Straight, AllowedManeuvers.Straight], 4);
        double along = route.Parts[0].EndM - beforeStopLineM;
        if (along < 0)
        {
            throw new InvalidOperationException($"lane {lane} is shorter than {beforeStopLineM} m");
        }

        return world.Add(new Vehicle(id, route, along, desired * route.Parts[0].LimitMps)
        {
            BsmId = connected ? OctetId8.FromAscii("VEH0" + id[4..]) : null,
            AppearMs = appearMs,
            DesiredFactor = desired,
        });
    }
}
