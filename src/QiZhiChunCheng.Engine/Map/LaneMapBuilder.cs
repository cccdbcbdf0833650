using QiZhiChunCheng.Core.Geo;
using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Engine.Map;

/// <summary>
/// Collects the elements of a lane map (in metres of one <see cref="LocalFrame"/>) and compiles them into a
/// <see cref="LaneMap"/>: flat arrays, per-segment headings and the grid index of lane segments. The map's
/// geometry is built and validated elsewhere (the NetTopologySuite adapter); this type only checks indexes.
/// Load-time only: it allocates freely. Not thread-safe.
/// </summary>
public sealed class LaneMapBuilder
{
    private readonly List<MapNodeInfo> _nodes = [];
    private readonly List<string> _nodeNames = [];
    private readonly List<MapLinkInfo> _links = [];
    private readonly List<string> _linkNames = [];
    private readonly List<MapLaneInfo> _lanes = [];
    private readonly List<MapConnectionInfo> _connections = [];
    private readonly List<MapCrosswalkInfo> _crosswalks = [];
    private readonly List<MapConflictArea> _conflicts = [];
    private readonly List<double> _pointX = [];
    private readonly List<double> _pointY = [];
    private readonly List<double> _polygonX = [];
    private readonly List<double> _polygonY = [];

    public LaneMapBuilder(LocalFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        Frame = frame;
    }

    public LocalFrame Frame { get; }

    public int NodeCount => _nodes.Count;

    public int LaneCount => _lanes.Count;

    public int ConnectionCount => _connections.Count;

    public int AddNode(NodeReferenceId id, string name, double xM, double yM)
    {
        ArgumentNullException.ThrowIfNull(name);
        _nodes.Add(new MapNodeInfo(id, xM, yM, 0, 0));
        _nodeNames.Add(name);
        return _nodes.Count - 1;
    }

    /// <summary>Sets the area of an intersection (a simple polygon, not closed: the last point is not the first).</summary>
    public void SetNodeArea(int node, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        CheckIndex(node, _nodes.Count, nameof(node));
        int start = AddPolygon(xs, ys);
        _nodes[node] = _nodes[node] with { AreaStart = start, AreaCount = xs.Length };
    }

    public int AddLink(int node, NodeReferenceId upstreamId, int upstreamNode, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        CheckIndex(node, _nodes.Count, nameof(node));
        if (upstreamNode != -1)
        {
            CheckIndex(upstreamNode, _nodes.Count, nameof(upstreamNode));
        }

        _links.Add(new MapLinkInfo(node, upstreamNode, upstreamId));
        _linkNames.Add(name);
        return _links.Count - 1;
    }

    /// <summary>
    /// Adds a lane with its centre line (upstream to downstream, at least two points). The speed limit is m/s
    /// (NaN: none); the stop line, when given, is where the lane ends.
    /// </summary>
    public int AddLane(int link, byte laneId, LaneType type, AllowedManeuvers maneuvers, double widthM, double speedLimitMps, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, StopLine? stopLine)
    {
        CheckIndex(link, _links.Count, nameof(link));
        int first = AddPath(xs, ys);
        _lanes.Add(new MapLaneInfo
        {
            Link = link,
            Node = _links[link].Node,
            LaneId = laneId,
            Type = type,
            Maneuvers = maneuvers,
            WidthM = CheckWidth(widthM),
            SpeedLimitMps = speedLimitMps,
            PhaseId = -1,
            FirstPoint = first,
            PointCount = xs.Length,
            HasStopLine = stopLine is not null,
            StopLine = stopLine ?? default,
        });
        return _lanes.Count - 1;
    }

    /// <summary>Adds a connection from an ingress lane to a lane of the downstream link, with its path through the intersection. Phase -1: none.</summary>
    public int AddConnection(int fromLane, int toLane, int node, int phaseId, AllowedManeuvers maneuver, double widthM, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        CheckIndex(fromLane, _lanes.Count, nameof(fromLane));
        CheckIndex(toLane, _lanes.Count, nameof(toLane));
        CheckIndex(node, _nodes.Count, nameof(node));
        int first = AddPath(xs, ys);
        _connections.Add(new MapConnectionInfo
        {
            FromLane = fromLane,
            ToLane = toLane,
            Node = node,
            PhaseId = phaseId,
            Maneuver = maneuver,
            WidthM = CheckWidth(widthM),
            FirstPoint = first,
            PointCount = xs.Length,
        });
        return _connections.Count - 1;
    }

    public int AddCrosswalk(int lane, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        CheckIndex(lane, _lanes.Count, nameof(lane));
        _crosswalks.Add(new MapCrosswalkInfo(lane, AddPolygon(xs, ys), xs.Length));
        return _crosswalks.Count - 1;
    }

    /// <summary>Adds a conflict area; <paramref name="area"/> carries everything but the polygon range, which is set here.</summary>
    public int AddConflict(MapConflictArea area, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        CheckIndex(area.Node, _nodes.Count, nameof(area));
        CheckIndex(area.ConnectionA, _connections.Count, nameof(area));
        CheckIndex(area.ConnectionB, _connections.Count, nameof(area));
        _conflicts.Add(area with { PolygonStart = AddPolygon(xs, ys), PolygonCount = xs.Length });
        return _conflicts.Count - 1;
    }

    /// <summary>Compiles the map: sorts connections by lane, measures paths, derives lane phases and connection limits, and builds the grid.</summary>
    public LaneMap Build(MatchOptions? options = null)
    {
        options ??= new MatchOptions();

        // Connections grouped by their lane, so that a lane's connections are one range; conflicts follow the move.
        int[] order = new int[_connections.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        MapConnectionInfo[] source = [.. _connections];
        int[] sortKeys = new int[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            sortKeys[i] = (source[i].FromLane * order.Length) + i; // stable: ties keep insertion order
        }

        Array.Sort(sortKeys, order);
        int[] newIndex = new int[order.Length];
        MapConnectionInfo[] connections = new MapConnectionInfo[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            connections[i] = source[order[i]];
            newIndex[order[i]] = i;
        }

        MapConflictArea[] conflicts = new MapConflictArea[_conflicts.Count];
        for (int i = 0; i < conflicts.Length; i++)
        {
            MapConflictArea c = _conflicts[i];
            conflicts[i] = c with { ConnectionA = newIndex[c.ConnectionA], ConnectionB = newIndex[c.ConnectionB] };
        }

        double[] px = [.. _pointX];
        double[] py = [.. _pointY];
        double[] along = new double[px.Length];
        double[] heading = new double[px.Length];
        MapLaneInfo[] lanes = [.. _lanes];
        for (int i = 0; i < lanes.Length; i++)
        {
            lanes[i] = lanes[i] with { LengthM = Measure(px, py, along, heading, lanes[i].FirstPoint, lanes[i].PointCount), FirstConnection = -1 };
        }

        for (int c = 0; c < connections.Length; c++)
        {
            ref MapConnectionInfo connection = ref connections[c];
            double limit = MinLimit(lanes[connection.FromLane].SpeedLimitMps, lanes[connection.ToLane].SpeedLimitMps);
            connection = connection with { LengthM = Measure(px, py, along, heading, connection.FirstPoint, connection.PointCount), SpeedLimitMps = limit };
            ref MapLaneInfo lane = ref lanes[connection.FromLane];
            lane = lane.FirstConnection < 0
                ? lane with { FirstConnection = c, ConnectionCount = 1 }
                : lane with { ConnectionCount = lane.ConnectionCount + 1 };
        }

        for (int i = 0; i < lanes.Length; i++)
        {
            ref MapLaneInfo lane = ref lanes[i];
            if (lane.FirstConnection < 0)
            {
                lane = lane with { FirstConnection = 0 };
                continue;
            }

            // The lane's own phase: the one of its straight movement, else of its first movement that has one.
            int phase = -1;
            for (int c = lane.FirstConnection; c < lane.FirstConnection + lane.ConnectionCount; c++)
            {
                if (connections[c].PhaseId >= 0 && (phase < 0 || connections[c].Maneuver.HasFlag(AllowedManeuvers.Straight)))
                {
                    phase = connections[c].PhaseId;
                    if (connections[c].Maneuver.HasFlag(AllowedManeuvers.Straight))
                    {
                        break;
                    }
                }
            }

            lane = lane with { PhaseId = phase };
        }

        return new LaneMap(
            Frame,
            options,
            [.. _nodes],
            [.. _nodeNames],
            [.. _links],
            [.. _linkNames],
            lanes,
            connections,
            [.. _crosswalks],
            conflicts,
            px,
            py,
            along,
            heading,
            [.. _polygonX],
            [.. _polygonY]);
    }

    private static double MinLimit(double a, double b) =>
        double.IsNaN(a) ? b : double.IsNaN(b) ? a : Math.Min(a, b);

    // Fills cumulative distances and segment headings (degrees clockwise from north) of one path; returns its length.
    private static double Measure(double[] px, double[] py, double[] along, double[] heading, int first, int count)
    {
        along[first] = 0;
        for (int i = first; i < first + count - 1; i++)
        {
            double dx = px[i + 1] - px[i];
            double dy = py[i + 1] - py[i];
            along[i + 1] = along[i] + Math.Sqrt((dx * dx) + (dy * dy));
            heading[i] = (double.RadiansToDegrees(Math.Atan2(dx, dy)) + 360) % 360;
        }

        heading[first + count - 1] = count > 1 ? heading[first + count - 2] : double.NaN;
        return along[first + count - 1];
    }

    private int AddPath(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        if (xs.Length != ys.Length)
        {
            throw new ArgumentException("xs and ys must have the same length", nameof(ys));
        }

        if (xs.Length < 2)
        {
            throw new ArgumentException("a path needs at least two points", nameof(xs));
        }

        int first = _pointX.Count;
        for (int i = 0; i < xs.Length; i++)
        {
            _pointX.Add(xs[i]);
            _pointY.Add(ys[i]);
        }

        return first;
    }

    private int AddPolygon(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        if (xs.Length != ys.Length || xs.Length < 3)
        {
            throw new ArgumentException("a polygon needs at least three points, as many xs as ys", nameof(xs));
        }

        int start = _polygonX.Count;
        for (int i = 0; i < xs.Length; i++)
        {
            _polygonX.Add(xs[i]);
            _polygonY.Add(ys[i]);
        }

        return start;
    }

    private static double CheckWidth(double widthM) =>
        widthM > 0 && double.IsFinite(widthM) ? widthM : throw new ArgumentOutOfRangeException(nameof(widthM), widthM, "a width must be positive");

    private static void CheckIndex(int index, int count, string name)
    {
        if ((uint)index >= (uint)count)
        {
            throw new ArgumentOutOfRangeException(name, index, $"no element {index} (there are {count})");
        }
    }
}
