using System.Diagnostics;
using System.Runtime.CompilerServices;
using QiZhiChunCheng.Core.Geo;
using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Engine.Map;

/// <summary>
/// The zone's lane map compiled for the hot path: nodes, links, lanes, connections through intersections,
/// crosswalks and conflict areas as flat arrays of structs and doubles in metres of one east-north-up
/// <see cref="LocalFrame"/>, plus a uniform grid over the lane and connection segments for map matching.
/// Built once by <see cref="LaneMapBuilder"/> (from a MAP, by the NetTopologySuite adapter); immutable and
/// thread-safe afterwards. Matching allocates nothing. See <c>Map/README.md</c> for the design.
/// </summary>
public sealed class LaneMap
{
    private readonly MapNodeInfo[] _nodes;
    private readonly string[] _nodeNames;
    private readonly MapLinkInfo[] _links;
    private readonly string[] _linkNames;
    private readonly MapLaneInfo[] _lanes;
    private readonly MapConnectionInfo[] _connections;
    private readonly MapCrosswalkInfo[] _crosswalks;
    private readonly MapConflictArea[] _conflicts;
    private readonly double[] _pointX;
    private readonly double[] _pointY;
    private readonly double[] _pointAlong;
    private readonly double[] _segmentHeading;
    private readonly double[] _polygonX;
    private readonly double[] _polygonY;

    // Bounding box of each node's intersection area (minX, minY, maxX, maxY), so the off-lane fallback rejects most
    // nodes with four comparisons before a polygon test.
    private readonly double[] _areaBounds;

    // The matcher's view: one struct per segment of a drivable path (vehicle lanes, then connections), and a
    // grid of cells listing the segments that come within reach of each cell (CSR layout: _cellStart[c].._cellStart[c+1]
    // index _cellSegments). A query reads one cell: a few dozen segments at most, in an intersection.
    private readonly Segment[] _segments;
    private readonly int[] _cellStart;
    private readonly int[] _cellSegments;
    private readonly double _gridMinX;
    private readonly double _gridMinY;
    private readonly double _inverseCell;
    private readonly int _gridWidth;
    private readonly int _gridHeight;
    private readonly double _cosGate;
    private readonly double _halfHeadingWeight;
    private readonly double _minHeadingSpeed;
    private readonly double _hintBonus;

    internal LaneMap(
        LocalFrame frame,
        MatchOptions options,
        MapNodeInfo[] nodes,
        string[] nodeNames,
        MapLinkInfo[] links,
        string[] linkNames,
        MapLaneInfo[] lanes,
        MapConnectionInfo[] connections,
        MapCrosswalkInfo[] crosswalks,
        MapConflictArea[] conflicts,
        double[] pointX,
        double[] pointY,
        double[] pointAlong,
        double[] segmentHeading,
        double[] polygonX,
        double[] polygonY)
    {
        Frame = frame;
        Options = options;
        _nodes = nodes;
        _nodeNames = nodeNames;
        _links = links;
        _linkNames = linkNames;
        _lanes = lanes;
        _connections = connections;
        _crosswalks = crosswalks;
        _conflicts = conflicts;
        _pointX = pointX;
        _pointY = pointY;
        _pointAlong = pointAlong;
        _segmentHeading = segmentHeading;
        _polygonX = polygonX;
        _polygonY = polygonY;
        _cosGate = Math.Cos(double.DegreesToRadians(options.HeadingGateDeg));
        _halfHeadingWeight = options.HeadingWeightM / 2;
        _minHeadingSpeed = options.MinHeadingSpeedMps;
        _hintBonus = options.HintBonusM;

        _areaBounds = BuildAreaBounds();
        _segments = BuildSegments(options.MarginM);
        (_cellStart, _cellSegments, _gridMinX, _gridMinY, _gridWidth, _gridHeight) = BuildGrid(_segments, options.CellSizeM);
        _inverseCell = 1 / options.CellSizeM;
    }

    /// <summary>A map with nothing on it: every match is off the map.</summary>
    public static LaneMap Empty { get; } = new LaneMapBuilder(new LocalFrame(0, 0)).Build();

    public LocalFrame Frame { get; }

    public MatchOptions Options { get; }

    public ReadOnlySpan<MapNodeInfo> Nodes => _nodes;

    public ReadOnlySpan<MapLinkInfo> Links => _links;

    public ReadOnlySpan<MapLaneInfo> Lanes => _lanes;

    public ReadOnlySpan<MapConnectionInfo> Connections => _connections;

    public ReadOnlySpan<MapCrosswalkInfo> Crosswalks => _crosswalks;

    public ReadOnlySpan<MapConflictArea> ConflictAreas => _conflicts;

    /// <summary>East coordinates (metres) of the points of every lane and connection path.</summary>
    public ReadOnlySpan<double> PointX => _pointX;

    /// <summary>North coordinates (metres) of the points of every lane and connection path.</summary>
    public ReadOnlySpan<double> PointY => _pointY;

    /// <summary>Distance of each point from the first point of its path, metres.</summary>
    public ReadOnlySpan<double> PointAlongM => _pointAlong;

    /// <summary>Heading of the segment that starts at each point, degrees clockwise from north (the last point of a path repeats the previous).</summary>
    public ReadOnlySpan<double> SegmentHeadingDeg => _segmentHeading;

    /// <summary>Polygon vertices (crosswalks, conflict areas, intersection areas), east metres; rings are not closed.</summary>
    public ReadOnlySpan<double> PolygonX => _polygonX;

    public ReadOnlySpan<double> PolygonY => _polygonY;

    /// <summary>Number of indexed segments and grid cells, for diagnostics.</summary>
    public (int Segments, int Cells, int CellEntries) IndexSize => (_segments.Length, _gridWidth * _gridHeight, _cellSegments.Length);

    public string NodeName(int node) => _nodeNames[node];

    public string LinkName(int link) => _linkNames[link];

    /// <summary>The index of a node by id, or -1. A scan: for load time and tools, not per message.</summary>
    public int FindNode(NodeReferenceId id)
    {
        for (int i = 0; i < _nodes.Length; i++)
        {
            if (_nodes[i].Id == id)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The index of the lane <paramref name="laneId"/> of the link from <paramref name="upstream"/> into <paramref name="node"/>, or -1. A scan.</summary>
    public int FindLane(NodeReferenceId node, NodeReferenceId upstream, byte laneId)
    {
        for (int i = 0; i < _lanes.Length; i++)
        {
            MapLinkInfo link = _links[_lanes[i].Link];
            if (_lanes[i].LaneId == laneId && _nodes[link.Node].Id == node && link.UpstreamId == upstream)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Matches a WGS-84 position; see <see cref="MatchLocal"/>. Adds the projection to the local frame (about 50 ns).</summary>
    public MapMatch MatchWgs84(double latDeg, double lonDeg, double headingDeg, double speedMps, in MapMatch hint = default)
    {
        (double east, double north) = Frame.ToLocal(latDeg, lonDeg);
        return MatchLocal(east, north, headingDeg, speedMps, hint);
    }

    /// <summary>
    /// Matches a position (metres in <see cref="Frame"/>) with its heading (degrees clockwise from north; NaN when
    /// unknown) and speed (m/s; NaN when unknown) to a lane or a connection. Among the segments within the lane
    /// half-width plus <see cref="MatchOptions.MarginM"/>, it picks the lowest cost: distance to the centre line,
    /// plus a heading penalty (lanes more than the heading gate off are no candidates, so heading decides between
    /// overlapping lanes of different directions), minus a bonus for the hinted lane or connection and its
    /// successors (so inside an intersection the match follows the connection being driven). With no candidate
    /// it reports the intersection area the position is in, or <see cref="MatchStatus.OffMap"/>.
    /// Allocation-free; thread-safe; about 0.1 to 0.5 µs (one grid cell of candidates).
    /// </summary>
    public MapMatch MatchLocal(double eastM, double northM, double headingDeg, double speedMps, in MapMatch hint = default)
    {
        int cellX = (int)Math.Floor((eastM - _gridMinX) * _inverseCell);
        int cellY = (int)Math.Floor((northM - _gridMinY) * _inverseCell);
        if ((uint)cellX >= (uint)_gridWidth || (uint)cellY >= (uint)_gridHeight || !double.IsFinite(eastM) || !double.IsFinite(northM))
        {
            return MapMatch.OffMap;
        }

        bool useHeading = double.IsFinite(headingDeg) && !(speedMps < _minHeadingSpeed);
        double hx = 0;
        double hy = 0;
        if (useHeading)
        {
            (hx, hy) = Math.SinCos(double.DegreesToRadians(headingDeg)); // east = sin, north = cos
        }

        // The hint: the path the vehicle was on and the paths it may move on to (a lane's connections, a connection's exit lane).
        int hintPath = -1;
        int hintLane = -1;
        int hintNext = -1;
        if (hint.Status == MatchStatus.OnLane && (uint)hint.Lane < (uint)_lanes.Length)
        {
            hintPath = hint.Lane;
            hintLane = hint.Lane;
        }
        else if (hint.Status == MatchStatus.OnConnection && (uint)hint.Connection < (uint)_connections.Length)
        {
            hintPath = _lanes.Length + hint.Connection;
            hintNext = _connections[hint.Connection].ToLane;
        }

        int cell = (cellY * _gridWidth) + cellX;
        int end = _cellStart[cell + 1];
        int best = -1;
        double bestCost = double.MaxValue;
        double bestT = 0;
        for (int i = _cellStart[cell]; i < end; i++)
        {
            ref readonly Segment s = ref _segments[_cellSegments[i]];
            double dx = eastM - s.Ax;
            double dy = northM - s.Ay;
            double t = Math.Clamp((dx * s.Ux) + (dy * s.Uy), 0, s.Length);
            double px = dx - (t * s.Ux);
            double py = dy - (t * s.Uy);
            double distanceSquared = (px * px) + (py * py);
            if (distanceSquared > s.ReachSquared)
            {
                continue;
            }

            double cost = Math.Sqrt(distanceSquared);
            if (useHeading)
            {
                double cos = (hx * s.Ux) + (hy * s.Uy);
                if (cos < _cosGate)
                {
                    continue;
                }

                cost += _halfHeadingWeight * (1 - cos);
            }

            if (s.Path == hintPath || s.Path == hintNext || (hintLane >= 0 && s.FromLane == hintLane))
            {
                cost -= _hintBonus;
            }

            if (cost < bestCost)
            {
                bestCost = cost;
                best = _cellSegments[i];
                bestT = t;
            }
        }

        return best >= 0 ? Result(best, bestT, eastM, northM) : MatchArea(eastM, northM);
    }

    private MapMatch Result(int segment, double t, double eastM, double northM)
    {
        ref readonly Segment s = ref _segments[segment];
        double dx = eastM - s.Ax;
        double dy = northM - s.Ay;
        double lateral = (dx * s.Uy) - (dy * s.Ux); // right of travel is (uy, -ux)
        double px = dx - (t * s.Ux);
        double py = dy - (t * s.Uy);
        double distance = Math.Sqrt((px * px) + (py * py));
        double along = s.AlongStart + t;
        if (s.Path < _lanes.Length)
        {
            ref readonly MapLaneInfo lane = ref _lanes[s.Path];
            return new MapMatch
            {
                Status = MatchStatus.OnLane,
                Lane = s.Path,
                Connection = -1,
                Link = lane.Link,
                Node = lane.Node,
                AlongM = along,
                LateralM = lateral,
                ToStopLineM = lane.HasStopLine ? lane.LengthM - along : double.NaN,
                PhaseId = lane.PhaseId,
                SpeedLimitMps = lane.SpeedLimitMps,
                DistanceM = distance,
            };
        }

        int c = s.Path - _lanes.Length;
        ref readonly MapConnectionInfo connection = ref _connections[c];
        return new MapMatch
        {
            Status = MatchStatus.OnConnection,
            Lane = connection.FromLane,
            Connection = c,
            Link = _lanes[connection.FromLane].Link,
            Node = connection.Node,
            AlongM = along,
            LateralM = lateral,
            ToStopLineM = -along,
            PhaseId = connection.PhaseId,
            SpeedLimitMps = connection.SpeedLimitMps,
            DistanceM = distance,
        };
    }

    // No lane within reach: inside an intersection's area the node is still worth knowing. A scan of the nodes'
    // bounding boxes, then a crossing-number test; only on this slow path.
    private MapMatch MatchArea(double x, double y)
    {
        for (int n = 0; n < _nodes.Length; n++)
        {
            ref readonly MapNodeInfo node = ref _nodes[n];
            int b = 4 * n;
            if (node.AreaCount > 0 && x >= _areaBounds[b] && y >= _areaBounds[b + 1] && x <= _areaBounds[b + 2] && y <= _areaBounds[b + 3]
                && Contains(node.AreaStart, node.AreaCount, x, y))
            {
                return MapMatch.OffMap with { Status = MatchStatus.InIntersectionArea, Node = n };
            }
        }

        return MapMatch.OffMap;
    }

    /// <summary>Whether a point is inside a polygon of the polygon arrays (crossing-number test; allocation-free).</summary>
    public bool Contains(int polygonStart, int polygonCount, double x, double y)
    {
        bool inside = false;
        int last = polygonStart + polygonCount - 1;
        for (int i = polygonStart, j = last; i <= last; j = i++)
        {
            double xi = _polygonX[i];
            double yi = _polygonY[i];
            double xj = _polygonX[j];
            double yj = _polygonY[j];
            if ((yi > y) != (yj > y) && x < ((xj - xi) * (y - yi) / (yj - yi)) + xi)
            {
                inside = !inside;
            }
        }

        return inside;
    }

    private double[] BuildAreaBounds()
    {
        double[] bounds = new double[4 * _nodes.Length];
        for (int n = 0; n < _nodes.Length; n++)
        {
            (double minX, double minY, double maxX, double maxY) = (double.MaxValue, double.MaxValue, double.MinValue, double.MinValue);
            for (int i = _nodes[n].AreaStart; i < _nodes[n].AreaStart + _nodes[n].AreaCount; i++)
            {
                minX = Math.Min(minX, _polygonX[i]);
                minY = Math.Min(minY, _polygonY[i]);
                maxX = Math.Max(maxX, _polygonX[i]);
                maxY = Math.Max(maxY, _polygonY[i]);
            }

            (bounds[4 * n], bounds[(4 * n) + 1], bounds[(4 * n) + 2], bounds[(4 * n) + 3]) = (minX, minY, maxX, maxY);
        }

        return bounds;
    }

    private Segment[] BuildSegments(double margin)
    {
        List<Segment> segments = [];
        for (int l = 0; l < _lanes.Length; l++)
        {
            if (_lanes[l].Type == LaneType.Vehicle)
            {
                AddSegments(segments, l, -1, _lanes[l].FirstPoint, _lanes[l].PointCount, (_lanes[l].WidthM / 2) + margin);
            }
        }

        for (int c = 0; c < _connections.Length; c++)
        {
            AddSegments(segments, _lanes.Length + c, _connections[c].FromLane, _connections[c].FirstPoint, _connections[c].PointCount, (_connections[c].WidthM / 2) + margin);
        }

        return [.. segments];
    }

    private void AddSegments(List<Segment> segments, int path, int fromLane, int first, int count, double reach)
    {
        for (int i = first; i < first + count - 1; i++)
        {
            double dx = _pointX[i + 1] - _pointX[i];
            double dy = _pointY[i + 1] - _pointY[i];
            double length = Math.Sqrt((dx * dx) + (dy * dy));
            if (length < 1e-6)
            {
                continue; // a repeated point: no direction, and the next segment covers it
            }

            segments.Add(new Segment(_pointX[i], _pointY[i], dx / length, dy / length, length, _pointAlong[i], reach, path, fromLane));
        }
    }

    private static (int[] CellStart, int[] CellSegments, double MinX, double MinY, int Width, int Height) BuildGrid(Segment[] segments, double cellSize)
    {
        if (!(cellSize > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(cellSize), cellSize, "the grid cell size must be positive");
        }

        if (segments.Length == 0)
        {
            return ([0, 0], [], 0, 0, 1, 1);
        }

        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        foreach (Segment s in segments)
        {
            double reach = Math.Sqrt(s.ReachSquared);
            minX = Math.Min(minX, Math.Min(s.Ax, s.Bx) - reach);
            minY = Math.Min(minY, Math.Min(s.Ay, s.By) - reach);
            maxX = Math.Max(maxX, Math.Max(s.Ax, s.Bx) + reach);
            maxY = Math.Max(maxY, Math.Max(s.Ay, s.By) + reach);
        }

        int width = (int)Math.Ceiling((maxX - minX) / cellSize) + 1;
        int height = (int)Math.Ceiling((maxY - minY) / cellSize) + 1;
        if ((long)width * height > 64_000_000)
        {
            throw new ArgumentException($"the map spans {maxX - minX:F0} m x {maxY - minY:F0} m: too many {cellSize} m cells; use larger cells", nameof(cellSize));
        }

        // Two passes over the cells each segment comes near (count, then fill): a cell lists a segment when the
        // segment passes within its reach of the cell's centre plus half the cell's diagonal.
        int[] counts = new int[(width * height) + 1];
        double halfDiagonal = cellSize * Math.Sqrt(0.5);
        for (int pass = 0; pass < 2; pass++)
        {
            int[]? fill = pass == 1 ? new int[counts[^1]] : null;
            int[]? next = pass == 1 ? (int[])counts.Clone() : null;
            for (int si = 0; si < segments.Length; si++)
            {
                Segment s = segments[si];
                double reach = Math.Sqrt(s.ReachSquared) + halfDiagonal;
                int x0 = (int)Math.Floor((Math.Min(s.Ax, s.Bx) - reach - minX) / cellSize);
                int x1 = (int)Math.Floor((Math.Max(s.Ax, s.Bx) + reach - minX) / cellSize);
                int y0 = (int)Math.Floor((Math.Min(s.Ay, s.By) - reach - minY) / cellSize);
                int y1 = (int)Math.Floor((Math.Max(s.Ay, s.By) + reach - minY) / cellSize);
                for (int cy = Math.Max(0, y0); cy <= Math.Min(height - 1, y1); cy++)
                {
                    for (int cx = Math.Max(0, x0); cx <= Math.Min(width - 1, x1); cx++)
                    {
                        double centreX = minX + ((cx + 0.5) * cellSize);
                        double centreY = minY + ((cy + 0.5) * cellSize);
                        if (s.DistanceTo(centreX, centreY) > reach)
                        {
                            continue;
                        }

                        int cell = (cy * width) + cx;
                        if (fill is null)
                        {
                            counts[cell + 1]++;
                        }
                        else
                        {
                            fill[next![cell]++] = si;
                        }
                    }
                }
            }

            if (fill is null)
            {
                for (int c = 1; c < counts.Length; c++)
                {
                    counts[c] += counts[c - 1];
                }
            }
            else
            {
                return (counts, fill, minX, minY, width, height);
            }
        }

        throw new UnreachableException();
    }

    /// <summary>One segment of a drivable path: start, unit direction, length, distance of its start along the path, and the squared reach (half-width plus margin).</summary>
    private readonly struct Segment(double ax, double ay, double ux, double uy, double length, double alongStart, double reach, int path, int fromLane)
    {
        public readonly double Ax = ax;
        public readonly double Ay = ay;
        public readonly double Ux = ux;
        public readonly double Uy = uy;
        public readonly double Length = length;
        public readonly double AlongStart = alongStart;
        public readonly double ReachSquared = reach * reach;

        /// <summary>Lane index for lanes; lane count plus connection index for connections.</summary>
        public readonly int Path = path;

        /// <summary>For a connection, the lane it leaves from (the hint's successor test); -1 for lanes.</summary>
        public readonly int FromLane = fromLane;

        public double Bx => Ax + (Ux * Length);

        public double By => Ay + (Uy * Length);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double DistanceTo(double x, double y)
        {
            double dx = x - Ax;
            double dy = y - Ay;
            double t = Math.Clamp((dx * Ux) + (dy * Uy), 0, Length);
            double px = dx - (t * Ux);
            double py = dy - (t * Uy);
            return Math.Sqrt((px * px) + (py * py));
        }
    }
}
