using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Core.Codecs.Binary;

// ==========================================================================================================
// The binary bus frame, format version 1: the Kafka value and the in-process bus form of a V2xMessage.
// Everything needed to write a second implementation is in this comment.
// ==========================================================================================================
//
// PRIMITIVES
//   u8      one byte.
//   i8      one byte, two's complement.
//   vu      unsigned LEB128 varint: 7 bits per byte, least significant group first, the high bit (0x80) set on
//           every byte except the last. Canonical only: a multi-byte varint never ends in 0x00. A 16-bit field
//           takes at most 3 bytes, a 32-bit one 5 (the 5th byte <= 0x0F), a 64-bit one 10 (the 10th byte
//           <= 0x01); a value too large for its field is rejected.
//   vs      signed varint: zig-zag, (n << 1) ^ (n >> 31) for 32 bits or (n << 1) ^ (n >> 63) for 64 bits, then
//           vu. 0 -> 0, -1 -> 1, 1 -> 2, -2 -> 3; -450 -> 899 -> 83 07.
//   be64    8 bytes, big-endian (an OctetId8 reads as its octets in order: 51 41 5A 43 ... is "QAZC...").
//   b16     16 bytes as they are.
//   str     vu length in bytes, then that many bytes of strict UTF-8 (no overlong forms, no surrogates).
//   bits    the presence bitmap of a struct, a vu: bit i (value 1 << i) set when the optional member numbered i
//           below is present. Every struct that has optional members starts with its bitmap, even when no
//           member is present (then 00). Bits with no member are rejected.
//   list    vu (count + 1), then count elements. 0 means absent (a default ValueArray), 1 an empty list; the
//           model keeps the two apart, so the frame does. Elements of a struct type are written inline.
//   enum    a byte enum as u8, a 16-bit flags enum as vu. Values the enum does not define, and flag bits it
//           does not define, are rejected.
// Integer members: byte/sbyte as u8/i8 (a varint is never shorter), ushort/uint/ulong as vu, short/int/long
// as vs. Members are written in the order listed; "m?" is an optional member written only when its bit is set.
//
// FRAME
//   offset size field
//   0      1    magic 0xB2 (not ASCII and not a UTF-8 lead byte, so a frame never passes for JSON or text)
//   1      1    format version, 1
//   2      1    message type (MessageType: 0 BSM, 1 MAP, 2 RSM, 3 SPAT, 4 RSI)
//   3      1    envelope.sourceKind (SourceKind 0..3)
//   4      16   envelope.sourceId (DeviceId wire form: ASCII, zero padded)
//   20     vs   envelope.generatedUtcMs
//          vs   envelope.ingestUtcMs - generatedUtcMs (64-bit wrapping difference: usually one byte)
//          vs   envelope.sequence
//          b16  envelope.traceId: Hi as be64, then Lo as be64 (the W3C text order)
//          ...  the body of the message type; the frame ends where the body ends (trailing bytes are rejected)
//
// BODIES (bit numbers of the bitmap in braces)
//   Bsm           bits{0 posAccuracy, 1 posConfidence, 2 angle, 3 safetyExt, 4 emergencyExt}
//                 msgCnt:u8 id:be64 secMark:vu pos:Position3D posAccuracy?:PositionalAccuracy
//                 posConfidence?:u8 transmission:u8 speed:vu heading:vu angle?:i8 accelSet:AccelSet
//                 brakes:Brakes size:VehicleSize vehicleClass:u8 safetyExt?:SafetyExt emergencyExt?:EmergencyExt
//   Position3D    bits{0 elevation} lat:vs long:vs elevation?:vs
//   PositionalAccuracy  semiMajor:u8 semiMinor:u8 orientation:vu
//   AccelSet      long:vs lat:vs vert:i8 yaw:vs
//   Brakes        bits{0 brakePadel, 1 wheelBrakes, 2 traction, 3 abs, 4 scs, 5 brakeBoost, 6 auxBrakes}
//                 each present member as u8 (wheelBrakes: the BrakeAppliedStatus bits, 0..0x1F)
//   VehicleSize   bits{0 height} width:vu length:vu height?:u8
//   SafetyExt     bits{0 events, 1 pathHistory, 2 pathPrediction, 3 lights}
//                 events?:vu (0..0x1FFF) pathHistory?:PathHistory pathPrediction?:(radiusOfCurve:vs confidence:u8)
//                 lights?:vu (0..0x1FF)
//   PathHistory   count:vu (0..23, a plain count: presence is the SafetyExt bit) then count PathHistoryPoint
//   PathHistoryPoint  bits{0 speed, 1 heading} latOffset:vs lonOffset:vs timeOffset:vu speed?:vu heading?:vu
//   EmergencyExt  bits{0 responseType, 1 sirenUse, 2 lightsUse} each present member as u8
//
//   Rsm           msgCnt:u8 id:be64 refPos:Position3D participants:list<Participant>
//   Participant   bits{0 id, 1 transmission, 2 angle, 3 accelSet, 4 vehicleClass}
//                 ptcType:u8 ptcId:vu source:u8 id?:be64 secMark:vu pos:Position3D* posConfidence:u8
//                 transmission?:u8 speed:vu heading:vu angle?:i8 accelSet?:AccelSet size:VehicleSize
//                 vehicleClass?:u8
//                 * lat and long are written as the 32-bit wrapping difference from the Rsm refPos (a few
//                   bytes instead of five each); elevation is absolute. The decoder adds refPos back.
//
//   Spat          bits{0 moy, 1 timeStamp, 2 name} msgCnt:u8 moy?:vu timeStamp?:vu name?:str
//                 intersections:list<IntersectionState>
//   IntersectionState  bits{0 moy, 1 timeStamp} intersectionId:NodeRef status:vu moy?:vu timeStamp?:vu
//                 phases:list<Phase>
//   NodeRef       bits{0 region} id:vu region?:vu
//   Phase         id:u8 phaseStates:list<PhaseState>
//   PhaseState    bits{0 timing} light:u8 timing?:TimeChangeDetails
//   TimeChangeDetails  bits{0 minEndTime, 1 maxEndTime, 2 timeConfidence, 3 nextStartTime, 4 nextDuration}
//                 kind:u8 startTime:vu minEndTime?:vu maxEndTime?:vu likelyEndTime:vu timeConfidence?:u8
//                 nextStartTime?:vu nextDuration?:vu
//
//   MapData       bits{0 timeStamp} msgCnt:u8 timeStamp?:vu nodes:list<MapNode>
//   MapNode       bits{0 name} name?:str id:NodeRef refPos:Position3D inLinks:list<MapLink>
//   MapLink       bits{0 name} name?:str upstreamNodeId:NodeRef speedLimits:list<SpeedLimit> linkWidth:vu
//                 points:list<RoadPoint> movements:list<Movement> lanes:list<MapLane>
//   SpeedLimit    type:u8 speed:vu
//   RoadPoint     latOffset:vs lonOffset:vs
//   Movement      bits{0 phaseId} remoteIntersection:NodeRef phaseId?:u8
//   MapLane       bits{0 laneWidth, 1 laneAttributes, 2 maneuvers} laneId:u8 laneWidth?:vu
//                 laneAttributes?:LaneAttributes maneuvers?:vu (0..0xFFF) connectsTo:list<Connection>
//                 speedLimits:list<SpeedLimit> points:list<RoadPoint>
//   LaneAttributes  bits{0 shareWith} laneType:u8 typeAttributes:vu shareWith?:vu
//   Connection    bits{0 connectingLane, 1 phaseId} remoteIntersection:NodeRef connectingLane?:ConnectingLane
//                 phaseId?:u8
//   ConnectingLane  bits{0 maneuver} lane:u8 maneuver?:vu (0..0xFFF)
//
//   Rsi           bits{0 moy} msgCnt:u8 moy?:vu id:be64 refPos:Position3D rtes:list<Rte> rtss:list<Rts>
//   Rte           bits{0 eventPos, 1 eventRadius, 2 description, 3 timeDetails, 4 priority, 5 eventConfidence}
//                 rteId:u8 eventType:vu eventSource:u8 eventPos?:RoadPoint eventRadius?:vu description?:str
//                 timeDetails?:TimeDetails priority?:u8 referencePaths:list<ReferencePath> eventConfidence?:u8
//   Rts           bits{0 signPos, 1 description, 2 timeDetails, 3 priority}
//                 rtsId:u8 signType:vu signPos?:RoadPoint description?:str timeDetails?:TimeDetails priority?:u8
//                 referencePaths:list<ReferencePath>
//   TimeDetails   bits{0 startTime, 1 endTime} startTime?:vu endTime?:vu
//   ReferencePath activePath:list<RoadPoint> pathRadius:vu
//
// WORKED EXAMPLE: Samples.Bsm() in Samples.Envelope(MessageType.Bsm), 128 bytes (BinaryCodecTests checks them)
//   off  bytes                                      meaning
//   0    B2 01 00                                   magic, version 1, type BSM
//   3    01                                         sourceKind Rsu
//   4    52 53 55 2D 44 46 2D 30 31 00 .. 00        sourceId "RSU-DF-01", zero padded to 16 bytes
//   20   E0 DB FF 84 C4 68                          generatedUtcMs 1795838441200 (2026-11-28T04:00:41.200Z),
//                                                   zig-zag 3591676882400
//   26   18                                         ingestUtcMs - generatedUtcMs = 12
//   27   CE 49                                      sequence 4711
//   29   01 23 45 67 89 AB CD EF FE DC BA 98 76 54 32 10    traceId
//   45   0F                                         Bsm bits: posAccuracy, posConfidence, angle, safetyExt
//   46   11                                         msgCnt 17
//   47   51 41 5A 43 43 30 30 31                    id "QAZCC001"
//   55   F0 C1 02                                   secMark 41200
//   58   01 B0 A5 94 A2 03 D0 B9 9D AA 09 CC 21     pos: bits{elevation}, lat 438471000, long 1252241000,
//                                                   elevation 2150
//   71   14 0F C0 3E                                posAccuracy: semiMajor 20, semiMinor 15, orientation 8000
//   75   09                                         posConfidence a1m
//   76   02                                         transmission forwardGears
//   77   A3 05 90 26                                speed 675, heading 4880
//   81   FD                                         angle -3
//   82   83 07 00 00 00                             accelSet: long -450, lat 0, vert 0, yaw 0
//   87   09 02 01                                   brakes: bits{brakePadel, abs}, brakePadel on, abs off
//   90   01 B9 01 F2 03 1E                          size: bits{height}, width 185, length 498, height 30
//   96   0A                                         vehicleClass 10
//   97   0B 80 01                                   safetyExt: bits{events, pathHistory, lights},
//                                                   events hardBraking (1 << 7 = 128)
//   100  03                                         pathHistory: 3 points
//   101  03 EF 01 CB 03 0A B2 05 90 26              bits{speed, heading}, -120, -230, timeOffset 10, 690, 4880
//   111  03 F3 03 AB 07 14 BC 05 8E 26              bits{speed, heading}, -250, -470, 20, 700, 4878
//   121  00 F7 05 8B 0B 1E                          no speed or heading, -380, -710, 30
//   127  01                                         lights lowBeamHeadlightsOn
// The 45 bytes before the body are the same for every message type. Samples.Rsm16() takes 571 bytes: 23 for
// msgCnt, id and refPos, 32 per participant (40 with an associated BSM id).
// ==========================================================================================================

/// <summary>Constants of the binary frame; the layout is described in the comment above.</summary>
internal static class FrameFormat
{
    public const byte Magic = 0xB2;
    public const byte Version = 1;

    /// <summary>Offset of the first envelope byte after magic, version and type.</summary>
    public const int HeaderSize = 3;

    public const byte MaxMessageType = (byte)MessageType.Rsi;
    public const byte MaxSourceKind = (byte)SourceKind.Cloud;

    // Flag enums: every defined bit.
    public const ushort BrakeAppliedAll = 0x1F;
    public const ushort VehicleEventsAll = 0x1FFF;
    public const ushort ExteriorLightsAll = 0x1FF;
    public const ushort ManeuversAll = 0xFFF;
}

/// <summary>
/// The fewest bytes one list element can take (all optionals absent, every number one byte): a count larger
/// than the remaining bytes divided by this cannot be genuine, so the decoder refuses it before allocating.
/// </summary>
internal static class MinSize
{
    public const int Position3D = 3;
    public const int NodeRef = 2;
    public const int RoadPoint = 2;
    public const int SpeedLimit = 2;
    public const int Movement = 1 + NodeRef;
    public const int Connection = 1 + NodeRef;
    public const int PhaseState = 2;
    public const int Phase = 2;
    public const int IntersectionState = 1 + NodeRef + 1 + 1;
    public const int MapNode = 1 + NodeRef + Position3D + 1;
    public const int MapLink = 1 + NodeRef + 1 + 1 + 1 + 1 + 1;
    public const int MapLane = 1 + 1 + 1 + 1 + 1;
    public const int ReferencePath = 2;
    public const int Rte = 5;
    public const int Rts = 4;
    public const int Participant = 1 + 1 + 1 + 1 + 1 + Position3D + 1 + 1 + 1 + 3;
}

// Presence bits, one class per struct, numbered as in the layout above.
internal static class BsmBits
{
    public const uint PosAccuracy = 1 << 0;
    public const uint PosConfidence = 1 << 1;
    public const uint Angle = 1 << 2;
    public const uint SafetyExt = 1 << 3;
    public const uint EmergencyExt = 1 << 4;
    public const uint All = 0x1F;
}

internal static class BrakeBits
{
    public const uint BrakePadel = 1 << 0;
    public const uint WheelBrakes = 1 << 1;
    public const uint Traction = 1 << 2;
    public const uint Abs = 1 << 3;
    public const uint Scs = 1 << 4;
    public const uint BrakeBoost = 1 << 5;
    public const uint AuxBrakes = 1 << 6;
    public const uint All = 0x7F;
}

internal static class SafetyBits
{
    public const uint Events = 1 << 0;
    public const uint PathHistory = 1 << 1;
    public const uint PathPrediction = 1 << 2;
    public const uint Lights = 1 << 3;
    public const uint All = 0xF;
}

internal static class EmergencyBits
{
    public const uint ResponseType = 1 << 0;
    public const uint SirenUse = 1 << 1;
    public const uint LightsUse = 1 << 2;
    public const uint All = 0x7;
}

internal static class PointBits
{
    public const uint Speed = 1 << 0;
    public const uint Heading = 1 << 1;
    public const uint All = 0x3;
}

internal static class ParticipantBits
{
    public const uint Id = 1 << 0;
    public const uint Transmission = 1 << 1;
    public const uint Angle = 1 << 2;
    public const uint AccelSet = 1 << 3;
    public const uint VehicleClass = 1 << 4;
    public const uint All = 0x1F;
}

internal static class SpatBits
{
    public const uint Moy = 1 << 0;
    public const uint TimeStamp = 1 << 1;
    public const uint Name = 1 << 2;
    public const uint All = 0x7;
}

internal static class IntersectionBits
{
    public const uint Moy = 1 << 0;
    public const uint TimeStamp = 1 << 1;
    public const uint All = 0x3;
}

internal static class TimingBits
{
    public const uint MinEndTime = 1 << 0;
    public const uint MaxEndTime = 1 << 1;
    public const uint TimeConfidence = 1 << 2;
    public const uint NextStartTime = 1 << 3;
    public const uint NextDuration = 1 << 4;
    public const uint All = 0x1F;
}

internal static class LaneBits
{
    public const uint LaneWidth = 1 << 0;
    public const uint LaneAttributes = 1 << 1;
    public const uint Maneuvers = 1 << 2;
    public const uint All = 0x7;
}

internal static class ConnectionBits
{
    public const uint ConnectingLane = 1 << 0;
    public const uint PhaseId = 1 << 1;
    public const uint All = 0x3;
}

internal static class RteBits
{
    public const uint EventPos = 1 << 0;
    public const uint EventRadius = 1 << 1;
    public const uint Description = 1 << 2;
    public const uint TimeDetails = 1 << 3;
    public const uint Priority = 1 << 4;
    public const uint EventConfidence = 1 << 5;
    public const uint All = 0x3F;
}

internal static class RtsBits
{
    public const uint SignPos = 1 << 0;
    public const uint Description = 1 << 1;
    public const uint TimeDetails = 1 << 2;
    public const uint Priority = 1 << 3;
    public const uint All = 0xF;
}

internal static class TimeDetailsBits
{
    public const uint StartTime = 1 << 0;
    public const uint EndTime = 1 << 1;
    public const uint All = 0x3;
}
