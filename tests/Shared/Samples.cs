using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Testing;

/// <summary>
/// Realistic messages from the zone (Dongfeng Street at the Feiyue Road junction), shared by tests and
/// benchmarks through a linked source file. The BSM is the one of V2X-REFERENCE section 6.
/// </summary>
public static class Samples
{
    public static readonly DateTimeOffset Noon = new(2026, 11, 28, 4, 0, 41, 200, TimeSpan.Zero);

    /// <summary>The BSM of V2X-REFERENCE section 6 exactly as printed there: the standard's plain example.</summary>
    public const string ReferenceBsmJson = """
        {"msgCnt": 17, "id": "51415A4343303031", "secMark": 41200,
         "pos": {"lat": 438471000, "long": 1252241000, "elevation": 2150},
         "transmission": "forwardGears", "speed": 675, "heading": 4880,
         "accelSet": {"long": -450, "lat": 0, "vert": 0, "yaw": 0},
         "brakes": {"brakePadel": "on"},
         "size": {"width": 185, "length": 498, "height": 30},
         "vehicleClass": {"classification": 10},
         "safetyExt": {"events": {"value": "0100", "length": 13}}}
        """;

    public static Envelope Envelope(MessageType type, string source = "RSU-DF-01", SourceKind kind = SourceKind.Rsu) => new()
    {
        SourceKind = kind,
        SourceId = DeviceId.Parse(source),
        Type = type,
        GeneratedUtcMs = Noon.ToUnixTimeMilliseconds(),
        IngestUtcMs = Noon.ToUnixTimeMilliseconds() + 12,
        Sequence = 4711,
        TraceId = new TraceId(0x0123456789ABCDEF, 0xFEDCBA9876543210),
    };

    public static Bsm Bsm() => new()
    {
        MsgCnt = 17,
        Id = new OctetId8(0x51415A4343303031),
        SecMark = 41200,
        Pos = new Position3D(438471000, 1252241000, 2150),
        PosAccuracy = new PositionalAccuracy(20, 15, 8000),
        PosConfidence = new PositionConfidenceSet(PositionConfidence.A1m),
        Transmission = TransmissionState.ForwardGears,
        Speed = 675,
        Heading = 4880,
        Angle = -3,
        AccelSet = new AccelerationSet4Way(-450, 0, 0, 0),
        Brakes = new BrakeSystemStatus { BrakePadel = BrakePedalStatus.On, Abs = AntiLockBrakeStatus.Off },
        Size = new VehicleSize(185, 498, 30),
        VehicleClass = new VehicleClassification(10),
        SafetyExt = new VehicleSafetyExtensions
        {
            Events = VehicleEventFlags.HardBraking,
            PathHistory = new PathHistory(
            [
                new PathHistoryPoint(-120, -230, 10, 690, 4880),
                new PathHistoryPoint(-250, -470, 20, 700, 4878),
                new PathHistoryPoint(-380, -710, 30),
            ]),
            Lights = ExteriorLights.LowBeamHeadlightsOn,
        },
    };

    /// <summary>An RSM with 16 participants: cars on three lanes, two cyclists, two pedestrians.</summary>
    public static Rsm Rsm16()
    {
        var participants = new ParticipantData[16];
        for (int i = 0; i < participants.Length; i++)
        {
            ParticipantType type = i switch { 14 or 15 => ParticipantType.Pedestrian, 12 or 13 => ParticipantType.NonMotor, _ => ParticipantType.Motor };
            participants[i] = new ParticipantData
            {
                PtcType = type,
                PtcId = (ushort)(400 + i),
                Source = i % 3 == 0 ? SourceType.Lidar : SourceType.Video,
                Id = i < 4 ? new OctetId8(0x5141000000000000UL + (ulong)i) : null,
                SecMark = 41200,
                Pos = new Position3D(438470800 + (i * 37) - 300, 1252241100 + (i * 53) - 400, 2150),
                PosConfidence = new PositionConfidenceSet(PositionConfidence.A50cm),
                Transmission = type == ParticipantType.Motor ? TransmissionState.ForwardGears : null,
                Speed = (ushort)(type == ParticipantType.Pedestrian ? 65 : 500 + (i * 10)),
                Heading = (ushort)(type == ParticipantType.Pedestrian ? 14400 : 4880),
                AccelSet = type == ParticipantType.Motor ? new AccelerationSet4Way((short)(i * 5), 0, 0, 0) : null,
                Size = type switch
                {
                    ParticipantType.Pedestrian => new VehicleSize(50, 50),
                    ParticipantType.NonMotor => new VehicleSize(60, 180),
                    _ => new VehicleSize(185, 480, 30),
                },
                VehicleClass = type == ParticipantType.Motor ? new VehicleClassification(10) : null,
            };
        }

        return new Rsm
        {
            MsgCnt = 3,
            Id = new OctetId8(0x5253553030303031),
            RefPos = new Position3D(438470800, 1252241100, 2150),
            Participants = participants,
        };
    }
}
