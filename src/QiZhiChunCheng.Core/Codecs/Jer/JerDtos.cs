using System.Text.Json.Serialization;
using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Core.Codecs.Jer;

// The JER structure of the five messages as plain classes for the generated serializer. Member names come from
// the camelCase policy, which yields the ASN.1 names, except where [JsonPropertyName] says otherwise. Every member
// is nullable so that "absent" is visible: the mapping to the model reports missing required members with their
// path, and the writer leaves absent OPTIONAL members out (WhenWritingNull). INTEGERs are long so that a value
// too large for its model field is reported with the number the sender wrote.

internal sealed class Position3DDto
{
    public long? Lat { get; set; }

    public long? Long { get; set; }

    public long? Elevation { get; set; }
}

internal sealed class PositionalAccuracyDto
{
    public long? SemiMajor { get; set; }

    public long? SemiMinor { get; set; }

    public long? Orientation { get; set; }
}

internal sealed class PositionConfidenceSetDto
{
    public PositionConfidence? Pos { get; set; }
}

internal sealed class AccelerationSet4WayDto
{
    public long? Long { get; set; }

    public long? Lat { get; set; }

    public long? Vert { get; set; }

    public long? Yaw { get; set; }
}

internal sealed class VehicleSizeDto
{
    public long? Width { get; set; }

    public long? Length { get; set; }

    public long? Height { get; set; }
}

internal sealed class VehicleClassificationDto
{
    public long? Classification { get; set; }
}

/// <summary>Position-LL-24B .. Position-LL-48B and Position-LLmD-64b: <c>lon</c>, <c>lat</c>.</summary>
internal sealed class PositionLLDto
{
    public long? Lon { get; set; }

    public long? Lat { get; set; }
}

/// <summary>PositionOffsetLL CHOICE: exactly one member is set.</summary>
internal sealed class PositionOffsetLLDto
{
    [JsonPropertyName("position-LL1")]
    public PositionLLDto? LL1 { get; set; }

    [JsonPropertyName("position-LL2")]
    public PositionLLDto? LL2 { get; set; }

    [JsonPropertyName("position-LL3")]
    public PositionLLDto? LL3 { get; set; }

    [JsonPropertyName("position-LL4")]
    public PositionLLDto? LL4 { get; set; }

    [JsonPropertyName("position-LL5")]
    public PositionLLDto? LL5 { get; set; }

    [JsonPropertyName("position-LL6")]
    public PositionLLDto? LL6 { get; set; }

    [JsonPropertyName("position-LatLon")]
    public PositionLLDto? LatLon { get; set; }
}

/// <summary>VerticalOffset CHOICE; only the absolute <c>elevation</c> alternative is written.</summary>
internal sealed class VerticalOffsetDto
{
    public long? Elevation { get; set; }
}

internal sealed class PositionOffsetLLVDto
{
    public PositionOffsetLLDto? OffsetLL { get; set; }

    public VerticalOffsetDto? OffsetV { get; set; }
}

internal sealed class NodeReferenceIdDto
{
    public long? Region { get; set; }

    public long? Id { get; set; }
}

internal sealed class BsmDto
{
    public long? MsgCnt { get; set; }

    public OctetId8? Id { get; set; }

    public long? SecMark { get; set; }

    public Position3DDto? Pos { get; set; }

    public PositionalAccuracyDto? PosAccuracy { get; set; }

    public PositionConfidenceSetDto? PosConfidence { get; set; }

    public TransmissionState? Transmission { get; set; }

    public long? Speed { get; set; }

    public long? Heading { get; set; }

    public long? Angle { get; set; }

    public AccelerationSet4WayDto? AccelSet { get; set; }

    public BrakeSystemStatusDto? Brakes { get; set; }

    public VehicleSizeDto? Size { get; set; }

    public VehicleClassificationDto? VehicleClass { get; set; }

    public VehicleSafetyExtensionsDto? SafetyExt { get; set; }

    public VehicleEmergencyExtensionsDto? EmergencyExt { get; set; }
}

internal sealed class BrakeSystemStatusDto
{
    public BrakePedalStatus? BrakePadel { get; set; }

    [JsonConverter(typeof(JerBits5Converter))]
    public ushort? WheelBrakes { get; set; }

    public TractionControlStatus? Traction { get; set; }

    public AntiLockBrakeStatus? Abs { get; set; }

    public StabilityControlStatus? Scs { get; set; }

    public BrakeBoostApplied? BrakeBoost { get; set; }

    public AuxiliaryBrakeStatus? AuxBrakes { get; set; }
}

internal sealed class VehicleSafetyExtensionsDto
{
    [JsonConverter(typeof(JerEventFlagsConverter))]
    public ushort? Events { get; set; }

    public PathHistoryDto? PathHistory { get; set; }

    public PathPredictionDto? PathPrediction { get; set; }

    [JsonConverter(typeof(JerExteriorLightsConverter))]
    public ushort? Lights { get; set; }
}

internal sealed class PathHistoryDto
{
    public PathHistoryPointDto[]? CrumbData { get; set; }
}

internal sealed class PathHistoryPointDto
{
    public PositionOffsetLLVDto? LlvOffset { get; set; }

    public long? TimeOffset { get; set; }

    public long? Speed { get; set; }

    public long? Heading { get; set; }
}

internal sealed class PathPredictionDto
{
    public long? RadiusOfCurve { get; set; }

    public long? Confidence { get; set; }
}

internal sealed class VehicleEmergencyExtensionsDto
{
    public ResponseType? ResponseType { get; set; }

    public SirenInUse? SirenUse { get; set; }

    public LightbarInUse? LightsUse { get; set; }
}

internal sealed class RsmDto
{
    public long? MsgCnt { get; set; }

    public OctetId8? Id { get; set; }

    public Position3DDto? RefPos { get; set; }

    public ParticipantDataDto[]? Participants { get; set; }
}

internal sealed class ParticipantDataDto
{
    public JerParticipantType? PtcType { get; set; }

    public long? PtcId { get; set; }

    public SourceType? Source { get; set; }

    public OctetId8? Id { get; set; }

    public long? SecMark { get; set; }

    public PositionOffsetLLVDto? Pos { get; set; }

    public PositionConfidenceSetDto? PosConfidence { get; set; }

    public TransmissionState? Transmission { get; set; }

    public long? Speed { get; set; }

    public long? Heading { get; set; }

    public long? Angle { get; set; }

    public AccelerationSet4WayDto? AccelSet { get; set; }

    public VehicleSizeDto? Size { get; set; }

    public VehicleClassificationDto? VehicleClass { get; set; }
}

internal sealed class SpatDto
{
    public long? MsgCnt { get; set; }

    public long? Moy { get; set; }

    public long? TimeStamp { get; set; }

    public string? Name { get; set; }

    public IntersectionStateDto[]? Intersections { get; set; }
}

internal sealed class IntersectionStateDto
{
    public NodeReferenceIdDto? IntersectionId { get; set; }

    [JsonConverter(typeof(JerBits16Converter))]
    public ushort? Status { get; set; }

    public long? Moy { get; set; }

    public long? TimeStamp { get; set; }

    public PhaseDto[]? Phases { get; set; }
}

internal sealed class PhaseDto
{
    public long? Id { get; set; }

    public PhaseStateDto[]? PhaseStates { get; set; }
}

internal sealed class PhaseStateDto
{
    public JerLightState? Light { get; set; }

    public TimeChangeDetailsDto? Timing { get; set; }
}

/// <summary>TimeChangeDetails CHOICE: <c>counting</c> (TimeCountingDown) or <c>utcTiming</c> (UTCTiming).</summary>
internal sealed class TimeChangeDetailsDto
{
    public TimingDto? Counting { get; set; }

    public UtcTimingDto? UtcTiming { get; set; }
}

/// <summary>TimeCountingDown: 0.1 s from now.</summary>
internal sealed class TimingDto
{
    public long? StartTime { get; set; }

    public long? MinEndTime { get; set; }

    public long? MaxEndTime { get; set; }

    public long? LikelyEndTime { get; set; }

    public long? TimeConfidence { get; set; }

    public long? NextStartTime { get; set; }

    public long? NextDuration { get; set; }
}

/// <summary>
/// UTCTiming: TimeMarks within the hour. T/CSAE 53 names its members <c>startUTCTime</c> .. <c>nextEndUTCTime</c>,
/// which are written; the TimeCountingDown names are read too, because some senders reuse them here.
/// </summary>
internal sealed class UtcTimingDto
{
    [JsonPropertyName("startUTCTime")]
    public long? StartUtcTime { get; set; }

    [JsonPropertyName("minEndUTCTime")]
    public long? MinEndUtcTime { get; set; }

    [JsonPropertyName("maxEndUTCTime")]
    public long? MaxEndUtcTime { get; set; }

    [JsonPropertyName("likelyEndUTCTime")]
    public long? LikelyEndUtcTime { get; set; }

    public long? TimeConfidence { get; set; }

    [JsonPropertyName("nextStartUTCTime")]
    public long? NextStartUtcTime { get; set; }

    [JsonPropertyName("nextEndUTCTime")]
    public long? NextEndUtcTime { get; set; }

    public long? StartTime { get; set; }

    public long? MinEndTime { get; set; }

    public long? MaxEndTime { get; set; }

    public long? LikelyEndTime { get; set; }

    public long? NextStartTime { get; set; }

    public long? NextDuration { get; set; }
}

internal sealed class MapDto
{
    public long? MsgCnt { get; set; }

    public long? TimeStamp { get; set; }

    public MapNodeDto[]? Nodes { get; set; }
}

internal sealed class MapNodeDto
{
    public string? Name { get; set; }

    public NodeReferenceIdDto? Id { get; set; }

    public Position3DDto? RefPos { get; set; }

    public MapLinkDto[]? InLinks { get; set; }
}

internal sealed class MapLinkDto
{
    public string? Name { get; set; }

    public NodeReferenceIdDto? UpstreamNodeId { get; set; }

    public RegulatorySpeedLimitDto[]? SpeedLimits { get; set; }

    public long? LinkWidth { get; set; }

    public RoadPointDto[]? Points { get; set; }

    public MovementDto[]? Movements { get; set; }

    public MapLaneDto[]? Lanes { get; set; }
}

internal sealed class RegulatorySpeedLimitDto
{
    public SpeedLimitType? Type { get; set; }

    public long? Speed { get; set; }
}

internal sealed class RoadPointDto
{
    public PositionOffsetLLVDto? PosOffset { get; set; }
}

internal sealed class MovementDto
{
    public NodeReferenceIdDto? RemoteIntersection { get; set; }

    public long? PhaseId { get; set; }
}

internal sealed class MapLaneDto
{
    [JsonPropertyName("laneID")]
    public long? LaneId { get; set; }

    public long? LaneWidth { get; set; }

    public LaneAttributesDto? LaneAttributes { get; set; }

    [JsonConverter(typeof(JerBits12Converter))]
    public ushort? Maneuvers { get; set; }

    public ConnectionDto[]? ConnectsTo { get; set; }

    public RegulatorySpeedLimitDto[]? SpeedLimits { get; set; }

    public RoadPointDto[]? Points { get; set; }
}

internal sealed class LaneAttributesDto
{
    [JsonConverter(typeof(JerBits10Converter))]
    public ushort? ShareWith { get; set; }

    public LaneTypeAttributesDto? LaneType { get; set; }
}

/// <summary>LaneTypeAttributes CHOICE: exactly one member is set, each its own BIT STRING.</summary>
internal sealed class LaneTypeAttributesDto
{
    [JsonConverter(typeof(JerBits8Converter))]
    public ushort? Vehicle { get; set; }

    [JsonConverter(typeof(JerBits16Converter))]
    public ushort? Crosswalk { get; set; }

    [JsonConverter(typeof(JerBits16Converter))]
    public ushort? BikeLane { get; set; }

    [JsonConverter(typeof(JerBits16Converter))]
    public ushort? Sidewalk { get; set; }

    [JsonConverter(typeof(JerBits16Converter))]
    public ushort? Median { get; set; }

    [JsonConverter(typeof(JerBits16Converter))]
    public ushort? Striping { get; set; }

    [JsonConverter(typeof(JerBits16Converter))]
    public ushort? TrackedVehicle { get; set; }

    [JsonConverter(typeof(JerBits16Converter))]
    public ushort? Parking { get; set; }
}

internal sealed class ConnectionDto
{
    public NodeReferenceIdDto? RemoteIntersection { get; set; }

    public ConnectingLaneDto? ConnectingLane { get; set; }

    public long? PhaseId { get; set; }
}

internal sealed class ConnectingLaneDto
{
    public long? Lane { get; set; }

    [JsonConverter(typeof(JerBits12Converter))]
    public ushort? Maneuver { get; set; }
}

internal sealed class RsiDto
{
    public long? MsgCnt { get; set; }

    public long? Moy { get; set; }

    public OctetId8? Id { get; set; }

    public Position3DDto? RefPos { get; set; }

    public RteDataDto[]? Rtes { get; set; }

    public RtsDataDto[]? Rtss { get; set; }
}

internal sealed class RteDataDto
{
    public long? RteId { get; set; }

    public long? EventType { get; set; }

    public EventSource? EventSource { get; set; }

    public PositionOffsetLLVDto? EventPos { get; set; }

    public long? EventRadius { get; set; }

    public DescriptionDto? Description { get; set; }

    public RsiTimeDetailsDto? TimeDetails { get; set; }

    [JsonConverter(typeof(JerOctetConverter))]
    public byte? Priority { get; set; }

    public ReferencePathDto[]? ReferencePaths { get; set; }

    public long? EventConfidence { get; set; }
}

internal sealed class RtsDataDto
{
    public long? RtsId { get; set; }

    public long? SignType { get; set; }

    public PositionOffsetLLVDto? SignPos { get; set; }

    public DescriptionDto? Description { get; set; }

    public RsiTimeDetailsDto? TimeDetails { get; set; }

    [JsonConverter(typeof(JerOctetConverter))]
    public byte? Priority { get; set; }

    public ReferencePathDto[]? ReferencePaths { get; set; }
}

/// <summary>Description CHOICE: <c>textString</c> (IA5String) or <c>textGB2312</c> (hex octets, not modelled).</summary>
internal sealed class DescriptionDto
{
    public string? TextString { get; set; }

    public string? TextGB2312 { get; set; }
}

internal sealed class RsiTimeDetailsDto
{
    public long? StartTime { get; set; }

    public long? EndTime { get; set; }
}

internal sealed class ReferencePathDto
{
    public PositionOffsetLLVDto[]? ActivePath { get; set; }

    public long? PathRadius { get; set; }
}

/// <summary>The MessageFrame CHOICE for the messages that go through the generated reader.</summary>
internal sealed class MessageFrameDto
{
    public MapDto? MapFrame { get; set; }

    public SpatDto? SpatFrame { get; set; }

    public RsiDto? RsiFrame { get; set; }
}
