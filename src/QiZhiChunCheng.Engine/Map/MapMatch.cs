namespace QiZhiChunCheng.Engine.Map;

/// <summary>Where a map match put a position.</summary>
public enum MatchStatus : byte
{
    /// <summary>No lane, connection or intersection within reach: the position is off the map.</summary>
    OffMap = 0,

    /// <summary>On a lane (<see cref="MapMatch.Lane"/>), before its stop line or on a link without one.</summary>
    OnLane = 1,

    /// <summary>Inside an intersection on a connection (<see cref="MapMatch.Connection"/>), past the stop line.</summary>
    OnConnection = 2,

    /// <summary>
    /// Inside an intersection's area but on none of its connections (a vehicle going straight from a
    /// left-turn lane, a U-turn the map does not describe): the node is known, the lane is not.
    /// </summary>
    InIntersectionArea = 3,
}

/// <summary>
/// The result of matching one position to the <see cref="LaneMap"/>: the lane or connection, where along it and
/// how far to the side, the distance to the stop line, the intersection, the phase and the speed limit. Indexes
/// point into the map's arrays; -1 means none, NaN means unknown. A value type of 64 bytes; pass the
/// previous match back as the hint of the next query of the same vehicle.
/// </summary>
public readonly record struct MapMatch
{
    public MatchStatus Status { get; init; }

    /// <summary>The lane index; on a connection, the lane the connection leaves from; -1 when off the map or in an intersection area.</summary>
    public int Lane { get; init; }

    /// <summary>The connection index when <see cref="Status"/> is <see cref="MatchStatus.OnConnection"/>, else -1.</summary>
    public int Connection { get; init; }

    /// <summary>The link of <see cref="Lane"/>, or -1.</summary>
    public int Link { get; init; }

    /// <summary>The node: the one the lane leads into, or the intersection the connection or area belongs to; -1 off the map.</summary>
    public int Node { get; init; }

    /// <summary>Distance along the lane (or the connection) from its first point, metres.</summary>
    public double AlongM { get; init; }

    /// <summary>Signed offset from the centre line, metres, positive to the right of the direction of travel.</summary>
    public double LateralM { get; init; }

    /// <summary>
    /// Metres to the stop line along the lane; negative past it (on a connection: minus the distance driven
    /// into the intersection); NaN when the lane ends at no stop line.
    /// </summary>
    public double ToStopLineM { get; init; }

    /// <summary>The signal phase that controls the lane or connection (MAP <c>phaseId</c>), or -1.</summary>
    public int PhaseId { get; init; }

    /// <summary>The vehicle maximum speed, m/s; NaN when the map gives none.</summary>
    public double SpeedLimitMps { get; init; }

    /// <summary>Euclidean distance from the position to the matched centre line, metres (NaN off the lane).</summary>
    public double DistanceM { get; init; }

    public bool IsOnMap => Status != MatchStatus.OffMap;

    /// <summary>On a lane or a connection: lane-level facts (limit, phase, stop line) are known.</summary>
    public bool HasLane => Status is MatchStatus.OnLane or MatchStatus.OnConnection;

    /// <summary>The off-map result. Also what <c>default</c> means as a hint: no previous match.</summary>
    public static MapMatch OffMap { get; } = new()
    {
        Status = MatchStatus.OffMap,
        Lane = -1,
        Connection = -1,
        Link = -1,
        Node = -1,
        AlongM = double.NaN,
        LateralM = double.NaN,
        ToStopLineM = double.NaN,
        PhaseId = -1,
        SpeedLimitMps = double.NaN,
        DistanceM = double.NaN,
    };
}

/// <summary>
/// How positions are matched to lanes. The margin is fixed when the map is compiled (it sizes the grid cells'
/// candidate lists); the rest is read per query. Defaults suit 1.5 m (95 %) positioning and 3.5 m lanes.
/// </summary>
public sealed record MatchOptions
{
    /// <summary>Side of a grid cell of the segment index, metres. Smaller cells: fewer candidates per query, more memory.</summary>
    public double CellSizeM { get; init; } = 10;

    /// <summary>How far outside a lane's edge a position still matches it, metres (GNSS noise; 1.5 m is the 95 % radius).</summary>
    public double MarginM { get; init; } = 1.5;

    /// <summary>A lane whose direction differs from the heading by more than this is not a candidate (opposing and crossing lanes).</summary>
    public double HeadingGateDeg { get; init; } = 60;

    /// <summary>Cost, in metres of lateral distance, of heading the opposite way: the penalty is this times (1 - cos difference) / 2.</summary>
    public double HeadingWeightM { get; init; } = 8;

    /// <summary>Below this speed the heading is not trusted (a GNSS heading at a standstill is noise), m/s.</summary>
    public double MinHeadingSpeedMps { get; init; } = 1.0;

    /// <summary>Cost bonus, metres, for staying on the hinted lane or connection, or moving on to its successor.</summary>
    public double HintBonusM { get; init; } = 0.5;
}
