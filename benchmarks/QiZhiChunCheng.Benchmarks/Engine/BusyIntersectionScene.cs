using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Map;

namespace QiZhiChunCheng.Benchmarks.Engine;

/// <summary>
/// The busy-intersection frame: 200 road users at the Dongfeng St x Feiyue Rd junction (node 1), every one of them
/// seen by two RSUs with overlapping coverage and half of the vehicles also sending their own BSMs, at 10 Hz, with
/// the junction's SPAT. 150 vehicles drive every approach lane through the junction along the lane map's
/// connections under a 60 s signal plan (Dongfeng 27 s including yellow, then the cross road 27 s, 3 s all-red
/// after each): they follow at 10 m/s, queue behind the stop line on red with a comfortable 3 m/s² and keep a
/// 7 m spacing; a vehicle that leaves the 200 m stretch comes back at its start as a new vehicle (new BSM id, new
/// roadside ids). 50 pedestrians cross the crosswalks while the road they cross has red and wait at the kerb
/// otherwise. Positions carry GNSS noise on BSMs (σ 0.61 m per axis, 1.5 m at 95 %) and roadside noise on RSMs
/// (σ 0.2 m, 0.5 m at 95 %) from a fixed seed. The stream is four minutes long; a longer run repeats it shifted by
/// whole laps (secMark repeats each minute, and only the envelope's generation time changes between laps).
/// </summary>
internal sealed class BusyIntersectionScene
{
    public const int FramesPerLap = 2400;
    public const long LapMs = 240_000;
    public const double CycleS = 60;
    private const double VehicleSpeedMps = 10;
    private const double WalkSpeedMps = 1.3;
    private const double ComfortDecelMps2 = 3;
    private const double SpacingM = 7;
    public const int Vehicles = 150;
    public const int Pedestrians = 50;
    public const int Participants = Vehicles + Pedestrians;

    /// <summary>08:00:00 UTC, 28 November 2026.</summary>
    public static readonly long Start = new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private readonly List<V2xMessage>[] _frames = new List<V2xMessage>[FramesPerLap];

    public BusyIntersectionScene(LaneMap map, int seed = 20261128)
    {
        Map = map;
        Random random = new(seed);
        int node = map.FindNode(new NodeReferenceId(1));
        List<Path> paths = VehiclePaths(map, node);
        List<Path> walks = CrosswalkPaths(map, node);
        Agent[] agents = new Agent[Participants];
        int perPath = (Vehicles + paths.Count - 1) / paths.Count;
        for (int i = 0; i < Vehicles; i++)
        {
            Path p = paths[i % paths.Count];
            int slot = i / paths.Count;
            agents[i] = new Agent { Index = i, Path = p, S = p.Length * (1 - ((slot + 0.5) / perPath)), Vehicle = true, Bsm = i % 2 == 0 };
        }

        for (int i = 0; i < Pedestrians; i++)
        {
            Path p = walks[i % walks.Count];
            agents[Vehicles + i] = new Agent { Index = Vehicles + i, Path = p, S = random.NextDouble() * p.Length, Vehicle = false };
        }

        OctetId8 rsuA = OctetId8.FromAscii("RSUFY001");
        OctetId8 rsuB = OctetId8.FromAscii("RSUFY002");
        (double refLat, double refLon) = map.Frame.ToWgs84(map.Nodes[node].XM, map.Nodes[node].YM);
        Position3D refPos = Position3D.FromDegrees(refLat, refLon, 215);
        ushort nodeId = map.Nodes[node].Id.Id;
        for (int f = 0; f < FramesPerLap; f++)
        {
            long utc = Start + (f * 100L);
            double t = f / 10.0;
            Step(agents, t, 0.1);
            List<V2xMessage> frame = new(128);
            frame.Add(SpatOf(nodeId, utc, t));
            List<ParticipantData> seenA = new(Participants);
            List<ParticipantData> seenB = new(Participants);
            foreach (Agent a in agents.OrderBy(a => a.Index))
            {
                int i = a.Index;
                (double x, double y, double heading) = a.Path.At(a.S);
                if (!a.Vehicle)
                {
                    // Side by side on the crosswalk, not on one line: a group waiting at the kerb is several people.
                    double side = ((i % 5) - 2) * 0.7;
                    x += side * a.Path.PerpX;
                    y += side * a.Path.PerpY;
                }

                if (a.Speed == 0)
                {
                    heading = a.LastHeading;
                }

                a.LastHeading = heading;
                int generation = a.Generation;
                if (a.Bsm)
                {
                    frame.Add(BsmOf(0x5645480000000000UL + (ulong)i + ((ulong)generation * 1000), utc, x + Gauss(random, 0.61), y + Gauss(random, 0.61), heading, a.Speed));
                }

                ushort ptc = (ushort)((i + (generation * 211)) % 30000);
                seenA.Add(ParticipantOf(ptc, a.Vehicle, utc, x + Gauss(random, 0.2), y + Gauss(random, 0.2), heading, a.Speed));
                seenB.Add(ParticipantOf(ptc + 30000, a.Vehicle, utc, x + Gauss(random, 0.2), y + Gauss(random, 0.2), heading, a.Speed));
            }

            AddRsms(frame, rsuA, refPos, utc, seenA);
            AddRsms(frame, rsuB, refPos, utc, seenB);
            _frames[f] = frame;
        }

        MessagesPerLap = _frames.Sum(f => f.Count);
    }

    public LaneMap Map { get; }

    public int MessagesPerLap { get; }

    /// <summary>The messages of frame <paramref name="frame"/> of the lap, generated in lap 0.</summary>
    public List<V2xMessage> Frame(int frame) => _frames[frame];

    /// <summary>
    /// A message of lap 0 re-dated by <paramref name="lap"/> whole minutes: only the envelope changes (a struct
    /// copy, no allocation).
    /// </summary>
    public static V2xMessage Shift(in V2xMessage message, long lap)
    {
        Envelope e = message.Envelope with
        {
            GeneratedUtcMs = message.Envelope.GeneratedUtcMs + (lap * LapMs),
            IngestUtcMs = message.Envelope.IngestUtcMs + (lap * LapMs),
        };
        return message.Type switch
        {
            MessageType.Bsm => new V2xMessage(e, message.Bsm),
            MessageType.Spat => new V2xMessage(e, message.Spat),
            _ => new V2xMessage(e, message.Rsm),
        };
    }

    private V2xMessage BsmOf(ulong id, long utc, double x, double y, double heading, double speed)
    {
        (double lat, double lon) = Map.Frame.ToWgs84(x, y);
        Bsm bsm = new()
        {
            MsgCnt = (byte)(utc / 100 % 128),
            Id = new OctetId8(id),
            SecMark = (ushort)(utc % 60000),
            Pos = Position3D.FromDegrees(lat, lon, 215),
            Transmission = TransmissionState.ForwardGears,
            Speed = (ushort)Math.Round(speed / 0.02),
            Heading = (ushort)(Math.Round(heading / 0.0125) % 28800),
            AccelSet = new AccelerationSet4Way(0, 0, 0, 0),
            Size = new VehicleSize(185, 480),
            VehicleClass = new VehicleClassification(10),
        };
        Envelope envelope = new() { SourceKind = SourceKind.Rsu, Type = MessageType.Bsm, GeneratedUtcMs = utc, IngestUtcMs = utc + 3 };
        return new V2xMessage(envelope, bsm);
    }

    private ParticipantData ParticipantOf(int ptcId, bool vehicle, long utc, double x, double y, double heading, double speed)
    {
        (double lat, double lon) = Map.Frame.ToWgs84(x, y);
        return new ParticipantData
        {
            PtcType = vehicle ? ParticipantType.Motor : ParticipantType.Pedestrian,
            PtcId = (ushort)ptcId,
            Source = SourceType.Integrated,
            SecMark = (ushort)(utc % 60000),
            Pos = Position3D.FromDegrees(lat, lon),
            PosConfidence = new PositionConfidenceSet(PositionConfidence.A50cm),
            Speed = (ushort)Math.Round(speed / 0.02),
            Heading = (ushort)(Math.Round(heading / 0.0125) % 28800),
            Size = vehicle ? new VehicleSize(185, 480) : new VehicleSize(50, 50),
        };
    }

    private static void AddRsms(List<V2xMessage> frame, OctetId8 rsu, Position3D refPos, long utc, List<ParticipantData> seen)
    {
        for (int i = 0; i < seen.Count; i += Rsm.MaxParticipants)
        {
            ParticipantData[] chunk = seen.GetRange(i, Math.Min(Rsm.MaxParticipants, seen.Count - i)).ToArray();
            Rsm rsm = new() { MsgCnt = (byte)(utc / 100 % 128), Id = rsu, RefPos = refPos, Participants = new ValueArray<ParticipantData>(chunk) };
            Envelope envelope = new() { SourceKind = SourceKind.Rsu, Type = MessageType.Rsm, GeneratedUtcMs = utc, IngestUtcMs = utc + 3 };
            frame.Add(new V2xMessage(envelope, rsm));
        }
    }

    private static double Gauss(Random random, double sigma)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return sigma * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    // Every approach lane into the node, continued through its first connection and the lane it leads to.
    private static List<Path> VehiclePaths(LaneMap map, int node)
    {
        List<Path> paths = [];
        for (int l = 0; l < map.Lanes.Length; l++)
        {
            MapLaneInfo lane = map.Lanes[l];
            if (lane.Node != node || lane.ConnectionCount == 0 || lane.Type != LaneType.Vehicle)
            {
                continue;
            }

            List<(double X, double Y)> points = [];
            AddPoints(map, points, lane.FirstPoint, lane.PointCount);
            int stopLine = points.Count - 1;
            MapConnectionInfo c = map.Connections[lane.FirstConnection];
            AddPoints(map, points, c.FirstPoint, c.PointCount);
            MapLaneInfo to = map.Lanes[c.ToLane];
            AddPoints(map, points, to.FirstPoint, to.PointCount);
            paths.Add(new Path(points, stopLine, before: 100, after: 100, id: paths.Count, dongfeng: lane.PhaseId is 1 or 2));
        }

        return paths;
    }

    private static List<Path> CrosswalkPaths(LaneMap map, int node)
    {
        List<Path> paths = [];
        foreach (MapCrosswalkInfo cw in map.Crosswalks)
        {
            if (map.Lanes[cw.Lane].Node != node)
            {
                continue;
            }

            // The long axis of the crosswalk polygon: pedestrians walk from one kerb to the other.
            double cx = 0, cy = 0;
            for (int i = 0; i < cw.PolygonCount; i++)
            {
                cx += map.PolygonX[cw.PolygonStart + i];
                cy += map.PolygonY[cw.PolygonStart + i];
            }

            cx /= cw.PolygonCount;
            cy /= cw.PolygonCount;
            double sxx = 0, syy = 0, sxy = 0;
            for (int i = 0; i < cw.PolygonCount; i++)
            {
                double dx = map.PolygonX[cw.PolygonStart + i] - cx, dy = map.PolygonY[cw.PolygonStart + i] - cy;
                sxx += dx * dx;
                syy += dy * dy;
                sxy += dx * dy;
            }

            double angle = 0.5 * Math.Atan2(2 * sxy, sxx - syy);
            double ux = Math.Cos(angle), uy = Math.Sin(angle);
            double half = 0;
            for (int i = 0; i < cw.PolygonCount; i++)
            {
                half = Math.Max(half, Math.Abs(((map.PolygonX[cw.PolygonStart + i] - cx) * ux) + ((map.PolygonY[cw.PolygonStart + i] - cy) * uy)));
            }

            half -= 0.5;
            // A crosswalk on a Dongfeng approach crosses Dongfeng Street: walked while the cross road has green.
            bool acrossDongfeng = IsDongfengLink(map, map.Lanes[cw.Lane].Link);
            paths.Add(new Path([(cx - (ux * half), cy - (uy * half)), (cx + (ux * half), cy + (uy * half)), (cx - (ux * half), cy - (uy * half))], -1, 0, 0, id: 1000 + paths.Count, dongfeng: acrossDongfeng));
        }

        return paths;
    }

    private static bool IsDongfengLink(LaneMap map, int link)
    {
        for (int l = 0; l < map.Lanes.Length; l++)
        {
            if (map.Lanes[l].Link == link && map.Lanes[l].Type == LaneType.Vehicle)
            {
                return map.Lanes[l].PhaseId is 1 or 2;
            }
        }

        return false;
    }

    private static void AddPoints(LaneMap map, List<(double X, double Y)> points, int first, int count)
    {
        for (int i = first; i < first + count; i++)
        {
            (double X, double Y) p = (map.PointX[i], map.PointY[i]);
            if (points.Count == 0 || Math.Abs(points[^1].X - p.X) + Math.Abs(points[^1].Y - p.Y) > 0.01)
            {
                points.Add(p);
            }
        }
    }

    /// <summary>A polyline walked at constant speed; for vehicle paths only the stretch from <c>before</c> metres ahead of the stop line to <c>after</c> metres past it.</summary>
    private sealed class Path
    {
        private readonly List<(double X, double Y)> _points;
        private readonly double[] _at;

        public Path(List<(double X, double Y)> points, int stopLine, double before, double after, int id = 0, bool dongfeng = false)
        {
            Id = id;
            Dongfeng = dongfeng;
            _points = points;
            _at = new double[points.Count];
            for (int i = 1; i < points.Count; i++)
            {
                _at[i] = _at[i - 1] + Math.Sqrt(Math.Pow(points[i].X - points[i - 1].X, 2) + Math.Pow(points[i].Y - points[i - 1].Y, 2));
            }

            double total = _at[^1];
            From = stopLine >= 0 ? Math.Max(0, _at[stopLine] - before) : 0;
            To = stopLine >= 0 ? Math.Min(total, _at[stopLine] + after) : total;
            StopLineS = stopLine >= 0 ? _at[stopLine] - From : 0;
            double len = Math.Max(1e-9, _at[1]);
            PerpX = (points[1].Y - points[0].Y) / len;
            PerpY = -(points[1].X - points[0].X) / len;
        }

        /// <summary>A unit vector at right angles to the path's first segment.</summary>
        public double PerpX { get; }

        public double PerpY { get; }

        public int Id { get; }

        /// <summary>A vehicle path on a Dongfeng approach, or a crosswalk across Dongfeng Street.</summary>
        public bool Dongfeng { get; }

        /// <summary>Where the stop line is along the path (m).</summary>
        public double StopLineS { get; }

        public double From { get; }

        public double To { get; }

        public double Length => To - From;

        public (double X, double Y, double HeadingDeg) At(double s)
        {
            s = Math.Max(0, s + From);
            int i = 1;
            while (i < _at.Length - 1 && _at[i] < s)
            {
                i++;
            }

            (double ax, double ay) = _points[i - 1];
            (double bx, double by) = _points[i];
            double seg = _at[i] - _at[i - 1];
            double f = seg == 0 ? 0 : Math.Clamp((s - _at[i - 1]) / seg, 0, 1);
            double heading = ((Math.Atan2(bx - ax, by - ay) * 180 / Math.PI) + 360) % 360;
            return (ax + ((bx - ax) * f), ay + ((by - ay) * f), heading);
        }
    }

    /// <summary>Whether the Dongfeng phases (1, 2) or the cross-road phases (3, 4) may go at <paramref name="t"/> (green or yellow).</summary>
    private static bool Go(bool dongfeng, double t)
    {
        double c = t % CycleS;
        return dongfeng ? c < 27 : c is >= 30 and < 57;
    }

    private static void Step(Agent[] agents, double t, double dt)
    {
        // Vehicles: leaders first on each path, so a follower sees where its leader is now.
        Array.Sort(agents, 0, Vehicles, AgentOrder.Instance);
        for (int i = 0; i < Vehicles; i++)
        {
            Agent a = agents[i];
            double limit = double.PositiveInfinity;
            if (!Go(a.Path.Dongfeng, t) && a.S < a.Path.StopLineS - 0.5)
            {
                limit = a.Path.StopLineS - 1 - a.S;
            }

            Agent? leader = i > 0 && agents[i - 1].Path == a.Path && agents[i - 1].S > a.S ? agents[i - 1] : null;
            if (leader is not null)
            {
                limit = Math.Min(limit, leader.S - SpacingM - a.S);
            }

            double safe = limit == double.PositiveInfinity ? VehicleSpeedMps : Math.Sqrt(2 * ComfortDecelMps2 * Math.Max(0, limit));
            double v = Math.Min(VehicleSpeedMps, Math.Min(a.Speed + (2 * dt), safe));
            double move = Math.Max(0, Math.Min(v * dt, Math.Max(0, limit)));
            a.Speed = move / dt;
            a.S += move;
            if (a.S >= a.Path.Length)
            {
                // Left the stretch: the next vehicle enters at the start, behind the tail of the lane's queue.
                double tail = double.PositiveInfinity;
                foreach (Agent o in agents.AsSpan(0, Vehicles))
                {
                    if (o != a && o.Path == a.Path)
                    {
                        tail = Math.Min(tail, o.S);
                    }
                }

                a.S = Math.Min(0, tail - SpacingM);
                a.Generation++;
            }
        }

        for (int i = Vehicles; i < agents.Length; i++)
        {
            Agent p = agents[i];
            bool mayCross = !Go(!p.Path.Dongfeng, t);
            bool atKerb = p.S % (p.Path.Length / 2) < 0.05;
            if (!mayCross && atKerb)
            {
                p.Speed = 0;
                continue;
            }

            p.Speed = WalkSpeedMps;
            double half = p.Path.Length / 2;
            double before = p.S;
            p.S = (p.S + (WalkSpeedMps * dt)) % p.Path.Length;
            if (!mayCross && ((before < half && p.S >= half) || p.S < before))
            {
                p.S = p.S < before ? 0 : half; // arrived at the kerb: wait there
            }
        }
    }

    private static V2xMessage SpatOf(ushort node, long utc, double t)
    {
        double c = t % CycleS;
        Phase PhaseOf(byte id, double greenFrom)
        {
            double intoGreen = c - greenFrom;
            PhaseState state = intoGreen >= 0 && intoGreen < 24
                ? Counting(LightState.ProtectedGreen, 24 - intoGreen)
                : intoGreen >= 24 && intoGreen < 27
                    ? Counting(LightState.Yellow, 27 - intoGreen)
                    : Counting(LightState.Red, ((greenFrom - c) % CycleS + CycleS) % CycleS);
            return new Phase { Id = id, PhaseStates = new ValueArray<PhaseState>([state]) };
        }

        Spat spat = new()
        {
            MsgCnt = (byte)(utc / 100 % 128),
            Intersections = new ValueArray<IntersectionState>(
            [
                new IntersectionState
                {
                    IntersectionId = new NodeReferenceId(node),
                    Phases = new ValueArray<Phase>([PhaseOf(1, 0), PhaseOf(2, 0), PhaseOf(3, 30), PhaseOf(4, 30)]),
                },
            ]),
        };
        Envelope envelope = new() { SourceKind = SourceKind.Rsu, Type = MessageType.Spat, GeneratedUtcMs = utc, IngestUtcMs = utc + 3 };
        return new V2xMessage(envelope, spat);
    }

    private static PhaseState Counting(LightState light, double endS) =>
        new(light, new TimeChangeDetails { Kind = TimingKind.Counting, StartTime = 0, LikelyEndTime = (ushort)Math.Round(endS * 10) });

    private sealed class Agent
    {
        public required Path Path { get; init; }

        public int Index { get; init; }

        public double S { get; set; }

        public double Speed { get; set; }

        public double LastHeading { get; set; }

        public bool Vehicle { get; init; }

        public bool Bsm { get; init; }

        public int Generation { get; set; }
    }

    private sealed class AgentOrder : IComparer<Agent>
    {
        public static readonly AgentOrder Instance = new();

        public int Compare(Agent? x, Agent? y) =>
            x!.Path.Id != y!.Path.Id ? x.Path.Id.CompareTo(y.Path.Id) : y.S.CompareTo(x.S);
    }
}
