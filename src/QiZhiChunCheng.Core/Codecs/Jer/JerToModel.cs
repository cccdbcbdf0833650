using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;

namespace QiZhiChunCheng.Core.Codecs.Jer;

/// <summary>
/// Maps the generated DTOs of SPAT, MAP and RSI to the model: required members, CHOICEs with exactly one
/// alternative, INTEGERs that must fit their model field, offsets placed against their reference position.
/// Errors carry their path relative to the message. Allocates the model; thread-safe.
/// </summary>
internal static class JerToModel
{
    private static readonly IntRange OneOctet = new(0, 255);

    public static JerError? Spat(SpatDto dto, out Spat? spat)
    {
        spat = null;
        JerError? e;
        if ((e = U8(dto.MsgCnt, "msgCnt", V2xRanges.MsgCount, out byte msgCnt)) is not null
            || (e = OptU32(dto.Moy, "moy", V2xRanges.MinuteOfTheYear, out uint? moy)) is not null
            || (e = OptU16(dto.TimeStamp, "timeStamp", V2xRanges.DSecond, out ushort? timeStamp)) is not null
            || (e = RequiredArray(dto.Intersections, "intersections", IntersectionState, out IntersectionState[] intersections)) is not null)
        {
            return e;
        }

        spat = new Spat { MsgCnt = msgCnt, Moy = moy, TimeStamp = timeStamp, Name = dto.Name, Intersections = intersections };
        return null;
    }

    private static JerError? IntersectionState(IntersectionStateDto dto, out IntersectionState state)
    {
        state = null!;
        JerError? e;
        if ((e = NodeReference(dto.IntersectionId, "intersectionId", out NodeReferenceId id)) is not null
            || (e = Required(dto.Status, "status", out ushort status)) is not null
            || (e = OptU32(dto.Moy, "moy", V2xRanges.MinuteOfTheYear, out uint? moy)) is not null
            || (e = OptU16(dto.TimeStamp, "timeStamp", V2xRanges.DSecond, out ushort? timeStamp)) is not null
            || (e = RequiredArray(dto.Phases, "phases", Phase, out Phase[] phases)) is not null)
        {
            return e;
        }

        state = new IntersectionState { IntersectionId = id, Status = status, Moy = moy, TimeStamp = timeStamp, Phases = phases };
        return null;
    }

    private static JerError? Phase(PhaseDto dto, out Phase phase)
    {
        phase = null!;
        JerError? e;
        if ((e = U8(dto.Id, "id", V2xRanges.PhaseId, out byte id)) is not null
            || (e = RequiredArray(dto.PhaseStates, "phaseStates", PhaseState, out PhaseState[] states)) is not null)
        {
            return e;
        }

        phase = new Phase { Id = id, PhaseStates = states };
        return null;
    }

    private static JerError? PhaseState(PhaseStateDto dto, out PhaseState state)
    {
        state = default;
        JerError? e;
        if ((e = Required(dto.Light, "light", out JerLightState light)) is not null)
        {
            return e;
        }

        TimeChangeDetails? timing = null;
        if (dto.Timing is { } choice)
        {
            if ((choice.Counting is null) == (choice.UtcTiming is null))
            {
                return JerError.Choice("timing");
            }

            bool counting = choice.Counting is not null;
            e = counting ? Counting(choice.Counting!, out TimeChangeDetails details) : UtcTiming(choice.UtcTiming!, out details);
            if (e is not null)
            {
                return e.In(counting ? "counting" : "utcTiming").In("timing");
            }

            timing = details;
        }

        state = new PhaseState((LightState)light, timing);
        return null;
    }

    private static JerError? Counting(TimingDto dto, out TimeChangeDetails timing)
    {
        timing = default;
        JerError? e;
        if ((e = U16(dto.StartTime, "startTime", V2xRanges.TimeMark, out ushort startTime)) is not null
            || (e = OptU16(dto.MinEndTime, "minEndTime", V2xRanges.TimeMark, out ushort? minEndTime)) is not null
            || (e = OptU16(dto.MaxEndTime, "maxEndTime", V2xRanges.TimeMark, out ushort? maxEndTime)) is not null
            || (e = U16(dto.LikelyEndTime, "likelyEndTime", V2xRanges.TimeMark, out ushort likelyEndTime)) is not null
            || (e = OptU8(dto.TimeConfidence, "timeConfidence", V2xRanges.Confidence, out byte? timeConfidence)) is not null
            || (e = OptU16(dto.NextStartTime, "nextStartTime", V2xRanges.TimeMark, out ushort? nextStartTime)) is not null
            || (e = OptU16(dto.NextDuration, "nextDuration", V2xRanges.TimeMark, out ushort? nextDuration)) is not null)
        {
            return e;
        }

        timing = new TimeChangeDetails
        {
            Kind = TimingKind.Counting,
            StartTime = startTime,
            MinEndTime = minEndTime,
            MaxEndTime = maxEndTime,
            LikelyEndTime = likelyEndTime,
            TimeConfidence = timeConfidence,
            NextStartTime = nextStartTime,
            NextDuration = nextDuration,
        };
        return null;
    }

    // The standard's UTCTiming names first; a sender's TimeCountingDown names stand in for the ones it left out.
    private static JerError? UtcTiming(UtcTimingDto dto, out TimeChangeDetails timing)
    {
        timing = default;
        (long? start, string startName) = Pick(dto.StartUtcTime, "startUTCTime", dto.StartTime, "startTime");
        (long? minEnd, string minEndName) = Pick(dto.MinEndUtcTime, "minEndUTCTime", dto.MinEndTime, "minEndTime");
        (long? maxEnd, string maxEndName) = Pick(dto.MaxEndUtcTime, "maxEndUTCTime", dto.MaxEndTime, "maxEndTime");
        (long? likelyEnd, string likelyEndName) = Pick(dto.LikelyEndUtcTime, "likelyEndUTCTime", dto.LikelyEndTime, "likelyEndTime");
        (long? nextStart, string nextStartName) = Pick(dto.NextStartUtcTime, "nextStartUTCTime", dto.NextStartTime, "nextStartTime");
        (long? nextEnd, string nextEndName) = Pick(dto.NextEndUtcTime, "nextEndUTCTime", dto.NextDuration, "nextDuration");
        JerError? e;
        if ((e = U16(start, startName, V2xRanges.TimeMark, out ushort startTime)) is not null
            || (e = OptU16(minEnd, minEndName, V2xRanges.TimeMark, out ushort? minEndTime)) is not null
            || (e = OptU16(maxEnd, maxEndName, V2xRanges.TimeMark, out ushort? maxEndTime)) is not null
            || (e = U16(likelyEnd, likelyEndName, V2xRanges.TimeMark, out ushort likelyEndTime)) is not null
            || (e = OptU8(dto.TimeConfidence, "timeConfidence", V2xRanges.Confidence, out byte? timeConfidence)) is not null
            || (e = OptU16(nextStart, nextStartName, V2xRanges.TimeMark, out ushort? nextStartTime)) is not null
            || (e = OptU16(nextEnd, nextEndName, V2xRanges.TimeMark, out ushort? nextEndTime)) is not null)
        {
            return e;
        }

        timing = new TimeChangeDetails
        {
            Kind = TimingKind.UtcTiming,
            StartTime = startTime,
            MinEndTime = minEndTime,
            MaxEndTime = maxEndTime,
            LikelyEndTime = likelyEndTime,
            TimeConfidence = timeConfidence,
            NextStartTime = nextStartTime,
            NextDuration = nextEndTime,
        };
        return null;

        static (long? Value, string Name) Pick(long? standard, string standardName, long? alias, string aliasName) =>
            standard is null && alias is not null ? (alias, aliasName) : (standard, standardName);
    }

    public static JerError? Map(MapDto dto, out MapData? map)
    {
        map = null;
        JerError? e;
        if ((e = U8(dto.MsgCnt, "msgCnt", V2xRanges.MsgCount, out byte msgCnt)) is not null
            || (e = OptU32(dto.TimeStamp, "timeStamp", V2xRanges.MinuteOfTheYear, out uint? timeStamp)) is not null
            || (e = RequiredArray(dto.Nodes, "nodes", Node, out MapNode[] nodes)) is not null)
        {
            return e;
        }

        map = new MapData { MsgCnt = msgCnt, TimeStamp = timeStamp, Nodes = nodes };
        return null;
    }

    private static JerError? Node(MapNodeDto dto, out MapNode node)
    {
        node = null!;
        JerError? e;
        if ((e = NodeReference(dto.Id, "id", out NodeReferenceId id)) is not null
            || (e = Position3D(dto.RefPos, "refPos", out Position3D refPos)) is not null)
        {
            return e;
        }

        // Points of the links and lanes are offsets from this node's refPos.
        if ((e = RequiredArray(dto.InLinks, "inLinks", refPos, Link, out MapLink[] links)) is not null)
        {
            return e;
        }

        node = new MapNode { Name = dto.Name, Id = id, RefPos = refPos, InLinks = links };
        return null;
    }

    private static JerError? Link(MapLinkDto dto, Position3D refPos, out MapLink link)
    {
        link = null!;
        JerError? e;
        if ((e = NodeReference(dto.UpstreamNodeId, "upstreamNodeId", out NodeReferenceId upstream)) is not null
            || (e = OptionalArray(dto.SpeedLimits, "speedLimits", SpeedLimit, out RegulatorySpeedLimit[]? speedLimits)) is not null
            || (e = OptU16(dto.LinkWidth, "linkWidth", V2xRanges.LaneWidth, out ushort? linkWidth)) is not null
            || (e = OptionalArray(dto.Points, "points", refPos, RoadPoint, out RoadPoint[]? points)) is not null
            || (e = OptionalArray(dto.Movements, "movements", Movement, out Movement[]? movements)) is not null
            || (e = RequiredArray(dto.Lanes, "lanes", refPos, Lane, out MapLane[] lanes)) is not null)
        {
            return e;
        }

        link = new MapLink
        {
            Name = dto.Name,
            UpstreamNodeId = upstream,
            SpeedLimits = speedLimits ?? default(ValueArray<RegulatorySpeedLimit>),
            LinkWidth = linkWidth ?? 0,
            Points = points ?? default(ValueArray<RoadPoint>),
            Movements = movements ?? default(ValueArray<Movement>),
            Lanes = lanes,
        };
        return null;
    }

    private static JerError? SpeedLimit(RegulatorySpeedLimitDto dto, out RegulatorySpeedLimit limit)
    {
        limit = default;
        JerError? e;
        if ((e = Required(dto.Type, "type", out SpeedLimitType type)) is not null
            || (e = U16(dto.Speed, "speed", V2xRanges.Speed, out ushort speed)) is not null)
        {
            return e;
        }

        limit = new RegulatorySpeedLimit(type, speed);
        return null;
    }

    private static JerError? RoadPoint(RoadPointDto dto, Position3D refPos, out RoadPoint point)
    {
        point = default;
        if (dto.PosOffset is null)
        {
            return JerError.Missing("posOffset");
        }

        return Offset(dto.PosOffset, refPos, out point)?.In("posOffset");
    }

    private static JerError? Movement(MovementDto dto, out Movement movement)
    {
        movement = default;
        JerError? e;
        if ((e = NodeReference(dto.RemoteIntersection, "remoteIntersection", out NodeReferenceId remote)) is not null
            || (e = OptU8(dto.PhaseId, "phaseId", V2xRanges.PhaseId, out byte? phaseId)) is not null)
        {
            return e;
        }

        movement = new Movement(remote, phaseId);
        return null;
    }

    private static JerError? Lane(MapLaneDto dto, Position3D refPos, out MapLane lane)
    {
        lane = null!;
        JerError? e;
        if ((e = U8(dto.LaneId, "laneID", V2xRanges.LaneId, out byte laneId)) is not null
            || (e = OptU16(dto.LaneWidth, "laneWidth", V2xRanges.LaneWidth, out ushort? laneWidth)) is not null
            || (e = LaneAttributes(dto.LaneAttributes, out LaneAttributes? attributes)) is not null
            || (e = OptionalArray(dto.ConnectsTo, "connectsTo", Connection, out Connection[]? connections)) is not null
            || (e = OptionalArray(dto.SpeedLimits, "speedLimits", SpeedLimit, out RegulatorySpeedLimit[]? speedLimits)) is not null
            || (e = OptionalArray(dto.Points, "points", refPos, RoadPoint, out RoadPoint[]? points)) is not null)
        {
            return e;
        }

        lane = new MapLane
        {
            LaneId = laneId,
            LaneWidth = laneWidth,
            LaneAttributes = attributes,
            Maneuvers = (AllowedManeuvers?)dto.Maneuvers,
            ConnectsTo = connections ?? default(ValueArray<Connection>),
            SpeedLimits = speedLimits ?? default(ValueArray<RegulatorySpeedLimit>),
            Points = points ?? default(ValueArray<RoadPoint>),
        };
        return null;
    }

    private static JerError? LaneAttributes(LaneAttributesDto? dto, out LaneAttributes? attributes)
    {
        attributes = null;
        if (dto is null)
        {
            return null;
        }

        if (dto.LaneType is not { } type)
        {
            return JerError.Missing("laneType").In("laneAttributes");
        }

        int alternatives = 0;
        LaneType kind = default;
        ushort bits = 0;
        Choose(type.Vehicle, LaneType.Vehicle, ref alternatives, ref kind, ref bits);
        Choose(type.Crosswalk, LaneType.Crosswalk, ref alternatives, ref kind, ref bits);
        Choose(type.BikeLane, LaneType.BikeLane, ref alternatives, ref kind, ref bits);
        Choose(type.Sidewalk, LaneType.Sidewalk, ref alternatives, ref kind, ref bits);
        Choose(type.Median, LaneType.Median, ref alternatives, ref kind, ref bits);
        Choose(type.Striping, LaneType.Striping, ref alternatives, ref kind, ref bits);
        Choose(type.TrackedVehicle, LaneType.TrackedVehicle, ref alternatives, ref kind, ref bits);
        Choose(type.Parking, LaneType.Parking, ref alternatives, ref kind, ref bits);
        if (alternatives != 1)
        {
            return JerError.Choice("laneType").In("laneAttributes");
        }

        attributes = new LaneAttributes(kind, bits, dto.ShareWith);
        return null;

        static void Choose(ushort? value, LaneType alternative, ref int alternatives, ref LaneType kind, ref ushort bits)
        {
            if (value is { } v)
            {
                alternatives++;
                kind = alternative;
                bits = v;
            }
        }
    }

    private static JerError? Connection(ConnectionDto dto, out Connection connection)
    {
        connection = default;
        JerError? e;
        if ((e = NodeReference(dto.RemoteIntersection, "remoteIntersection", out NodeReferenceId remote)) is not null
            || (e = OptU8(dto.PhaseId, "phaseId", V2xRanges.PhaseId, out byte? phaseId)) is not null)
        {
            return e;
        }

        ConnectingLane? connectingLane = null;
        if (dto.ConnectingLane is { } lane)
        {
            if ((e = U8(lane.Lane, "lane", V2xRanges.LaneId, out byte laneId)) is not null)
            {
                return e.In("connectingLane");
            }

            connectingLane = new ConnectingLane(laneId, (AllowedManeuvers?)lane.Maneuver);
        }

        connection = new Connection(remote, connectingLane, phaseId);
        return null;
    }

    public static JerError? Rsi(RsiDto dto, out Rsi? rsi)
    {
        rsi = null;
        JerError? e;
        if ((e = U8(dto.MsgCnt, "msgCnt", V2xRanges.MsgCount, out byte msgCnt)) is not null
            || (e = OptU32(dto.Moy, "moy", V2xRanges.MinuteOfTheYear, out uint? moy)) is not null
            || (e = Required(dto.Id, "id", out OctetId8 id)) is not null
            || (e = Position3D(dto.RefPos, "refPos", out Position3D refPos)) is not null
            || (e = OptionalArray(dto.Rtes, "rtes", refPos, Rte, out RteData[]? rtes)) is not null
            || (e = OptionalArray(dto.Rtss, "rtss", refPos, Rts, out RtsData[]? rtss)) is not null)
        {
            return e;
        }

        rsi = new Rsi
        {
            MsgCnt = msgCnt,
            Moy = moy,
            Id = id,
            RefPos = refPos,
            Rtes = rtes ?? default(ValueArray<RteData>),
            Rtss = rtss ?? default(ValueArray<RtsData>),
        };
        return null;
    }

    private static JerError? Rte(RteDataDto dto, Position3D refPos, out RteData rte)
    {
        rte = null!;
        JerError? e;
        if ((e = U8(dto.RteId, "rteId", OneOctet, out byte rteId)) is not null
            || (e = U16(dto.EventType, "eventType", V2xRanges.EventType, out ushort eventType)) is not null
            || (e = Required(dto.EventSource, "eventSource", out EventSource source)) is not null
            || (e = OptionalOffset(dto.EventPos, "eventPos", refPos, out RoadPoint? eventPos)) is not null
            || (e = OptU16(dto.EventRadius, "eventRadius", V2xRanges.Radius, out ushort? eventRadius)) is not null
            || (e = Description(dto.Description, out string? description)) is not null
            || (e = TimeDetails(dto.TimeDetails, out RsiTimeDetails? timeDetails)) is not null
            || (e = OptionalArray(dto.ReferencePaths, "referencePaths", refPos, ReferencePath, out ReferencePath[]? paths)) is not null
            || (e = OptU8(dto.EventConfidence, "eventConfidence", V2xRanges.Confidence, out byte? confidence)) is not null)
        {
            return e;
        }

        rte = new RteData
        {
            RteId = rteId,
            EventType = eventType,
            EventSource = source,
            EventPos = eventPos,
            EventRadius = eventRadius,
            Description = description,
            TimeDetails = timeDetails,
            Priority = dto.Priority,
            ReferencePaths = paths ?? default(ValueArray<ReferencePath>),
            EventConfidence = confidence,
        };
        return null;
    }

    private static JerError? Rts(RtsDataDto dto, Position3D refPos, out RtsData rts)
    {
        rts = null!;
        JerError? e;
        if ((e = U8(dto.RtsId, "rtsId", OneOctet, out byte rtsId)) is not null
            || (e = U16(dto.SignType, "signType", V2xRanges.SignType, out ushort signType)) is not null
            || (e = OptionalOffset(dto.SignPos, "signPos", refPos, out RoadPoint? signPos)) is not null
            || (e = Description(dto.Description, out string? description)) is not null
            || (e = TimeDetails(dto.TimeDetails, out RsiTimeDetails? timeDetails)) is not null
            || (e = OptionalArray(dto.ReferencePaths, "referencePaths", refPos, ReferencePath, out ReferencePath[]? paths)) is not null)
        {
            return e;
        }

        rts = new RtsData
        {
            RtsId = rtsId,
            SignType = signType,
            SignPos = signPos,
            Description = description,
            TimeDetails = timeDetails,
            Priority = dto.Priority,
            ReferencePaths = paths ?? default(ValueArray<ReferencePath>),
        };
        return null;
    }

    // Description is a CHOICE; the model keeps text only, so textGB2312 (hex octets in GB2312) is refused by name
    // rather than dropped without a word.
    private static JerError? Description(DescriptionDto? dto, out string? text)
    {
        text = null;
        if (dto is null)
        {
            return null;
        }

        if ((dto.TextString is null) == (dto.TextGB2312 is null))
        {
            return JerError.Choice("description");
        }

        if (dto.TextString is null)
        {
            return new JerError(RejectionKind.WrongType, "description.textGB2312", "GB2312 text is not supported; send textString");
        }

        text = dto.TextString;
        return null;
    }

    private static JerError? TimeDetails(RsiTimeDetailsDto? dto, out RsiTimeDetails? details)
    {
        details = null;
        if (dto is null)
        {
            return null;
        }

        JerError? e;
        if ((e = OptU32(dto.StartTime, "startTime", V2xRanges.MinuteOfTheYear, out uint? start)) is not null
            || (e = OptU32(dto.EndTime, "endTime", V2xRanges.MinuteOfTheYear, out uint? end)) is not null)
        {
            return e.In("timeDetails");
        }

        details = new RsiTimeDetails(start, end);
        return null;
    }

    private static JerError? ReferencePath(ReferencePathDto dto, Position3D refPos, out ReferencePath path)
    {
        path = null!;
        JerError? e;
        if ((e = RequiredArray(dto.ActivePath, "activePath", refPos, Offset, out RoadPoint[] points)) is not null
            || (e = U16(dto.PathRadius, "pathRadius", V2xRanges.Radius, out ushort radius)) is not null)
        {
            return e;
        }

        path = new ReferencePath { ActivePath = points, PathRadius = radius };
        return null;
    }

    private static JerError? OptionalOffset(PositionOffsetLLVDto? dto, string member, Position3D refPos, out RoadPoint? point)
    {
        point = null;
        if (dto is null)
        {
            return null;
        }

        if (Offset(dto, refPos, out RoadPoint value) is { } e)
        {
            return e.In(member);
        }

        point = value;
        return null;
    }

    /// <summary>A PositionOffsetLLV as an offset from <paramref name="refPos"/> (offsetV is not modelled for points).</summary>
    private static JerError? Offset(PositionOffsetLLVDto dto, Position3D refPos, out RoadPoint point)
    {
        point = default;
        if (dto.OffsetLL is not { } choice)
        {
            return JerError.Missing("offsetLL");
        }

        int alternatives = 0, alternative = -1;
        PositionLLDto? chosen = null;
        Choose(choice.LL1, 0);
        Choose(choice.LL2, 1);
        Choose(choice.LL3, 2);
        Choose(choice.LL4, 3);
        Choose(choice.LL5, 4);
        Choose(choice.LL6, 5);
        Choose(choice.LatLon, JerReader.LatLonAlternative);
        if (alternatives != 1)
        {
            return JerError.Choice("offsetLL");
        }

        bool absolute = alternative == JerReader.LatLonAlternative;
        IntRange latRange = absolute ? V2xRanges.Latitude : V2xRanges.OffsetLL[alternative];
        IntRange lonRange = absolute ? V2xRanges.Longitude : V2xRanges.OffsetLL[alternative];
        long latMin = absolute ? int.MinValue : latRange.Min, latMax = absolute ? int.MaxValue : latRange.Max;
        long lonMin = absolute ? int.MinValue : lonRange.Min, lonMax = absolute ? int.MaxValue : lonRange.Max;
        JerError? e;
        if ((e = Fit(chosen!.Lon, "lon", lonRange, lonMin, lonMax, required: true, out long lon)) is not null
            || (e = Fit(chosen.Lat, "lat", latRange, latMin, latMax, required: true, out long lat)) is not null)
        {
            return e.In(JerReader.OffsetLLNames[alternative]).In("offsetLL");
        }

        var offset = new LlvOffset { Lat = (int)lat, Lon = (int)lon, Absolute = absolute };
        if ((e = JerReader.ToOffset(offset, refPos, out int latOffset, out int lonOffset)) is not null)
        {
            return e.In(JerReader.OffsetLLNames[alternative]).In("offsetLL");
        }

        point = new RoadPoint(latOffset, lonOffset);
        return null;

        void Choose(PositionLLDto? candidate, int index)
        {
            if (candidate is not null)
            {
                alternatives++;
                alternative = index;
                chosen = candidate;
            }
        }
    }

    private static JerError? NodeReference(NodeReferenceIdDto? dto, string member, out NodeReferenceId id)
    {
        id = default;
        if (dto is null)
        {
            return JerError.Missing(member);
        }

        JerError? e;
        if ((e = U16(dto.Id, "id", V2xRanges.NodeId, out ushort value)) is not null
            || (e = OptU16(dto.Region, "region", V2xRanges.NodeId, out ushort? region)) is not null)
        {
            return e.In(member);
        }

        id = new NodeReferenceId(value, region);
        return null;
    }

    private static JerError? Position3D(Position3DDto? dto, string member, out Position3D position)
    {
        position = default;
        if (dto is null)
        {
            return JerError.Missing(member);
        }

        JerError? e;
        if ((e = Fit(dto.Lat, "lat", V2xRanges.Latitude, int.MinValue, int.MaxValue, required: true, out long lat)) is not null
            || (e = Fit(dto.Long, "long", V2xRanges.Longitude, int.MinValue, int.MaxValue, required: true, out long lon)) is not null
            || (e = Fit(dto.Elevation, "elevation", V2xRanges.Elevation, int.MinValue, int.MaxValue, required: false, out long elevation)) is not null)
        {
            return e.In(member);
        }

        position = new Position3D((int)lat, (int)lon, dto.Elevation is null ? null : (int)elevation);
        return null;
    }

    private delegate JerError? Mapper<TDto, TModel>(TDto dto, out TModel model);

    private delegate JerError? PlacedMapper<TDto, TModel>(TDto dto, Position3D refPos, out TModel model);

    private static JerError? RequiredArray<TDto, TModel>(TDto?[]? dtos, string member, Mapper<TDto, TModel> map, out TModel[] models)
        where TDto : class
    {
        models = [];
        if (dtos is null)
        {
            return JerError.Missing(member);
        }

        JerError? e = OptionalArray(dtos, member, map, out TModel[]? mapped);
        models = mapped ?? [];
        return e;
    }

    private static JerError? RequiredArray<TDto, TModel>(TDto?[]? dtos, string member, Position3D refPos, PlacedMapper<TDto, TModel> map, out TModel[] models)
        where TDto : class
    {
        models = [];
        if (dtos is null)
        {
            return JerError.Missing(member);
        }

        JerError? e = OptionalArray(dtos, member, refPos, map, out TModel[]? mapped);
        models = mapped ?? [];
        return e;
    }

    private static JerError? OptionalArray<TDto, TModel>(TDto?[]? dtos, string member, Mapper<TDto, TModel> map, out TModel[]? models)
        where TDto : class
    {
        models = null;
        if (dtos is null)
        {
            return null;
        }

        var result = new TModel[dtos.Length];
        for (int i = 0; i < dtos.Length; i++)
        {
            if (dtos[i] is not { } dto)
            {
                return NullElement(member, i);
            }

            if (map(dto, out result[i]) is { } e)
            {
                return e.At(i).In(member);
            }
        }

        models = result;
        return null;
    }

    private static JerError? OptionalArray<TDto, TModel>(TDto?[]? dtos, string member, Position3D refPos, PlacedMapper<TDto, TModel> map, out TModel[]? models)
        where TDto : class
    {
        models = null;
        if (dtos is null)
        {
            return null;
        }

        var result = new TModel[dtos.Length];
        for (int i = 0; i < dtos.Length; i++)
        {
            if (dtos[i] is not { } dto)
            {
                return NullElement(member, i);
            }

            if (map(dto, refPos, out result[i]) is { } e)
            {
                return e.At(i).In(member);
            }
        }

        models = result;
        return null;
    }

    private static JerError NullElement(string member, int index) =>
        new JerError(RejectionKind.WrongType, "", "expected an object, got null").At(index).In(member);

    private static JerError? Required<T>(T? value, string member, out T result)
        where T : struct
    {
        result = value.GetValueOrDefault();
        return value is null ? JerError.Missing(member) : null;
    }

    /// <summary>An INTEGER that must fit its model field; the message quotes the standard's range.</summary>
    private static JerError? Fit(long? value, string member, IntRange wire, long min, long max, bool required, out long result)
    {
        result = 0;
        if (value is not { } v)
        {
            return required ? JerError.Missing(member) : null;
        }

        if (v < min || v > max)
        {
            return JerError.OutOfRange(member, v, wire);
        }

        result = v;
        return null;
    }

    private static JerError? U8(long? value, string member, IntRange wire, out byte result)
    {
        JerError? e = Fit(value, member, wire, byte.MinValue, byte.MaxValue, required: true, out long v);
        result = (byte)v;
        return e;
    }

    private static JerError? OptU8(long? value, string member, IntRange wire, out byte? result)
    {
        JerError? e = Fit(value, member, wire, byte.MinValue, byte.MaxValue, required: false, out long v);
        result = value is null ? null : (byte)v;
        return e;
    }

    private static JerError? U16(long? value, string member, IntRange wire, out ushort result)
    {
        JerError? e = Fit(value, member, wire, ushort.MinValue, ushort.MaxValue, required: true, out long v);
        result = (ushort)v;
        return e;
    }

    private static JerError? OptU16(long? value, string member, IntRange wire, out ushort? result)
    {
        JerError? e = Fit(value, member, wire, ushort.MinValue, ushort.MaxValue, required: false, out long v);
        result = value is null ? null : (ushort)v;
        return e;
    }

    private static JerError? OptU32(long? value, string member, IntRange wire, out uint? result)
    {
        JerError? e = Fit(value, member, wire, uint.MinValue, uint.MaxValue, required: false, out long v);
        result = value is null ? null : (uint)v;
        return e;
    }
}
