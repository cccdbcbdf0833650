namespace QiZhiChunCheng.Core.Messages;

/// <summary>
/// RoadsideSafetyMessage: what one RSU's sensors perceive, 10 Hz, 1..16 participants per message.
/// Participant positions are held absolute (1e-7 deg); the JSON form may carry them as offsets from
/// <see cref="RefPos"/> (<c>offsetLL</c> position-LL1..LL6) or absolute (<c>position-LatLon</c>).
/// Immutable; thread-safe to read.
/// </summary>
public sealed record Rsm
{
    public const int MaxParticipants = 16;

    public byte MsgCnt { get; init; }

    /// <summary>RSU id, 8 octets.</summary>
    public OctetId8 Id { get; init; }

    public Position3D RefPos { get; init; }

    public ValueArray<ParticipantData> Participants { get; init; }
}

/// <summary>ParticipantType (ENUMERATED).</summary>
public enum ParticipantType : byte
{
    Unknown = 0,
    Motor = 1,
    NonMotor = 2,
    Pedestrian = 3,
    Rsu = 4,
}

/// <summary>SourceType (ENUMERATED): which sensor produced a participant.</summary>
public enum SourceType : byte
{
    Unknown = 0,
    Selfinfo = 1,
    V2x = 2,
    Video = 3,
    MicrowaveRadar = 4,
    Loop = 5,
    Lidar = 6,
    Integrated = 7,
}

/// <summary>ParticipantData: one road user as seen by the RSU.</summary>
public readonly record struct ParticipantData
{
    public ParticipantType PtcType { get; init; }

    /// <summary>0..65535, unique per RSU.</summary>
    public ushort PtcId { get; init; }

    public SourceType Source { get; init; }

    /// <summary>The BSM id when the RSU has associated the participant with a V2X vehicle.</summary>
    public OctetId8? Id { get; init; }

    public ushort SecMark { get; init; }

    /// <summary>Absolute position (the JSON offset from refPos is resolved on decode).</summary>
    public Position3D Pos { get; init; }

    public PositionConfidenceSet PosConfidence { get; init; }

    public TransmissionState? Transmission { get; init; }

    public ushort Speed { get; init; }

    public ushort Heading { get; init; }

    public sbyte? Angle { get; init; }

    public AccelerationSet4Way? AccelSet { get; init; }

    public VehicleSize Size { get; init; }

    public VehicleClassification? VehicleClass { get; init; }

    public double SpeedMps => Speed * 0.02;

    public double HeadingDeg => Heading * 0.0125;
}
