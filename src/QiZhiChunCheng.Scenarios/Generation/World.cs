using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Time;
using QiZhiChunCheng.Scenarios.Format;

namespace QiZhiChunCheng.Scenarios.Generation;

/// <summary>The vehicle ahead on a vehicle's way: bumper-to-bumper gap and its speed.</summary>
public readonly record struct Leader(Vehicle Vehicle, double GapM, double SpeedMps);

/// <summary>An RSI item an RSU repeats every second while it is active: an event (RTE) or a sign (RTS).</summary>
public sealed record RsiItem(string RsuDeviceId, long FromMs, long ToMs, RteData? Event = null, RtsData? Sign = null);

/// <summary>
/// One message as published: offset, topic and the JER JSON payload; <see cref="GeneratedT"/> is the generation time
/// the device stamps when its clock is wrong (null: <see cref="T"/>).
/// </summary>
public readonly record struct GeneratedMessage(long T, long Sequence, string Topic, byte[] Payload, long? GeneratedT = null);

/// <summary>
/// A fault of one RSU: a position bias of its sensors growing with time (a drifting radar), and a clock that stops
/// at <see cref="FreezeFromMs"/> (its RSM secMarks and generation time stay at that instant while the positions it
/// reports stay current).
/// </summary>
public sealed record RsuFault
{
    /// <summary>The sensors' position error at a time (ms from start): east and north metres; null: none.</summary>
    public Func<long, (double EastM, double NorthM)>? Bias { get; init; }

    /// <summary>From this time (ms from start) the RSU's clock no longer advances; null: it never freezes.</summary>
    public long? FreezeFromMs { get; init; }
}

/// <summary>
/// The simulated world of one scenario: its actors stepped every 100 ms, the signal plans, and the devices that
/// report it (each connected vehicle's OBU through its <see cref="GnssModel"/>, each RSU's sensors through its
/// <see cref="RsuSensorModel"/>, SPAT from the plans, RSI items). Every random draw comes from
/// <see cref="Random"/> streams seeded from the scenario's seed, in a fixed order, so the same seed gives the same
/// messages. Not thread-safe.
/// </summary>
public sealed class World
{
    public const int StepMs = 100;

    private readonly List<Actor> _actors = [];
    private readonly Dictionary<Vehicle, Leader?> _leaders = [];
    private readonly Dictionary<int, List<(Vehicle V, double Along)>> _occupancy = [];
    private readonly List<GeneratedMessage> _messages = [];
    private readonly List<TruthSample> _truth = [];
    private readonly Dictionary<string, Dictionary<string, int>> _ptc = [];
    private long _sequence;

    public World(GeneratorZone zone, long startUtcMs, int seed)
    {
        Zone = zone;
        StartUtcMs = startUtcMs;
        Seed = seed;
        Random = new Random(seed);
    }

    public GeneratorZone Zone { get; }

    public long StartUtcMs { get; }

    public int Seed { get; }

    /// <summary>The scenario's random stream (device streams are seeded from it as they are created).</summary>
    public Random Random { get; }

    public GnssModel Gnss { get; init; } = new();

    public RsuSensorModel Sensors { get; init; } = new();

    /// <summary>RSUs that report RSM (device ids); null: every RSU of the zone.</summary>
    public IReadOnlySet<string>? SensingRsus { get; set; }

    /// <summary>Junctions (MAP node ids) whose RSU broadcasts SPAT from the plan.</summary>
    public List<ushort> SpatNodes { get; } = [];

    public List<RsiItem> RsiItems { get; } = [];

    /// <summary>Faulty RSUs by device id (<c>RSU-DF-01</c>): drifting sensors, a frozen clock.</summary>
    public Dictionary<string, RsuFault> RsuFaults { get; } = new(StringComparer.Ordinal);

    /// <summary>Called once the world has run, before the messages are sorted: an attacker's replays are added here.</summary>
    public Action<World>? AfterRun { get; set; }

    public IReadOnlyList<Actor> Actors => _actors;

    public IReadOnlyList<GeneratedMessage> Messages => _messages;

    public IReadOnlyList<TruthSample> Truth => _truth;

    /// <summary>Per actor id, the truth of each 100 ms step (for the expectations of scripted scenarios).</summary>
    public Dictionary<string, List<(long T, double X, double Y, double HeadingDeg, double SpeedMps, double AccelMps2)>> Track { get; } = [];

    public T Add<T>(T actor)
        where T : Actor
    {
        _actors.Add(actor);
        return actor;
    }

    public Leader? LeaderOf(Vehicle vehicle) => _leaders.TryGetValue(vehicle, out Leader? l) ? l : null;

    /// <summary>Whether a vehicle could join <paramref name="route"/> at <paramref name="alongM"/> with safe gaps ahead and behind.</summary>
    public bool IsGapFree(Route route, double alongM, Vehicle me)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(me);
        if (!_occupancy.TryGetValue(route.Parts[0].Element, out List<(Vehicle V, double Along)>? on))
        {
            return true;
        }

        foreach ((Vehicle v, double along) in on)
        {
            double gap = Math.Abs(along - alongM) - ((v.LengthM + me.LengthM) / 2);
            double need = along > alongM ? Math.Max(6, me.SpeedMps * 1.2) : Math.Max(6, v.SpeedMps * 1.5);
            if (gap < need)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Runs the world for <paramref name="durationMs"/>: steps, truth every 100 ms and the devices' messages.</summary>
    public void Run(long durationMs)
    {
        Devices devices = new(this);
        foreach (Actor a in _actors)
        {
            a.Initialise(this);
        }

        for (long t = 0; t < durationMs; t += StepMs)
        {
            if (t > 0)
            {
                BuildLeaders(t);
                foreach (Actor a in _actors)
                {
                    if (a.IsActive(t - StepMs) || a.IsActive(t))
                    {
                        a.Step(this, t - StepMs, StepMs / 1000.0);
                    }
                }
            }

            RecordTruth(t);
            devices.Emit(t, durationMs);
        }

        AfterRun?.Invoke(this);
        _messages.Sort(static (a, b) => a.T != b.T ? a.T.CompareTo(b.T) : a.Sequence.CompareTo(b.Sequence));
    }

    internal void Publish(long t, string topic, in V2xMessage message, long? generatedT = null) =>
        _messages.Add(new GeneratedMessage(t, _sequence++, topic, JsonCodec.Encode(message), generatedT));

    /// <summary>Publishes a payload as it is (an attacker re-sending captured bytes) at <paramref name="t"/>.</summary>
    public void PublishRaw(long t, string topic, byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(payload);
        _messages.Add(new GeneratedMessage(t, _sequence++, topic, payload));
    }

    internal void NotePtc(Actor actor, string rsuHex, int ptcId)
    {
        if (!_ptc.TryGetValue(actor.Id, out Dictionary<string, int>? map))
        {
            _ptc[actor.Id] = map = [];
        }

        map.TryAdd(rsuHex, ptcId);
    }

    private void RecordTruth(long t)
    {
        foreach (Actor a in _actors)
        {
            if (!a.IsActive(t))
            {
                continue;
            }

            (double lat, double lon) = Zone.Frame.ToWgs84(a.X, a.Y);
            _truth.Add(new TruthSample
            {
                T = t,
                Id = a.Id,
                Kind = a.TruthKind,
                BsmId = a.BsmId?.ToString(),
                Ptc = _ptc.TryGetValue(a.Id, out Dictionary<string, int>? map) && map.Count > 0 ? new Dictionary<string, int>(map) : null,
                Lat = Math.Round(lat, 7),
                Lon = Math.Round(lon, 7),
                SpeedMps = Math.Round(a.SpeedMps, 2),
                HeadingDeg = Math.Round(a.HeadingDeg, 1),
            });
            if (!Track.TryGetValue(a.Id, out var track))
            {
                Track[a.Id] = track = [];
            }

            track.Add((t, a.X, a.Y, a.HeadingDeg, a.SpeedMps, a.AccelMps2));
        }
    }

    // Who follows whom: vehicles by the lane or connection they are on, then the nearest one ahead along the route.
    private void BuildLeaders(long t)
    {
        _leaders.Clear();
        foreach (List<(Vehicle, double)> list in _occupancy.Values)
        {
            list.Clear();
        }

        foreach (Actor a in _actors)
        {
            if (a is Vehicle v && v.IsActive(t - StepMs) && !v.Phantom)
            {
                RoutePart part = v.Part;
                if (!_occupancy.TryGetValue(part.Element, out List<(Vehicle, double)>? list))
                {
                    _occupancy[part.Element] = list = [];
                }

                list.Add((v, v.SM - part.StartM));
            }
        }

        foreach (Actor a in _actors)
        {
            if (a is not Vehicle v || !v.IsActive(t - StepMs) || !v.FollowsLeader)
            {
                continue;
            }

            Route route = v.Route;
            int p = route.PartAt(v.SM);
            double offset = route.Parts[p].StartM - v.SM; // where the part starts relative to the vehicle
            Leader? best = null;
            for (; p < route.Parts.Count && offset < 150; p++)
            {
                RoutePart part = route.Parts[p];
                if (_occupancy.TryGetValue(part.Element, out List<(Vehicle V, double Along)>? on))
                {
                    foreach ((Vehicle other, double along) in on)
                    {
                        double ahead = offset + along;
                        if (other == v || ahead <= 0 || Math.Abs(other.LateralM - v.LateralM) > 2.5)
                        {
                            continue;
                        }

                        double gap = ahead - ((v.LengthM + other.LengthM) / 2);
                        if (best is null || gap < best.Value.GapM)
                        {
                            best = new Leader(other, Math.Max(0.1, gap), other.SpeedMps);
                        }
                    }
                }

                if (best is not null)
                {
                    break;
                }

                offset += part.LengthM;
            }

            _leaders[v] = best;
        }
    }

    /// <summary>The messages of every device, per step.</summary>
    private sealed class Devices
    {
        private readonly World _world;
        private readonly Dictionary<Actor, Obu> _obus = [];
        private readonly List<RsuDevice> _rsus = [];
        private readonly Random _spatRandom;
        private byte _spatCnt;
        private byte _rsiCnt;

        public Devices(World world)
        {
            _world = world;
            foreach (Actor a in world._actors)
            {
                if (a.BsmId is { } id)
                {
                    _obus[a] = new Obu(a, id, new Random(world.Random.Next()), world.Gnss);
                }
            }

            foreach (GeneratorRsu r in world.Zone.Rsus)
            {
                if (world.SensingRsus is null || world.SensingRsus.Contains(r.DeviceId))
                {
                    _rsus.Add(new RsuDevice(r, new Random(world.Random.Next()), world.Sensors, world.RsuFaults.GetValueOrDefault(r.DeviceId)));
                }
            }

            _spatRandom = new Random(world.Random.Next());
        }

        public void Emit(long t, long durationMs)
        {
            foreach (Actor a in _world._actors)
            {
                if (a.IsActive(t) && _obus.TryGetValue(a, out Obu? obu))
                {
                    obu.Emit(_world, t);
                }
            }

            foreach (RsuDevice rsu in _rsus)
            {
                rsu.Emit(_world, t);
            }

            foreach (ushort node in _world.SpatNodes)
            {
                if (_world.Zone.PlanOf(node) is not { } plan)
                {
                    continue;
                }

                (double nx, double ny) = _world.Zone.NodePosition(node);
                GeneratorRsu rsu = _world.Zone.NearestRsu(nx, ny);
                long gen = t + 50;
                long utc = _world.StartUtcMs + gen;
                Spat spat = SignalTimeline.SpatOf(plan, utc, _spatCnt);
                _spatCnt = (byte)((_spatCnt + 1) % 128);
                _world.Publish(gen + Noise.Between(_spatRandom, 5, 15), Topic("RSU", rsu.DeviceId, "SPAT"), new V2xMessage(Env(SourceKind.Rsu, rsu.DeviceId, MessageType.Spat, utc), spat));
            }

            if (t % 1000 == 0)
            {
                foreach (IGrouping<string, RsiItem> group in _world.RsiItems.Where(i => i.FromMs <= t && t < i.ToMs).GroupBy(i => i.RsuDeviceId))
                {
                    GeneratorRsu rsu = _world.Zone.Rsus.First(r => r.DeviceId == group.Key);
                    long gen = t + 30;
                    long utc = _world.StartUtcMs + gen;
                    (double lat, double lon) = _world.Zone.Frame.ToWgs84(0, 0);
                    Rsi rsi = new()
                    {
                        MsgCnt = _rsiCnt,
                        Moy = V2xTime.ToMoy(utc),
                        Id = rsu.RsuId,
                        RefPos = Position3D.FromDegrees(lat, lon, 215),
                        Rtes = new ValueArray<RteData>([.. group.Where(i => i.Event is not null).Select(i => i.Event!)]),
                        Rtss = new ValueArray<RtsData>([.. group.Where(i => i.Sign is not null).Select(i => i.Sign!)]),
                    };
                    _rsiCnt = (byte)((_rsiCnt + 1) % 128);
                    _world.Publish(gen + 10, Topic("RSU", rsu.DeviceId, "RSI"), new V2xMessage(Env(SourceKind.Rsu, rsu.DeviceId, MessageType.Rsi, utc), rsi));
                }
            }
        }
    }

    internal static string Topic(string kind, string device, string type) => $"V2X/{kind}/{device}/{type}/UP";

    internal static Envelope Env(SourceKind kind, string device, MessageType type, long utc) => new()
    {
        SourceKind = kind,
        SourceId = DeviceId.Parse(device),
        Type = type,
        GeneratedUtcMs = utc,
        IngestUtcMs = utc,
    };

    internal static ushort Speed(double mps) => (ushort)Math.Clamp(Math.Round(Math.Max(0, mps) / 0.02), 0, 8190);

    internal static ushort Heading(double deg) => (ushort)(Math.Round((((deg % 360) + 360) % 360) / 0.0125) % 28800);

    internal static short Accel(double mps2) => (short)Math.Clamp(Math.Round(mps2 * 100), -2000, 2000);

    /// <summary>A connected vehicle's on-board unit: a BSM every 100 ms at its own phase, through the GNSS model.</summary>
    private sealed class Obu(Actor actor, OctetId8 id, Random random, GnssModel gnss)
    {
        private readonly DriftingError _error = new(gnss.PositionSigmaM, gnss.CorrelationS, random);
        private readonly int _phaseMs = random.Next(0, 10) * 10;
        private readonly string _device = "VEH-" + actor.Id[(actor.Id.IndexOf('-', StringComparison.Ordinal) + 1)..];
        private byte _msgCnt = (byte)random.Next(0, 128);

        public void Emit(World world, long t)
        {
            (double east, double north) = _error.Next(StepMs / 1000.0);
            double dt = _phaseMs / 1000.0;
            long measured = t + _phaseMs;
            double rad = actor.HeadingDeg * Math.PI / 180;
            double x = actor.X + (actor.SpeedMps * dt * Math.Sin(rad)) + east;
            double y = actor.Y + (actor.SpeedMps * dt * Math.Cos(rad)) + north;
            byte cnt = _msgCnt;
            _msgCnt = (byte)((_msgCnt + 1) % 128);
            if (Noise.Chance(random, gnss.LossProbability))
            {
                return;
            }

            double speed = Math.Max(0, actor.SpeedMps + (actor.SpeedMps > 0 ? gnss.SpeedSigmaMps * Noise.Gaussian(random) : 0));
            double heading = actor.HeadingDeg + (gnss.HeadingSigmaDeg * Noise.Gaussian(random));
            double accel = actor.AccelMps2 + (gnss.AccelSigmaMps2 * Noise.Gaussian(random));
            long utc = world.StartUtcMs + measured;
            (double lat, double lon) = world.Zone.Frame.ToWgs84(x, y);
            VehicleEventFlags? events = actor.Events?.Invoke(measured);
            if (actor.AccelMps2 <= -4)
            {
                events = (events ?? VehicleEventFlags.None) | VehicleEventFlags.HardBraking;
            }

            ExteriorLights? lights = actor.Lights?.Invoke(measured);
            Bsm bsm = new()
            {
                MsgCnt = cnt,
                Id = id,
                SecMark = (ushort)(utc % 60000),
                Pos = Position3D.FromDegrees(lat, lon, 215),
                PosConfidence = new PositionConfidenceSet(PositionConfidence.A50cm),
                Transmission = TransmissionState.ForwardGears,
                Speed = Speed(speed),
                Heading = Heading(heading),
                AccelSet = new AccelerationSet4Way(Accel(accel), 0, 0, (short)Math.Clamp(Math.Round(actor.YawRateDps * 100), -32767, 32767)),
                Brakes = new BrakeSystemStatus { BrakePadel = actor.AccelMps2 < -0.5 ? BrakePedalStatus.On : BrakePedalStatus.Off },
                Size = new VehicleSize((ushort)Math.Round(actor.WidthM * 100), (ushort)Math.Round(actor.LengthM * 100)),
                VehicleClass = new VehicleClassification(actor.VehicleClass),
                SafetyExt = events is null && lights is null ? null : new VehicleSafetyExtensions { Events = events, Lights = lights },
                EmergencyExt = actor.Emergency?.Invoke(measured),
            };
            long published = measured + Noise.Between(random, gnss.MinLatencyMs, gnss.MaxLatencyMs);
            world.Publish(published, Topic("OBU", _device, "BSM"), new V2xMessage(Env(SourceKind.Obu, _device, MessageType.Bsm, utc), bsm));
        }
    }

    /// <summary>An RSU's sensors: an RSM every 100 ms of the road users within range, with stable ptcIds.</summary>
    private sealed class RsuDevice(GeneratorRsu rsu, Random random, RsuSensorModel model, RsuFault? fault)
    {
        private long _frozenMeasured = -1;
        private long _frozenPublished = -1;

        private readonly Dictionary<Actor, ushort> _ids = [];
        private readonly int _phaseMs = random.Next(0, 10) * 10;
        private readonly List<(ushort Id, int FramesLeft, double X, double Y, double Heading, double Speed, ParticipantType Type)> _clutter = [];
        private ushort _nextId = (ushort)random.Next(1, 200);
        private ushort _nextClutterId = 60000;
        private byte _msgCnt = (byte)random.Next(0, 128);

        public void Emit(World world, long t)
        {
            long measured = t + _phaseMs;
            long stamped = measured;
            if (fault?.FreezeFromMs is { } freeze && measured >= freeze)
            {
                if (_frozenMeasured < 0)
                {
                    _frozenMeasured = measured;
                }

                stamped = _frozenMeasured;
            }

            long utc = world.StartUtcMs + stamped;
            ushort secMark = (ushort)(utc % 60000);
            double dt = _phaseMs / 1000.0;
            (double biasEast, double biasNorth) = fault?.Bias?.Invoke(measured) ?? (0, 0);
            string rsuHex = rsu.RsuId.ToString();
            List<ParticipantData> seen = [];
            foreach (Actor a in world._actors)
            {
                if (!a.IsActive(t) || a.Phantom)
                {
                    continue;
                }

                double rad = a.HeadingDeg * Math.PI / 180;
                double x = a.X + (a.SpeedMps * dt * Math.Sin(rad));
                double y = a.Y + (a.SpeedMps * dt * Math.Cos(rad));
                double range = Math.Sqrt(((x - rsu.XM) * (x - rsu.XM)) + ((y - rsu.YM) * (y - rsu.YM)));
                if (range > rsu.Site.SensorRangeM)
                {
                    continue;
                }

                if (!_ids.TryGetValue(a, out ushort ptcId))
                {
                    _ids[a] = ptcId = _nextId;
                    _nextId = (ushort)(_nextId % 59999 + 1);
                    world.NotePtc(a, rsuHex, ptcId);
                }

                if (Noise.Chance(random, model.DropoutProbability))
                {
                    continue;
                }

                x += (model.PositionSigmaM * Noise.Gaussian(random)) + biasEast;
                y += (model.PositionSigmaM * Noise.Gaussian(random)) + biasNorth;
                double speed = Math.Max(0, a.SpeedMps + (a.SpeedMps > 0 ? model.SpeedSigmaMps * Noise.Gaussian(random) : 0));
                double heading = a.HeadingDeg + (model.HeadingSigmaDeg * Noise.Gaussian(random));
                seen.Add(Participant(world, a.ParticipantType, ptcId, secMark, x, y, speed, heading, a.LengthM, a.WidthM,
                    a.Kind is ActorKind.Vehicle or ActorKind.Emergency ? a.AccelMps2 + (0.2 * Noise.Gaussian(random)) : null,
                    model.AssociatesBsm ? a.BsmId : null, a.VehicleClass));
            }

            // Clutter: a false target now and then near the road, gone after one or two frames.
            if (Noise.Chance(random, model.FalseTargetsPerFrame))
            {
                double angle = random.NextDouble() * 2 * Math.PI;
                double distance = Math.Sqrt(random.NextDouble()) * rsu.Site.SensorRangeM * 0.8;
                _clutter.Add((_nextClutterId, random.Next(1, 3), rsu.XM + (distance * Math.Sin(angle)), rsu.YM + (distance * Math.Cos(angle)),
                    random.NextDouble() * 360, random.NextDouble() * 3, random.Next(0, 2) == 0 ? ParticipantType.Pedestrian : ParticipantType.Motor));
                _nextClutterId = (ushort)(_nextClutterId >= 65000 ? 60000 : _nextClutterId + 1);
            }

            for (int i = _clutter.Count - 1; i >= 0; i--)
            {
                var c = _clutter[i];
                seen.Add(Participant(world, c.Type, c.Id, secMark, c.X, c.Y, c.Speed, c.Heading, c.Type == ParticipantType.Motor ? 4.5 : 0.5, c.Type == ParticipantType.Motor ? 1.8 : 0.5, null, null, 0));
                _clutter[i] = c with { FramesLeft = c.FramesLeft - 1 };
                if (c.FramesLeft <= 1)
                {
                    _clutter.RemoveAt(i);
                }
            }

            if (seen.Count == 0)
            {
                return;
            }

            long published = measured + Noise.Between(random, model.MinLatencyMs, model.MaxLatencyMs);
            long? generatedT = null;
            if (_frozenMeasured >= 0)
            {
                _frozenPublished = _frozenPublished < 0 ? published : _frozenPublished;
                generatedT = _frozenPublished;
            }

            for (int i = 0; i < seen.Count; i += Rsm.MaxParticipants)
            {
                byte cnt = _msgCnt;
                _msgCnt = (byte)((_msgCnt + 1) % 128);
                if (Noise.Chance(random, model.MessageLossProbability))
                {
                    continue;
                }

                (double lat, double lon) = world.Zone.Frame.ToWgs84(rsu.XM, rsu.YM);
                Rsm rsm = new()
                {
                    MsgCnt = cnt,
                    Id = rsu.RsuId,
                    RefPos = Position3D.FromDegrees(lat, lon, 215),
                    Participants = new ValueArray<ParticipantData>([.. seen.Skip(i).Take(Rsm.MaxParticipants)]),
                };
                world.Publish(published, Topic("RSU", rsu.DeviceId, "RSM"), new V2xMessage(Env(SourceKind.Rsu, rsu.DeviceId, MessageType.Rsm, world.StartUtcMs + (generatedT ?? published)), rsm), generatedT);
            }
        }

        private static ParticipantData Participant(World world, ParticipantType type, ushort ptcId, ushort secMark, double x, double y, double speed, double heading, double length, double width, double? accel, OctetId8? bsmId, byte vehicleClass)
        {
            (double lat, double lon) = world.Zone.Frame.ToWgs84(x, y);
            return new ParticipantData
            {
                PtcType = type,
                PtcId = ptcId,
                Source = SourceType.Integrated,
                Id = bsmId,
                SecMark = secMark,
                Pos = Position3D.FromDegrees(lat, lon, 215),
                PosConfidence = new PositionConfidenceSet(PositionConfidence.A50cm),
                Speed = Speed(speed),
                Heading = Heading(heading),
                AccelSet = accel is { } a ? new AccelerationSet4Way(Accel(a), 0, 0, 0) : null,
                Size = new VehicleSize((ushort)Math.Round(width * 100), (ushort)Math.Round(length * 100)),
                VehicleClass = type == ParticipantType.Motor && vehicleClass > 0 ? new VehicleClassification(vehicleClass) : null,
            };
        }
    }
}
