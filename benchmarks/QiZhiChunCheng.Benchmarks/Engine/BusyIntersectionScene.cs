using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Map;

namespace QiZhiChunCheng.Benchmarks.Engine;

/// <summary>
/// The busy-intersection frame: 200 road users at the Dongfeng St x Feiyue Rd junction (node 1), every one of them
/// seen by two RSUs with overlapping coverage and half of the vehicles also sending their own BSMs, at 10 Hz.
/// 150 vehicles drive every approach lane through the junction along the lane map's connections, evenly spaced
/// (so the same lane never closes up, but crossing streams meet in the junction), and 50 pedestrians walk the
/// crosswalks to and fro. Positions carry GNSS noise on BSMs (σ 0.61 m per axis, 1.5 m at 95 %) and roadside noise
/// on RSMs (σ 0.2 m, 0.5 m at 95 %) from a fixed seed. Every motion repeats exactly every 60 s, so the frames of one
/// minute, shifted by whole minutes, form an endless steady stream: secMark repeats each minute, and the envelope's
/// generation time (which places secMark in absolute time) is the only thing that changes between laps.
/// </summary>
internal sealed class BusyIntersectionScene
{
    public const int FramesPerLap = 600;
    public const long LapMs = 60_000;
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
        Mover[] movers = new Mover[Participants];
        for (int i = 0; i < Vehicles; i++)
        {
            Path p = paths[i % paths.Count];
            int slot = i / paths.Count;
            int perPath = (Vehicles + paths.Count - 1) / paths.Count;

            // Three laps of the 200 m path a minute: 10 m/s (36 km/h), under every limit of the junction.
            movers[i] = new Mover(p, slot / (double)perPath, 3, Vehicle: true, Bsm: i % 2 == 0, Id: 0x5645480000000000UL + (ulong)i);
        }

        for (int i = 0; i < Pedestrians; i++)
        {
            Path p = walks[i % walks.Count];
            movers[Vehicles + i] = new Mover(p, random.NextDouble(), 2, Vehicle: false, Bsm: false, Id: 0);
        }

        OctetId8 rsuA = OctetId8.FromAscii("RSUFY001");
        OctetId8 rsuB = OctetId8.FromAscii("RSUFY002");
        (double refLat, double refLon) = map.Frame.ToWgs84(map.Nodes[node].XM, map.Nodes[node].YM);
        Position3D refPos = Position3D.FromDegrees(refLat, refLon, 215);
        for (int f = 0; f < FramesPerLap; f++)
        {
            long utc = Start + (f * 100L);
            double t = f / 10.0;
            List<V2xMessage> frame = new(128);
            List<ParticipantData> seenA = new(Participants);
            List<ParticipantData> seenB = new(Participants);
            for (int i = 0; i < Participants; i++)
            {
                (double x, double y, double heading, double speed) = movers[i].At(t);
                if (movers[i].Bsm)
                {
                    frame.Add(BsmOf(movers[i].Id, utc, x + Gauss(random, 0.61), y + Gauss(random, 0.61), heading, speed));
                }

                seenA.Add(ParticipantOf(i, movers[i].Vehicle, utc, x + Gauss(random, 0.2), y + Gauss(random, 0.2), heading, speed));
                seenB.Add(ParticipantOf(i + 1000, movers[i].Vehicle, utc, x + Gauss(random, 0.2), y + Gauss(random, 0.2), heading, speed));
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
        return message.Type == MessageType.Bsm ? new V2xMessage(e, message.Bsm) : new V2xMessage(e, message.Rsm);
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
            paths.Add(new Path(points, stopLine, before: 100, after: 100));
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
            paths.Add(new Path([(cx - (ux * half), cy - (uy * half)), (cx + (ux * half), cy + (uy * half)), (cx - (ux * half), cy - (uy * half))], -1, 0, 0));
        }

        return paths;
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

        public Path(List<(double X, double Y)> points, int stopLine, double before, double after)
        {
            _points = points;
            _at = new double[points.Count];
            for (int i = 1; i < points.Count; i++)
            {
                _at[i] = _at[i - 1] + Math.Sqrt(Math.Pow(points[i].X - points[i - 1].X, 2) + Math.Pow(points[i].Y - points[i - 1].Y, 2));
            }

            double total = _at[^1];
            From = stopLine >= 0 ? Math.Max(0, _at[stopLine] - before) : 0;
            To = stopLine >= 0 ? Math.Min(total, _at[stopLine] + after) : total;
        }

        public double From { get; }

        public double To { get; }

        public double Length => To - From;

        public (double X, double Y, double HeadingDeg) At(double s)
        {
            s += From;
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

    /// <summary>A road user going round its path <c>LapsPerMinute</c> times a minute from a phase in [0, 1).</summary>
    private readonly record struct Mover(Path Path, double Phase, int LapsPerMinute, bool Vehicle, bool Bsm, ulong Id)
    {
        public (double X, double Y, double HeadingDeg, double SpeedMps) At(double t)
        {
            double lapS = 60.0 / LapsPerMinute;
            double s = ((t / lapS) + Phase) % 1.0 * Path.Length;
            (double x, double y, double h) = Path.At(s);
            return (x, y, h, Path.Length / lapS);
        }
    }
}
