using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Engine.Map;

/// <summary>A node of the compiled map: its id, its position in the map's frame (metres) and its intersection area polygon (a range of the polygon arrays; empty when the node has no connections).</summary>
public readonly record struct MapNodeInfo(NodeReferenceId Id, double XM, double YM, int AreaStart, int AreaCount)
{
    public bool IsIntersection => AreaCount > 0;
}

/// <summary>A link: a directed approach from <see cref="UpstreamId"/> into <see cref="Node"/>. <see cref="UpstreamNode"/> is -1 when the upstream node is not in the map.</summary>
public readonly record struct MapLinkInfo(int Node, int UpstreamNode, NodeReferenceId UpstreamId);

/// <summary>A straight stop line, metres in the map's frame.</summary>
public readonly record struct StopLine(double X1M, double Y1M, double X2M, double Y2M);

/// <summary>
/// A lane of the compiled map. Its centre line is points <see cref="FirstPoint"/>.. of the map's point arrays,
/// from upstream to downstream; a lane with a stop line ends at it. Speeds are m/s, NaN when not given; the phase
/// is the one of the lane's straight connection (else its first), -1 when none. Its connections are the range
/// <see cref="FirstConnection"/>, <see cref="ConnectionCount"/> of the connection array.
/// </summary>
public readonly record struct MapLaneInfo
{
    public int Link { get; init; }

    public int Node { get; init; }

    public byte LaneId { get; init; }

    public LaneType Type { get; init; }

    public AllowedManeuvers Maneuvers { get; init; }

    public double WidthM { get; init; }

    public double SpeedLimitMps { get; init; }

    public int PhaseId { get; init; }

    public int FirstPoint { get; init; }

    public int PointCount { get; init; }

    public double LengthM { get; init; }

    public int FirstConnection { get; init; }

    public int ConnectionCount { get; init; }

    public bool HasStopLine { get; init; }

    public StopLine StopLine { get; init; }
}

/// <summary>
/// A connection through an intersection: from an ingress lane to a lane of the downstream link, with the phase
/// and maneuver of the MAP's <c>connectsTo</c>, and the path a vehicle drives through the intersection (points
/// <see cref="FirstPoint"/>.. of the point arrays). Its speed limit is the lower of the two lanes' limits.
/// </summary>
public readonly record struct MapConnectionInfo
{
    public int FromLane { get; init; }

    public int ToLane { get; init; }

    public int Node { get; init; }

    public int PhaseId { get; init; }

    public AllowedManeuvers Maneuver { get; init; }

    public double WidthM { get; init; }

    public double SpeedLimitMps { get; init; }

    public int FirstPoint { get; init; }

    public int PointCount { get; init; }

    public double LengthM { get; init; }
}

/// <summary>A crosswalk: the lane that describes it in the MAP and its polygon (a range of the polygon arrays).</summary>
public readonly record struct MapCrosswalkInfo(int Lane, int PolygonStart, int PolygonCount);

/// <summary>How two connections of different approaches meet.</summary>
public enum ConflictKind : byte
{
    /// <summary>The paths cross.</summary>
    Crossing = 0,

    /// <summary>The paths end in the same lane.</summary>
    Merging = 1,
}

/// <summary>
/// A conflict area inside an intersection: where connections <see cref="ConnectionA"/> and
/// <see cref="ConnectionB"/> (of different approaches) overlap. Entry and exit are distances along each
/// connection's path (metres from its stop line) between which a vehicle on it occupies the area: the inputs of a
/// time-to-conflict computation (ICW, LTA).
/// </summary>
public readonly record struct MapConflictArea
{
    public int Node { get; init; }

    public int ConnectionA { get; init; }

    public int ConnectionB { get; init; }

    public ConflictKind Kind { get; init; }

    public double EntryAM { get; init; }

    public double ExitAM { get; init; }

    public double EntryBM { get; init; }

    public double ExitBM { get; init; }

    public double CentroidXM { get; init; }

    public double CentroidYM { get; init; }

    public double AreaM2 { get; init; }

    public int PolygonStart { get; init; }

    public int PolygonCount { get; init; }
}
