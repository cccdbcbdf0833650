using System.Runtime.CompilerServices;
using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Core.Codecs.Binary;

/// <summary>
/// Reads message bodies in the layout of FrameFormat.cs. Relies on the reader's sticky error: after a failure
/// every read yields zero, lists come back absent and loops stop, so the caller checks
/// <see cref="FrameReader.Failed"/> once at the end. The BSM path allocates nothing; the others allocate only
/// the message they return (each array after checking the remaining input can fill it).
/// </summary>
[SkipLocalsInit]
internal static class BodyReader
{
    private delegate T ElementReader<T>(ref FrameReader r);

    // ---- BSM ----------------------------------------------------------------------------------------------

    /// <summary>Reads a BSM body into <paramref name="bsm"/>, building the extensions in place.</summary>
    public static void ReadBsm(ref FrameReader r, out Bsm bsm)
    {
        // The reading is cheap (about 70 ns); copies of the half-kilobyte Bsm are not. So the fields before the
        // extensions come from one initializer in wire order (C# evaluates it left to right), and the safety
        // extension, with its inline path history, is then decoded straight into bsm's storage.
        uint bits = r.ReadBits(BsmBits.All, "Bsm");
        bsm = new Bsm
        {
            MsgCnt = r.ReadU8("Bsm.msgCnt"),
            Id = new OctetId8(r.ReadBE64("Bsm.id")),
            SecMark = r.ReadVarU16("Bsm.secMark"),
            Pos = ReadPosition(ref r, 0, 0, "Bsm.pos"),
            PosAccuracy = (bits & BsmBits.PosAccuracy) != 0
                ? new PositionalAccuracy(r.ReadU8("Bsm.posAccuracy.semiMajor"), r.ReadU8("Bsm.posAccuracy.semiMinor"), r.ReadVarU16("Bsm.posAccuracy.orientation"))
                : null,
            PosConfidence = (bits & BsmBits.PosConfidence) != 0
                ? new PositionConfidenceSet((PositionConfidence)r.ReadEnum8((byte)PositionConfidence.A1cm, "Bsm.posConfidence"))
                : null,
            Transmission = (TransmissionState)r.ReadEnum8((byte)TransmissionState.Unavailable, "Bsm.transmission"),
            Speed = r.ReadVarU16("Bsm.speed"),
            Heading = r.ReadVarU16("Bsm.heading"),
            Angle = (bits & BsmBits.Angle) != 0 ? r.ReadI8("Bsm.angle") : null,
            AccelSet = ReadAccelSet(ref r, "Bsm.accelSet"),
            Brakes = ReadBrakes(ref r),
            Size = ReadSize(ref r, "Bsm.size"),
            VehicleClass = new VehicleClassification(r.ReadU8("Bsm.vehicleClass")),
        };
        if ((bits & BsmBits.SafetyExt) != 0)
        {
            ReadSafetyExt(ref r, ref Bsm.InitSafetyExt(ref bsm));
        }

        if ((bits & BsmBits.EmergencyExt) != 0)
        {
            Bsm.SetEmergencyExt(ref bsm, ReadEmergencyExt(ref r));
        }
    }

    private static Position3D ReadPosition(ref FrameReader r, int baseLat, int baseLong, string field)
    {
        uint bits = r.ReadBits(1, field);
        int lat = unchecked(baseLat + r.ReadVarS32(field));
        int lon = unchecked(baseLong + r.ReadVarS32(field));
        int? elevation = bits != 0 ? r.ReadVarS32(field) : null;
        return new Position3D(lat, lon, elevation);
    }

    private static AccelerationSet4Way ReadAccelSet(ref FrameReader r, string field) =>
        new(r.ReadVarS16(field), r.ReadVarS16(field), r.ReadI8(field), r.ReadVarS16(field));

    private static BrakeSystemStatus ReadBrakes(ref FrameReader r)
    {
        uint bits = r.ReadBits(BrakeBits.All, "brakes");
        return new BrakeSystemStatus
        {
            BrakePadel = (bits & BrakeBits.BrakePadel) != 0 ? (BrakePedalStatus)r.ReadEnum8((byte)BrakePedalStatus.On, "brakes.brakePadel") : null,
            WheelBrakes = (bits & BrakeBits.WheelBrakes) != 0 ? (BrakeAppliedStatus)r.ReadEnum8((byte)FrameFormat.BrakeAppliedAll, "brakes.wheelBrakes") : null,
            Traction = (bits & BrakeBits.Traction) != 0 ? (TractionControlStatus)r.ReadEnum8((byte)TractionControlStatus.Engaged, "brakes.traction") : null,
            Abs = (bits & BrakeBits.Abs) != 0 ? (AntiLockBrakeStatus)r.ReadEnum8((byte)AntiLockBrakeStatus.Engaged, "brakes.abs") : null,
            Scs = (bits & BrakeBits.Scs) != 0 ? (StabilityControlStatus)r.ReadEnum8((byte)StabilityControlStatus.Engaged, "brakes.scs") : null,
            BrakeBoost = (bits & BrakeBits.BrakeBoost) != 0 ? (BrakeBoostApplied)r.ReadEnum8((byte)BrakeBoostApplied.On, "brakes.brakeBoost") : null,
            AuxBrakes = (bits & BrakeBits.AuxBrakes) != 0 ? (AuxiliaryBrakeStatus)r.ReadEnum8((byte)AuxiliaryBrakeStatus.Reserved, "brakes.auxBrakes") : null,
        };
    }

    private static VehicleSize ReadSize(ref FrameReader r, string field)
    {
        uint bits = r.ReadBits(1, field);
        ushort width = r.ReadVarU16(field);
        ushort length = r.ReadVarU16(field);
        byte? height = bits != 0 ? r.ReadU8(field) : null;
        return new VehicleSize(width, length, height);
    }

    private static void ReadSafetyExt(ref FrameReader r, ref VehicleSafetyExtensions ext)
    {
        uint bits = r.ReadBits(SafetyBits.All, "safetyExt");
        VehicleEventFlags? events = (bits & SafetyBits.Events) != 0
            ? (VehicleEventFlags)r.ReadFlags16(FrameFormat.VehicleEventsAll, "safetyExt.events")
            : null;
        if ((bits & SafetyBits.PathHistory) != 0)
        {
            int count = r.ReadBoundedCount(PathHistory.MaxPoints, "safetyExt.pathHistory");
            Span<PathHistoryPoint> points = PathHistory.Fill(ref VehicleSafetyExtensions.InitPathHistory(ref ext), count);
            for (int i = 0; i < points.Length; i++)
            {
                uint pointBits = r.ReadBits(PointBits.All, "pathHistory.point");
                points[i] = new PathHistoryPoint(
                    r.ReadVarS32("pathHistory.point.latOffset"),
                    r.ReadVarS32("pathHistory.point.lonOffset"),
                    r.ReadVarU16("pathHistory.point.timeOffset"),
                    (pointBits & PointBits.Speed) != 0 ? r.ReadVarU16("pathHistory.point.speed") : null,
                    (pointBits & PointBits.Heading) != 0 ? r.ReadVarU16("pathHistory.point.heading") : null);
            }
        }

        VehicleSafetyExtensions.SetMembers(ref ext, events, ReadPathPrediction(ref r, bits), ReadLights(ref r, bits));
    }

    private static PathPrediction? ReadPathPrediction(ref FrameReader r, uint bits) =>
        (bits & SafetyBits.PathPrediction) != 0
            ? new PathPrediction(r.ReadVarS16("safetyExt.pathPrediction.radiusOfCurve"), r.ReadU8("safetyExt.pathPrediction.confidence"))
            : null;

    private static ExteriorLights? ReadLights(ref FrameReader r, uint bits) =>
        (bits & SafetyBits.Lights) != 0
            ? (ExteriorLights)r.ReadFlags16(FrameFormat.ExteriorLightsAll, "safetyExt.lights")
            : null;

    private static VehicleEmergencyExtensions ReadEmergencyExt(ref FrameReader r)
    {
        uint bits = r.ReadBits(EmergencyBits.All, "emergencyExt");
        return new VehicleEmergencyExtensions
        {
            ResponseType = (bits & EmergencyBits.ResponseType) != 0
                ? (ResponseType)r.ReadEnum8((byte)ResponseType.StopAndGoMovement, "emergencyExt.responseType")
                : null,
            SirenUse = (bits & EmergencyBits.SirenUse) != 0
                ? (SirenInUse)r.ReadEnum8((byte)SirenInUse.Reserved, "emergencyExt.sirenUse")
                : null,
            LightsUse = (bits & EmergencyBits.LightsUse) != 0
                ? (LightbarInUse)r.ReadEnum8((byte)LightbarInUse.FreqStops, "emergencyExt.lightsUse")
                : null,
        };
    }

    // ---- RSM ----------------------------------------------------------------------------------------------

    public static Rsm ReadRsm(ref FrameReader r)
    {
        byte msgCnt = r.ReadU8("Rsm.msgCnt");
        ulong id = r.ReadBE64("Rsm.id");
        Position3D refPos = ReadPosition(ref r, 0, 0, "Rsm.refPos");
        ValueArray<ParticipantData> participants = default;
        int count = r.ReadListCount(MinSize.Participant, "Rsm.participants");
        if (count >= 0)
        {
            ParticipantData[] items = count == 0 ? [] : new ParticipantData[count];
            for (int i = 0; i < items.Length && !r.Failed; i++)
            {
                items[i] = ReadParticipant(ref r, refPos);
            }

            participants = new ValueArray<ParticipantData>(items);
        }

        return new Rsm { MsgCnt = msgCnt, Id = new OctetId8(id), RefPos = refPos, Participants = participants };
    }

    private static ParticipantData ReadParticipant(ref FrameReader r, Position3D refPos)
    {
        uint bits = r.ReadBits(ParticipantBits.All, "participant");
        return new ParticipantData
        {
            PtcType = (ParticipantType)r.ReadEnum8((byte)ParticipantType.Rsu, "participant.ptcType"),
            PtcId = r.ReadVarU16("participant.ptcId"),
            Source = (SourceType)r.ReadEnum8((byte)SourceType.Integrated, "participant.source"),
            Id = (bits & ParticipantBits.Id) != 0 ? new OctetId8(r.ReadBE64("participant.id")) : null,
            SecMark = r.ReadVarU16("participant.secMark"),
            Pos = ReadPosition(ref r, refPos.Lat, refPos.Long, "participant.pos"),
            PosConfidence = new PositionConfidenceSet((PositionConfidence)r.ReadEnum8((byte)PositionConfidence.A1cm, "participant.posConfidence")),
            Transmission = (bits & ParticipantBits.Transmission) != 0
                ? (TransmissionState)r.ReadEnum8((byte)TransmissionState.Unavailable, "participant.transmission")
                : null,
            Speed = r.ReadVarU16("participant.speed"),
            Heading = r.ReadVarU16("participant.heading"),
            Angle = (bits & ParticipantBits.Angle) != 0 ? r.ReadI8("participant.angle") : null,
            AccelSet = (bits & ParticipantBits.AccelSet) != 0 ? ReadAccelSet(ref r, "participant.accelSet") : null,
            Size = ReadSize(ref r, "participant.size"),
            VehicleClass = (bits & ParticipantBits.VehicleClass) != 0 ? new VehicleClassification(r.ReadU8("participant.vehicleClass")) : null,
        };
    }

    // ---- SPAT ---------------------------------------------------------------------------------------------

    public static Spat ReadSpat(ref FrameReader r)
    {
        uint bits = r.ReadBits(SpatBits.All, "Spat");
        return new Spat
        {
            MsgCnt = r.ReadU8("Spat.msgCnt"),
            Moy = (bits & SpatBits.Moy) != 0 ? r.ReadVarU32("Spat.moy") : null,
            TimeStamp = (bits & SpatBits.TimeStamp) != 0 ? r.ReadVarU16("Spat.timeStamp") : null,
            Name = (bits & SpatBits.Name) != 0 ? r.ReadString("Spat.name") : null,
            Intersections = ReadList(ref r, MinSize.IntersectionState, "Spat.intersections", ReadIntersection),
        };
    }

    private static IntersectionState ReadIntersection(ref FrameReader r)
    {
        uint bits = r.ReadBits(IntersectionBits.All, "intersection");
        return new IntersectionState
        {
            IntersectionId = ReadNodeRef(ref r, "intersection.intersectionId"),
            Status = r.ReadVarU16("intersection.status"),
            Moy = (bits & IntersectionBits.Moy) != 0 ? r.ReadVarU32("intersection.moy") : null,
            TimeStamp = (bits & IntersectionBits.TimeStamp) != 0 ? r.ReadVarU16("intersection.timeStamp") : null,
            Phases = ReadList(ref r, MinSize.Phase, "intersection.phases", ReadPhase),
        };
    }

    private static Phase ReadPhase(ref FrameReader r) => new()
    {
        Id = r.ReadU8("phase.id"),
        PhaseStates = ReadList(ref r, MinSize.PhaseState, "phase.phaseStates", ReadPhaseState),
    };

    private static PhaseState ReadPhaseState(ref FrameReader r)
    {
        uint bits = r.ReadBits(1, "phaseState");
        var light = (LightState)r.ReadEnum8((byte)LightState.FlashingYellow, "phaseState.light");
        if (bits == 0)
        {
            return new PhaseState(light);
        }

        uint t = r.ReadBits(TimingBits.All, "timing");
        var timing = new TimeChangeDetails
        {
            Kind = (TimingKind)r.ReadEnum8((byte)TimingKind.UtcTiming, "timing.kind"),
            StartTime = r.ReadVarU16("timing.startTime"),
            MinEndTime = (t & TimingBits.MinEndTime) != 0 ? r.ReadVarU16("timing.minEndTime") : null,
            MaxEndTime = (t & TimingBits.MaxEndTime) != 0 ? r.ReadVarU16("timing.maxEndTime") : null,
            LikelyEndTime = r.ReadVarU16("timing.likelyEndTime"),
            TimeConfidence = (t & TimingBits.TimeConfidence) != 0 ? r.ReadU8("timing.timeConfidence") : null,
            NextStartTime = (t & TimingBits.NextStartTime) != 0 ? r.ReadVarU16("timing.nextStartTime") : null,
            NextDuration = (t & TimingBits.NextDuration) != 0 ? r.ReadVarU16("timing.nextDuration") : null,
        };
        return new PhaseState(light, timing);
    }

    private static NodeReferenceId ReadNodeRef(ref FrameReader r, string field)
    {
        uint bits = r.ReadBits(1, field);
        ushort id = r.ReadVarU16(field);
        ushort? region = bits != 0 ? r.ReadVarU16(field) : null;
        return new NodeReferenceId(id, region);
    }

    // ---- MAP ----------------------------------------------------------------------------------------------

    public static MapData ReadMap(ref FrameReader r)
    {
        uint bits = r.ReadBits(1, "MapData");
        return new MapData
        {
            MsgCnt = r.ReadU8("MapData.msgCnt"),
            TimeStamp = bits != 0 ? r.ReadVarU32("MapData.timeStamp") : null,
            Nodes = ReadList(ref r, MinSize.MapNode, "MapData.nodes", ReadNode),
        };
    }

    private static MapNode ReadNode(ref FrameReader r)
    {
        uint bits = r.ReadBits(1, "node");
        return new MapNode
        {
            Name = bits != 0 ? r.ReadString("node.name") : null,
            Id = ReadNodeRef(ref r, "node.id"),
            RefPos = ReadPosition(ref r, 0, 0, "node.refPos"),
            InLinks = ReadList(ref r, MinSize.MapLink, "node.inLinks", ReadLink),
        };
    }

    private static MapLink ReadLink(ref FrameReader r)
    {
        uint bits = r.ReadBits(1, "link");
        return new MapLink
        {
            Name = bits != 0 ? r.ReadString("link.name") : null,
            UpstreamNodeId = ReadNodeRef(ref r, "link.upstreamNodeId"),
            SpeedLimits = ReadList(ref r, MinSize.SpeedLimit, "link.speedLimits", ReadSpeedLimit),
            LinkWidth = r.ReadVarU16("link.linkWidth"),
            Points = ReadList(ref r, MinSize.RoadPoint, "link.points", ReadRoadPoint),
            Movements = ReadList(ref r, MinSize.Movement, "link.movements", ReadMovement),
            Lanes = ReadList(ref r, MinSize.MapLane, "link.lanes", ReadLane),
        };
    }

    private static RegulatorySpeedLimit ReadSpeedLimit(ref FrameReader r) => new(
        (SpeedLimitType)r.ReadEnum8((byte)SpeedLimitType.VehiclesWithTrailersNightMaxSpeed, "speedLimit.type"),
        r.ReadVarU16("speedLimit.speed"));

    private static RoadPoint ReadRoadPoint(ref FrameReader r) =>
        new(r.ReadVarS32("roadPoint.latOffset"), r.ReadVarS32("roadPoint.lonOffset"));

    private static Movement ReadMovement(ref FrameReader r)
    {
        uint bits = r.ReadBits(1, "movement");
        NodeReferenceId remote = ReadNodeRef(ref r, "movement.remoteIntersection");
        byte? phaseId = bits != 0 ? r.ReadU8("movement.phaseId") : null;
        return new Movement(remote, phaseId);
    }

    private static MapLane ReadLane(ref FrameReader r)
    {
        uint bits = r.ReadBits(LaneBits.All, "lane");
        byte laneId = r.ReadU8("lane.laneId");
        ushort? width = (bits & LaneBits.LaneWidth) != 0 ? r.ReadVarU16("lane.laneWidth") : null;
        LaneAttributes? attributes = null;
        if ((bits & LaneBits.LaneAttributes) != 0)
        {
            uint attributeBits = r.ReadBits(1, "laneAttributes");
            var laneType = (LaneType)r.ReadEnum8((byte)LaneType.Parking, "laneAttributes.laneType");
            ushort typeAttributes = r.ReadVarU16("laneAttributes.typeAttributes");
            ushort? shareWith = attributeBits != 0 ? r.ReadVarU16("laneAttributes.shareWith") : null;
            attributes = new LaneAttributes(laneType, typeAttributes, shareWith);
        }

        AllowedManeuvers? maneuvers = (bits & LaneBits.Maneuvers) != 0
            ? (AllowedManeuvers)r.ReadFlags16(FrameFormat.ManeuversAll, "lane.maneuvers")
            : null;
        return new MapLane
        {
            LaneId = laneId,
            LaneWidth = width,
            LaneAttributes = attributes,
            Maneuvers = maneuvers,
            ConnectsTo = ReadList(ref r, MinSize.Connection, "lane.connectsTo", ReadConnection),
            SpeedLimits = ReadList(ref r, MinSize.SpeedLimit, "lane.speedLimits", ReadSpeedLimit),
            Points = ReadList(ref r, MinSize.RoadPoint, "lane.points", ReadRoadPoint),
        };
    }

    private static Connection ReadConnection(ref FrameReader r)
    {
        uint bits = r.ReadBits(ConnectionBits.All, "connection");
        NodeReferenceId remote = ReadNodeRef(ref r, "connection.remoteIntersection");
        ConnectingLane? lane = null;
        if ((bits & ConnectionBits.ConnectingLane) != 0)
        {
            uint laneBits = r.ReadBits(1, "connectingLane");
            byte laneId = r.ReadU8("connectingLane.lane");
            AllowedManeuvers? maneuver = laneBits != 0
                ? (AllowedManeuvers)r.ReadFlags16(FrameFormat.ManeuversAll, "connectingLane.maneuver")
                : null;
            lane = new ConnectingLane(laneId, maneuver);
        }

        byte? phaseId = (bits & ConnectionBits.PhaseId) != 0 ? r.ReadU8("connection.phaseId") : null;
        return new Connection(remote, lane, phaseId);
    }

    // ---- RSI ----------------------------------------------------------------------------------------------

    public static Rsi ReadRsi(ref FrameReader r)
    {
        uint bits = r.ReadBits(1, "Rsi");
        return new Rsi
        {
            MsgCnt = r.ReadU8("Rsi.msgCnt"),
            Moy = bits != 0 ? r.ReadVarU32("Rsi.moy") : null,
            Id = new OctetId8(r.ReadBE64("Rsi.id")),
            RefPos = ReadPosition(ref r, 0, 0, "Rsi.refPos"),
            Rtes = ReadList(ref r, MinSize.Rte, "Rsi.rtes", ReadRte),
            Rtss = ReadList(ref r, MinSize.Rts, "Rsi.rtss", ReadRts),
        };
    }

    private static RteData ReadRte(ref FrameReader r)
    {
        uint bits = r.ReadBits(RteBits.All, "rte");
        return new RteData
        {
            RteId = r.ReadU8("rte.rteId"),
            EventType = r.ReadVarU16("rte.eventType"),
            EventSource = (EventSource)r.ReadEnum8((byte)EventSource.Detection, "rte.eventSource"),
            EventPos = (bits & RteBits.EventPos) != 0 ? ReadRoadPoint(ref r) : null,
            EventRadius = (bits & RteBits.EventRadius) != 0 ? r.ReadVarU16("rte.eventRadius") : null,
            Description = (bits & RteBits.Description) != 0 ? r.ReadString("rte.description") : null,
            TimeDetails = (bits & RteBits.TimeDetails) != 0 ? ReadTimeDetails(ref r, "rte.timeDetails") : null,
            Priority = (bits & RteBits.Priority) != 0 ? r.ReadU8("rte.priority") : null,
            ReferencePaths = ReadList(ref r, MinSize.ReferencePath, "rte.referencePaths", ReadReferencePath),
            EventConfidence = (bits & RteBits.EventConfidence) != 0 ? r.ReadU8("rte.eventConfidence") : null,
        };
    }

    private static RtsData ReadRts(ref FrameReader r)
    {
        uint bits = r.ReadBits(RtsBits.All, "rts");
        return new RtsData
        {
            RtsId = r.ReadU8("rts.rtsId"),
            SignType = r.ReadVarU16("rts.signType"),
            SignPos = (bits & RtsBits.SignPos) != 0 ? ReadRoadPoint(ref r) : null,
            Description = (bits & RtsBits.Description) != 0 ? r.ReadString("rts.description") : null,
            TimeDetails = (bits & RtsBits.TimeDetails) != 0 ? ReadTimeDetails(ref r, "rts.timeDetails") : null,
            Priority = (bits & RtsBits.Priority) != 0 ? r.ReadU8("rts.priority") : null,
            ReferencePaths = ReadList(ref r, MinSize.ReferencePath, "rts.referencePaths", ReadReferencePath),
        };
    }

    private static RsiTimeDetails ReadTimeDetails(ref FrameReader r, string field)
    {
        uint bits = r.ReadBits(TimeDetailsBits.All, field);
        uint? start = (bits & TimeDetailsBits.StartTime) != 0 ? r.ReadVarU32(field) : null;
        uint? end = (bits & TimeDetailsBits.EndTime) != 0 ? r.ReadVarU32(field) : null;
        return new RsiTimeDetails(start, end);
    }

    private static ReferencePath ReadReferencePath(ref FrameReader r) => new()
    {
        ActivePath = ReadList(ref r, MinSize.RoadPoint, "referencePath.activePath", ReadRoadPoint),
        PathRadius = r.ReadVarU16("referencePath.pathRadius"),
    };

    // ---- helpers ------------------------------------------------------------------------------------------

    /// <summary>A list: default when absent, an empty array when empty; stops early once the frame has failed.</summary>
    private static ValueArray<T> ReadList<T>(ref FrameReader r, int minElementSize, string field, ElementReader<T> read)
    {
        int count = r.ReadListCount(minElementSize, field);
        if (count < 0)
        {
            return default;
        }

        T[] items = count == 0 ? [] : new T[count];
        for (int i = 0; i < items.Length && !r.Failed; i++)
        {
            items[i] = read(ref r);
        }

        return new ValueArray<T>(items);
    }
}
