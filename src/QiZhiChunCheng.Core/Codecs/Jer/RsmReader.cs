using System.Globalization;
using System.Text.Json;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;

namespace QiZhiChunCheng.Core.Codecs.Jer;

/// <summary>
/// Reads a RoadsideSafetyMessage straight from UTF-8 JSON (10 Hz per RSU, up to 16 participants). Participants
/// are read into a stack buffer and placed against <c>refPos</c> at the end, because JSON does not promise that
/// <c>refPos</c> comes first; the only allocations are the participant array and the <see cref="Rsm"/>.
/// Thread-safe (no state).
/// </summary>
internal static class RsmReader
{
    private static readonly JerNames Members = new("msgCnt", "id", "refPos", "participants");

    private const int PtcType = 0, PtcId = 1, Source = 2, Id = 3, SecMark = 4, Pos = 5, PosConfidence = 6, Transmission = 7,
        Speed = 8, Heading = 9, Angle = 10, AccelSet = 11, Size = 12, VehicleClass = 13;

    private static readonly JerNames ParticipantMembers = new(
        "ptcType", "ptcId", "source", "id", "secMark", "pos", "posConfidence", "transmission", "speed", "heading", "angle",
        "accelSet", "size", "vehicleClass");

    private const int RequiredParticipantMembers = (1 << PtcType) | (1 << PtcId) | (1 << Source) | (1 << SecMark) | (1 << Pos)
        | (1 << PosConfidence) | (1 << Speed) | (1 << Heading) | (1 << Size);

    /// <summary>Reads the RSM object at the reader (positioned at its start) through its end.</summary>
    public static JerError? Read(ref Utf8JsonReader r, out Rsm? rsm)
    {
        rsm = null;
        if (JerReader.ExpectObject(ref r, "") is { } notObject)
        {
            return notObject;
        }

        byte msgCnt = 0;
        OctetId8 id = default;
        Position3D refPos = default;
        Span<ParticipantData> participants = stackalloc ParticipantData[Rsm.MaxParticipants];
        Span<LlvOffset> offsets = stackalloc LlvOffset[Rsm.MaxParticipants];
        int count = 0, seen = 0, next = 0;
        while (JerReader.NextMember(ref r, out ReadOnlySpan<byte> name))
        {
            int member = Members.Find(name, ref next);
            JerError? e;
            switch (member)
            {
                case 0:
                    e = JerReader.U8(ref r, "msgCnt", V2xRanges.MsgCount, out msgCnt);
                    break;
                case 1:
                    e = JerReader.OctetId(ref r, "id", out id);
                    break;
                case 2:
                    e = JerReader.ReadPosition3D(ref r, "refPos", out refPos);
                    break;
                case 3:
                    e = ReadParticipants(ref r, participants, offsets, out count);
                    break;
                default:
                    r.Skip();
                    continue;
            }

            if (e is not null)
            {
                return e;
            }

            seen |= 1 << member;
        }

        if (Members.Require(seen, 15) is { } missing)
        {
            return missing;
        }

        var placed = new ParticipantData[count];
        for (int i = 0; i < count; i++)
        {
            if (JerReader.ToAbsolute(offsets[i], refPos, out Position3D pos) is { } placeError)
            {
                return placeError.In("pos").At(i).In("participants");
            }

            placed[i] = participants[i] with { Pos = pos };
        }

        rsm = new Rsm { MsgCnt = msgCnt, Id = id, RefPos = refPos, Participants = placed };
        return null;
    }

    private static JerError? ReadParticipants(ref Utf8JsonReader r, scoped Span<ParticipantData> participants, scoped Span<LlvOffset> offsets, out int count)
    {
        count = 0;
        if (JerReader.ExpectArray(ref r, "participants") is { } notArray)
        {
            return notArray;
        }

        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (count == participants.Length)
            {
                return JerReader.TooManyItems(ref r, count, "participants", "participants", V2xRanges.RsmParticipants);
            }

            if (ReadParticipant(ref r, out participants[count], out offsets[count]) is { } e)
            {
                return e.At(count).In("participants");
            }

            count++;
        }

        return null;
    }

    // Pos is left default here; the caller places the offset against refPos.
    private static JerError? ReadParticipant(ref Utf8JsonReader r, out ParticipantData participant, out LlvOffset offset)
    {
        participant = default;
        offset = default;
        if (JerReader.ExpectObject(ref r, "") is { } notObject)
        {
            return notObject;
        }

        JerParticipantType ptcType = default;
        ushort ptcId = 0, secMark = 0, speed = 0, heading = 0;
        SourceType source = default;
        OctetId8? id = null;
        PositionConfidenceSet posConfidence = default;
        TransmissionState? transmission = null;
        sbyte? angle = null;
        AccelerationSet4Way? accelSet = null;
        VehicleSize size = default;
        VehicleClassification? vehicleClass = null;
        int seen = 0, next = 0;
        while (JerReader.NextMember(ref r, out ReadOnlySpan<byte> name))
        {
            int member = ParticipantMembers.Find(name, ref next);
            JerError? e;
            switch (member)
            {
                case PtcType:
                    e = JerReader.Enumerated(ref r, "ptcType", out ptcType);
                    break;
                case PtcId:
                    e = JerReader.U16(ref r, "ptcId", V2xRanges.PtcId, out ptcId);
                    break;
                case Source:
                    e = JerReader.Enumerated(ref r, "source", out source);
                    break;
                case Id:
                    e = JerReader.OctetId(ref r, "id", out OctetId8 bsmId);
                    id = bsmId;
                    break;
                case SecMark:
                    e = JerReader.U16(ref r, "secMark", V2xRanges.DSecond, out secMark);
                    break;
                case Pos:
                    e = JerReader.ReadOffsetLlv(ref r, "pos", vertical: true, out offset);
                    break;
                case PosConfidence:
                    e = JerReader.ReadPositionConfidence(ref r, "posConfidence", out posConfidence);
                    break;
                case Transmission:
                    e = JerReader.Enumerated(ref r, "transmission", out TransmissionState state);
                    transmission = state;
                    break;
                case Speed:
                    e = JerReader.U16(ref r, "speed", V2xRanges.Speed, out speed);
                    break;
                case Heading:
                    e = JerReader.U16(ref r, "heading", V2xRanges.Heading, out heading);
                    break;
                case Angle:
                    e = JerReader.S8(ref r, "angle", V2xRanges.SteeringWheelAngle, out sbyte steering);
                    angle = steering;
                    break;
                case AccelSet:
                    e = JerReader.ReadAccelSet(ref r, "accelSet", out AccelerationSet4Way accel);
                    accelSet = accel;
                    break;
                case Size:
                    e = JerReader.ReadVehicleSize(ref r, "size", out size);
                    break;
                case VehicleClass:
                    e = JerReader.ReadVehicleClass(ref r, "vehicleClass", out VehicleClassification classification);
                    vehicleClass = classification;
                    break;
                default:
                    r.Skip();
                    continue;
            }

            if (e is not null)
            {
                return e;
            }

            seen |= 1 << member;
        }

        participant = new ParticipantData
        {
            PtcType = (ParticipantType)ptcType,
            PtcId = ptcId,
            Source = source,
            Id = id,
            SecMark = secMark,
            PosConfidence = posConfidence,
            Transmission = transmission,
            Speed = speed,
            Heading = heading,
            Angle = angle,
            AccelSet = accelSet,
            Size = size,
            VehicleClass = vehicleClass,
        };
        return ParticipantMembers.Require(seen, RequiredParticipantMembers);
    }
}
