using System.Globalization;
using System.Text;
using QiZhiChunCheng.Core;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Geo;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Time;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Edge.Simulation;

/// <summary>A simulated roadside unit: where it stands and how far its sensors and radio reach.</summary>
/// <remarks>With <c>Signals</c> set the RSU also publishes that intersection's SPAT at 10 Hz from its fixed-time plan.</remarks>
public sealed record SimulatedRsu(DeviceId DeviceId, OctetId8 RsuId, double LatDeg, double LonDeg, double RadioRangeM = 1000, double SensorRangeM = 300, IntersectionSignalPlan? Signals = null);

/// <summary>What the simulation has published, for the demo's summary and tests.</summary>
public sealed class EdgeCounters
{
    private long _published;
    private long _failed;

    public long Published => Interlocked.Read(ref _published);

    public long Failed => Interlocked.Read(ref _failed);

    internal void CountPublished() => Interlocked.Increment(ref _published);

    internal void CountFailed() => Interlocked.Increment(ref _failed);
}

/// <summary>
/// Drives simulated RSUs and vehicles against a real MQTT broker at 10 Hz: each RSU forwards the BSMs it hears
/// on <c>V2X/RSU/{id}/BSM/UP</c>, publishes what its sensors see as RSM on <c>V2X/RSU/{id}/RSM/UP</c> and a
/// heartbeat every 5 s; test vehicles (those given as OBUs) publish their own BSMs on <c>V2X/OBU/{id}/BSM/UP</c>.
/// Every publish carries the <c>seq</c> and <c>ts</c> user properties. Runs until cancelled.
/// </summary>
public sealed class EdgeSimulation
{
    private readonly MqttEndpoint _broker;
    private readonly V2xTopics _topics;
    private readonly IReadOnlyList<SimulatedRsu> _rsus;
    private readonly IReadOnlyList<SimulatedVehicle> _heardVehicles;
    private readonly IReadOnlyList<SimulatedVehicle> _obuVehicles;
    private readonly TimeProvider _time;

    public EdgeSimulation(MqttEndpoint broker, V2xTopics topics, IReadOnlyList<SimulatedRsu> rsus, IReadOnlyList<SimulatedVehicle> heardVehicles, IReadOnlyList<SimulatedVehicle> obuVehicles, TimeProvider? time = null, IReadOnlyList<SimulatedVehicle>? ghosts = null)
    {
        Ghosts = ghosts ?? [];
        _broker = broker;
        _topics = topics;
        _rsus = rsus;
        _heardVehicles = heardVehicles;
        _obuVehicles = obuVehicles;
        _time = time ?? TimeProvider.System;
    }

    public EdgeCounters Counters { get; } = new();

    /// <summary>The simulated RSUs.</summary>
    public IReadOnlyList<SimulatedRsu> Rsus => _rsus;

    /// <summary>Vehicles whose BSMs the RSUs hear and relay (and their sensors see).</summary>
    public IReadOnlyList<SimulatedVehicle> HeardVehicles => _heardVehicles;

    /// <summary>Test vehicles with their own uplink.</summary>
    public IReadOnlyList<SimulatedVehicle> ObuVehicles => _obuVehicles;

    /// <summary>
    /// Misbehaving sources: ghost vehicles that send BSMs on their own uplink but are not there, so no RSU sees
    /// them (the demo's MISBEHAVIOR on the map).
    /// </summary>
    public IReadOnlyList<SimulatedVehicle> Ghosts { get; }

    /// <summary>
    /// The demo's traffic on Dongfeng Street: one RSU at the middle of the 1.7 km straight, which forwards the BSMs
    /// it hears and reports what its sensors see, and test vehicles with their own uplink. Free-running traffic
    /// (the limit is 60 km/h): two south-west-bound vehicles in the middle and outer lanes (the outer one a test
    /// vehicle with its own uplink), and a north-east-bound speeder at 72 km/h for 10 s out of every 20 in the
    /// outer lane. Scripted situations on the inner lanes, clear of the Feiyue Road junction (about 1,050 m along
    /// the straight from its south-west end), each a cycle that starts over with new vehicles:
    /// <list type="bullet">
    /// <item>a rear-end approach (every 30 s): a car brakes hard (6 m/s², the hard-braking flag) to a stop and the
    /// one 20 m behind reacts 0.8 s later, stopping 2.6 m short: emergency braking, forward collision and, while
    /// they stand on a 60 km/h road, abnormal vehicle warnings;</item>
    /// <item>a breakdown (every 30 s): a car slows to a stop with its hazard lights on and the car behind stops
    /// 10 m short of it;</item>
    /// <item>south-west-bound, a slippery patch (every 25 s): a car brakes at 3 m/s² with ABS active, 80 m ahead of another;</item>
    /// <item>south-west-bound, an ambulance (every 10 s) at 60 km/h with siren and lights closing on a car at 30 km/h 150 m ahead of it.</item>
    /// </list>
    /// The RSU also publishes the Feiyue Road junction's SPAT from the zone's fixed-time plan; the free-running traffic
    /// ignores the lights, so a car that reaches the stop line on red too fast to stop raises a red light violation.
    /// And one misbehaving source: every 60 s a ghost vehicle (a new id each time, <c>GHOST...</c>) sends plausible
    /// BSMs for 35 s, north-east-bound at 40 km/h in the middle lane from 640 m along the straight, well inside the
    /// RSU's coverage, but the RSU never sees it: the platform's misbehaviour detection names it in a MISBEHAVIOR.
    /// </summary>
    public static EdgeSimulation DongfengDemo(MqttEndpoint broker, V2xTopics topics)
    {
        Corridor road = Corridor.DongfengMidBlock;
        // The RSU also publishes the SPAT of the Feiyue Road junction (about 200 m north-east of it) from the zone's
        // fixed-time plan, so vehicles crossing it see the lights (the free-running traffic ignores them: RLVW).
        IntersectionSignalPlan? feiyue = ZoneFiles.TryReadSignalPlans(ZoneFiles.DefaultSignals(), out IReadOnlyList<IntersectionSignalPlan> plans, out _)
            ? plans.FirstOrDefault(p => p.Id.Id == 1)
            : null;
        SimulatedRsu rsu = new(DeviceId.Parse("RSU-DF-01"), OctetId8.FromAscii("RSUDF001"), 43.8462, 125.2218, Signals: feiyue);
        SimulatedVehicle Vehicle(string id, double startM, int lane, bool forward, double kmh, double? speedingKmh = null) => new()
        {
            DeviceId = DeviceId.Parse(id),
            BsmId = OctetId8.FromAscii(id.Replace("-", "", StringComparison.Ordinal)),
            Corridor = road,
            StartM = startM,
            Lane = lane,
            Forward = forward,
            CruiseKmh = kmh,
            SpeedingKmh = speedingKmh,
        };
        SimulatedVehicle Scripted(string id, double startM, int lane, bool forward, VehicleScript script, byte vehicleClass = 10) =>
            Vehicle(id, startM, lane, forward, script.CruiseKmh) with { Script = script, VehicleClass = vehicleClass };

        const VehicleEventFlags HardBraking = VehicleEventFlags.HardBraking;
        VehicleScript leadBrakes = new(30, 50, [new(10, -6, 0, HardBraking), new(12.4, 0, 0), new(16, 2, 50)]);
        VehicleScript followerReacts = new(30, 50, [new(10.8, -5.5, 0), new(17, 2, 50)]);
        VehicleScript breaksDown = new(30, 40, [new(5, -2, 0, VehicleEventFlags.HazardLights, ExteriorLights.HazardSignalOn)]);
        VehicleScript stopsBehind = new(30, 40, [new(13.06, -2, 0)]);
        VehicleScript skids = new(25, 50, [new(8, -3, 20, VehicleEventFlags.AbsActivated, AbsEngaged: true), new(11, 0, 20), new(14, 2, 50)]);
        VehicleScript cruise30 = new(10, 30, []);
        VehicleScript cruise60 = new(10, 60, []);
        VehicleEmergencyExtensions siren = new() { ResponseType = ResponseType.Emergency, SirenUse = SirenInUse.InUse, LightsUse = LightbarInUse.InUse };

        return new EdgeSimulation(
            broker,
            topics,
            [rsu],
            [
                Vehicle("VEH-0002", 400, 1, false, 55),
                Vehicle("VEH-0003", 700, 2, true, 50, speedingKmh: 72),
                Scripted("VEH-0005", 300, 1, true, leadBrakes),
                Scripted("VEH-0006", 280, 1, true, followerReacts),
                Scripted("VEH-0007", 600, 0, true, breaksDown),
                Scripted("VEH-0008", 500, 0, true, stopsBehind),
                Scripted("VEH-0009", 180, 0, false, skids),
                Scripted("VEH-0010", 100, 0, false, new VehicleScript(25, 50, [])),
                Scripted("VEH-0011", 950, 0, false, cruise30),
                Scripted("AMB-0001", 800, 0, false, cruise60, vehicleClass: 60) with { Emergency = siren },
            ],
            [Vehicle("VEH-0004", 900, 2, false, 48)],
            ghosts: [Scripted("GHOST-01", 640, 1, true, new VehicleScript(60, 40, [])) with { BsmId = OctetId8.FromAscii("GHOST001"), Ghost = true, GhostActiveS = 35 }]);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        List<Task> devices = [];
        foreach (SimulatedRsu rsu in _rsus)
        {
            devices.Add(RunRsuAsync(rsu, cancellationToken));
        }

        foreach (SimulatedVehicle vehicle in _obuVehicles)
        {
            devices.Add(RunObuAsync(vehicle, cancellationToken));
        }

        foreach (SimulatedVehicle ghost in Ghosts)
        {
            devices.Add(RunObuAsync(ghost, cancellationToken));
        }

        try
        {
            await Task.WhenAll(devices);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunRsuAsync(SimulatedRsu rsu, CancellationToken cancellationToken)
    {
        await using MqttPublisher publisher = new(_broker, rsu.DeviceId.ToString());
        await publisher.ConnectAsync(cancellationToken);
        long start = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long sequence = 0;
        byte msgCnt = 0;
        int tick = 0;
        LocalFrame frame = new(rsu.LatDeg, rsu.LonDeg);
        using PeriodicTimer timer = new(TimeSpan.FromMilliseconds(100), _time);
        do
        {
            long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            double t = (now - start) / 1000.0;
            List<ParticipantData> seen = [];
            foreach (SimulatedVehicle vehicle in _heardVehicles)
            {
                Bsm bsm = vehicle.BsmAt(t, now, msgCnt);
                (double east, double north) = frame.ToLocal(bsm.Pos.LatitudeDeg, bsm.Pos.LongitudeDeg);
                double distance = Math.Sqrt((east * east) + (north * north));
                if (distance <= rsu.RadioRangeM)
                {
                    await PublishAsync(publisher, _topics.Uplink(SourceKind.Rsu, rsu.DeviceId, MessageType.Bsm), new V2xMessage(default, bsm), ++sequence, now, false, cancellationToken);
                }

                if (distance <= rsu.SensorRangeM && seen.Count < Rsm.MaxParticipants)
                {
                    seen.Add(Sighting(bsm, (ushort)(seen.Count + 1)));
                }
            }

            // Test vehicles with their own uplink are real too: the sensors see them (their BSMs go by their own uplink).
            foreach (SimulatedVehicle vehicle in _obuVehicles)
            {
                Bsm bsm = vehicle.BsmAt(t, now, msgCnt);
                (double east, double north) = frame.ToLocal(bsm.Pos.LatitudeDeg, bsm.Pos.LongitudeDeg);
                if (!vehicle.Ghost && Math.Sqrt((east * east) + (north * north)) <= rsu.SensorRangeM && seen.Count < Rsm.MaxParticipants)
                {
                    seen.Add(Sighting(bsm, (ushort)(seen.Count + 1)));
                }
            }

            if (seen.Count > 0)
            {
                Rsm rsm = new() { MsgCnt = msgCnt, Id = rsu.RsuId, RefPos = Position3D.FromDegrees(rsu.LatDeg, rsu.LonDeg), Participants = seen.ToArray() };
                await PublishAsync(publisher, _topics.Uplink(SourceKind.Rsu, rsu.DeviceId, MessageType.Rsm), new V2xMessage(default, rsm), ++sequence, now, false, cancellationToken);
            }

            if (rsu.Signals is { } plan)
            {
                await PublishAsync(publisher, _topics.Uplink(SourceKind.Rsu, rsu.DeviceId, MessageType.Spat), new V2xMessage(default, SpatOf(plan, now, msgCnt)), ++sequence, now, false, cancellationToken);
            }

            if (tick % 50 == 0)
            {
                byte[] heartbeat = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"rsuId\":\"{rsu.DeviceId}\",\"status\":\"online\",\"uptimeS\":{(now - start) / 1000},\"published\":{Counters.Published}}}"));
                await publisher.PublishAsync(_topics.Heartbeat(SourceKind.Rsu, rsu.DeviceId), heartbeat, ++sequence, now, atLeastOnce: true, cancellationToken);
            }

            msgCnt = (byte)((msgCnt + 1) % 128);
            tick++;
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    /// <summary>The SPAT of a fixed-time plan at <paramref name="utcMs"/>: each phase's light and when it changes (counting timing).</summary>
    public static Spat SpatOf(IntersectionSignalPlan plan, long utcMs, byte msgCnt)
    {
        ArgumentNullException.ThrowIfNull(plan);
        Phase[] phases = new Phase[plan.Phases.Count];
        for (int i = 0; i < phases.Length; i++)
        {
            PhasePlan p = plan.Phases[i];
            plan.TryGetLight(p.Id, utcMs, out PhaseLight light, out double toChange);
            LightState state = light switch
            {
                PhaseLight.Green => LightState.ProtectedGreen,
                PhaseLight.Yellow => LightState.Yellow,
                _ => LightState.Red,
            };
            TimeChangeDetails timing = new() { Kind = TimingKind.Counting, StartTime = 0, LikelyEndTime = (ushort)Math.Round(toChange * 10) };
            phases[i] = new Phase { Id = p.Id, PhaseStates = new ValueArray<PhaseState>([new PhaseState(state, timing)]) };
        }

        return new Spat
        {
            MsgCnt = msgCnt,
            Moy = V2xTime.ToMoy(utcMs),
            TimeStamp = V2xTime.ToSecMark(utcMs),
            Intersections = new ValueArray<IntersectionState>([new IntersectionState { IntersectionId = plan.Id, Phases = new ValueArray<Phase>(phases) }]),
        };
    }

    private async Task RunObuAsync(SimulatedVehicle vehicle, CancellationToken cancellationToken)
    {
        await using MqttPublisher publisher = new(_broker, vehicle.DeviceId.ToString());
        await publisher.ConnectAsync(cancellationToken);
        long start = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long sequence = 0;
        byte msgCnt = 0;
        using PeriodicTimer timer = new(TimeSpan.FromMilliseconds(100), _time);
        do
        {
            long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            double t = (now - start) / 1000.0;
            if (vehicle.SendsAt(t))
            {
                Bsm bsm = vehicle.BsmAt(t, now, msgCnt);
                await PublishAsync(publisher, _topics.Uplink(SourceKind.Obu, vehicle.DeviceId, MessageType.Bsm), new V2xMessage(default, bsm), ++sequence, now, false, cancellationToken);
            }

            msgCnt = (byte)((msgCnt + 1) % 128);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    private async Task PublishAsync(MqttPublisher publisher, string topic, V2xMessage message, long sequence, long now, bool atLeastOnce, CancellationToken cancellationToken)
    {
        try
        {
            await publisher.PublishAsync(topic, JsonCodec.Encode(message), sequence, now, atLeastOnce, cancellationToken);
            Counters.CountPublished();
        }
        catch (InfrastructureException)
        {
            // The durable spool of the edge agent keeps such messages; the simulation only counts them.
            Counters.CountFailed();
        }
    }

    // What an RSU's camera reports of a vehicle it sees: the vehicle's own state, named by its BSM id.
    private static ParticipantData Sighting(Bsm bsm, ushort ptcId) => new()
    {
        PtcType = ParticipantType.Motor,
        PtcId = ptcId,
        Source = SourceType.Video,
        Id = bsm.Id,
        SecMark = bsm.SecMark,
        Pos = bsm.Pos with { Elevation = null },
        PosConfidence = new PositionConfidenceSet(PositionConfidence.A50cm),
        Speed = bsm.Speed,
        Heading = bsm.Heading,
        Size = bsm.Size,
    };
}
