namespace QiZhiChunCheng.Core.Messages;

/// <summary>
/// MapData: the node-link-lane road map (1 Hz). Points are offsets in 1e-7 deg from the node's
/// <c>refPos</c>; a lane ending at a node ends at its stop line. Immutable.
/// </summary>
public sealed record MapData
{
    public byte MsgCnt { get; init; }

    public uint? TimeStamp { get; init; }

    public ValueArray<MapNode> Nodes { get; init; }
}

/// <summary>Node: an intersection and its approaches (<c>inLinks</c>).</summary>
public sealed record MapNode
{
    public string? Name { get; init; }

    public NodeReferenceId Id { get; init; }

    public Position3D RefPos { get; init; }

    public ValueArray<MapLink> InLinks { get; init; }
}

/// <summary>Link: a directed approach from <c>upstreamNodeId</c> into the node.</summary>
public sealed record MapLink
{
    public string? Name { get; init; }

    public NodeReferenceId UpstreamNodeId { get; init; }

    public ValueArray<RegulatorySpeedLimit> SpeedLimits { get; init; }

    /// <summary>LaneWidth, cm.</summary>
    public ushort LinkWidth { get; init; }

    public ValueArray<RoadPoint> Points { get; init; }

    public ValueArray<Movement> Movements { get; init; }

    public ValueArray<MapLane> Lanes { get; init; }
}

/// <summary>RoadPoint: <c>posOffset.offsetLL</c> from the node's refPos, 1e-7 deg.</summary>
public readonly record struct RoadPoint(int LatOffset, int LonOffset);

/// <summary>Movement: a downstream intersection reachable from the link, and its phase.</summary>
public readonly record struct Movement(NodeReferenceId RemoteIntersection, byte? PhaseId = null);

/// <summary>Lane.</summary>
public sealed record MapLane
{
    public byte LaneId { get; init; }

    public ushort? LaneWidth { get; init; }

    public LaneAttributes? LaneAttributes { get; init; }

    public AllowedManeuvers? Maneuvers { get; init; }

    public ValueArray<Connection> ConnectsTo { get; init; }

    public ValueArray<RegulatorySpeedLimit> SpeedLimits { get; init; }

    public ValueArray<RoadPoint> Points { get; init; }
}

/// <summary>LaneTypeAttributes CHOICE alternative.</summary>
public enum LaneType : byte
{
    Vehicle = 0,
    Crosswalk = 1,
    BikeLane = 2,
    Sidewalk = 3,
    Median = 4,
    Striping = 5,
    TrackedVehicle = 6,
    Parking = 7,
}

/// <summary>
/// LaneAttributes: <c>shareWith</c> (LaneSharing, 10 bits) and <c>laneType</c> (a CHOICE whose alternative
/// carries its own attribute bits, 16 bits; 8 for vehicle lanes).
/// </summary>
public readonly record struct LaneAttributes(LaneType LaneType, ushort TypeAttributes = 0, ushort? ShareWith = null);

/// <summary>AllowedManeuvers, BIT STRING SIZE(12): bit n of the ASN.1 string is <c>1 &lt;&lt; n</c>.</summary>
[Flags]
public enum AllowedManeuvers : ushort
{
    None = 0,
    Straight = 1 << 0,
    Left = 1 << 1,
    Right = 1 << 2,
    UTurn = 1 << 3,
    LeftTurnOnRed = 1 << 4,
    RightTurnOnRed = 1 << 5,
    LaneChange = 1 << 6,
    NoStopping = 1 << 7,
    YieldAlwaysRequired = 1 << 8,
    GoWithHalt = 1 << 9,
    Caution = 1 << 10,
    Reserved1 = 1 << 11,
}

/// <summary>Connection: a lane in the downstream intersection this lane connects to, and the phase that controls it.</summary>
public readonly record struct Connection(NodeReferenceId RemoteIntersection, ConnectingLane? ConnectingLane = null, byte? PhaseId = null);

/// <summary>ConnectingLane: lane id and, optionally, the maneuver.</summary>
public readonly record struct ConnectingLane(byte Lane, AllowedManeuvers? Maneuver = null);

/// <summary>SpeedLimitType (ENUMERATED).</summary>
public enum SpeedLimitType : byte
{
    Unknown = 0,
    MaxSpeedInSchoolZone = 1,
    MaxSpeedInSchoolZoneWhenChildrenArePresent = 2,
    MaxSpeedInConstructionZone = 3,
    VehicleMinSpeed = 4,
    VehicleMaxSpeed = 5,
    VehicleNightMaxSpeed = 6,
    TruckMinSpeed = 7,
    TruckMaxSpeed = 8,
    TruckNightMaxSpeed = 9,
    VehiclesWithTrailersMinSpeed = 10,
    VehiclesWithTrailersMaxSpeed = 11,
    VehiclesWithTrailersNightMaxSpeed = 12,
}

/// <summary>RegulatorySpeedLimit: type and speed (0.02 m/s, 0..8191).</summary>
public readonly record struct RegulatorySpeedLimit(SpeedLimitType Type, ushort Speed)
{
    public double SpeedMps => Speed * 0.02;
}
