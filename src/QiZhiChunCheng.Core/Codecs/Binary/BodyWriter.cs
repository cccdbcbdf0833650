using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Core.Codecs.Binary;

/// <summary>
/// Writes message bodies in the layout of FrameFormat.cs. An enum value or flag bit the model does not define,
/// or a null list element, is a caller bug and throws an <see cref="ArgumentException"/>: the encoder never
/// writes a frame the decoder would refuse.
/// </summary>
internal static class BodyWriter
{
    private delegate void ElementWriter<T>(ref FrameWriter w, T item);

    // ---- BSM ----------------------------------------------------------------------------------------------

    public static void WriteBsm(ref FrameWriter w, in Bsm m)
    {
        uint bits = 0;
        if (m.PosAccuracy.HasValue)
        {
            bits |= BsmBits.PosAccuracy;
        }

        if (m.PosConfidence.HasValue)
        {
            bits |= BsmBits.PosConfidence;
        }

        if (m.Angle.HasValue)
        {
            bits |= BsmBits.Angle;
        }

        if (m.SafetyExt.HasValue)
        {
            bits |= BsmBits.SafetyExt;
        }

        if (m.EmergencyExt.HasValue)
        {
            bits |= BsmBits.EmergencyExt;
        }

        w.WriteVarU32(bits);
        w.WriteU8(m.MsgCnt);
        w.WriteBE64(m.Id.Value);
        w.WriteVarU32(m.SecMark);
        WritePosition(ref w, m.Pos, 0, 0);
        if (m.PosAccuracy is { } accuracy)
        {
            w.WriteU8(accuracy.SemiMajor);
            w.WriteU8(accuracy.SemiMinor);
            w.WriteVarU32(accuracy.Orientation);
        }

        if (m.PosConfidence is { } confidence)
        {
            w.WriteU8(Enum8((byte)confidence.Pos, (byte)PositionConfidence.A1cm, "Bsm.posConfidence"));
        }

        w.WriteU8(Enum8((byte)m.Transmission, (byte)TransmissionState.Unavailable, "Bsm.transmission"));
        w.WriteVarU32(m.Speed);
        w.WriteVarU32(m.Heading);
        if (m.Angle is { } angle)
        {
            w.WriteI8(angle);
        }

        WriteAccelSet(ref w, m.AccelSet);
        WriteBrakes(ref w, m.Brakes);
        WriteSize(ref w, m.Size);
        w.WriteU8(m.VehicleClass.Classification);
        if (m.SafetyExt is { } safety)
        {
            WriteSafetyExt(ref w, safety);
        }

        if (m.EmergencyExt is { } emergency)
        {
            WriteEmergencyExt(ref w, emergency);
        }
    }

    private static void WritePosition(ref FrameWriter w, Position3D p, int baseLat, int baseLong)
    {
        w.WriteVarU32(p.Elevation.HasValue ? 1u : 0u);
        w.WriteVarS32(unchecked(p.Lat - baseLat));
        w.WriteVarS32(unchecked(p.Long - baseLong));
        if (p.Elevation is { } elevation)
        {
            w.WriteVarS32(elevation);
        }
    }

    private static void WriteAccelSet(ref FrameWriter w, AccelerationSet4Way a)
    {
        w.WriteVarS32(a.Long);
        w.WriteVarS32(a.Lat);
        w.WriteI8(a.Vert);
        w.WriteVarS32(a.Yaw);
    }

    private static void WriteBrakes(ref FrameWriter w, BrakeSystemStatus b)
    {
        uint bits = (b.BrakePadel.HasValue ? BrakeBits.BrakePadel : 0)
            | (b.WheelBrakes.HasValue ? BrakeBits.WheelBrakes : 0)
            | (b.Traction.HasValue ? BrakeBits.Traction : 0)
            | (b.Abs.HasValue ? BrakeBits.Abs : 0)
            | (b.Scs.HasValue ? BrakeBits.Scs : 0)
            | (b.BrakeBoost.HasValue ? BrakeBits.BrakeBoost : 0)
            | (b.AuxBrakes.HasValue ? BrakeBits.AuxBrakes : 0);
        w.WriteVarU32(bits);
        if (b.BrakePadel is { } padel)
        {
            w.WriteU8(Enum8((byte)padel, (byte)BrakePedalStatus.On, "brakes.brakePadel"));
        }

        if (b.WheelBrakes is { } wheels)
        {
            w.WriteU8((byte)Flags((ushort)wheels, FrameFormat.BrakeAppliedAll, "brakes.wheelBrakes"));
        }

        if (b.Traction is { } traction)
        {
            w.WriteU8(Enum8((byte)traction, (byte)TractionControlStatus.Engaged, "brakes.traction"));
        }

        if (b.Abs is { } abs)
        {
            w.WriteU8(Enum8((byte)abs, (byte)AntiLockBrakeStatus.Engaged, "brakes.abs"));
        }

        if (b.Scs is { } scs)
        {
            w.WriteU8(Enum8((byte)scs, (byte)StabilityControlStatus.Engaged, "brakes.scs"));
        }

        if (b.BrakeBoost is { } boost)
        {
            w.WriteU8(Enum8((byte)boost, (byte)BrakeBoostApplied.On, "brakes.brakeBoost"));
        }

        if (b.AuxBrakes is { } aux)
        {
            w.WriteU8(Enum8((byte)aux, (byte)AuxiliaryBrakeStatus.Reserved, "brakes.auxBrakes"));
        }
    }

    private static void WriteSize(ref FrameWriter w, VehicleSize s)
    {
        w.WriteVarU32(s.Height.HasValue ? 1u : 0u);
        w.WriteVarU32(s.Width);
        w.WriteVarU32(s.Length);
        if (s.Height is { } height)
        {
            w.WriteU8(height);
        }
    }

    private static void WriteSafetyExt(ref FrameWriter w, in VehicleSafetyExtensions s)
    {
        uint bits = (s.Events.HasValue ? SafetyBits.Events : 0)
            | (s.PathHistory.HasValue ? SafetyBits.PathHistory : 0)
            | (s.PathPrediction.HasValue ? SafetyBits.PathPrediction : 0)
            | (s.Lights.HasValue ? SafetyBits.Lights : 0);
        w.WriteVarU32(bits);
        if (s.Events is { } events)
        {
            w.WriteVarU32(Flags((ushort)events, FrameFormat.VehicleEventsAll, "safetyExt.events"));
        }

        if (s.PathHistory is { } history)
        {
            ReadOnlySpan<PathHistoryPoint> points = history.CrumbData;
            w.WriteVarU32((uint)points.Length);
            foreach (PathHistoryPoint p in points)
            {
                w.WriteVarU32((p.Speed.HasValue ? PointBits.Speed : 0) | (p.Heading.HasValue ? PointBits.Heading : 0));
                w.WriteVarS32(p.LatOffset);
                w.WriteVarS32(p.LonOffset);
                w.WriteVarU32(p.TimeOffset);
                if (p.Speed is { } speed)
                {
                    w.WriteVarU32(speed);
                }

                if (p.Heading is { } heading)
                {
                    w.WriteVarU32(heading);
                }
            }
        }

        if (s.PathPrediction is { } prediction)
        {
            w.WriteVarS32(prediction.RadiusOfCurve);
            w.WriteU8(prediction.Confidence);
        }

        if (s.Lights is { } lights)
        {
            w.WriteVarU32(Flags((ushort)lights, FrameFormat.ExteriorLightsAll, "safetyExt.lights"));
        }
    }

    private static void WriteEmergencyExt(ref FrameWriter w, VehicleEmergencyExtensions e)
    {
        uint bits = (e.ResponseType.HasValue ? EmergencyBits.ResponseType : 0)
            | (e.SirenUse.HasValue ? EmergencyBits.SirenUse : 0)
            | (e.LightsUse.HasValue ? EmergencyBits.LightsUse : 0);
        w.WriteVarU32(bits);
        if (e.ResponseType is { } response)
        {
            w.WriteU8(Enum8((byte)response, (byte)ResponseType.StopAndGoMovement, "emergencyExt.responseType"));
        }

        if (e.SirenUse is { } siren)
        {
            w.WriteU8(Enum8((byte)siren, (byte)SirenInUse.Reserved, "emergencyExt.sirenUse"));
        }

        if (e.LightsUse is { } lights)
        {
            w.WriteU8(Enum8((byte)lights, (byte)LightbarInUse.FreqStops, "emergencyExt.lightsUse"));
        }
    }

    // ---- RSM ----------------------------------------------------------------------------------------------

    public static void WriteRsm(ref FrameWriter w, Rsm m)
    {
        w.WriteU8(m.MsgCnt);
        w.WriteBE64(m.Id.Value);
        WritePosition(ref w, m.RefPos, 0, 0);
        w.WriteListCount(m.Participants);
        foreach (ParticipantData p in m.Participants.AsSpan())
        {
            WriteParticipant(ref w, p, m.RefPos);
        }
    }

    private static void WriteParticipant(ref FrameWriter w, in ParticipantData p, Position3D refPos)
    {
        uint bits = (p.Id.HasValue ? ParticipantBits.Id : 0)
            | (p.Transmission.HasValue ? ParticipantBits.Transmission : 0)
            | (p.Angle.HasValue ? ParticipantBits.Angle : 0)
            | (p.AccelSet.HasValue ? ParticipantBits.AccelSet : 0)
            | (p.VehicleClass.HasValue ? ParticipantBits.VehicleClass : 0);
        w.WriteVarU32(bits);
        w.WriteU8(Enum8((byte)p.PtcType, (byte)ParticipantType.Rsu, "participant.ptcType"));
        w.WriteVarU32(p.PtcId);
        w.WriteU8(Enum8((byte)p.Source, (byte)SourceType.Integrated, "participant.source"));
        if (p.Id is { } id)
        {
            w.WriteBE64(id.Value);
        }

        w.WriteVarU32(p.SecMark);
        WritePosition(ref w, p.Pos, refPos.Lat, refPos.Long);
        w.WriteU8(Enum8((byte)p.PosConfidence.Pos, (byte)PositionConfidence.A1cm, "participant.posConfidence"));
        if (p.Transmission is { } transmission)
        {
            w.WriteU8(Enum8((byte)transmission, (byte)TransmissionState.Unavailable, "participant.transmission"));
        }

        w.WriteVarU32(p.Speed);
        w.WriteVarU32(p.Heading);
        if (p.Angle is { } angle)
        {
            w.WriteI8(angle);
        }

        if (p.AccelSet is { } accel)
        {
            WriteAccelSet(ref w, accel);
        }

        WriteSize(ref w, p.Size);
        if (p.VehicleClass is { } vehicleClass)
        {
            w.WriteU8(vehicleClass.Classification);
        }
    }

    // ---- SPAT ---------------------------------------------------------------------------------------------

    public static void WriteSpat(ref FrameWriter w, Spat m)
    {
        uint bits = (m.Moy.HasValue ? SpatBits.Moy : 0)
            | (m.TimeStamp.HasValue ? SpatBits.TimeStamp : 0)
            | (m.Name is not null ? SpatBits.Name : 0);
        w.WriteVarU32(bits);
        w.WriteU8(m.MsgCnt);
        if (m.Moy is { } moy)
        {
            w.WriteVarU32(moy);
        }

        if (m.TimeStamp is { } timeStamp)
        {
            w.WriteVarU32(timeStamp);
        }

        if (m.Name is { } name)
        {
            w.WriteString(name);
        }

        WriteList(ref w, m.Intersections, WriteIntersection);
    }

    private static void WriteIntersection(ref FrameWriter w, IntersectionState s)
    {
        ArgumentNullException.ThrowIfNull(s);
        w.WriteVarU32((s.Moy.HasValue ? IntersectionBits.Moy : 0) | (s.TimeStamp.HasValue ? IntersectionBits.TimeStamp : 0));
        WriteNodeRef(ref w, s.IntersectionId);
        w.WriteVarU32(s.Status);
        if (s.Moy is { } moy)
        {
            w.WriteVarU32(moy);
        }

        if (s.TimeStamp is { } timeStamp)
        {
            w.WriteVarU32(timeStamp);
        }

        WriteList(ref w, s.Phases, WritePhase);
    }

    private static void WritePhase(ref FrameWriter w, Phase p)
    {
        ArgumentNullException.ThrowIfNull(p);
        w.WriteU8(p.Id);
        WriteList(ref w, p.PhaseStates, WritePhaseState);
    }

    private static void WritePhaseState(ref FrameWriter w, PhaseState s)
    {
        w.WriteVarU32(s.Timing.HasValue ? 1u : 0u);
        w.WriteU8(Enum8((byte)s.Light, (byte)LightState.FlashingYellow, "phaseState.light"));
        if (s.Timing is { } t)
        {
            uint bits = (t.MinEndTime.HasValue ? TimingBits.MinEndTime : 0)
                | (t.MaxEndTime.HasValue ? TimingBits.MaxEndTime : 0)
                | (t.TimeConfidence.HasValue ? TimingBits.TimeConfidence : 0)
                | (t.NextStartTime.HasValue ? TimingBits.NextStartTime : 0)
                | (t.NextDuration.HasValue ? TimingBits.NextDuration : 0);
            w.WriteVarU32(bits);
            w.WriteU8(Enum8((byte)t.Kind, (byte)TimingKind.UtcTiming, "timing.kind"));
            w.WriteVarU32(t.StartTime);
            if (t.MinEndTime is { } minEnd)
            {
                w.WriteVarU32(minEnd);
            }

            if (t.MaxEndTime is { } maxEnd)
            {
                w.WriteVarU32(maxEnd);
            }

            w.WriteVarU32(t.LikelyEndTime);
            if (t.TimeConfidence is { } confidence)
            {
                w.WriteU8(confidence);
            }

            if (t.NextStartTime is { } nextStart)
            {
                w.WriteVarU32(nextStart);
            }

            if (t.NextDuration is { } nextDuration)
            {
                w.WriteVarU32(nextDuration);
            }
        }
    }

    private static void WriteNodeRef(ref FrameWriter w, NodeReferenceId id)
    {
        w.WriteVarU32(id.Region.HasValue ? 1u : 0u);
        w.WriteVarU32(id.Id);
        if (id.Region is { } region)
        {
            w.WriteVarU32(region);
        }
    }

    // ---- MAP ----------------------------------------------------------------------------------------------

    public static void WriteMap(ref FrameWriter w, MapData m)
    {
        w.WriteVarU32(m.TimeStamp.HasValue ? 1u : 0u);
        w.WriteU8(m.MsgCnt);
        if (m.TimeStamp is { } timeStamp)
        {
            w.WriteVarU32(timeStamp);
        }

        WriteList(ref w, m.Nodes, WriteNode);
    }

    private static void WriteNode(ref FrameWriter w, MapNode n)
    {
        ArgumentNullException.ThrowIfNull(n);
        w.WriteVarU32(n.Name is not null ? 1u : 0u);
        if (n.Name is { } name)
        {
            w.WriteString(name);
        }

        WriteNodeRef(ref w, n.Id);
        WritePosition(ref w, n.RefPos, 0, 0);
        WriteList(ref w, n.InLinks, WriteLink);
    }

    private static void WriteLink(ref FrameWriter w, MapLink l)
    {
        ArgumentNullException.ThrowIfNull(l);
        w.WriteVarU32(l.Name is not null ? 1u : 0u);
        if (l.Name is { } name)
        {
            w.WriteString(name);
        }

        WriteNodeRef(ref w, l.UpstreamNodeId);
        WriteList(ref w, l.SpeedLimits, WriteSpeedLimit);
        w.WriteVarU32(l.LinkWidth);
        WriteList(ref w, l.Points, WriteRoadPoint);
        WriteList(ref w, l.Movements, WriteMovement);
        WriteList(ref w, l.Lanes, WriteLane);
    }

    private static void WriteSpeedLimit(ref FrameWriter w, RegulatorySpeedLimit s)
    {
        w.WriteU8(Enum8((byte)s.Type, (byte)SpeedLimitType.VehiclesWithTrailersNightMaxSpeed, "speedLimit.type"));
        w.WriteVarU32(s.Speed);
    }

    private static void WriteRoadPoint(ref FrameWriter w, RoadPoint p)
    {
        w.WriteVarS32(p.LatOffset);
        w.WriteVarS32(p.LonOffset);
    }

    private static void WriteMovement(ref FrameWriter w, Movement m)
    {
        w.WriteVarU32(m.PhaseId.HasValue ? 1u : 0u);
        WriteNodeRef(ref w, m.RemoteIntersection);
        if (m.PhaseId is { } phaseId)
        {
            w.WriteU8(phaseId);
        }
    }

    private static void WriteLane(ref FrameWriter w, MapLane l)
    {
        ArgumentNullException.ThrowIfNull(l);
        uint bits = (l.LaneWidth.HasValue ? LaneBits.LaneWidth : 0)
            | (l.LaneAttributes.HasValue ? LaneBits.LaneAttributes : 0)
            | (l.Maneuvers.HasValue ? LaneBits.Maneuvers : 0);
        w.WriteVarU32(bits);
        w.WriteU8(l.LaneId);
        if (l.LaneWidth is { } width)
        {
            w.WriteVarU32(width);
        }

        if (l.LaneAttributes is { } attributes)
        {
            w.WriteVarU32(attributes.ShareWith.HasValue ? 1u : 0u);
            w.WriteU8(Enum8((byte)attributes.LaneType, (byte)LaneType.Parking, "laneAttributes.laneType"));
            w.WriteVarU32(attributes.TypeAttributes);
            if (attributes.ShareWith is { } shareWith)
            {
                w.WriteVarU32(shareWith);
            }
        }

        if (l.Maneuvers is { } maneuvers)
        {
            w.WriteVarU32(Flags((ushort)maneuvers, FrameFormat.ManeuversAll, "lane.maneuvers"));
        }

        WriteList(ref w, l.ConnectsTo, WriteConnection);
        WriteList(ref w, l.SpeedLimits, WriteSpeedLimit);
        WriteList(ref w, l.Points, WriteRoadPoint);
    }

    private static void WriteConnection(ref FrameWriter w, Connection c)
    {
        w.WriteVarU32((c.ConnectingLane.HasValue ? ConnectionBits.ConnectingLane : 0) | (c.PhaseId.HasValue ? ConnectionBits.PhaseId : 0));
        WriteNodeRef(ref w, c.RemoteIntersection);
        if (c.ConnectingLane is { } lane)
        {
            w.WriteVarU32(lane.Maneuver.HasValue ? 1u : 0u);
            w.WriteU8(lane.Lane);
            if (lane.Maneuver is { } maneuver)
            {
                w.WriteVarU32(Flags((ushort)maneuver, FrameFormat.ManeuversAll, "connectingLane.maneuver"));
            }
        }

        if (c.PhaseId is { } phaseId)
        {
            w.WriteU8(phaseId);
        }
    }

    // ---- RSI ----------------------------------------------------------------------------------------------

    public static void WriteRsi(ref FrameWriter w, Rsi m)
    {
        w.WriteVarU32(m.Moy.HasValue ? 1u : 0u);
        w.WriteU8(m.MsgCnt);
        if (m.Moy is { } moy)
        {
            w.WriteVarU32(moy);
        }

        w.WriteBE64(m.Id.Value);
        WritePosition(ref w, m.RefPos, 0, 0);
        WriteList(ref w, m.Rtes, WriteRte);
        WriteList(ref w, m.Rtss, WriteRts);
    }

    private static void WriteRte(ref FrameWriter w, RteData r)
    {
        ArgumentNullException.ThrowIfNull(r);
        uint bits = (r.EventPos.HasValue ? RteBits.EventPos : 0)
            | (r.EventRadius.HasValue ? RteBits.EventRadius : 0)
            | (r.Description is not null ? RteBits.Description : 0)
            | (r.TimeDetails.HasValue ? RteBits.TimeDetails : 0)
            | (r.Priority.HasValue ? RteBits.Priority : 0)
            | (r.EventConfidence.HasValue ? RteBits.EventConfidence : 0);
        w.WriteVarU32(bits);
        w.WriteU8(r.RteId);
        w.WriteVarU32(r.EventType);
        w.WriteU8(Enum8((byte)r.EventSource, (byte)EventSource.Detection, "rte.eventSource"));
        if (r.EventPos is { } pos)
        {
            WriteRoadPoint(ref w, pos);
        }

        if (r.EventRadius is { } radius)
        {
            w.WriteVarU32(radius);
        }

        if (r.Description is { } description)
        {
            w.WriteString(description);
        }

        if (r.TimeDetails is { } time)
        {
            WriteTimeDetails(ref w, time);
        }

        if (r.Priority is { } priority)
        {
            w.WriteU8(priority);
        }

        WriteList(ref w, r.ReferencePaths, WriteReferencePath);
        if (r.EventConfidence is { } confidence)
        {
            w.WriteU8(confidence);
        }
    }

    private static void WriteRts(ref FrameWriter w, RtsData r)
    {
        ArgumentNullException.ThrowIfNull(r);
        uint bits = (r.SignPos.HasValue ? RtsBits.SignPos : 0)
            | (r.Description is not null ? RtsBits.Description : 0)
            | (r.TimeDetails.HasValue ? RtsBits.TimeDetails : 0)
            | (r.Priority.HasValue ? RtsBits.Priority : 0);
        w.WriteVarU32(bits);
        w.WriteU8(r.RtsId);
        w.WriteVarU32(r.SignType);
        if (r.SignPos is { } pos)
        {
            WriteRoadPoint(ref w, pos);
        }

        if (r.Description is { } description)
        {
            w.WriteString(description);
        }

        if (r.TimeDetails is { } time)
        {
            WriteTimeDetails(ref w, time);
        }

        if (r.Priority is { } priority)
        {
            w.WriteU8(priority);
        }

        WriteList(ref w, r.ReferencePaths, WriteReferencePath);
    }

    private static void WriteTimeDetails(ref FrameWriter w, RsiTimeDetails t)
    {
        w.WriteVarU32((t.StartTime.HasValue ? TimeDetailsBits.StartTime : 0) | (t.EndTime.HasValue ? TimeDetailsBits.EndTime : 0));
        if (t.StartTime is { } start)
        {
            w.WriteVarU32(start);
        }

        if (t.EndTime is { } end)
        {
            w.WriteVarU32(end);
        }
    }

    private static void WriteReferencePath(ref FrameWriter w, ReferencePath p)
    {
        ArgumentNullException.ThrowIfNull(p);
        WriteList(ref w, p.ActivePath, WriteRoadPoint);
        w.WriteVarU32(p.PathRadius);
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static void WriteList<T>(ref FrameWriter w, ValueArray<T> list, ElementWriter<T> write)
    {
        w.WriteListCount(list);
        foreach (T item in list.AsSpan())
        {
            write(ref w, item);
        }
    }

    private static byte Enum8(byte value, byte max, string field)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, max, field);
        return value;
    }

    private static ushort Flags(ushort value, ushort defined, string field) =>
        (value & ~defined) == 0
            ? value
            : throw new ArgumentOutOfRangeException(field, value, "the flags hold bits the model does not define");
}
