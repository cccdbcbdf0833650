using CsCheck;
using QiZhiChunCheng.Core.Validation;
using M = QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Core.Tests.Generators;

/// <summary>
/// CsCheck generators for every type of the message model, producing only what the validator accepts: every
/// number inside its <see cref="V2xRanges"/> range (the ends and the 'unavailable' values with extra weight,
/// invalid time markers such as secMark 60000, moy 527040 or TimeMark 36001 never), list sizes inside the
/// standard's bounds, defined enum values and flag bits, printable names and descriptions (ASCII and Chinese)
/// within <see cref="V2xRanges.DescriptiveName"/> and <see cref="V2xRanges.DescriptionText"/>. Optional members
/// and optional lists are sometimes absent. Lists are small most of the time and now and then at their maximum,
/// so a hundred samples stay fast and the bounds are still reached.
/// Shared by the codec round-trip tests and the validator property tests; thread-safe (the generators are immutable).
/// </summary>
public static class ModelGen
{
    // ---- numbers, counts and text -------------------------------------------------------------------------

    /// <summary>A number in <paramref name="range"/>; one time in five exactly one of its ends.</summary>
    public static Gen<int> Int(IntRange range) =>
        Gen.Frequency(
            (8, Gen.Int[checked((int)range.Min), checked((int)range.Max)]),
            (1, Gen.Const(checked((int)range.Min))),
            (1, Gen.Const(checked((int)range.Max))));

    public static Gen<byte> Byte(IntRange range) => Int(range).Select(v => checked((byte)v));

    public static Gen<sbyte> SByte(IntRange range) => Int(range).Select(v => checked((sbyte)v));

    public static Gen<short> Short(IntRange range) => Int(range).Select(v => checked((short)v));

    public static Gen<ushort> UShort(IntRange range) => Int(range).Select(v => checked((ushort)v));

    public static Gen<uint> UInt(IntRange range) => Int(range).Select(v => checked((uint)v));

    /// <summary>A list size in <paramref name="range"/>: mostly within two of the minimum, sometimes anything, sometimes the maximum.</summary>
    public static Gen<int> Count(IntRange range) =>
        Gen.Frequency(
            (12, Gen.Int[checked((int)range.Min), checked((int)Math.Min(range.Min + 2, range.Max))]),
            (2, Gen.Int[checked((int)range.Min), checked((int)range.Max)]),
            (1, Gen.Const(checked((int)range.Max))));

    /// <summary>A list of a valid size.</summary>
    public static Gen<M.ValueArray<T>> List<T>(Gen<T> item, IntRange size) =>
        Count(size).SelectMany(n => item.Array[n]).Select(items => new M.ValueArray<T>(items));

    /// <summary>An OPTIONAL list: absent (a default <see cref="M.ValueArray{T}"/>) one time in four, else of a valid size.</summary>
    public static Gen<M.ValueArray<T>> OptionalList<T>(Gen<T> item, IntRange size) =>
        Gen.Frequency((1, Gen.Const(default(M.ValueArray<T>))), (3, List(item, size)));

    /// <summary>Printable characters: ASCII, CJK ideographs, Chinese punctuation and place names of the zone.</summary>
    public static readonly Gen<char> PrintableChar =
        Gen.Frequency(
            (6, Gen.Char[' ', '~']),
            (3, Gen.Char['\u4e00', '\u9fa5']),
            (1, Gen.Char["·，。、（）：；“”《》—东风大街飞跃路旗智春城长春拥堵事故施工"]));

    /// <summary>Printable text whose length (UTF-16 units, BMP only) is in <paramref name="length"/>.</summary>
    public static Gen<string> Text(IntRange length) =>
        Count(length).SelectMany(n => PrintableChar.Array[n]).Select(chars => new string(chars));

    public static readonly Gen<string> DescriptiveName = Text(V2xRanges.DescriptiveName);

    public static readonly Gen<string> DescriptionText = Text(V2xRanges.DescriptionText);

    public static readonly Gen<uint> Moy = UInt(new IntRange(V2xRanges.MinuteOfTheYear.Min, V2xRanges.MinuteOfTheYear.Max - 1));

    public static readonly Gen<ushort> SecMark = UShort(V2xRanges.SecMarkValid);

    public static readonly Gen<ushort> TimeMark = UShort(new IntRange(V2xRanges.TimeMark.Min, V2xRanges.TimeMark.Max - 1));

    public static readonly Gen<byte> Confidence = Byte(V2xRanges.Confidence);

    /// <summary>A lat/long offset of one of the position-LL1..LL6 alternatives, ends included.</summary>
    public static readonly Gen<int> OffsetLL = Gen.Int[0, V2xRanges.OffsetLL.Length - 1].SelectMany(i => Int(V2xRanges.OffsetLL[i]));

    // ---- common -------------------------------------------------------------------------------------------

    public static readonly Gen<M.OctetId8> OctetId8 = Gen.ULong.Select(v => new M.OctetId8(v));

    public static readonly Gen<M.Position3D> Position3D =
        Gen.Select(Int(V2xRanges.Latitude), Int(V2xRanges.Longitude), Int(V2xRanges.Elevation).Nullable(0.3),
            (lat, lon, elevation) => new M.Position3D(lat, lon, elevation));

    public static readonly Gen<M.PositionalAccuracy> PositionalAccuracy =
        Gen.Select(Byte(V2xRanges.SemiAxisLength), Byte(V2xRanges.SemiAxisLength), UShort(V2xRanges.SemiMajorAxisOrientation),
            (major, minor, orientation) => new M.PositionalAccuracy(major, minor, orientation));

    public static readonly Gen<M.PositionConfidenceSet> PositionConfidenceSet =
        Gen.Enum<M.PositionConfidence>().Select(c => new M.PositionConfidenceSet(c));

    public static readonly Gen<M.AccelerationSet4Way> AccelerationSet4Way =
        Gen.Select(Short(V2xRanges.Acceleration), Short(V2xRanges.Acceleration), SByte(V2xRanges.VerticalAcceleration), Short(V2xRanges.YawRate),
            (lon, lat, vert, yaw) => new M.AccelerationSet4Way(lon, lat, vert, yaw));

    public static readonly Gen<M.VehicleSize> VehicleSize =
        Gen.Select(UShort(V2xRanges.VehicleWidth), UShort(V2xRanges.VehicleLength), Byte(V2xRanges.VehicleHeight).Nullable(0.3),
            (width, length, height) => new M.VehicleSize(width, length, height));

    public static readonly Gen<M.VehicleClassification> VehicleClassification =
        Byte(V2xRanges.VehicleClass).Select(c => new M.VehicleClassification(c));

    public static readonly Gen<M.NodeReferenceId> NodeReferenceId =
        Gen.Select(UShort(V2xRanges.NodeId), UShort(V2xRanges.NodeId).Nullable(0.5), (id, region) => new M.NodeReferenceId(id, region));

    public static readonly Gen<M.RoadPoint> RoadPoint = Gen.Select(OffsetLL, OffsetLL, (lat, lon) => new M.RoadPoint(lat, lon));

    // ---- BSM ----------------------------------------------------------------------------------------------

    public static readonly Gen<M.BrakeSystemStatus> BrakeSystemStatus =
        from padel in Gen.Enum<M.BrakePedalStatus>().Nullable(0.5)
        from wheels in Flags<M.BrakeAppliedStatus>(0x1F).Nullable(0.5)
        from traction in Gen.Enum<M.TractionControlStatus>().Nullable(0.5)
        from abs in Gen.Enum<M.AntiLockBrakeStatus>().Nullable(0.5)
        from scs in Gen.Enum<M.StabilityControlStatus>().Nullable(0.5)
        from boost in Gen.Enum<M.BrakeBoostApplied>().Nullable(0.5)
        from aux in Gen.Enum<M.AuxiliaryBrakeStatus>().Nullable(0.5)
        select new M.BrakeSystemStatus
        {
            BrakePadel = padel,
            WheelBrakes = wheels,
            Traction = traction,
            Abs = abs,
            Scs = scs,
            BrakeBoost = boost,
            AuxBrakes = aux,
        };

    public static readonly Gen<M.PathHistoryPoint> PathHistoryPoint =
        Gen.Select(OffsetLL, OffsetLL, UShort(V2xRanges.TimeOffset), UShort(V2xRanges.Speed).Nullable(0.4), UShort(V2xRanges.Heading).Nullable(0.4),
            (lat, lon, time, speed, heading) => new M.PathHistoryPoint(lat, lon, time, speed, heading));

    /// <summary>A path history of 1..23 points.</summary>
    public static readonly Gen<M.PathHistory> PathHistory =
        Count(V2xRanges.PathHistoryPoints).SelectMany(n => PathHistoryPoint.Array[n]).Select(points => new M.PathHistory(points));

    public static readonly Gen<M.PathPrediction> PathPrediction =
        Gen.Select(Short(V2xRanges.RadiusOfCurvature), Confidence, (radius, confidence) => new M.PathPrediction(radius, confidence));

    public static readonly Gen<M.VehicleSafetyExtensions> VehicleSafetyExtensions =
        Gen.Select(Flags<M.VehicleEventFlags>(0x1FFF).Nullable(0.3), PathHistory.Nullable(0.3), PathPrediction.Nullable(0.5), Flags<M.ExteriorLights>(0x1FF).Nullable(0.3),
            (events, history, prediction, lights) => new M.VehicleSafetyExtensions
            {
                Events = events,
                PathHistory = history,
                PathPrediction = prediction,
                Lights = lights,
            });

    public static readonly Gen<M.VehicleEmergencyExtensions> VehicleEmergencyExtensions =
        Gen.Select(Gen.Enum<M.ResponseType>().Nullable(0.3), Gen.Enum<M.SirenInUse>().Nullable(0.3), Gen.Enum<M.LightbarInUse>().Nullable(0.3),
            (response, siren, lights) => new M.VehicleEmergencyExtensions { ResponseType = response, SirenUse = siren, LightsUse = lights });

    public static readonly Gen<M.Bsm> Bsm =
        from msgCnt in Byte(V2xRanges.MsgCount)
        from id in OctetId8
        from secMark in SecMark
        from pos in Position3D
        from accuracy in PositionalAccuracy.Nullable(0.4)
        from confidence in PositionConfidenceSet.Nullable(0.4)
        from transmission in Gen.Enum<M.TransmissionState>()
        from speed in UShort(V2xRanges.Speed)
        from heading in UShort(V2xRanges.Heading)
        from angle in SByte(V2xRanges.SteeringWheelAngle).Nullable(0.4)
        from accelSet in AccelerationSet4Way
        from brakes in BrakeSystemStatus
        from size in VehicleSize
        from vehicleClass in VehicleClassification
        from safety in VehicleSafetyExtensions.Nullable(0.4)
        from emergency in VehicleEmergencyExtensions.Nullable(0.6)
        select new M.Bsm
        {
            MsgCnt = msgCnt,
            Id = id,
            SecMark = secMark,
            Pos = pos,
            PosAccuracy = accuracy,
            PosConfidence = confidence,
            Transmission = transmission,
            Speed = speed,
            Heading = heading,
            Angle = angle,
            AccelSet = accelSet,
            Brakes = brakes,
            Size = size,
            VehicleClass = vehicleClass,
            SafetyExt = safety,
            EmergencyExt = emergency,
        };

    // ---- RSM ----------------------------------------------------------------------------------------------

    /// <summary>A participant anywhere in the valid coordinate range.</summary>
    public static readonly Gen<M.ParticipantData> ParticipantData = Participant(Position3D);

    /// <summary>A participant near <paramref name="refPos"/> (within a position-LL offset, clamped to the valid range) or, one time in four, anywhere.</summary>
    public static Gen<M.ParticipantData> ParticipantNear(M.Position3D refPos) =>
        Participant(Gen.Frequency(
            (3, Gen.Select(OffsetLL, OffsetLL, Int(V2xRanges.Elevation).Nullable(0.3), (dLat, dLon, elevation) => new M.Position3D(
                (int)Math.Clamp((long)refPos.Lat + dLat, V2xRanges.Latitude.Min, V2xRanges.Latitude.Max),
                (int)Math.Clamp((long)refPos.Long + dLon, V2xRanges.Longitude.Min, V2xRanges.Longitude.Max),
                elevation))),
            (1, Position3D)));

    /// <summary>An RSM with 1..16 participants, most of them near its reference position.</summary>
    public static readonly Gen<M.Rsm> Rsm =
        from msgCnt in Byte(V2xRanges.MsgCount)
        from id in OctetId8
        from refPos in Position3D
        from participants in List(ParticipantNear(refPos), V2xRanges.RsmParticipants)
        select new M.Rsm { MsgCnt = msgCnt, Id = id, RefPos = refPos, Participants = participants };

    // ---- SPAT ---------------------------------------------------------------------------------------------

    public static readonly Gen<M.TimeChangeDetails> TimeChangeDetails =
        from kind in Gen.Enum<M.TimingKind>()
        from start in TimeMark
        from minEnd in TimeMark.Nullable(0.4)
        from maxEnd in TimeMark.Nullable(0.4)
        from likelyEnd in TimeMark
        from confidence in Confidence.Nullable(0.4)
        from nextStart in TimeMark.Nullable(0.5)
        from nextDuration in TimeMark.Nullable(0.5)
        select new M.TimeChangeDetails
        {
            Kind = kind,
            StartTime = start,
            MinEndTime = minEnd,
            MaxEndTime = maxEnd,
            LikelyEndTime = likelyEnd,
            TimeConfidence = confidence,
            NextStartTime = nextStart,
            NextDuration = nextDuration,
        };

    public static readonly Gen<M.PhaseState> PhaseState =
        Gen.Select(Gen.Enum<M.LightState>(), TimeChangeDetails.Nullable(0.2), (light, timing) => new M.PhaseState(light, timing));

    public static readonly Gen<M.Phase> Phase =
        Gen.Select(Byte(V2xRanges.PhaseId), List(PhaseState, V2xRanges.SpatPhaseStates), (id, states) => new M.Phase { Id = id, PhaseStates = states });

    public static readonly Gen<M.IntersectionState> IntersectionState =
        from id in NodeReferenceId
        from status in Gen.UShort
        from moy in Moy.Nullable(0.5)
        from timeStamp in SecMark.Nullable(0.5)
        from phases in List(Phase, V2xRanges.SpatPhases)
        select new M.IntersectionState { IntersectionId = id, Status = status, Moy = moy, TimeStamp = timeStamp, Phases = phases };

    public static readonly Gen<M.Spat> Spat =
        from msgCnt in Byte(V2xRanges.MsgCount)
        from moy in Moy.Nullable(0.3)
        from timeStamp in SecMark.Nullable(0.3)
        from name in DescriptiveName.Null(0.5)
        from intersections in List(IntersectionState, V2xRanges.SpatIntersections)
        select new M.Spat { MsgCnt = msgCnt, Moy = moy, TimeStamp = timeStamp, Name = name, Intersections = intersections };

    // ---- MAP ----------------------------------------------------------------------------------------------

    public static readonly Gen<M.RegulatorySpeedLimit> RegulatorySpeedLimit =
        Gen.Select(Gen.Enum<M.SpeedLimitType>(), UShort(V2xRanges.Speed), (type, speed) => new M.RegulatorySpeedLimit(type, speed));

    public static readonly Gen<M.Movement> Movement =
        Gen.Select(NodeReferenceId, Byte(V2xRanges.PhaseId).Nullable(0.3), (remote, phaseId) => new M.Movement(remote, phaseId));

    /// <summary>Lane attributes: the type's own attribute bits (8 for vehicle lanes, 16 otherwise) and, sometimes, the 10 LaneSharing bits.</summary>
    public static readonly Gen<M.LaneAttributes> LaneAttributes =
        from type in Gen.Enum<M.LaneType>()
        from typeAttributes in type == M.LaneType.Vehicle ? Gen.UShort[0, 0xFF] : Gen.UShort
        from shareWith in Gen.UShort[0, 0x3FF].Nullable(0.4)
        select new M.LaneAttributes(type, typeAttributes, shareWith);

    public static readonly Gen<M.AllowedManeuvers> AllowedManeuvers = Flags<M.AllowedManeuvers>(0xFFF);

    public static readonly Gen<M.ConnectingLane> ConnectingLane =
        Gen.Select(Byte(V2xRanges.LaneId), AllowedManeuvers.Nullable(0.4), (lane, maneuver) => new M.ConnectingLane(lane, maneuver));

    public static readonly Gen<M.Connection> Connection =
        Gen.Select(NodeReferenceId, ConnectingLane.Nullable(0.3), Byte(V2xRanges.PhaseId).Nullable(0.4),
            (remote, lane, phaseId) => new M.Connection(remote, lane, phaseId));

    public static readonly Gen<M.MapLane> MapLane =
        from laneId in Byte(V2xRanges.LaneId)
        from width in UShort(V2xRanges.LaneWidth).Nullable(0.3)
        from attributes in LaneAttributes.Nullable(0.3)
        from maneuvers in AllowedManeuvers.Nullable(0.3)
        from connectsTo in OptionalList(Connection, V2xRanges.MapConnections)
        from speedLimits in OptionalList(RegulatorySpeedLimit, V2xRanges.SpeedLimits)
        from points in OptionalList(RoadPoint, V2xRanges.RoadPoints)
        select new M.MapLane
        {
            LaneId = laneId,
            LaneWidth = width,
            LaneAttributes = attributes,
            Maneuvers = maneuvers,
            ConnectsTo = connectsTo,
            SpeedLimits = speedLimits,
            Points = points,
        };

    public static readonly Gen<M.MapLink> MapLink =
        from name in DescriptiveName.Null(0.5)
        from upstream in NodeReferenceId
        from speedLimits in OptionalList(RegulatorySpeedLimit, V2xRanges.SpeedLimits)
        from width in UShort(V2xRanges.LaneWidth)
        from points in OptionalList(RoadPoint, V2xRanges.RoadPoints)
        from movements in OptionalList(Movement, V2xRanges.MapMovements)
        from lanes in List(MapLane, V2xRanges.MapLanes)
        select new M.MapLink
        {
            Name = name,
            UpstreamNodeId = upstream,
            SpeedLimits = speedLimits,
            LinkWidth = width,
            Points = points,
            Movements = movements,
            Lanes = lanes,
        };

    public static readonly Gen<M.MapNode> MapNode =
        from name in DescriptiveName.Null(0.3)
        from id in NodeReferenceId
        from refPos in Position3D
        from links in List(MapLink, V2xRanges.MapLinks)
        select new M.MapNode { Name = name, Id = id, RefPos = refPos, InLinks = links };

    public static readonly Gen<M.MapData> MapData =
        from msgCnt in Byte(V2xRanges.MsgCount)
        from timeStamp in Moy.Nullable(0.3)
        from nodes in List(MapNode, V2xRanges.MapNodes)
        select new M.MapData { MsgCnt = msgCnt, TimeStamp = timeStamp, Nodes = nodes };

    // ---- RSI ----------------------------------------------------------------------------------------------

    public static readonly Gen<M.RsiTimeDetails> RsiTimeDetails =
        Gen.Select(Moy.Nullable(0.3), Moy.Nullable(0.3), (start, end) => new M.RsiTimeDetails(start, end));

    /// <summary>RSIPriority: one octet whose five low bits are reserved as zero.</summary>
    public static readonly Gen<byte> RsiPriority = Gen.Byte[0, 7].Select(p => (byte)(p << 5));

    public static readonly Gen<M.ReferencePath> ReferencePath =
        Gen.Select(List(RoadPoint, V2xRanges.PathPoints), UShort(V2xRanges.Radius), (path, radius) => new M.ReferencePath { ActivePath = path, PathRadius = radius });

    public static readonly Gen<M.RteData> RteData =
        from rteId in Gen.Byte
        from eventType in UShort(V2xRanges.EventType)
        from source in Gen.Enum<M.EventSource>()
        from pos in RoadPoint.Nullable(0.3)
        from radius in UShort(V2xRanges.Radius).Nullable(0.3)
        from description in DescriptionText.Null(0.5)
        from time in RsiTimeDetails.Nullable(0.4)
        from priority in RsiPriority.Nullable(0.4)
        from paths in OptionalList(ReferencePath, V2xRanges.ReferencePaths)
        from confidence in Confidence.Nullable(0.4)
        select new M.RteData
        {
            RteId = rteId,
            EventType = eventType,
            EventSource = source,
            EventPos = pos,
            EventRadius = radius,
            Description = description,
            TimeDetails = time,
            Priority = priority,
            ReferencePaths = paths,
            EventConfidence = confidence,
        };

    public static readonly Gen<M.RtsData> RtsData =
        from rtsId in Gen.Byte
        from signType in UShort(V2xRanges.SignType)
        from pos in RoadPoint.Nullable(0.3)
        from description in DescriptionText.Null(0.5)
        from time in RsiTimeDetails.Nullable(0.4)
        from priority in RsiPriority.Nullable(0.4)
        from paths in OptionalList(ReferencePath, V2xRanges.ReferencePaths)
        select new M.RtsData
        {
            RtsId = rtsId,
            SignType = signType,
            SignPos = pos,
            Description = description,
            TimeDetails = time,
            Priority = priority,
            ReferencePaths = paths,
        };

    public static readonly Gen<M.Rsi> Rsi =
        from msgCnt in Byte(V2xRanges.MsgCount)
        from moy in Moy.Nullable(0.3)
        from id in OctetId8
        from refPos in Position3D
        from rtes in List(RteData, V2xRanges.RsiRtes)
        from rtss in List(RtsData, V2xRanges.RsiRtss)
        select new M.Rsi { MsgCnt = msgCnt, Moy = moy, Id = id, RefPos = refPos, Rtes = rtes, Rtss = rtss };

    // ---- envelope and message -----------------------------------------------------------------------------

    /// <summary>A device id: 1..16 characters of <c>[A-Za-z0-9_.-]</c>.</summary>
    public static readonly Gen<M.DeviceId> DeviceId =
        Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-."].Array[1, M.DeviceId.MaxLength]
            .Select(chars => M.DeviceId.Parse(new string(chars)));

    public static readonly Gen<M.TraceId> TraceId = Gen.Select(Gen.ULong, Gen.ULong, (hi, lo) => new M.TraceId(hi, lo));

    private static readonly long From2020 = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private static readonly long To2040 = new DateTimeOffset(2040, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>
    /// An envelope generated between 2020 and 2040, ingested from 2 s before (device clock ahead) to 60 s after.
    /// The type is set by <see cref="M.V2xMessage"/>'s constructor, so it is left at its default here.
    /// </summary>
    public static readonly Gen<M.Envelope> Envelope =
        from kind in Gen.Enum<M.SourceKind>()
        from source in DeviceId
        from generated in Gen.Long[From2020, To2040]
        from delay in Gen.Int[-2000, 60000]
        from sequence in Gen.Frequency((1, Gen.Const(0L)), (4, Gen.Long[0, long.MaxValue]))
        from trace in TraceId
        select new M.Envelope
        {
            SourceKind = kind,
            SourceId = source,
            GeneratedUtcMs = generated,
            IngestUtcMs = generated + delay,
            Sequence = sequence,
            TraceId = trace,
        };

    /// <summary>A message of any of the five types in a valid envelope.</summary>
    public static readonly Gen<M.V2xMessage> Message =
        Gen.Frequency(
            (3, Gen.Select(Envelope, Bsm, (e, b) => new M.V2xMessage(e, b))),
            (3, Gen.Select(Envelope, Rsm, (e, b) => new M.V2xMessage(e, b))),
            (2, Gen.Select(Envelope, Spat, (e, b) => new M.V2xMessage(e, b))),
            (1, Gen.Select(Envelope, MapData, (e, b) => new M.V2xMessage(e, b))),
            (2, Gen.Select(Envelope, Rsi, (e, b) => new M.V2xMessage(e, b))));

    // ---- helpers ------------------------------------------------------------------------------------------

    private static Gen<M.ParticipantData> Participant(Gen<M.Position3D> position) =>
        from ptcType in Gen.Enum<M.ParticipantType>()
        from ptcId in UShort(V2xRanges.PtcId)
        from source in Gen.Enum<M.SourceType>()
        from id in OctetId8.Nullable(0.6)
        from secMark in SecMark
        from pos in position
        from confidence in PositionConfidenceSet
        from transmission in Gen.Enum<M.TransmissionState>().Nullable(0.4)
        from speed in UShort(V2xRanges.Speed)
        from heading in UShort(V2xRanges.Heading)
        from angle in SByte(V2xRanges.SteeringWheelAngle).Nullable(0.5)
        from accelSet in AccelerationSet4Way.Nullable(0.4)
        from size in VehicleSize
        from vehicleClass in VehicleClassification.Nullable(0.4)
        select new M.ParticipantData
        {
            PtcType = ptcType,
            PtcId = ptcId,
            Source = source,
            Id = id,
            SecMark = secMark,
            Pos = pos,
            PosConfidence = confidence,
            Transmission = transmission,
            Speed = speed,
            Heading = heading,
            Angle = angle,
            AccelSet = accelSet,
            Size = size,
            VehicleClass = vehicleClass,
        };

    /// <summary>Any combination of the defined bits of a 16-bit or 8-bit flags enum.</summary>
    private static Gen<T> Flags<T>(ushort defined)
        where T : struct, Enum =>
        Gen.UShort[0, defined].Select(v => (T)Enum.ToObject(typeof(T), v));
}
