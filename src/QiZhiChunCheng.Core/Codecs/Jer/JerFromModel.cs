using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;

namespace QiZhiChunCheng.Core.Codecs.Jer;

/// <summary>
/// Maps the model to the JER DTOs for the generated writer. Absent OPTIONAL members stay null (and are left out);
/// an empty optional list is absent. Positions that the JSON carries as offsets (RSM participants, MAP and RSI
/// points, path history crumbs) take the smallest <c>position-LL</c> alternative that holds them, or
/// <c>position-LatLon</c> when none does. Allocates the DTOs; thread-safe.
/// </summary>
internal static class JerFromModel
{
    public static BsmDto Bsm(in Bsm bsm) => new()
    {
        MsgCnt = bsm.MsgCnt,
        Id = bsm.Id,
        SecMark = bsm.SecMark,
        Pos = Position3D(bsm.Pos),
        PosAccuracy = bsm.PosAccuracy is { } a
            ? new PositionalAccuracyDto { SemiMajor = a.SemiMajor, SemiMinor = a.SemiMinor, Orientation = a.Orientation }
            : null,
        PosConfidence = bsm.PosConfidence is { } c ? new PositionConfidenceSetDto { Pos = c.Pos } : null,
        Transmission = bsm.Transmission,
        Speed = bsm.Speed,
        Heading = bsm.Heading,
        Angle = bsm.Angle,
        AccelSet = AccelSet(bsm.AccelSet),
        Brakes = new BrakeSystemStatusDto
        {
            BrakePadel = bsm.Brakes.BrakePadel,
            WheelBrakes = (ushort?)bsm.Brakes.WheelBrakes,
            Traction = bsm.Brakes.Traction,
            Abs = bsm.Brakes.Abs,
            Scs = bsm.Brakes.Scs,
            BrakeBoost = bsm.Brakes.BrakeBoost,
            AuxBrakes = bsm.Brakes.AuxBrakes,
        },
        Size = Size(bsm.Size),
        VehicleClass = new VehicleClassificationDto { Classification = bsm.VehicleClass.Classification },
        SafetyExt = bsm.SafetyExt is { } safety ? SafetyExt(safety, bsm.Pos) : null,
        EmergencyExt = bsm.EmergencyExt is { } emergency
            ? new VehicleEmergencyExtensionsDto
            {
                ResponseType = emergency.ResponseType,
                SirenUse = emergency.SirenUse,
                LightsUse = emergency.LightsUse,
            }
            : null,
    };

    private static VehicleSafetyExtensionsDto SafetyExt(in VehicleSafetyExtensions safety, in Position3D pos)
    {
        PathHistoryDto? history = null;
        if (safety.PathHistory is { } pathHistory)
        {
            ReadOnlySpan<PathHistoryPoint> points = pathHistory.CrumbData;
            var crumbs = new PathHistoryPointDto[points.Length];
            for (int i = 0; i < points.Length; i++)
            {
                PathHistoryPoint p = points[i];
                crumbs[i] = new PathHistoryPointDto
                {
                    LlvOffset = new PositionOffsetLLVDto { OffsetLL = OffsetLL(p.LatOffset, p.LonOffset, pos) },
                    TimeOffset = p.TimeOffset,
                    Speed = p.Speed,
                    Heading = p.Heading,
                };
            }

            history = new PathHistoryDto { CrumbData = crumbs };
        }

        return new VehicleSafetyExtensionsDto
        {
            Events = (ushort?)safety.Events,
            PathHistory = history,
            PathPrediction = safety.PathPrediction is { } prediction
                ? new PathPredictionDto { RadiusOfCurve = prediction.RadiusOfCurve, Confidence = prediction.Confidence }
                : null,
            Lights = (ushort?)safety.Lights,
        };
    }

    public static RsmDto Rsm(Rsm rsm)
    {
        ReadOnlySpan<ParticipantData> participants = rsm.Participants.AsSpan();
        var dtos = new ParticipantDataDto[participants.Length];
        for (int i = 0; i < participants.Length; i++)
        {
            ParticipantData p = participants[i];
            dtos[i] = new ParticipantDataDto
            {
                PtcType = (JerParticipantType)p.PtcType,
                PtcId = p.PtcId,
                Source = p.Source,
                Id = p.Id,
                SecMark = p.SecMark,
                Pos = new PositionOffsetLLVDto
                {
                    OffsetLL = OffsetLL((long)p.Pos.Lat - rsm.RefPos.Lat, (long)p.Pos.Long - rsm.RefPos.Long, rsm.RefPos),
                    OffsetV = p.Pos.Elevation is { } elevation ? new VerticalOffsetDto { Elevation = elevation } : null,
                },
                PosConfidence = new PositionConfidenceSetDto { Pos = p.PosConfidence.Pos },
                Transmission = p.Transmission,
                Speed = p.Speed,
                Heading = p.Heading,
                Angle = p.Angle,
                AccelSet = p.AccelSet is { } accel ? AccelSet(accel) : null,
                Size = Size(p.Size),
                VehicleClass = p.VehicleClass is { } vehicleClass
                    ? new VehicleClassificationDto { Classification = vehicleClass.Classification }
                    : null,
            };
        }

        return new RsmDto { MsgCnt = rsm.MsgCnt, Id = rsm.Id, RefPos = Position3D(rsm.RefPos), Participants = dtos };
    }

    public static SpatDto Spat(Spat spat) => new()
    {
        MsgCnt = spat.MsgCnt,
        Moy = spat.Moy,
        TimeStamp = spat.TimeStamp,
        Name = spat.Name,
        Intersections = Required(spat.Intersections, static s => new IntersectionStateDto
        {
            IntersectionId = NodeReference(s.IntersectionId),
            Status = s.Status,
            Moy = s.Moy,
            TimeStamp = s.TimeStamp,
            Phases = Required(s.Phases, static p => new PhaseDto
            {
                Id = p.Id,
                PhaseStates = Required(p.PhaseStates, static state => new PhaseStateDto
                {
                    Light = (JerLightState)state.Light,
                    Timing = state.Timing is { } timing ? Timing(timing) : null,
                }),
            }),
        }),
    };

    private static TimeChangeDetailsDto Timing(in TimeChangeDetails timing) =>
        timing.Kind == TimingKind.UtcTiming
            ? new TimeChangeDetailsDto
            {
                UtcTiming = new UtcTimingDto
                {
                    StartUtcTime = timing.StartTime,
                    MinEndUtcTime = timing.MinEndTime,
                    MaxEndUtcTime = timing.MaxEndTime,
                    LikelyEndUtcTime = timing.LikelyEndTime,
                    TimeConfidence = timing.TimeConfidence,
                    NextStartUtcTime = timing.NextStartTime,
                    NextEndUtcTime = timing.NextDuration,
                },
            }
            : new TimeChangeDetailsDto
            {
                Counting = new TimingDto
                {
                    StartTime = timing.StartTime,
                    MinEndTime = timing.MinEndTime,
                    MaxEndTime = timing.MaxEndTime,
                    LikelyEndTime = timing.LikelyEndTime,
                    TimeConfidence = timing.TimeConfidence,
                    NextStartTime = timing.NextStartTime,
                    NextDuration = timing.NextDuration,
                },
            };

    public static MapDto Map(MapData map) => new()
    {
        MsgCnt = map.MsgCnt,
        TimeStamp = map.TimeStamp,
        Nodes = Required(map.Nodes, static node => new MapNodeDto
        {
            Name = node.Name,
            Id = NodeReference(node.Id),
            RefPos = Position3D(node.RefPos),
            InLinks = Required(node.InLinks, node.RefPos, static (link, refPos) => Link(link, refPos)),
        }),
    };

    private static MapLinkDto Link(MapLink link, Position3D refPos) => new()
    {
        Name = link.Name,
        UpstreamNodeId = NodeReference(link.UpstreamNodeId),
        SpeedLimits = Optional(link.SpeedLimits, SpeedLimit),
        // The model has no "absent" for linkWidth; a width of 0 cm means none was given.
        LinkWidth = link.LinkWidth == 0 ? null : link.LinkWidth,
        Points = Optional(link.Points, refPos, RoadPoint),
        Movements = Optional(link.Movements, static m => new MovementDto
        {
            RemoteIntersection = NodeReference(m.RemoteIntersection),
            PhaseId = m.PhaseId,
        }),
        Lanes = Required(link.Lanes, refPos, static (lane, refPos) => new MapLaneDto
        {
            LaneId = lane.LaneId,
            LaneWidth = lane.LaneWidth,
            LaneAttributes = lane.LaneAttributes is { } attributes ? LaneAttributes(attributes) : null,
            Maneuvers = (ushort?)lane.Maneuvers,
            ConnectsTo = Optional(lane.ConnectsTo, static c => new ConnectionDto
            {
                RemoteIntersection = NodeReference(c.RemoteIntersection),
                ConnectingLane = c.ConnectingLane is { } connecting
                    ? new ConnectingLaneDto { Lane = connecting.Lane, Maneuver = (ushort?)connecting.Maneuver }
                    : null,
                PhaseId = c.PhaseId,
            }),
            SpeedLimits = Optional(lane.SpeedLimits, SpeedLimit),
            Points = Optional(lane.Points, refPos, RoadPoint),
        }),
    };

    private static LaneAttributesDto LaneAttributes(in LaneAttributes attributes)
    {
        var type = new LaneTypeAttributesDto();
        ushort bits = attributes.TypeAttributes;
        switch (attributes.LaneType)
        {
            case LaneType.Vehicle:
                type.Vehicle = bits;
                break;
            case LaneType.Crosswalk:
                type.Crosswalk = bits;
                break;
            case LaneType.BikeLane:
                type.BikeLane = bits;
                break;
            case LaneType.Sidewalk:
                type.Sidewalk = bits;
                break;
            case LaneType.Median:
                type.Median = bits;
                break;
            case LaneType.Striping:
                type.Striping = bits;
                break;
            case LaneType.TrackedVehicle:
                type.TrackedVehicle = bits;
                break;
            case LaneType.Parking:
                type.Parking = bits;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(attributes), attributes.LaneType, "not a LaneTypeAttributes alternative");
        }

        return new LaneAttributesDto { ShareWith = attributes.ShareWith, LaneType = type };
    }

    public static RsiDto Rsi(Rsi rsi) => new()
    {
        MsgCnt = rsi.MsgCnt,
        Moy = rsi.Moy,
        Id = rsi.Id,
        RefPos = Position3D(rsi.RefPos),
        Rtes = Optional(rsi.Rtes, rsi.RefPos, static (rte, refPos) => new RteDataDto
        {
            RteId = rte.RteId,
            EventType = rte.EventType,
            EventSource = rte.EventSource,
            EventPos = rte.EventPos is { } pos ? Offset(pos, refPos) : null,
            EventRadius = rte.EventRadius,
            Description = rte.Description is { } text ? new DescriptionDto { TextString = text } : null,
            TimeDetails = rte.TimeDetails is { } details ? new RsiTimeDetailsDto { StartTime = details.StartTime, EndTime = details.EndTime } : null,
            Priority = rte.Priority,
            ReferencePaths = Optional(rte.ReferencePaths, refPos, ReferencePath),
            EventConfidence = rte.EventConfidence,
        }),
        Rtss = Optional(rsi.Rtss, rsi.RefPos, static (rts, refPos) => new RtsDataDto
        {
            RtsId = rts.RtsId,
            SignType = rts.SignType,
            SignPos = rts.SignPos is { } pos ? Offset(pos, refPos) : null,
            Description = rts.Description is { } text ? new DescriptionDto { TextString = text } : null,
            TimeDetails = rts.TimeDetails is { } details ? new RsiTimeDetailsDto { StartTime = details.StartTime, EndTime = details.EndTime } : null,
            Priority = rts.Priority,
            ReferencePaths = Optional(rts.ReferencePaths, refPos, ReferencePath),
        }),
    };

    private static ReferencePathDto ReferencePath(ReferencePath path, Position3D refPos) => new()
    {
        ActivePath = Required(path.ActivePath, refPos, Offset),
        PathRadius = path.PathRadius,
    };

    private static RoadPointDto RoadPoint(RoadPoint point, Position3D refPos) => new() { PosOffset = Offset(point, refPos) };

    private static PositionOffsetLLVDto Offset(RoadPoint point, Position3D refPos) =>
        new() { OffsetLL = OffsetLL(point.LatOffset, point.LonOffset, refPos) };

    /// <summary>
    /// The smallest <c>position-LL</c> alternative whose range holds both offsets; beyond LL6 (about 0.2 degree)
    /// the absolute <c>position-LatLon</c>. Worked example: 452 and 1495 fit LL1 (-2048..2047).
    /// </summary>
    private static PositionOffsetLLDto OffsetLL(long latOffset, long lonOffset, in Position3D reference)
    {
        IntRange[] ranges = V2xRanges.OffsetLL;
        for (int i = 0; i < ranges.Length; i++)
        {
            if (ranges[i].Contains(latOffset) && ranges[i].Contains(lonOffset))
            {
                var value = new PositionLLDto { Lon = lonOffset, Lat = latOffset };
                return i switch
                {
                    0 => new PositionOffsetLLDto { LL1 = value },
                    1 => new PositionOffsetLLDto { LL2 = value },
                    2 => new PositionOffsetLLDto { LL3 = value },
                    3 => new PositionOffsetLLDto { LL4 = value },
                    4 => new PositionOffsetLLDto { LL5 = value },
                    _ => new PositionOffsetLLDto { LL6 = value },
                };
            }
        }

        return new PositionOffsetLLDto
        {
            LatLon = new PositionLLDto { Lon = reference.Long + lonOffset, Lat = reference.Lat + latOffset },
        };
    }

    private static RegulatorySpeedLimitDto SpeedLimit(RegulatorySpeedLimit limit) => new() { Type = limit.Type, Speed = limit.Speed };

    private static NodeReferenceIdDto NodeReference(NodeReferenceId id) => new() { Region = id.Region, Id = id.Id };

    private static Position3DDto Position3D(in Position3D pos) => new() { Lat = pos.Lat, Long = pos.Long, Elevation = pos.Elevation };

    private static AccelerationSet4WayDto AccelSet(in AccelerationSet4Way accel) =>
        new() { Long = accel.Long, Lat = accel.Lat, Vert = accel.Vert, Yaw = accel.Yaw };

    private static VehicleSizeDto Size(in VehicleSize size) => new() { Width = size.Width, Length = size.Length, Height = size.Height };

    // A required SEQUENCE OF is written even when empty, so the validator (not the reader) reports its size.
    private static TDto[] Required<TModel, TDto>(ValueArray<TModel> items, Func<TModel, TDto> map)
    {
        ReadOnlySpan<TModel> span = items.AsSpan();
        var result = new TDto[span.Length];
        for (int i = 0; i < span.Length; i++)
        {
            result[i] = map(span[i]);
        }

        return result;
    }

    private static TDto[] Required<TModel, TDto>(ValueArray<TModel> items, Position3D refPos, Func<TModel, Position3D, TDto> map)
    {
        ReadOnlySpan<TModel> span = items.AsSpan();
        var result = new TDto[span.Length];
        for (int i = 0; i < span.Length; i++)
        {
            result[i] = map(span[i], refPos);
        }

        return result;
    }

    private static TDto[]? Optional<TModel, TDto>(ValueArray<TModel> items, Func<TModel, TDto> map) =>
        items.IsEmpty ? null : Required(items, map);

    private static TDto[]? Optional<TModel, TDto>(ValueArray<TModel> items, Position3D refPos, Func<TModel, Position3D, TDto> map) =>
        items.IsEmpty ? null : Required(items, refPos, map);
}
