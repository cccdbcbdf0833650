using System.Globalization;
using System.Runtime.CompilerServices;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Time;

namespace QiZhiChunCheng.Core.Validation;

/// <summary>
/// Checks decoded messages against the ranges of V2X-REFERENCE section 1 and the structure sizes of section 2
/// (<see cref="V2xRanges"/>): numbers in range, ENUMERATED values defined, BIT STRINGs with defined bits only,
/// SEQUENCE OF sizes, string lengths and time markers. A failure names the field path in the standard's ASN.1
/// names and the rule: <c>participants[3].speed: 9000 is outside 0..8191</c>. Thread-safe; allocates only on
/// failure (the reason string), so it can run on every message at ingest.
/// </summary>
/// <remarks>
/// <para>
/// The first failure in the standard's field order is reported, so the same message always gets the same reason.
/// Invalid time markers (secMark or timeStamp 60000.., moy 527040, TimeMark 36001) are
/// <see cref="RejectionKind.InvalidTime"/>; everything else is <see cref="RejectionKind.OutOfRange"/>, except a
/// null entry in a list, which no decoder produces and is reported as <see cref="RejectionKind.WrongType"/>.
/// </para>
/// <para>
/// Path conventions: a CHOICE alternative is left out of the path because the model does not keep it:
/// <c>phaseStates[0].timing.startTime</c> for both <c>counting</c> and <c>utcTiming</c>, and
/// <c>offsetLL.lon</c> for every <c>position-LL1..LL6</c> (offsets are checked against the widest,
/// position-LL6). Optional lists are empty when absent and obey their size range when present. MAP
/// <c>inLinks</c> and RSI <c>rtes</c> and <c>rtss</c> are OPTIONAL as in T/CSAE 53 (an upstream node has no
/// links of its own; an RSI may carry only signs). Latitude 900000001 and longitude 1800000001 (unavailable) are in range; what to do with an unavailable
/// position is the caller's decision.
/// </para>
/// </remarks>
public static class MessageValidator
{
    /// <summary>Validates the body of <paramref name="message"/>; paths are relative to the body.</summary>
    public static bool TryValidate(in V2xMessage message, out Rejection rejection)
    {
        switch (message.Type)
        {
            case MessageType.Bsm:
                return TryValidate(in message.Bsm, out rejection);
            case MessageType.Rsm:
                return TryValidate(message.Rsm, out rejection);
            case MessageType.Spat:
                return TryValidate(message.Spat, out rejection);
            case MessageType.Map:
                return TryValidate(message.Map, out rejection);
            case MessageType.Rsi:
                return TryValidate(message.Rsi, out rejection);
            default:
                rejection = UnknownType(message.Type);
                return false;
        }
    }

    /// <summary>Validates a BSM in the field order of T/CSAE 53 (timeConfidence and motionCfd are not modelled).</summary>
    public static bool TryValidate(in Bsm bsm, out Rejection rejection) =>
        Range(bsm.MsgCnt, V2xRanges.MsgCount, "msgCnt", out rejection)
        && SecMark(bsm.SecMark, "secMark", out rejection)
        && Position(bsm.Pos, "pos", out rejection)
        && PosAccuracy(bsm.PosAccuracy, out rejection)
        && Defined(bsm.PosConfidence?.Pos, "posConfidence.pos", out rejection)
        && Defined(bsm.Transmission, "transmission", out rejection)
        && Range(bsm.Speed, V2xRanges.Speed, "speed", out rejection)
        && Range(bsm.Heading, V2xRanges.Heading, "heading", out rejection)
        && Range(bsm.Angle, V2xRanges.SteeringWheelAngle, "angle", out rejection)
        && Acceleration(bsm.AccelSet, out rejection)
        && Brakes(bsm.Brakes, out rejection)
        && Size(bsm.Size, out rejection)
        && Range(bsm.VehicleClass.Classification, V2xRanges.VehicleClass, "vehicleClass.classification", out rejection)
        && SafetyExtensions(bsm.SafetyExt, out rejection)
        && EmergencyExtensions(bsm.EmergencyExt, out rejection);

    /// <summary>Validates an RSM: the RSU header and 1..16 participants.</summary>
    public static bool TryValidate(Rsm rsm, out Rejection rejection)
    {
        ArgumentNullException.ThrowIfNull(rsm);
        return Range(rsm.MsgCnt, V2xRanges.MsgCount, "msgCnt", out rejection)
            && Position(rsm.RefPos, "refPos", out rejection)
            && List<ParticipantData, ParticipantRule>(rsm.Participants.AsSpan(), V2xRanges.RsmParticipants, required: true, "participants", out rejection);
    }

    /// <summary>Validates a SPAT: header, 1..32 intersections, their 1..16 phases and 1..16 phase states each.</summary>
    public static bool TryValidate(Spat spat, out Rejection rejection)
    {
        ArgumentNullException.ThrowIfNull(spat);
        return Range(spat.MsgCnt, V2xRanges.MsgCount, "msgCnt", out rejection)
            && Moy(spat.Moy, "moy", out rejection)
            && SecMark(spat.TimeStamp, "timeStamp", out rejection)
            && Text(spat.Name, V2xRanges.DescriptiveName, "name", out rejection)
            && Records<IntersectionState, IntersectionRule>(spat.Intersections.AsSpan(), V2xRanges.SpatIntersections, required: true, "intersections", out rejection);
    }

    /// <summary>Validates a MAP: 1..63 nodes, their links (optional, 1..32), and 1..32 lanes per link.</summary>
    public static bool TryValidate(MapData map, out Rejection rejection)
    {
        ArgumentNullException.ThrowIfNull(map);
        return Range(map.MsgCnt, V2xRanges.MsgCount, "msgCnt", out rejection)
            && Moy(map.TimeStamp, "timeStamp", out rejection)
            && Records<MapNode, NodeRule>(map.Nodes.AsSpan(), V2xRanges.MapNodes, required: true, "nodes", out rejection);
    }

    /// <summary>Validates an RSI: header, events (optional, 1..8) and signs (optional, 1..16).</summary>
    public static bool TryValidate(Rsi rsi, out Rejection rejection)
    {
        ArgumentNullException.ThrowIfNull(rsi);
        return Range(rsi.MsgCnt, V2xRanges.MsgCount, "msgCnt", out rejection)
            && Moy(rsi.Moy, "moy", out rejection)
            && Position(rsi.RefPos, "refPos", out rejection)
            && Records<RteData, RteRule>(rsi.Rtes.AsSpan(), V2xRanges.RsiRtes, required: false, "rtes", out rejection)
            && Records<RtsData, RtsRule>(rsi.Rtss.AsSpan(), V2xRanges.RsiRtss, required: false, "rtss", out rejection);
    }

    // ---- Shared structures. Each reports paths relative to itself; Nest prefixes the caller's name on failure.

    private static bool Position(in Position3D pos, string path, out Rejection rejection) =>
        (Range(pos.Lat, V2xRanges.Latitude, "lat", out rejection)
            && Range(pos.Long, V2xRanges.Longitude, "long", out rejection)
            && Range(pos.Elevation, V2xRanges.Elevation, "elevation", out rejection))
        || Nest(ref rejection, path);

    private static bool PosAccuracy(PositionalAccuracy? accuracy, out Rejection rejection)
    {
        if (accuracy is not { } a)
        {
            rejection = default;
            return true;
        }

        return (Range(a.SemiMajor, V2xRanges.SemiAxisLength, "semiMajor", out rejection)
                && Range(a.SemiMinor, V2xRanges.SemiAxisLength, "semiMinor", out rejection)
                && Range(a.Orientation, V2xRanges.SemiMajorAxisOrientation, "orientation", out rejection))
            || Nest(ref rejection, "posAccuracy");
    }

    private static bool Acceleration(AccelerationSet4Way? accel, out Rejection rejection)
    {
        if (accel is not { } a)
        {
            rejection = default;
            return true;
        }

        return (Range(a.Long, V2xRanges.Acceleration, "long", out rejection)
                && Range(a.Lat, V2xRanges.Acceleration, "lat", out rejection)
                && Range(a.Vert, V2xRanges.VerticalAcceleration, "vert", out rejection)
                && Range(a.Yaw, V2xRanges.YawRate, "yaw", out rejection))
            || Nest(ref rejection, "accelSet");
    }

    private static bool Size(in VehicleSize size, out Rejection rejection) =>
        (Range(size.Width, V2xRanges.VehicleWidth, "width", out rejection)
            && Range(size.Length, V2xRanges.VehicleLength, "length", out rejection)
            && Range(size.Height, V2xRanges.VehicleHeight, "height", out rejection))
        || Nest(ref rejection, "size");

    private static bool NodeReference(in NodeReferenceId id, string path, out Rejection rejection) =>
        (Range(id.Region, V2xRanges.NodeId, "region", out rejection)
            && Range(id.Id, V2xRanges.NodeId, "id", out rejection))
        || Nest(ref rejection, path);

    // PositionOffsetLL(V): lon before lat, as in Position-LL-24B .. Position-LL-44B. The widest alternative
    // (position-LL6) bounds every offset; a narrower alternative is the encoder's choice.
    private static bool Offset(int lon, int lat, string path, out Rejection rejection) =>
        (Range(lon, V2xRanges.OffsetLL[^1], "lon", out rejection)
            && Range(lat, V2xRanges.OffsetLL[^1], "lat", out rejection))
        || Nest(ref rejection, path);

    // ---- BSM parts.

    private static bool Brakes(in BrakeSystemStatus brakes, out Rejection rejection) =>
        (Defined(brakes.BrakePadel, "brakePadel", out rejection)
            && Bits(brakes.WheelBrakes, "wheelBrakes", out rejection)
            && Defined(brakes.Traction, "traction", out rejection)
            && Defined(brakes.Abs, "abs", out rejection)
            && Defined(brakes.Scs, "scs", out rejection)
            && Defined(brakes.BrakeBoost, "brakeBoost", out rejection)
            && Defined(brakes.AuxBrakes, "auxBrakes", out rejection))
        || Nest(ref rejection, "brakes");

    // The extensions hold the path history inline (about 0.5 KB): taken by reference, the property reads cost two
    // copies (SafetyExt, PathHistory) instead of one per pattern match.
    private static bool SafetyExtensions(in VehicleSafetyExtensions? extensions, out Rejection rejection)
    {
        if (!extensions.HasValue)
        {
            rejection = default;
            return true;
        }

        ref readonly VehicleSafetyExtensions ext = ref Nullable.GetValueRefOrDefaultRef(in extensions);
        if (!Bits(ext.Events, "events", out rejection))
        {
            return Nest(ref rejection, "safetyExt");
        }

        PathHistory? history = ext.PathHistory;
        if (history.HasValue
            && !List<PathHistoryPoint, CrumbRule>(
                Nullable.GetValueRefOrDefaultRef(in history).CrumbData, V2xRanges.PathHistoryPoints, required: true, "crumbData", out rejection))
        {
            return Nest(ref rejection, "safetyExt.pathHistory");
        }

        if (ext.PathPrediction is { } prediction
            && !(Range(prediction.RadiusOfCurve, V2xRanges.RadiusOfCurvature, "radiusOfCurve", out rejection)
                && Range(prediction.Confidence, V2xRanges.Confidence, "confidence", out rejection)))
        {
            return Nest(ref rejection, "safetyExt.pathPrediction");
        }

        return Bits(ext.Lights, "lights", out rejection) || Nest(ref rejection, "safetyExt");
    }

    private static bool EmergencyExtensions(VehicleEmergencyExtensions? extensions, out Rejection rejection)
    {
        if (extensions is not { } ext)
        {
            rejection = default;
            return true;
        }

        return (Defined(ext.ResponseType, "responseType", out rejection)
                && Defined(ext.SirenUse, "sirenUse", out rejection)
                && Defined(ext.LightsUse, "lightsUse", out rejection))
            || Nest(ref rejection, "emergencyExt");
    }

    // ---- List element rules: structs, so that List and Records are specialised per rule and the calls inline.

    private interface IRule<T>
    {
        static abstract bool Check(in T item, out Rejection rejection);
    }

    // PathHistoryPoint. The model keeps heading in 0.0125 deg units (the standard's CoarseHeading is 1.5 deg).
    private readonly struct CrumbRule : IRule<PathHistoryPoint>
    {
        public static bool Check(in PathHistoryPoint point, out Rejection rejection) =>
            Offset(point.LonOffset, point.LatOffset, "llvOffset.offsetLL", out rejection)
            && Range(point.TimeOffset, V2xRanges.TimeOffset, "timeOffset", out rejection)
            && Range(point.Speed, V2xRanges.Speed, "speed", out rejection)
            && Range(point.Heading, V2xRanges.Heading, "heading", out rejection);
    }

    private readonly struct ParticipantRule : IRule<ParticipantData>
    {
        public static bool Check(in ParticipantData p, out Rejection rejection) =>
            Defined(p.PtcType, "ptcType", out rejection)
            && Range(p.PtcId, V2xRanges.PtcId, "ptcId", out rejection)
            && Defined(p.Source, "source", out rejection)
            && SecMark(p.SecMark, "secMark", out rejection)
            && Position(p.Pos, "pos", out rejection)
            && Defined(p.PosConfidence.Pos, "posConfidence.pos", out rejection)
            && Defined(p.Transmission, "transmission", out rejection)
            && Range(p.Speed, V2xRanges.Speed, "speed", out rejection)
            && Range(p.Heading, V2xRanges.Heading, "heading", out rejection)
            && Range(p.Angle, V2xRanges.SteeringWheelAngle, "angle", out rejection)
            && Acceleration(p.AccelSet, out rejection)
            && Size(p.Size, out rejection)
            && Range(p.VehicleClass?.Classification, V2xRanges.VehicleClass, "vehicleClass.classification", out rejection);
    }

    private readonly struct IntersectionRule : IRule<IntersectionState>
    {
        public static bool Check(in IntersectionState state, out Rejection rejection) =>
            NodeReference(state.IntersectionId, "intersectionId", out rejection)
            && Moy(state.Moy, "moy", out rejection)
            && SecMark(state.TimeStamp, "timeStamp", out rejection)
            && Records<Phase, PhaseRule>(state.Phases.AsSpan(), V2xRanges.SpatPhases, required: true, "phases", out rejection);

        // status: IntersectionStatusObject has 16 defined bits in a ushort, so every value is valid.
    }

    private readonly struct PhaseRule : IRule<Phase>
    {
        public static bool Check(in Phase phase, out Rejection rejection) =>
            Range(phase.Id, V2xRanges.PhaseId, "id", out rejection)
            && List<PhaseState, PhaseStateRule>(phase.PhaseStates.AsSpan(), V2xRanges.SpatPhaseStates, required: true, "phaseStates", out rejection);
    }

    private readonly struct PhaseStateRule : IRule<PhaseState>
    {
        public static bool Check(in PhaseState state, out Rejection rejection)
        {
            if (!Defined(state.Light, "light", out rejection))
            {
                return false;
            }

            if (state.Timing is not { } t)
            {
                return true;
            }

            // The CHOICE alternative first; both (counting, utcTiming) carry TimeMarks and the path names neither.
            if (!Defined(t.Kind, "timing", out rejection))
            {
                return false;
            }

            return (TimeMark(t.StartTime, "startTime", out rejection)
                    && TimeMark(t.MinEndTime, "minEndTime", out rejection)
                    && TimeMark(t.MaxEndTime, "maxEndTime", out rejection)
                    && TimeMark(t.LikelyEndTime, "likelyEndTime", out rejection)
                    && Range(t.TimeConfidence, V2xRanges.Confidence, "timeConfidence", out rejection)
                    && TimeMark(t.NextStartTime, "nextStartTime", out rejection)
                    && TimeMark(t.NextDuration, "nextDuration", out rejection))
                || Nest(ref rejection, "timing");
        }
    }

    private readonly struct NodeRule : IRule<MapNode>
    {
        public static bool Check(in MapNode node, out Rejection rejection) =>
            Text(node.Name, V2xRanges.DescriptiveName, "name", out rejection)
            && NodeReference(node.Id, "id", out rejection)
            && Position(node.RefPos, "refPos", out rejection)
            && Records<MapLink, LinkRule>(node.InLinks.AsSpan(), V2xRanges.MapLinks, required: false, "inLinks", out rejection);
    }

    private readonly struct LinkRule : IRule<MapLink>
    {
        public static bool Check(in MapLink link, out Rejection rejection) =>
            Text(link.Name, V2xRanges.DescriptiveName, "name", out rejection)
            && NodeReference(link.UpstreamNodeId, "upstreamNodeId", out rejection)
            && List<RegulatorySpeedLimit, SpeedLimitRule>(link.SpeedLimits.AsSpan(), V2xRanges.SpeedLimits, required: false, "speedLimits", out rejection)
            && Range(link.LinkWidth, V2xRanges.LaneWidth, "linkWidth", out rejection)
            && List<RoadPoint, RoadPointRule>(link.Points.AsSpan(), V2xRanges.RoadPoints, required: false, "points", out rejection)
            && List<Movement, MovementRule>(link.Movements.AsSpan(), V2xRanges.MapMovements, required: false, "movements", out rejection)
            && Records<MapLane, LaneRule>(link.Lanes.AsSpan(), V2xRanges.MapLanes, required: true, "lanes", out rejection);
    }

    private readonly struct LaneRule : IRule<MapLane>
    {
        public static bool Check(in MapLane lane, out Rejection rejection) =>
            Range(lane.LaneId, V2xRanges.LaneId, "laneID", out rejection)
            && Range(lane.LaneWidth, V2xRanges.LaneWidth, "laneWidth", out rejection)
            && LaneAttributes(lane.LaneAttributes, out rejection)
            && Bits(lane.Maneuvers, "maneuvers", out rejection)
            && List<Connection, ConnectionRule>(lane.ConnectsTo.AsSpan(), V2xRanges.MapConnections, required: false, "connectsTo", out rejection)
            && List<RegulatorySpeedLimit, SpeedLimitRule>(lane.SpeedLimits.AsSpan(), V2xRanges.SpeedLimits, required: false, "speedLimits", out rejection)
            && List<RoadPoint, RoadPointRule>(lane.Points.AsSpan(), V2xRanges.RoadPoints, required: false, "points", out rejection);

        // LaneAttributes: shareWith, then the laneType CHOICE, whose alternative decides how many bits it has.
        private static bool LaneAttributes(LaneAttributes? attributes, out Rejection rejection)
        {
            if (attributes is not { } a)
            {
                rejection = default;
                return true;
            }

            IntRange typeBits = a.LaneType == LaneType.Vehicle ? V2xRanges.VehicleLaneAttributes : V2xRanges.LaneTypeAttributes;
            return (Bits(a.ShareWith, V2xRanges.LaneSharing, "shareWith", out rejection)
                    && Defined(a.LaneType, "laneType", out rejection)
                    && Bits(a.TypeAttributes, typeBits, "laneType", out rejection))
                || Nest(ref rejection, "laneAttributes");
        }
    }

    private readonly struct ConnectionRule : IRule<Connection>
    {
        public static bool Check(in Connection c, out Rejection rejection)
        {
            if (!NodeReference(c.RemoteIntersection, "remoteIntersection", out rejection))
            {
                return false;
            }

            if (c.ConnectingLane is { } lane
                && !((Range(lane.Lane, V2xRanges.LaneId, "lane", out rejection)
                        && Bits(lane.Maneuver, "maneuver", out rejection))
                    || Nest(ref rejection, "connectingLane")))
            {
                return false;
            }

            return Range(c.PhaseId, V2xRanges.PhaseId, "phaseId", out rejection);
        }
    }

    private readonly struct MovementRule : IRule<Movement>
    {
        public static bool Check(in Movement m, out Rejection rejection) =>
            NodeReference(m.RemoteIntersection, "remoteIntersection", out rejection)
            && Range(m.PhaseId, V2xRanges.PhaseId, "phaseId", out rejection);
    }

    private readonly struct SpeedLimitRule : IRule<RegulatorySpeedLimit>
    {
        public static bool Check(in RegulatorySpeedLimit limit, out Rejection rejection) =>
            Defined(limit.Type, "type", out rejection)
            && Range(limit.Speed, V2xRanges.Speed, "speed", out rejection);
    }

    // A MAP RoadPoint wraps its offset in posOffset; RSI paths are PositionOffsetLLV lists without it.
    private readonly struct RoadPointRule : IRule<RoadPoint>
    {
        public static bool Check(in RoadPoint point, out Rejection rejection) =>
            Offset(point.LonOffset, point.LatOffset, "posOffset.offsetLL", out rejection);
    }

    private readonly struct PathPointRule : IRule<RoadPoint>
    {
        public static bool Check(in RoadPoint point, out Rejection rejection) =>
            Offset(point.LonOffset, point.LatOffset, "offsetLL", out rejection);
    }

    private readonly struct ReferencePathRule : IRule<ReferencePath>
    {
        public static bool Check(in ReferencePath path, out Rejection rejection) =>
            List<RoadPoint, PathPointRule>(path.ActivePath.AsSpan(), V2xRanges.PathPoints, required: true, "activePath", out rejection)
            && Range(path.PathRadius, V2xRanges.Radius, "pathRadius", out rejection);
    }

    private readonly struct RteRule : IRule<RteData>
    {
        public static bool Check(in RteData rte, out Rejection rejection) =>
            Range(rte.EventType, V2xRanges.EventType, "eventType", out rejection)
            && Defined(rte.EventSource, "eventSource", out rejection)
            && EventPosition(rte.EventPos, "eventPos", out rejection)
            && Range(rte.EventRadius, V2xRanges.Radius, "eventRadius", out rejection)
            && Text(rte.Description, V2xRanges.DescriptionText, "description", out rejection)
            && TimeDetails(rte.TimeDetails, out rejection)
            && Records<ReferencePath, ReferencePathRule>(rte.ReferencePaths.AsSpan(), V2xRanges.ReferencePaths, required: false, "referencePaths", out rejection)
            && Range(rte.EventConfidence, V2xRanges.Confidence, "eventConfidence", out rejection);

        // rteId and priority are single octets: every value is valid.
    }

    private readonly struct RtsRule : IRule<RtsData>
    {
        public static bool Check(in RtsData rts, out Rejection rejection) =>
            Range(rts.SignType, V2xRanges.SignType, "signType", out rejection)
            && EventPosition(rts.SignPos, "signPos", out rejection)
            && Text(rts.Description, V2xRanges.DescriptionText, "description", out rejection)
            && TimeDetails(rts.TimeDetails, out rejection)
            && Records<ReferencePath, ReferencePathRule>(rts.ReferencePaths.AsSpan(), V2xRanges.ReferencePaths, required: false, "referencePaths", out rejection);
    }

    private static bool EventPosition(RoadPoint? position, string path, out Rejection rejection)
    {
        if (position is not { } p)
        {
            rejection = default;
            return true;
        }

        return Offset(p.LonOffset, p.LatOffset, "offsetLL", out rejection) || Nest(ref rejection, path);
    }

    private static bool TimeDetails(RsiTimeDetails? details, out Rejection rejection)
    {
        if (details is not { } d)
        {
            rejection = default;
            return true;
        }

        return (Moy(d.StartTime, "startTime", out rejection) && Moy(d.EndTime, "endTime", out rejection))
            || Nest(ref rejection, "timeDetails");
    }

    // ---- Leaf checks. Inlined on the success path; the reasons are built out of line, only on failure.

    // Two list walkers rather than one with "item is null": unoptimised (tier-0) code boxes a struct for that test.
    private static bool List<T, TRule>(ReadOnlySpan<T> items, IntRange size, bool required, string field, out Rejection rejection)
        where T : struct
        where TRule : struct, IRule<T>
    {
        if (!ListSize(items.Length, size, required, field, out rejection))
        {
            return false;
        }

        for (int i = 0; i < items.Length; i++)
        {
            if (!TRule.Check(in items[i], out rejection))
            {
                return Nest(ref rejection, field, i);
            }
        }

        return true;
    }

    private static bool Records<T, TRule>(ReadOnlySpan<T> items, IntRange size, bool required, string field, out Rejection rejection)
        where T : class
        where TRule : struct, IRule<T>
    {
        if (!ListSize(items.Length, size, required, field, out rejection))
        {
            return false;
        }

        for (int i = 0; i < items.Length; i++)
        {
            T item = items[i];
            if (item is null)
            {
                rejection = Fail(RejectionKind.WrongType, field, i);
                return false;
            }

            if (!TRule.Check(in item, out rejection))
            {
                return Nest(ref rejection, field, i);
            }
        }

        return true;
    }

    // An optional list is empty when absent; a present list, or a required one, obeys its size range.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool ListSize(int count, IntRange size, bool required, string field, out Rejection rejection)
    {
        if ((count == 0 && !required) || size.Contains(count))
        {
            rejection = default;
            return true;
        }

        rejection = Fail(RejectionKind.OutOfRange, field, count, " entries is outside ", size.ToString());
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Range(long value, IntRange range, string field, out Rejection rejection)
    {
        if (range.Contains(value))
        {
            rejection = default;
            return true;
        }

        rejection = Fail(RejectionKind.OutOfRange, field, value, " is outside ", range.ToString());
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Range(long? value, IntRange range, string field, out Rejection rejection)
    {
        if (value is not { } v)
        {
            rejection = default;
            return true;
        }

        return Range(v, range, field, out rejection);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Defined<T>(T value, string field, out Rejection rejection)
        where T : struct, Enum
    {
        ulong raw = EnumInfo<T>.Raw(value);
        if (raw <= EnumInfo<T>.Max)
        {
            rejection = default;
            return true;
        }

        rejection = Fail(RejectionKind.OutOfRange, field, (long)raw, " is not a defined value ", EnumInfo<T>.Description);
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Defined<T>(T? value, string field, out Rejection rejection)
        where T : struct, Enum
    {
        if (value is not { } v)
        {
            rejection = default;
            return true;
        }

        return Defined(v, field, out rejection);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Bits<T>(T? value, string field, out Rejection rejection)
        where T : struct, Enum
    {
        if (value is not { } v)
        {
            rejection = default;
            return true;
        }

        ulong raw = EnumInfo<T>.Raw(v);
        if ((raw & ~EnumInfo<T>.Mask) == 0)
        {
            rejection = default;
            return true;
        }

        rejection = FailBits(field, raw, EnumInfo<T>.Mask);
        return false;
    }

    // A BIT STRING held as an integer whose bits are all defined: the range maximum is the mask.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Bits(long? value, IntRange mask, string field, out Rejection rejection)
    {
        if (value is not { } v || (v & ~mask.Max) == 0)
        {
            rejection = default;
            return true;
        }

        rejection = FailBits(field, (ulong)v, (ulong)mask.Max);
        return false;
    }

    // DSecond: every ushort is on the wire range, 60000.. are invalid times.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool SecMark(ushort? value, string field, out Rejection rejection)
    {
        if (value is not { } v || V2xTime.IsValidSecMark(v))
        {
            rejection = default;
            return true;
        }

        rejection = V2xTime.InvalidSecMark(field, v);
        return false;
    }

    // MinuteOfTheYear: 527040 is the invalid time; above it the value is off the wire range.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Moy(uint? value, string field, out Rejection rejection)
    {
        if (value is not { } v || V2xTime.IsValidMoy(v))
        {
            rejection = default;
            return true;
        }

        rejection = v == V2xTime.MoyInvalid
            ? V2xTime.InvalidMoy(field, v)
            : Fail(RejectionKind.OutOfRange, field, v, " is outside ", V2xRanges.MinuteOfTheYear.ToString());
        return false;
    }

    // TimeMark: 36001 is the invalid time; above it the value is off the wire range.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TimeMark(ushort? value, string field, out Rejection rejection)
    {
        if (value is not { } v || V2xTime.IsValidTimeMark(v))
        {
            rejection = default;
            return true;
        }

        rejection = v == V2xTime.TimeMarkInvalid
            ? V2xTime.InvalidTimeMark(field, v)
            : Fail(RejectionKind.OutOfRange, field, v, " is outside ", V2xRanges.TimeMark.ToString());
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Text(string? value, IntRange length, string field, out Rejection rejection)
    {
        if (value is null || length.Contains(value.Length))
        {
            rejection = default;
            return true;
        }

        rejection = Fail(RejectionKind.OutOfRange, field, value.Length, " characters is outside ", length.ToString());
        return false;
    }

    // Prefixes the enclosing member to a child's reason and returns false, so it can end an || chain.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool Nest(ref Rejection rejection, string path)
    {
        rejection = rejection with { Reason = string.Concat(path, ".", rejection.Reason) };
        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool Nest(ref Rejection rejection, string list, int index)
    {
        rejection = rejection with { Reason = string.Create(CultureInfo.InvariantCulture, $"{list}[{index}].{rejection.Reason}") };
        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Rejection Fail(RejectionKind kind, string field, long value, string rule, string limits) =>
        new(kind, string.Create(CultureInfo.InvariantCulture, $"{field}: {value}{rule}{limits}"));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Rejection Fail(RejectionKind kind, string list, int index) =>
        new(kind, string.Create(CultureInfo.InvariantCulture, $"{list}[{index}]: is null"));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Rejection FailBits(string field, ulong value, ulong mask) =>
        new(RejectionKind.OutOfRange, string.Create(CultureInfo.InvariantCulture, $"{field}: 0x{value:X} sets bits outside 0x{mask:X}"));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Rejection UnknownType(MessageType type) =>
        new(RejectionKind.UnknownMessageType, string.Create(CultureInfo.InvariantCulture, $"type: {(byte)type} is not a Day-1 message type"));

    /// <summary>
    /// The defined values of an enum of the model, read once per type (reflection at type initialisation only).
    /// ENUMERATED types must be 0..Max without gaps, so "defined" is one unsigned compare; [Flags] types give
    /// their mask. A model change that breaks the assumption fails loudly at first use.
    /// </summary>
    private static class EnumInfo<T>
        where T : struct, Enum
    {
        // Inline initialisers keep the type beforefieldinit, so the JIT reads these as constants once initialised.
        public static readonly ulong Max = Inspect().Max;
        public static readonly ulong Mask = Inspect().Mask;
        public static readonly string Description = string.Create(CultureInfo.InvariantCulture, $"(0..{Max})");

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong Raw(T value) =>
            Unsafe.SizeOf<T>() == 1 ? Unsafe.As<T, byte>(ref value) : Unsafe.As<T, ushort>(ref value);

        private static (ulong Max, ulong Mask) Inspect()
        {
            Type underlying = Enum.GetUnderlyingType(typeof(T));
            if (underlying != typeof(byte) && underlying != typeof(ushort))
            {
                throw new InvalidOperationException($"{typeof(T).Name} must be byte or ushort based for the validator");
            }

            T[] values = Enum.GetValues<T>();
            ulong max = 0;
            ulong mask = 0;
            foreach (T value in values)
            {
                ulong raw = Raw(value);
                max = Math.Max(max, raw);
                mask |= raw;
            }

            bool isFlags = typeof(T).IsDefined(typeof(FlagsAttribute), inherit: false);
            if (!isFlags && (ulong)values.Length != max + 1)
            {
                throw new InvalidOperationException($"{typeof(T).Name} is not a gapless 0..{max} enumeration; the validator needs another check");
            }

            return (max, mask);
        }
    }
}
