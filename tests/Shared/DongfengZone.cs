using System.Globalization;
using System.Text;
using QiZhiChunCheng.Core.Geo;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Zone;

namespace QiZhiChunCheng.Testing;

/// <summary>
/// The deterministic builder of the default zone, scenarios/maps/qizhi-dongfeng*.json: the Dongfeng Street
/// corridor of V2X-REFERENCE section 5 with three signalised intersections. Tests regenerate the files from it and
/// compare (set QZCC_REGENERATE_ZONE=1 to rewrite them). Geometry is laid out in metres of a local frame at the
/// Feiyue Road junction, then written as the MAP's 1e-7 degree offsets from each node's refPos.
/// </summary>
/// <remarks>
/// Dongfeng Street follows the OSM centre line, except that between 43.8424,125.2121 and 43.8500,125.2315 it is the
/// straight the demo's simulated vehicles drive, so their lane offsets (1.75, 5.25, 8.75 m right of that line) fall
/// on the lanes. No median: three 3.5 m lanes each way either side of the centre line; two each way on the cross
/// roads. Lanes run from upstream to the stop line. At each intersection, approaches on Dongfeng have a left-turn
/// lane, a straight lane and a straight-and-right lane; cross roads have left-and-straight and straight-and-right.
/// Phases: 1 Dongfeng straight and right, 2 Dongfeng left, 3 cross road straight and right, 4 cross road left.
/// </remarks>
public static class DongfengZone
{
    public const double LaneWidthM = 3.5;
    public const ushort DongfengLimit = 833; // 60 km/h in 0.02 m/s
    public const ushort CrossRoadLimit = 556; // 40 km/h
    public const int Elevation = 2150; // 215 m
    public const byte CrosswalkLaneId = 10;

    private const double CrossRoadLengthM = 250;
    private const double CrosswalkWidthM = 4;

    private static readonly (double Lat, double Lon) FeiyueJunction = (43.84708, 125.22411);
    private static readonly LocalFrame Frame = new(FeiyueJunction.Lat, FeiyueJunction.Lon);

    /// <summary>The demo's straight, also the Dongfeng centre line between these two points.</summary>
    public static readonly (double Lat, double Lon) StraightStart = (43.8424, 125.2121);
    public static readonly (double Lat, double Lon) StraightEnd = (43.8500, 125.2315);

    public static MapData Map() => Layout().Map;

    public static IReadOnlyList<RsuSite> Rsus() => Layout().Rsus;

    public static IReadOnlyList<IntersectionSignalPlan> Signals() => Layout().Signals;

    private static Zone Layout()
    {
        // Dongfeng Street: 50 m before the straight's start, the straight, then the OSM centre line.
        Pt d0 = Local(StraightStart);
        Pt d1 = Local(StraightEnd);
        Pt e0 = d0 - ((d1 - d0).Unit * 50);
        Pt d2 = Local((43.85260, 125.23675));
        Pt d3 = Local((43.85272, 125.23740));
        Pt d4 = Local((43.85419, 125.24021));
        Pt c3 = Local((43.85504, 125.24151));
        Pt d6 = Local((43.85749, 125.24629));
        Pt c1 = Project(Local(FeiyueJunction), d0, d1);
        Pt c2 = Project(Local((43.8526, 125.2371)), d2, d3);
        Road dongfeng = new("Dongfeng Street", [e0, c1, d1, d2, c2, d3, d4, c3, d6], 3, DongfengLimit);
        Road feiyue = CrossRoad("Feiyue Road", c1, 153);
        Road cross2 = CrossRoad("Cross Road 2", c2, 150);
        Road cross3 = CrossRoad("Cross Road 3", c3, 150);

        Node n1 = new(1, "Dongfeng St x Feiyue Rd", FeiyueJunction, true);
        Node n2 = new(2, "Dongfeng St x Cross Rd 2", Wgs(c2), true);
        Node n3 = new(3, "Dongfeng St x Cross Rd 3", Wgs(c3), true);
        Node dfSouthWest = new(11, "Dongfeng St SW zone edge", Wgs(e0), false);
        Node dfNorthEast = new(39, "Dongfeng St NE zone edge", Wgs(d6), false);
        Node feiyueNorth = new(12, "Feiyue Rd N zone edge", Wgs(feiyue.Points[0]), false);
        Node feiyueSouth = new(13, "Feiyue Rd S zone edge", Wgs(feiyue.Points[^1]), false);
        Node cross2North = new(21, "Cross Rd 2 N zone edge", Wgs(cross2.Points[0]), false);
        Node cross2South = new(22, "Cross Rd 2 S zone edge", Wgs(cross2.Points[^1]), false);
        Node cross3North = new(31, "Cross Rd 3 N zone edge", Wgs(cross3.Points[0]), false);
        Node cross3South = new(32, "Cross Rd 3 S zone edge", Wgs(cross3.Points[^1]), false);
        Node[] nodes = [n1, n2, n3, dfSouthWest, feiyueNorth, feiyueSouth, cross2North, cross2South, cross3North, cross3South, dfNorthEast];

        // Nodes along each road with the distance from the crossing centre at which lanes stop (stop line) or start.
        List<LinkPlan> links = [];
        links.AddRange(dongfeng.Links([(dfSouthWest, e0, 0), (n1, c1, Setback(dongfeng, feiyue, c1)), (n2, c2, Setback(dongfeng, cross2, c2)), (n3, c3, Setback(dongfeng, cross3, c3)), (dfNorthEast, d6, 0)]));
        links.AddRange(feiyue.Links([(feiyueNorth, feiyue.Points[0], 0), (n1, c1, Setback(feiyue, dongfeng, c1)), (feiyueSouth, feiyue.Points[^1], 0)]));
        links.AddRange(cross2.Links([(cross2North, cross2.Points[0], 0), (n2, c2, Setback(cross2, dongfeng, c2)), (cross2South, cross2.Points[^1], 0)]));
        links.AddRange(cross3.Links([(cross3North, cross3.Points[0], 0), (n3, c3, Setback(cross3, dongfeng, c3)), (cross3South, cross3.Points[^1], 0)]));

        foreach (Node node in nodes)
        {
            if (node.Signalised)
            {
                Connect(node, links, dongfeng);
            }
        }

        MapData map = new()
        {
            MsgCnt = 0,
            Nodes = nodes.Select(n => new MapNode
            {
                Name = n.Name,
                Id = new NodeReferenceId(n.Id),
                RefPos = n.RefPos,
                InLinks = links.Where(l => l.To == n).Select(l => l.ToMap()).ToArray(),
            }).ToArray(),
        };
        return new Zone(map, BuildRsus(c1, c2, c3, dongfeng), BuildSignals(dongfeng, c1, c2, c3));
    }

    // How far from the crossing centre the lanes of `road` stop: clear of the crossing road's carriageway (wider
    // when the crossing is oblique), then 1.5 m, a 4 m crosswalk and 1.5 m to the stop line.
    private static double Setback(Road road, Road crossing, Pt centre)
    {
        double sin = Math.Abs(road.DirectionAt(centre).Cross(crossing.DirectionAt(centre)));
        double cos = Math.Abs(road.DirectionAt(centre).Dot(crossing.DirectionAt(centre)));
        return Math.Round((crossing.HalfWidthM / sin) + (road.HalfWidthM * cos / sin) + 7, 1);
    }

    private static Road CrossRoad(string name, Pt centre, double bearingDeg)
    {
        Pt v = Pt.FromBearing(bearingDeg);
        return new Road(name, [centre - (v * CrossRoadLengthM), centre, centre + (v * CrossRoadLengthM)], 2, CrossRoadLimit);
    }

    // connectsTo at a signalised node: each approach lane to the exit links to its left, ahead and right.
    private static void Connect(Node node, List<LinkPlan> links, Road dongfeng)
    {
        List<LinkPlan> approaches = links.Where(l => l.To == node).ToList();
        List<LinkPlan> exits = links.Where(l => l.From == node).ToList();
        foreach (LinkPlan approach in approaches)
        {
            bool main = approach.Road == dongfeng;
            double inBearing = approach.EndBearing;
            LinkPlan? Exit(double turn) => exits.FirstOrDefault(e => Math.Abs(Turn(inBearing, e.StartBearing) - turn) < 45);
            LinkPlan left = Exit(-90) ?? throw new InvalidOperationException($"no left exit at {node.Name}");
            LinkPlan ahead = Exit(0) ?? throw new InvalidOperationException($"no straight exit at {node.Name}");
            LinkPlan right = Exit(90) ?? throw new InvalidOperationException($"no right exit at {node.Name}");
            byte straightPhase = main ? (byte)1 : (byte)3;
            byte leftPhase = main ? (byte)2 : (byte)4;
            LanePlan[] lanes = approach.Lanes;
            if (main)
            {
                lanes[0].Maneuvers = AllowedManeuvers.Left;
                lanes[0].Connections.Add(Connection(left, 1, AllowedManeuvers.Left, leftPhase));
                lanes[1].Maneuvers = AllowedManeuvers.Straight;
                lanes[1].Connections.Add(Connection(ahead, 2, AllowedManeuvers.Straight, straightPhase));
                lanes[2].Maneuvers = AllowedManeuvers.Straight | AllowedManeuvers.Right;
                lanes[2].Connections.Add(Connection(ahead, 3, AllowedManeuvers.Straight, straightPhase));
                lanes[2].Connections.Add(Connection(right, 2, AllowedManeuvers.Right, straightPhase));
            }
            else
            {
                lanes[0].Maneuvers = AllowedManeuvers.Left | AllowedManeuvers.Straight;
                lanes[0].Connections.Add(Connection(left, 1, AllowedManeuvers.Left, leftPhase));
                lanes[0].Connections.Add(Connection(ahead, 1, AllowedManeuvers.Straight, straightPhase));
                lanes[1].Maneuvers = AllowedManeuvers.Straight | AllowedManeuvers.Right;
                lanes[1].Connections.Add(Connection(ahead, 2, AllowedManeuvers.Straight, straightPhase));
                lanes[1].Connections.Add(Connection(right, 3, AllowedManeuvers.Right, straightPhase));
            }

            approach.Crosswalk = true;
        }
    }

    private static Connection Connection(LinkPlan exit, byte lane, AllowedManeuvers maneuver, byte phase) =>
        new(new NodeReferenceId(exit.To.Id), new ConnectingLane(lane, maneuver), phase);

    // Turn from one bearing to another, degrees in (-180, 180]: negative is to the left.
    private static double Turn(double from, double to) => ((to - from + 540) % 360) - 180;

    // Two RSUs on opposite corners of each intersection (coverage overlapping over the whole junction) and the
    // demo's mid-block RSU-DF-01; coverage is the sensor range as a 16-gon.
    private static RsuSite[] BuildRsus(Pt c1, Pt c2, Pt c3, Road dongfeng)
    {
        List<RsuSite> rsus = [Rsu(1, "Dongfeng mid-block, 300 m SW of Feiyue Rd", Local((43.8462, 125.2218)))];
        int n = 2;
        foreach ((Pt centre, string name) in (ReadOnlySpan<(Pt, string)>)[(c1, "Feiyue Rd"), (c2, "Cross Rd 2"), (c3, "Cross Rd 3")])
        {
            Pt along = dongfeng.DirectionAt(centre);
            Pt right = new(along.Y, -along.X);
            rsus.Add(Rsu(n++, $"Dongfeng St x {name}, SW corner", centre - (along * 25) + (right * 16)));
            rsus.Add(Rsu(n++, $"Dongfeng St x {name}, NE corner", centre + (along * 25) - (right * 16)));
        }

        return [.. rsus];
    }

    private static RsuSite Rsu(int number, string name, Pt at)
    {
        const double Range = 300;
        Position3D[] coverage = new Position3D[16];
        for (int i = 0; i < coverage.Length; i++)
        {
            Pt p = at + (Pt.FromBearing(i * 360.0 / coverage.Length) * Range);
            coverage[i] = Position3D.FromDegrees(Wgs(p).Lat, Wgs(p).Lon);
        }

        string id = string.Create(CultureInfo.InvariantCulture, $"RSU-DF-{number:D2}");
        return new RsuSite
        {
            Id = DeviceId.Parse(id),
            RsuId = OctetId8.FromAscii(string.Create(CultureInfo.InvariantCulture, $"RSUDF{number:D3}")),
            Name = name,
            Pos = Position3D.FromDegrees(Wgs(at).Lat, Wgs(at).Lon, Elevation / 10.0),
            RadioRangeM = 1000,
            SensorRangeM = Range,
            Coverage = coverage,
        };
    }

    // A 120 s fixed-time plan, the same phases at every junction, with a green wave for north-east-bound traffic
    // at 50 km/h: each junction's offset is the travel time from the Feiyue Road junction, modulo the cycle.
    private static IntersectionSignalPlan[] BuildSignals(Road dongfeng, Pt c1, Pt c2, Pt c3)
    {
        const int Cycle = 120;
        PhasePlan[] phases =
        [
            new(1, 0, 44, 3, 73, "Dongfeng Street straight and right"),
            new(2, 49, 18, 3, 99, "Dongfeng Street left"),
            new(3, 72, 28, 3, 89, "cross road straight and right"),
            new(4, 105, 10, 3, 107, "cross road left"),
        ];
        int Offset(Pt centre) => (int)Math.Round((dongfeng.ArcAt(centre) - dongfeng.ArcAt(c1)) / (50 / 3.6)) % Cycle;
        return
        [
            new() { Id = new NodeReferenceId(1), Name = "Dongfeng St x Feiyue Rd", CycleS = Cycle, OffsetS = 0, Phases = phases },
            new() { Id = new NodeReferenceId(2), Name = "Dongfeng St x Cross Rd 2", CycleS = Cycle, OffsetS = Offset(c2), Phases = phases },
            new() { Id = new NodeReferenceId(3), Name = "Dongfeng St x Cross Rd 3", CycleS = Cycle, OffsetS = Offset(c3), Phases = phases },
        ];
    }

    private static Pt Local((double Lat, double Lon) p)
    {
        (double e, double n) = Frame.ToLocal(p.Lat, p.Lon);
        return new Pt(e, n);
    }

    private static (double Lat, double Lon) Wgs(Pt p) => Frame.ToWgs84(p.X, p.Y);

    private static Pt Project(Pt p, Pt a, Pt b)
    {
        Pt u = (b - a).Unit;
        return a + (u * (p - a).Dot(u));
    }

    /// <summary>A point or vector in local metres (east, north).</summary>
    private readonly record struct Pt(double X, double Y)
    {
        public double Length => Math.Sqrt((X * X) + (Y * Y));

        public Pt Unit => new(X / Length, Y / Length);

        public double BearingDeg => (double.RadiansToDegrees(Math.Atan2(X, Y)) + 360) % 360;

        public static Pt FromBearing(double deg) => new(Math.Sin(double.DegreesToRadians(deg)), Math.Cos(double.DegreesToRadians(deg)));

        public static Pt operator +(Pt a, Pt b) => new(a.X + b.X, a.Y + b.Y);

        public static Pt operator -(Pt a, Pt b) => new(a.X - b.X, a.Y - b.Y);

        public static Pt operator *(Pt a, double k) => new(a.X * k, a.Y * k);

        public double Dot(Pt o) => (X * o.X) + (Y * o.Y);

        public double Cross(Pt o) => (X * o.Y) - (Y * o.X);
    }

    private sealed record Node(ushort Id, string Name, (double Lat, double Lon) At, bool Signalised)
    {
        public Position3D RefPos { get; } = Position3D.FromDegrees(At.Lat, At.Lon, Elevation / 10.0);
    }

    private sealed record Zone(MapData Map, IReadOnlyList<RsuSite> Rsus, IReadOnlyList<IntersectionSignalPlan> Signals);

    /// <summary>A road centre line with the same number of lanes each way and no median.</summary>
    private sealed class Road(string name, Pt[] points, int lanesEachWay, ushort limit)
    {
        public string Name { get; } = name;

        public Pt[] Points { get; } = points;

        public double HalfWidthM => lanesEachWay * LaneWidthM;

        public double ArcAt(Pt p)
        {
            double s = 0;
            double best = double.MaxValue;
            double bestS = 0;
            for (int i = 0; i < Points.Length - 1; i++)
            {
                Pt a = Points[i];
                Pt d = Points[i + 1] - a;
                double t = Math.Clamp((p - a).Dot(d) / d.Dot(d), 0, 1);
                double distance = (a + (d * t) - p).Length;
                if (distance < best)
                {
                    best = distance;
                    bestS = s + (t * d.Length);
                }

                s += d.Length;
            }

            return bestS;
        }

        public Pt DirectionAt(Pt p)
        {
            double s = ArcAt(p);
            double walked = 0;
            for (int i = 0; i < Points.Length - 1; i++)
            {
                double length = (Points[i + 1] - Points[i]).Length;
                if (s <= walked + length + 1e-6)
                {
                    return (Points[i + 1] - Points[i]).Unit;
                }

                walked += length;
            }

            return (Points[^1] - Points[^2]).Unit;
        }

        /// <summary>
        /// Links both ways between consecutive nodes; each node comes with the point where it sits on this road (the
        /// crossing centre: node 1's refPos, the given junction point, is about 2 m off the straight) and the
        /// distance its lanes keep from it.
        /// </summary>
        public IEnumerable<LinkPlan> Links((Node Node, Pt At, double Setback)[] nodes)
        {
            for (int i = 0; i < nodes.Length - 1; i++)
            {
                (Node a, Pt atA, double setbackA) = nodes[i];
                (Node b, Pt atB, double setbackB) = nodes[i + 1];
                double sa = ArcAt(atA) + setbackA;
                double sb = ArcAt(atB) - setbackB;
                Pt[] forward = Slice(sa, sb);
                Pt[] backward = [.. forward.Reverse()];
                yield return new LinkPlan(this, a, b, forward, lanesEachWay, limit);
                yield return new LinkPlan(this, b, a, backward, lanesEachWay, limit);
            }
        }

        private Pt[] Slice(double from, double to)
        {
            List<Pt> result = [At(from)];
            double s = 0;
            for (int i = 0; i < Points.Length - 1; i++)
            {
                s += (Points[i + 1] - Points[i]).Length;
                if (s > from + 0.5 && s < to - 0.5)
                {
                    result.Add(Points[i + 1]);
                }
            }

            result.Add(At(to));
            return [.. result];
        }

        private Pt At(double s)
        {
            double walked = 0;
            for (int i = 0; i < Points.Length - 1; i++)
            {
                Pt d = Points[i + 1] - Points[i];
                if (s <= walked + d.Length || i == Points.Length - 2)
                {
                    return Points[i] + (d.Unit * (s - walked));
                }

                walked += d.Length;
            }

            return Points[^1];
        }
    }

    private sealed class LanePlan
    {
        public required byte Id { get; init; }

        public required Pt[] Centre { get; init; }

        public AllowedManeuvers? Maneuvers { get; set; }

        public List<Connection> Connections { get; } = [];
    }

    /// <summary>A directed link from node <see cref="From"/> into node <see cref="To"/> along a centre line (the road's, in the direction of travel).</summary>
    private sealed class LinkPlan
    {
        private readonly Pt[] _centre;
        private readonly ushort _limit;

        public LinkPlan(Road road, Node from, Node to, Pt[] centre, int lanes, ushort limit)
        {
            Road = road;
            From = from;
            To = to;
            _centre = centre;
            _limit = limit;
            Lanes = new LanePlan[lanes];
            for (int k = 0; k < lanes; k++)
            {
                Lanes[k] = new LanePlan { Id = (byte)(k + 1), Centre = OffsetRight(centre, (k + 0.5) * LaneWidthM) };
            }
        }

        public Road Road { get; }

        public Node From { get; }

        public Node To { get; }

        public LanePlan[] Lanes { get; }

        public bool Crosswalk { get; set; }

        public double StartBearing => (_centre[1] - _centre[0]).BearingDeg;

        public double EndBearing => (_centre[^1] - _centre[^2]).BearingDeg;

        public MapLink ToMap()
        {
            Pt origin = Local((To.RefPos.LatitudeDeg, To.RefPos.LongitudeDeg));
            List<MapLane> lanes = [];
            foreach (LanePlan lane in Lanes)
            {
                lanes.Add(new MapLane
                {
                    LaneId = lane.Id,
                    LaneWidth = (ushort)(LaneWidthM * 100),
                    LaneAttributes = new LaneAttributes(LaneType.Vehicle),
                    Maneuvers = lane.Maneuvers,
                    ConnectsTo = lane.Connections.ToArray(),
                    Points = Offsets(lane.Centre),
                });
            }

            if (Crosswalk)
            {
                // Across the whole road, 1.5 m beyond the stop line towards the junction, kerb to kerb plus 0.5 m.
                Pt end = _centre[^1];
                Pt u = (_centre[^1] - _centre[^2]).Unit;
                Pt right = new(u.Y, -u.X);
                Pt middle = end + (u * (1.5 + (CrosswalkWidthM / 2)));
                double half = Road.HalfWidthM + 0.5;
                lanes.Add(new MapLane
                {
                    LaneId = CrosswalkLaneId,
                    LaneWidth = (ushort)(CrosswalkWidthM * 100),
                    LaneAttributes = new LaneAttributes(LaneType.Crosswalk),
                    Points = Offsets([middle + (right * half), middle - (right * half)]),
                });
            }

            return new MapLink
            {
                Name = Road.Name,
                UpstreamNodeId = new NodeReferenceId(From.Id),
                SpeedLimits = [new RegulatorySpeedLimit(SpeedLimitType.VehicleMaxSpeed, _limit)],
                LinkWidth = (ushort)(Lanes.Length * LaneWidthM * 100),
                Lanes = lanes.ToArray(),
            };

            RoadPoint[] Offsets(Pt[] points)
            {
                RoadPoint[] result = new RoadPoint[points.Length];
                for (int i = 0; i < points.Length; i++)
                {
                    Position3D p = Position3D.FromDegrees(Wgs(points[i]).Lat, Wgs(points[i]).Lon);
                    result[i] = new RoadPoint(p.Lat - To.RefPos.Lat, p.Long - To.RefPos.Long);
                }

                return result;
            }
        }

        // A polyline moved to the right of its direction, corners mitred so the segments stay parallel.
        private static Pt[] OffsetRight(Pt[] line, double offset)
        {
            Pt[] result = new Pt[line.Length];
            for (int i = 0; i < line.Length; i++)
            {
                Pt a = (line[Math.Max(1, i)] - line[Math.Max(0, i - 1)]).Unit;
                Pt b = (line[Math.Min(i + 1, line.Length - 1)] - line[Math.Min(i, line.Length - 2)]).Unit;
                Pt na = new(a.Y, -a.X);
                Pt m = (na + new Pt(b.Y, -b.X)).Unit;
                result[i] = line[i] + (m * (offset / m.Dot(na)));
            }

            return result;
        }
    }

    /// <summary>The MAP in the JER JSON form that <c>JsonCodec</c> reads, laid out for reading (short objects on one line).</summary>
    public static string MapJson(MapData map)
    {
        ArgumentNullException.ThrowIfNull(map);
        Json root = Json.Obj(("msgCnt", Json.Num(map.MsgCnt)), ("nodes", Json.Arr(map.Nodes.Select(NodeJson))));
        return root.Render() + "\n";

        static Json NodeJson(MapNode n) => Json.Obj(
            ("name", Json.Str(n.Name)),
            ("id", NodeRef(n.Id)),
            ("refPos", Json.Obj(("lat", Json.Num(n.RefPos.Lat)), ("long", Json.Num(n.RefPos.Long)), ("elevation", Json.Num(n.RefPos.Elevation)))),
            ("inLinks", Json.Arr(n.InLinks.Select(LinkJson))));

        static Json LinkJson(MapLink l) => Json.Obj(
            ("name", Json.Str(l.Name)),
            ("upstreamNodeId", NodeRef(l.UpstreamNodeId)),
            ("speedLimits", Json.Arr(l.SpeedLimits.Select(Limit))),
            ("linkWidth", Json.Num(l.LinkWidth)),
            ("lanes", Json.Arr(l.Lanes.Select(LaneJson))));

        static Json LaneJson(MapLane lane) => Json.Obj(
            ("laneID", Json.Num(lane.LaneId)),
            ("laneWidth", Json.Num(lane.LaneWidth)),
            ("laneAttributes", Attributes(lane.LaneAttributes)),
            ("maneuvers", Maneuvers(lane.Maneuvers)),
            ("connectsTo", lane.ConnectsTo.IsEmpty ? null : Json.Arr(lane.ConnectsTo.Select(c => Json.Obj(
                ("remoteIntersection", NodeRef(c.RemoteIntersection)),
                ("connectingLane", ConnectingLaneJson(c.ConnectingLane)),
                ("phaseId", Json.Num(c.PhaseId)))))),
            ("speedLimits", lane.SpeedLimits.IsEmpty ? null : Json.Arr(lane.SpeedLimits.Select(Limit))),
            ("points", Json.Arr(lane.Points.Select(PointJson))));

        static Json PointJson(RoadPoint p) =>
            Json.Obj(("posOffset", Json.Obj(("offsetLL", Json.Obj((OffsetChoice(p), Json.Obj(("lon", Json.Num(p.LonOffset)), ("lat", Json.Num(p.LatOffset)))))))));

        static Json? Attributes(LaneAttributes? attributes)
        {
            if (attributes is not LaneAttributes a)
            {
                return null;
            }

            // As JsonCodec reads them: vehicle attributes as 8 bits (one octet of hex), the other alternatives 16 bits.
            Json bits = Json.Str(Hex(a.TypeAttributes, a.LaneType == LaneType.Vehicle ? 1 : 2))!;
            return Json.Obj(("laneType", Json.Obj((Camel(a.LaneType), bits))));
        }

        static Json? Maneuvers(AllowedManeuvers? maneuvers) => maneuvers is null ? null : Json.Str(Bits12(maneuvers.Value));

        static Json? ConnectingLaneJson(ConnectingLane? lane) =>
            lane is null ? null : Json.Obj(("lane", Json.Num(lane.Value.Lane)), ("maneuver", Maneuvers(lane.Value.Maneuver)));

        static Json NodeRef(NodeReferenceId id) => Json.Obj(("region", Json.Num(id.Region)), ("id", Json.Num(id.Id)));

        static Json Limit(RegulatorySpeedLimit l) => Json.Obj(("type", Json.Str(Camel(l.Type))), ("speed", Json.Num(l.Speed)));
    }

    public static string RsusJson(IReadOnlyList<RsuSite> rsus)
    {
        ArgumentNullException.ThrowIfNull(rsus);
        return Json.Obj(("zone", Json.Str("qizhi-dongfeng")), ("rsus", Json.Arr(rsus.Select(RsuJson)))).Render() + "\n";

        static Json RsuJson(RsuSite r) => Json.Obj(
            ("id", Json.Str(r.Id.ToString())),
            ("rsuId", Json.Str(r.RsuId.ToString())),
            ("name", Json.Str(r.Name)),
            ("pos", Json.Obj(("lat", Json.Num(r.Pos.Lat)), ("long", Json.Num(r.Pos.Long)), ("elevation", Json.Num(r.Pos.Elevation)))),
            ("radioRangeM", Json.Num(r.RadioRangeM)),
            ("sensorRangeM", Json.Num(r.SensorRangeM)),
            ("coverage", Json.Arr(r.Coverage.Select(p => Json.Obj(("lat", Json.Num(p.Lat)), ("long", Json.Num(p.Long)))))));
    }

    public static string SignalsJson(IReadOnlyList<IntersectionSignalPlan> plans)
    {
        ArgumentNullException.ThrowIfNull(plans);
        return Json.Obj(("zone", Json.Str("qizhi-dongfeng")), ("intersections", Json.Arr(plans.Select(PlanJson)))).Render() + "\n";

        static Json PlanJson(IntersectionSignalPlan p) => Json.Obj(
            ("id", Json.Obj(("id", Json.Num(p.Id.Id)))),
            ("name", Json.Str(p.Name)),
            ("cycleS", Json.Num(p.CycleS)),
            ("offsetS", Json.Num(p.OffsetS)),
            ("phases", Json.Arr(p.Phases.Select(PhaseJson))));

        static Json PhaseJson(PhasePlan f) => Json.Obj(
            ("id", Json.Num(f.Id)),
            ("movements", Json.Str(f.Movements)),
            ("startS", Json.Num(f.StartS)),
            ("greenS", Json.Num(f.GreenS)),
            ("yellowS", Json.Num(f.YellowS)),
            ("redS", Json.Num(f.RedS)));
    }

    // The narrowest PositionOffsetLL alternative that holds the offset (position-LL1 is 12 bits ... LL6 24 bits).
    private static string OffsetChoice(RoadPoint p)
    {
        int widest = Math.Max(Math.Abs(p.LatOffset), Math.Abs(p.LonOffset));
        int[] bits = [12, 14, 16, 18, 22, 24];
        for (int i = 0; i < bits.Length; i++)
        {
            if (widest < (1 << (bits[i] - 1)))
            {
                return string.Create(CultureInfo.InvariantCulture, $"position-LL{i + 1}");
            }
        }

        throw new ArgumentOutOfRangeException(nameof(p), p, "an offset beyond position-LL6");
    }

    // AllowedManeuvers is a fixed 12-bit string: bit n (model 1 << n) is the n-th bit from the most significant one.
    private static string Bits12(AllowedManeuvers m)
    {
        int value = 0;
        for (int n = 0; n < 12; n++)
        {
            if (((int)m & (1 << n)) != 0)
            {
                value |= 1 << (15 - n);
            }
        }

        return value.ToString("X4", CultureInfo.InvariantCulture);
    }

    private static string Hex(int value, int bytes) => value.ToString(bytes == 1 ? "X2" : "X4", CultureInfo.InvariantCulture);

    private static string Camel<T>(T value)
        where T : struct, Enum
    {
        string s = value.ToString();
        return char.ToLowerInvariant(s[0]) + s[1..];
    }

    /// <summary>A minimal JSON tree whose rendering keeps short objects and arrays on one line. Null members are left out.</summary>
    private sealed class Json
    {
        private readonly string? _scalar;
        private readonly List<(string? Name, Json Value)>? _items;
        private readonly bool _isObject;

        private Json(string? scalar, List<(string?, Json)>? items, bool isObject)
        {
            _scalar = scalar;
            _items = items;
            _isObject = isObject;
        }

        public static Json? Num(double? value) => value is { } v ? new Json(v.ToString("R", CultureInfo.InvariantCulture), null, false) : null;

        public static Json? Str(string? value) => value is null ? null : new Json(System.Text.Json.JsonSerializer.Serialize(value), null, false);

        public static Json Obj(params (string Name, Json? Value)[] members) =>
            new(null, members.Where(m => m.Value is not null).Select(m => ((string?)m.Name, m.Value!)).ToList(), true);

        public static Json Arr(IEnumerable<Json> items) => new(null, items.Select(i => ((string?)null, i)).ToList(), false);

        public string Render()
        {
            StringBuilder sb = new();
            Write(sb, 0);
            return sb.ToString();
        }

        private string Compact() =>
            _scalar ?? (_isObject
                ? "{" + string.Join(", ", _items!.Select(i => $"\"{i.Name}\": {i.Value.Compact()}")) + "}"
                : "[" + string.Join(", ", _items!.Select(i => i.Value.Compact())) + "]");

        private void Write(StringBuilder sb, int indent)
        {
            string compact = Compact();
            if (_scalar is not null || indent + compact.Length <= 120 || _items!.Count == 0)
            {
                sb.Append(compact);
                return;
            }

            sb.Append(_isObject ? "{\n" : "[\n");
            for (int i = 0; i < _items.Count; i++)
            {
                sb.Append(' ', indent + 2);
                if (_isObject)
                {
                    sb.Append('"').Append(_items[i].Name).Append("\": ");
                }

                _items[i].Value.Write(sb, indent + 2);
                sb.Append(i < _items.Count - 1 ? ",\n" : "\n");
            }

            sb.Append(' ', indent).Append(_isObject ? '}' : ']');
        }
    }
}
