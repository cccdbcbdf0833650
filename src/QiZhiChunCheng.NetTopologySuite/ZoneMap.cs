using NetTopologySuite.Geometries;
using QiZhiChunCheng.Core.Geo;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.Engine.Map;

namespace QiZhiChunCheng.NetTopologySuite;

/// <summary>How many of each element a zone has, for <c>qzcc map info</c>.</summary>
public readonly record struct ZoneCounts(int Nodes, int Intersections, int Links, int Lanes, int Crosswalks, int Connections, int ConflictAreas, int Rsus, int SignalPlans);

/// <summary>
/// An intersection of the zone as a circle: its node id, name, the centre of its area (WGS-84) and the radius that
/// encloses that area, in metres. Enough to say which intersection an event happened at.
/// </summary>
public sealed record ZoneIntersection(string Id, string Name, double LatitudeDeg, double LongitudeDeg, double RadiusM);

/// <summary>
/// A loaded zone: the MAP as read, every validation problem, the RSU list and signal plans, and, when the map is
/// valid, the engine's compiled <see cref="Engine.Map.LaneMap"/>. The NetTopologySuite geometry built on the way
/// stays inside this assembly (for the GeoJSON export). Immutable; thread-safe to read.
/// </summary>
public sealed class ZoneMap
{
    internal ZoneMap(string source, MapData? map, LaneMap? laneMap, IReadOnlyList<MapProblem> problems, IReadOnlyList<RsuSite> rsus, IReadOnlyList<IntersectionSignalPlan> signalPlans, ZoneGeometry geometry, ZoneCounts counts)
    {
        Source = source;
        Map = map;
        LaneMap = laneMap;
        Problems = problems;
        Rsus = rsus;
        SignalPlans = signalPlans;
        Geometry = geometry;
        Counts = counts;
    }

    /// <summary>Where the zone came from: a file path, "embedded default zone", "MAP message".</summary>
    public string Source { get; }

    /// <summary>The MAP as decoded; null when it could not be read at all.</summary>
    public MapData? Map { get; }

    /// <summary>The compiled map; null when there are problems.</summary>
    public LaneMap? LaneMap { get; }

    public IReadOnlyList<MapProblem> Problems { get; }

    public bool IsValid => Problems.Count == 0 && LaneMap is not null;

    public IReadOnlyList<RsuSite> Rsus { get; }

    public IReadOnlyList<IntersectionSignalPlan> SignalPlans { get; }

    public ZoneCounts Counts { get; }

    internal ZoneGeometry Geometry { get; }

    /// <summary>The intersections (nodes with a junction area), computed on first use.</summary>
    public IReadOnlyList<ZoneIntersection> Intersections => _intersections ??= ComputeIntersections();

    private IReadOnlyList<ZoneIntersection>? _intersections;

    private List<ZoneIntersection> ComputeIntersections()
    {
        List<ZoneIntersection> result = [];
        foreach ((NodeReferenceId node, string name, Polygon area) in Geometry.NodeAreas)
        {
            Point centre = area.Centroid;
            double radius = 0;
            foreach (Coordinate c in area.ExteriorRing.Coordinates)
            {
                radius = Math.Max(radius, Math.Sqrt(((c.X - centre.X) * (c.X - centre.X)) + ((c.Y - centre.Y) * (c.Y - centre.Y))));
            }

            (double lat, double lon) = Geometry.Frame.ToWgs84(centre.X, centre.Y);
            result.Add(new ZoneIntersection(MapCompiler.Id(node), name, Math.Round(lat, 7), Math.Round(lon, 7), Math.Round(radius, 1)));
        }

        return result;
    }

    /// <summary>The compiled map, or an exception naming the first problems (for composition roots that cannot go on without a map).</summary>
    public LaneMap RequireLaneMap() =>
        LaneMap ?? throw new InvalidOperationException($"the zone map from {Source} is not valid: {string.Join("; ", Problems.Take(3))}{(Problems.Count > 3 ? $" (and {Problems.Count - 3} more)" : "")}");
}

/// <summary>The NetTopologySuite geometry of a zone in the local frame (metres), kept for export.</summary>
internal sealed class ZoneGeometry
{
    public required LocalFrame Frame { get; init; }

    public List<LaneShape> Lanes { get; } = [];

    public List<ConnectionShape> Connections { get; } = [];

    public List<ConflictShape> Conflicts { get; } = [];

    public List<(NodeReferenceId Node, string Name, Polygon Area)> NodeAreas { get; } = [];
}

internal sealed record LaneShape(string Path, NodeReferenceId Node, NodeReferenceId Upstream, string LinkName, MapLane Lane, LaneType Type, double WidthM, double SpeedLimitMps, LineString CentreLine, Polygon Area, LineString? StopLine);

internal sealed record ConnectionShape(NodeReferenceId Node, LaneShape From, LaneShape To, Connection Connection, LineString Path, Polygon Area);

internal sealed record ConflictShape(NodeReferenceId Node, int ConnectionA, int ConnectionB, ConflictKind Kind, Polygon Area);
