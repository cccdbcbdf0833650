using System.Globalization;
using NetTopologySuite.Geometries;
using NetTopologySuite.LinearReferencing;
using NetTopologySuite.Operation.Buffer;
using QiZhiChunCheng.Core.Geo;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.Engine.Map;

namespace QiZhiChunCheng.NetTopologySuite;

/// <summary>
/// Validates a MAP and builds its geometry with NetTopologySuite in a local east-north-up frame (metres): lane
/// polygons from centre line and width, stop lines where connected lanes end, crosswalk polygons, paths through
/// intersections for every <c>connectsTo</c>, intersection areas, and conflict areas where connections of
/// different approaches overlap. Then compiles it all into the engine's <see cref="LaneMap"/>. Load time only;
/// allocates freely; not thread-safe (one instance per load).
/// </summary>
internal sealed class MapCompiler
{
    private const double DefaultLaneWidthM = 3.5;

    // Lanes are buffered with flat ends and mitred joins, so a lane polygon ends exactly at its stop line and
    // neighbouring lanes share edges instead of overlapping at bends.
    private static readonly BufferParameters LaneBuffer = new(8, EndCapStyle.Flat, JoinStyle.Mitre, 5);

    private readonly MapData _map;
    private readonly IReadOnlyList<IntersectionSignalPlan>? _signals;
    private readonly List<MapProblem> _problems = [];
    private readonly GeometryFactory _factory = new();
    private readonly Dictionary<NodeReferenceId, int> _nodeIndex = [];
    private readonly Dictionary<(int Node, NodeReferenceId Upstream), (int NodeIndex, int LinkIndex)> _linkIndex = [];
    private readonly Dictionary<(int Node, int Link, byte LaneId), LaneShape> _lanes = [];
    private readonly LocalFrame _frame;

    public MapCompiler(MapData map, IReadOnlyList<IntersectionSignalPlan>? signals)
    {
        _map = map;
        _signals = signals;
        Position3D origin = map.Nodes.Count > 0 ? map.Nodes[0].RefPos : default;
        _frame = new LocalFrame(origin.LatitudeDeg, origin.LongitudeDeg);
        Geometry = new ZoneGeometry { Frame = _frame };
    }

    public List<MapProblem> Problems => _problems;

    public ZoneGeometry Geometry { get; }

    public (int Lanes, int Crosswalks) LaneCounts { get; private set; }

    /// <summary>Checks and builds; returns the compiled map, or null when any problem was found.</summary>
    public LaneMap? Compile(MatchOptions? options)
    {
        IndexNodesAndLinks();
        BuildLanes();
        BuildConnections();
        CheckRanges();
        if (_problems.Count > 0)
        {
            return null;
        }

        BuildNodeAreas();
        BuildConflicts();
        return _problems.Count > 0 ? null : Emit(options);
    }

    private void IndexNodesAndLinks()
    {
        if (_map.Nodes.Count == 0)
        {
            _problems.Add(new MapProblem("nodes", "a map needs at least one node"));
        }

        for (int n = 0; n < _map.Nodes.Count; n++)
        {
            MapNode node = _map.Nodes[n];
            if (!_nodeIndex.TryAdd(node.Id, n))
            {
                _problems.Add(new MapProblem($"nodes[{n}].id", $"duplicate node id {Id(node.Id)} (also nodes[{_nodeIndex[node.Id]}])"));
            }

            if (node.RefPos.Lat == Position3D.LatitudeUnavailable || node.RefPos.Long == Position3D.LongitudeUnavailable)
            {
                _problems.Add(new MapProblem($"nodes[{n}].refPos", "the reference position is unavailable"));
            }
        }

        for (int n = 0; n < _map.Nodes.Count; n++)
        {
            MapNode node = _map.Nodes[n];
            for (int l = 0; l < node.InLinks.Count; l++)
            {
                MapLink link = node.InLinks[l];
                if (!_linkIndex.TryAdd((n, link.UpstreamNodeId), (n, l)))
                {
                    _problems.Add(new MapProblem($"nodes[{n}].inLinks[{l}]", $"duplicate link from node {Id(link.UpstreamNodeId)} into node {Id(node.Id)}"));
                }
            }
        }
    }

    private void BuildLanes()
    {
        for (int n = 0; n < _map.Nodes.Count; n++)
        {
            MapNode node = _map.Nodes[n];
            for (int l = 0; l < node.InLinks.Count; l++)
            {
                MapLink link = node.InLinks[l];
                HashSet<byte> ids = [];
                int vehicleLanes = 0;
                foreach (MapLane lane in link.Lanes)
                {
                    vehicleLanes += TypeOf(lane) == LaneType.Vehicle ? 1 : 0;
                }

                for (int k = 0; k < link.Lanes.Count; k++)
                {
                    MapLane lane = link.Lanes[k];
                    string path = $"nodes[{n}].inLinks[{l}].lanes[{k}]";
                    if (!ids.Add(lane.LaneId))
                    {
                        _problems.Add(new MapProblem(path, $"duplicate laneID {lane.LaneId} in link from node {Id(link.UpstreamNodeId)} to node {Id(node.Id)}"));
                        continue;
                    }

                    if (BuildLane(node, link, lane, k, vehicleLanes, path) is { } shape)
                    {
                        _lanes[(n, l, lane.LaneId)] = shape;
                        Geometry.Lanes.Add(shape);
                    }
                }

                CheckOverlaps(n, l);
            }
        }

        int crosswalks = 0;
        foreach (LaneShape lane in Geometry.Lanes)
        {
            crosswalks += lane.Type == LaneType.Crosswalk ? 1 : 0;
        }

        LaneCounts = (Geometry.Lanes.Count - crosswalks, crosswalks);
    }

    private LaneShape? BuildLane(MapNode node, MapLink link, MapLane lane, int index, int vehicleLanes, string path)
    {
        LaneType type = TypeOf(lane);
        double width = lane.LaneWidth is { } cm && cm > 0 ? cm / 100.0
            : link.LinkWidth > 0 && vehicleLanes > 0 ? link.LinkWidth / 100.0 / vehicleLanes
            : lane.LaneWidth is null && link.LinkWidth == 0 ? DefaultLaneWidthM : 0;
        if (width <= 0)
        {
            _problems.Add(new MapProblem(path, "a lane needs a width above 0 (laneWidth, or the link's linkWidth)"));
            return null;
        }

        Coordinate[] points;
        if (lane.Points.Count >= 2)
        {
            points = Local(node.RefPos, lane.Points.AsSpan());
        }
        else if (lane.Points.Count == 0 && link.Points.Count >= 2)
        {
            // No lane points: the lane lies beside its neighbours across the link, in list order from the left,
            // centred on the link's points (our reading of an optional member the standard leaves open).
            double offset = (-link.LinkWidth / 200.0) + ((index + 0.5) * width);
            points = Offset(Local(node.RefPos, link.Points.AsSpan()), offset);
        }
        else
        {
            _problems.Add(new MapProblem(path, "a lane needs at least 2 points"));
            return null;
        }

        points = WithoutRepeats(points);
        if (points.Length < 2)
        {
            _problems.Add(new MapProblem(path, "a lane needs at least 2 distinct points"));
            return null;
        }

        LineString centre = _factory.CreateLineString(points);
        if (!centre.IsSimple)
        {
            _problems.Add(new MapProblem($"{path}.points", "the centre line crosses itself"));
            return null;
        }

        if (type == LaneType.Vehicle)
        {
            (double nx, double ny) = _frame.ToLocal(node.RefPos.LatitudeDeg, node.RefPos.LongitudeDeg);
            Coordinate nodeAt = new(nx, ny);
            if (points[^1].Distance(nodeAt) > points[0].Distance(nodeAt) + 1)
            {
                _problems.Add(new MapProblem($"{path}.points", $"the lane runs away from node {Id(node.Id)}: list its points from upstream to the stop line"));
                return null;
            }
        }

        if (centre.Buffer(width / 2, LaneBuffer) is not Polygon area || !area.IsValid)
        {
            _problems.Add(new MapProblem(path, "the lane's outline is not a simple polygon (a bend too sharp for its width?)"));
            return null;
        }

        LineString? stopLine = null;
        if (type == LaneType.Vehicle && !lane.ConnectsTo.IsEmpty)
        {
            Coordinate end = points[^1];
            (double ux, double uy) = Unit(points[^2], end);
            double h = width / 2;
            stopLine = _factory.CreateLineString([new Coordinate(end.X - (uy * h), end.Y + (ux * h)), new Coordinate(end.X + (uy * h), end.Y - (ux * h))]);
        }

        return new LaneShape(path, node.Id, link.UpstreamNodeId, link.Name ?? $"link {Id(link.UpstreamNodeId)}->{Id(node.Id)}", lane, type, width, SpeedLimit(lane, link), centre, area, stopLine);
    }

    // Lanes of one link lie side by side: shared edges are fine, real overlap means a wrong offset or width.
    private void CheckOverlaps(int n, int l)
    {
        List<LaneShape> lanes = [];
        foreach (MapLane lane in _map.Nodes[n].InLinks[l].Lanes)
        {
            if (_lanes.TryGetValue((n, l, lane.LaneId), out LaneShape? shape) && shape.Type == LaneType.Vehicle)
            {
                lanes.Add(shape);
            }
        }

        for (int a = 0; a < lanes.Count; a++)
        {
            for (int b = a + 1; b < lanes.Count; b++)
            {
                if (!lanes[a].Area.EnvelopeInternal.Intersects(lanes[b].Area.EnvelopeInternal))
                {
                    continue;
                }

                double overlap = lanes[a].Area.Intersection(lanes[b].Area).Area / Math.Min(lanes[a].Area.Area, lanes[b].Area.Area);
                if (overlap > 0.1)
                {
                    _problems.Add(new MapProblem(lanes[b].Path, string.Create(CultureInfo.InvariantCulture, $"overlaps lane {lanes[a].Lane.LaneId} of the same link by {overlap * 100:F0} %")));
                }
            }
        }
    }

    private void BuildConnections()
    {
        for (int n = 0; n < _map.Nodes.Count; n++)
        {
            MapNode node = _map.Nodes[n];
            IntersectionSignalPlan? plan = PlanOf(node.Id);
            for (int l = 0; l < node.InLinks.Count; l++)
            {
                MapLink link = node.InLinks[l];
                for (int m = 0; m < link.Movements.Count; m++)
                {
                    CheckPhase(link.Movements[m].PhaseId, node.Id, plan, $"nodes[{n}].inLinks[{l}].movements[{m}]");
                }

                for (int k = 0; k < link.Lanes.Count; k++)
                {
                    MapLane lane = link.Lanes[k];
                    for (int c = 0; c < lane.ConnectsTo.Count; c++)
                    {
                        string path = $"nodes[{n}].inLinks[{l}].lanes[{k}].connectsTo[{c}]";
                        Connection connection = lane.ConnectsTo[c];
                        CheckPhase(connection.PhaseId, node.Id, plan, path);
                        LaneShape? target = Target(node, n, connection, path);
                        if (target is not null && _lanes.TryGetValue((n, l, lane.LaneId), out LaneShape? from) && from.Type == LaneType.Vehicle)
                        {
                            LineString route = Route(from, target);
                            Polygon area = route.Buffer(Math.Min(from.WidthM, target.WidthM) / 2, LaneBuffer) as Polygon ?? (Polygon)route.Buffer(0.5).ConvexHull();
                            Geometry.Connections.Add(new ConnectionShape(node.Id, from, target, connection, route, area));
                        }
                    }
                }
            }
        }
    }

    // connectsTo names a lane of the downstream link: the link from this node into the remote intersection.
    private LaneShape? Target(MapNode node, int n, Connection connection, string path)
    {
        NodeReferenceId remote = connection.RemoteIntersection;
        if (!_nodeIndex.TryGetValue(remote, out int r))
        {
            _problems.Add(new MapProblem(path, $"connectsTo node {Id(remote)}, which is not in the map"));
            return null;
        }

        if (connection.ConnectingLane is not { } lane)
        {
            return null; // a movement to a node without a lane: nothing to draw
        }

        if (!_linkIndex.TryGetValue((r, node.Id), out (int NodeIndex, int LinkIndex) link))
        {
            _problems.Add(new MapProblem(path, $"connectsTo lane {lane.Lane} of node {Id(remote)} does not exist: node {Id(remote)} has no link from node {Id(node.Id)}"));
            return null;
        }

        if (!_lanes.TryGetValue((r, link.LinkIndex, lane.Lane), out LaneShape? target))
        {
            bool declared = false;
            foreach (MapLane l in _map.Nodes[r].InLinks[link.LinkIndex].Lanes)
            {
                declared |= l.LaneId == lane.Lane;
            }

            if (!declared)
            {
                _problems.Add(new MapProblem(path, $"connectsTo lane {lane.Lane} of node {Id(remote)} does not exist"));
            }

            return null; // declared but broken: its own problem is reported already
        }

        if (target.Type != LaneType.Vehicle)
        {
            _problems.Add(new MapProblem(path, $"connectsTo lane {lane.Lane} of node {Id(remote)}, which is not a vehicle lane"));
            return null;
        }

        _ = n;
        return target;
    }

    private void CheckPhase(byte? phaseId, NodeReferenceId node, IntersectionSignalPlan? plan, string path)
    {
        if (phaseId is not { } phase || _signals is null)
        {
            return;
        }

        if (plan is null)
        {
            _problems.Add(new MapProblem(path, $"phase {phase} is not in the signal plan of node {Id(node)}: the node has no signal plan"));
        }
        else if (!plan.HasPhase(phase))
        {
            _problems.Add(new MapProblem(path, $"phase {phase} is not in the signal plan of node {Id(node)}"));
        }
    }

    private void CheckRanges()
    {
        // The standard's ranges, as at ingest; reported once unless a problem above already names the element.
        if (!MessageValidator.TryValidate(_map, out Rejection rejection))
        {
            string reason = rejection.Reason;
            foreach (MapProblem p in _problems)
            {
                if (p.Path.Length > 0 && reason.StartsWith(p.Path, StringComparison.Ordinal))
                {
                    return;
                }
            }

            _problems.Add(new MapProblem("", reason));
        }
    }

    // An intersection's area: the convex hull of its stop lines and of the starts of the lanes its connections lead to.
    private void BuildNodeAreas()
    {
        foreach (IGrouping<NodeReferenceId, ConnectionShape> group in Geometry.Connections.GroupBy(c => c.Node))
        {
            List<Coordinate> corners = [];
            foreach (ConnectionShape c in group)
            {
                corners.AddRange(c.From.StopLine!.Coordinates);
                Coordinate[] to = c.To.CentreLine.Coordinates;
                (double ux, double uy) = Unit(to[0], to[1]);
                double h = c.To.WidthM / 2;
                corners.Add(new Coordinate(to[0].X - (uy * h), to[0].Y + (ux * h)));
                corners.Add(new Coordinate(to[0].X + (uy * h), to[0].Y - (ux * h)));
            }

            if (_factory.CreateMultiPointFromCoords([.. corners]).ConvexHull() is Polygon hull)
            {
                MapNode node = _map.Nodes[_nodeIndex[group.Key]];
                Geometry.NodeAreas.Add((group.Key, node.Name ?? $"node {Id(node.Id)}", hull));
            }
        }
    }

    // Conflict areas: overlaps of connection polygons from different approaches (links) of one intersection.
    private void BuildConflicts()
    {
        List<ConnectionShape> all = Geometry.Connections;
        for (int a = 0; a < all.Count; a++)
        {
            for (int b = a + 1; b < all.Count; b++)
            {
                ConnectionShape ca = all[a];
                ConnectionShape cb = all[b];
                if (ca.Node != cb.Node || (ca.From.Upstream == cb.From.Upstream) || !ca.Area.EnvelopeInternal.Intersects(cb.Area.EnvelopeInternal))
                {
                    continue;
                }

                Geometry overlap = ca.Area.Intersection(cb.Area);
                if (overlap.Area < 0.5)
                {
                    continue; // touching edges, or a sliver of the flattened curves
                }

                Polygon area = overlap as Polygon ?? (Polygon)overlap.ConvexHull();
                ConflictKind kind = ReferenceEquals(ca.To, cb.To) ? ConflictKind.Merging : ConflictKind.Crossing;
                Geometry.Conflicts.Add(new ConflictShape(ca.Node, a, b, kind, area));
            }
        }
    }

    private LaneMap Emit(MatchOptions? options)
    {
        LaneMapBuilder builder = new(_frame);
        Dictionary<NodeReferenceId, int> nodes = [];
        foreach (MapNode node in _map.Nodes)
        {
            (double x, double y) = _frame.ToLocal(node.RefPos.LatitudeDeg, node.RefPos.LongitudeDeg);
            nodes[node.Id] = builder.AddNode(node.Id, node.Name ?? $"node {Id(node.Id)}", x, y);
        }

        Dictionary<LaneShape, int> lanes = [];
        for (int n = 0; n < _map.Nodes.Count; n++)
        {
            MapNode node = _map.Nodes[n];
            for (int l = 0; l < node.InLinks.Count; l++)
            {
                MapLink link = node.InLinks[l];
                int upstream = nodes.TryGetValue(link.UpstreamNodeId, out int u) ? u : -1;
                int linkIndex = builder.AddLink(nodes[node.Id], link.UpstreamNodeId, upstream, link.Name ?? $"link {Id(link.UpstreamNodeId)}->{Id(node.Id)}");
                foreach (MapLane lane in link.Lanes)
                {
                    LaneShape shape = _lanes[(n, l, lane.LaneId)];
                    (double[] xs, double[] ys) = Split(shape.CentreLine.Coordinates);
                    StopLine? stop = shape.StopLine is { } s ? new StopLine(s.Coordinates[0].X, s.Coordinates[0].Y, s.Coordinates[1].X, s.Coordinates[1].Y) : null;
                    int index = builder.AddLane(linkIndex, lane.LaneId, shape.Type, lane.Maneuvers ?? AllowedManeuvers.None, shape.WidthM, shape.SpeedLimitMps, xs, ys, stop);
                    lanes[shape] = index;
                    if (shape.Type == LaneType.Crosswalk)
                    {
                        (double[] px, double[] py) = Ring(shape.Area);
                        builder.AddCrosswalk(index, px, py);
                    }
                }
            }
        }

        int[] connections = new int[Geometry.Connections.Count];
        for (int i = 0; i < connections.Length; i++)
        {
            ConnectionShape c = Geometry.Connections[i];
            (double[] xs, double[] ys) = Split(c.Path.Coordinates);
            AllowedManeuvers maneuver = c.Connection.ConnectingLane?.Maneuver ?? AllowedManeuvers.None;
            connections[i] = builder.AddConnection(lanes[c.From], lanes[c.To], nodes[c.Node], c.Connection.PhaseId ?? -1, maneuver, Math.Min(c.From.WidthM, c.To.WidthM), xs, ys);
        }

        foreach ((NodeReferenceId node, _, Polygon area) in Geometry.NodeAreas)
        {
            (double[] xs, double[] ys) = Ring(area);
            builder.SetNodeArea(nodes[node], xs, ys);
        }

        foreach (ConflictShape conflict in Geometry.Conflicts)
        {
            (double entryA, double exitA) = Span(Geometry.Connections[conflict.ConnectionA].Path, conflict.Area);
            (double entryB, double exitB) = Span(Geometry.Connections[conflict.ConnectionB].Path, conflict.Area);
            Point centroid = conflict.Area.Centroid;
            (double[] xs, double[] ys) = Ring(conflict.Area);
            builder.AddConflict(
                new MapConflictArea
                {
                    Node = nodes[conflict.Node],
                    ConnectionA = connections[conflict.ConnectionA],
                    ConnectionB = connections[conflict.ConnectionB],
                    Kind = conflict.Kind,
                    EntryAM = entryA,
                    ExitAM = exitA,
                    EntryBM = entryB,
                    ExitBM = exitB,
                    CentroidXM = centroid.X,
                    CentroidYM = centroid.Y,
                    AreaM2 = conflict.Area.Area,
                },
                xs,
                ys);
        }

        return builder.Build(options);
    }

    // Where along a path a vehicle is inside an area: the projections of the area's vertices onto the path.
    private static (double Entry, double Exit) Span(LineString path, Polygon area)
    {
        LengthIndexedLine line = new(path);
        double entry = double.MaxValue;
        double exit = double.MinValue;
        foreach (Coordinate c in area.ExteriorRing.Coordinates)
        {
            double at = line.Project(c);
            entry = Math.Min(entry, at);
            exit = Math.Max(exit, at);
        }

        return (entry, exit);
    }

    /// <summary>
    /// The path through the intersection from a lane's end to the next lane's start: a cubic Bezier curve whose
    /// control points continue each lane's direction, so it leaves and joins tangentially (about a circular arc
    /// for a right-angle turn); a straight line when the two lanes are aligned. 12 segments per curve.
    /// </summary>
    private LineString Route(LaneShape from, LaneShape to)
    {
        Coordinate[] a = from.CentreLine.Coordinates;
        Coordinate[] b = to.CentreLine.Coordinates;
        Coordinate p0 = a[^1];
        Coordinate p3 = b[0];
        (double ux0, double uy0) = Unit(a[^2], p0);
        (double ux3, double uy3) = Unit(p3, b[1]);
        double chord = p0.Distance(p3);
        double lateral = Math.Abs(((p3.X - p0.X) * uy0) - ((p3.Y - p0.Y) * ux0));
        if ((ux0 * ux3) + (uy0 * uy3) > 0.995 && lateral < 0.25)
        {
            return _factory.CreateLineString([p0.Copy(), p3.Copy()]);
        }

        double k = chord * 0.4;
        Coordinate p1 = new(p0.X + (ux0 * k), p0.Y + (uy0 * k));
        Coordinate p2 = new(p3.X - (ux3 * k), p3.Y - (uy3 * k));
        const int Steps = 12;
        Coordinate[] points = new Coordinate[Steps + 1];
        for (int i = 0; i <= Steps; i++)
        {
            double t = i / (double)Steps;
            double u = 1 - t;
            double w0 = u * u * u, w1 = 3 * u * u * t, w2 = 3 * u * t * t, w3 = t * t * t;
            points[i] = new Coordinate((w0 * p0.X) + (w1 * p1.X) + (w2 * p2.X) + (w3 * p3.X), (w0 * p0.Y) + (w1 * p1.Y) + (w2 * p2.Y) + (w3 * p3.Y));
        }

        return _factory.CreateLineString(points);
    }

    private IntersectionSignalPlan? PlanOf(NodeReferenceId node)
    {
        if (_signals is null)
        {
            return null;
        }

        foreach (IntersectionSignalPlan plan in _signals)
        {
            if (plan.Id == node)
            {
                return plan;
            }
        }

        return null;
    }

    private Coordinate[] Local(Position3D refPos, ReadOnlySpan<RoadPoint> offsets)
    {
        Coordinate[] points = new Coordinate[offsets.Length];
        for (int i = 0; i < offsets.Length; i++)
        {
            (double x, double y) = _frame.ToLocal((refPos.Lat + (long)offsets[i].LatOffset) * 1e-7, (refPos.Long + (long)offsets[i].LonOffset) * 1e-7);
            points[i] = new Coordinate(x, y);
        }

        return points;
    }

    /// <summary>
    /// The vehicle maximum speed of a lane (its own, else its link's), m/s, NaN when none. A posted limit is a whole
    /// km/h, which the 0.02 m/s unit cannot hold (60 km/h lies between 833 = 59.98 and 834 = 60.05): a value within
    /// one unit of a whole km/h is taken as that km/h, so a 5 % tolerance means 63 km/h and not 62.98.
    /// </summary>
    internal static double SpeedLimit(MapLane lane, MapLink link)
    {
        foreach (ValueArray<RegulatorySpeedLimit> limits in (ReadOnlySpan<ValueArray<RegulatorySpeedLimit>>)[lane.SpeedLimits, link.SpeedLimits])
        {
            foreach (RegulatorySpeedLimit limit in limits)
            {
                if (limit.Type == SpeedLimitType.VehicleMaxSpeed && limit.Speed < 8191)
                {
                    double kmh = limit.SpeedMps * 3.6;
                    double whole = Math.Round(kmh);
                    return (Math.Abs(kmh - whole) < 0.072 ? whole : kmh) / 3.6;
                }
            }
        }

        return double.NaN;
    }

    private static LaneType TypeOf(MapLane lane) => lane.LaneAttributes?.LaneType ?? LaneType.Vehicle;

    private static Coordinate[] WithoutRepeats(Coordinate[] points)
    {
        List<Coordinate> kept = [points[0]];
        for (int i = 1; i < points.Length; i++)
        {
            if (points[i].Distance(kept[^1]) >= 0.01)
            {
                kept.Add(points[i]);
            }
        }

        return [.. kept];
    }

    // A polyline moved sideways (positive: right of its direction). At a corner the point moves along the
    // bisector of the two segments' right normals, by offset / cos(half the turn), so both segments stay parallel.
    private static Coordinate[] Offset(Coordinate[] line, double offset)
    {
        Coordinate[] result = new Coordinate[line.Length];
        for (int i = 0; i < line.Length; i++)
        {
            (double ax, double ay) = Unit(line[Math.Max(0, i - 1)], line[Math.Max(1, i)]);
            (double bx, double by) = Unit(line[Math.Min(i, line.Length - 2)], line[Math.Min(i + 1, line.Length - 1)]);
            double mx = ay + by;
            double my = -ax - bx;
            double length = Math.Sqrt((mx * mx) + (my * my));
            (mx, my) = length < 1e-9 ? (ay, -ax) : (mx / length, my / length);
            double scale = offset / Math.Max(0.2, (mx * ay) - (my * ax));
            result[i] = new Coordinate(line[i].X + (mx * scale), line[i].Y + (my * scale));
        }

        return result;
    }

    private static (double Ux, double Uy) Unit(Coordinate a, Coordinate b)
    {
        double dx = b.X - a.X;
        double dy = b.Y - a.Y;
        double length = Math.Sqrt((dx * dx) + (dy * dy));
        return length == 0 ? (0, 1) : (dx / length, dy / length);
    }

    private static (double[] Xs, double[] Ys) Split(Coordinate[] points)
    {
        double[] xs = new double[points.Length];
        double[] ys = new double[points.Length];
        for (int i = 0; i < points.Length; i++)
        {
            xs[i] = points[i].X;
            ys[i] = points[i].Y;
        }

        return (xs, ys);
    }

    // The exterior ring without its closing point.
    private static (double[] Xs, double[] Ys) Ring(Polygon polygon)
    {
        Coordinate[] ring = polygon.ExteriorRing.Coordinates;
        return Split(ring[..^1]);
    }

    internal static string Id(NodeReferenceId id) =>
        id.Region is { } region ? string.Create(CultureInfo.InvariantCulture, $"{region}/{id.Id}") : id.Id.ToString(CultureInfo.InvariantCulture);
}
