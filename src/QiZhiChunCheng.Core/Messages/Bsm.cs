using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace QiZhiChunCheng.Core.Messages;

/// <summary>
/// BasicSafetyMessage (T/CSAE 53, flat form): a vehicle's self-report at 10 Hz. Field names and raw integer
/// units are the standard's; SI accessors are derived. A value type with no references, so decoding one from
/// the binary bus form allocates nothing. Large (about 0.5 KB): pass it by <c>in</c>.
/// </summary>
public readonly record struct Bsm
{
    public const ushort SpeedUnavailable = 8191;

    /// <summary>MsgCount, 0..127.</summary>
    public byte MsgCnt { get; init; }

    /// <summary>Vehicle id, 8 octets.</summary>
    public OctetId8 Id { get; init; }

    /// <summary>DSecond: milliseconds within the current UTC minute, 0..59999 (60000.. invalid).</summary>
    public ushort SecMark { get; init; }

    public Position3D Pos { get; init; }

    public PositionalAccuracy? PosAccuracy { get; init; }

    public PositionConfidenceSet? PosConfidence { get; init; }

    public TransmissionState Transmission { get; init; }

    /// <summary>Speed, 0.02 m/s, 0..8191 (8191 unavailable).</summary>
    public ushort Speed { get; init; }

    /// <summary>Heading, 0.0125 deg clockwise from true north, 0..28800.</summary>
    public ushort Heading { get; init; }

    /// <summary>SteeringWheelAngle, 1.5 deg, -126..127 (127 unavailable).</summary>
    public sbyte? Angle { get; init; }

    public AccelerationSet4Way AccelSet { get; init; }

    public BrakeSystemStatus Brakes { get; init; }

    public VehicleSize Size { get; init; }

    public VehicleClassification VehicleClass { get; init; }

    public VehicleSafetyExtensions? SafetyExt { get; init; }

    public VehicleEmergencyExtensions? EmergencyExt { get; init; }

    public double SpeedMps => Speed * 0.02;

    public double HeadingDeg => Heading * 0.0125;

    public bool SpeedAvailable => Speed != SpeedUnavailable;
}

/// <summary>BrakeSystemStatus; every member optional.</summary>
public readonly record struct BrakeSystemStatus
{
    public BrakePedalStatus? BrakePadel { get; init; }

    /// <summary>BrakeAppliedStatus, BIT STRING SIZE(5): unavailable, leftFront, leftRear, rightFront, rightRear.</summary>
    public BrakeAppliedStatus? WheelBrakes { get; init; }

    public TractionControlStatus? Traction { get; init; }

    public AntiLockBrakeStatus? Abs { get; init; }

    public StabilityControlStatus? Scs { get; init; }

    public BrakeBoostApplied? BrakeBoost { get; init; }

    public AuxiliaryBrakeStatus? AuxBrakes { get; init; }
}

public enum BrakePedalStatus : byte
{
    Unavailable = 0,
    Off = 1,
    On = 2,
}

/// <summary>BrakeAppliedStatus bits: bit n of the ASN.1 string is <c>1 &lt;&lt; n</c>.</summary>
[Flags]
public enum BrakeAppliedStatus : byte
{
    None = 0,
    Unavailable = 1 << 0,
    LeftFront = 1 << 1,
    LeftRear = 1 << 2,
    RightFront = 1 << 3,
    RightRear = 1 << 4,
}

public enum TractionControlStatus : byte
{
    Unavailable = 0,
    Off = 1,
    On = 2,
    Engaged = 3,
}

public enum AntiLockBrakeStatus : byte
{
    Unavailable = 0,
    Off = 1,
    On = 2,
    Engaged = 3,
}

public enum StabilityControlStatus : byte
{
    Unavailable = 0,
    Off = 1,
    On = 2,
    Engaged = 3,
}

public enum BrakeBoostApplied : byte
{
    Unavailable = 0,
    Off = 1,
    On = 2,
}

public enum AuxiliaryBrakeStatus : byte
{
    Unavailable = 0,
    Off = 1,
    On = 2,
    Reserved = 3,
}

/// <summary>VehicleEventFlags, BIT STRING SIZE(13,...): bit n of the ASN.1 string is <c>1 &lt;&lt; n</c>.</summary>
[Flags]
public enum VehicleEventFlags : ushort
{
    None = 0,
    HazardLights = 1 << 0,
    StopLineViolation = 1 << 1,
    AbsActivated = 1 << 2,
    TractionControlLoss = 1 << 3,
    StabilityControlActivated = 1 << 4,
    HazardousMaterials = 1 << 5,
    Reserved1 = 1 << 6,
    HardBraking = 1 << 7,
    LightsChanged = 1 << 8,
    WipersChanged = 1 << 9,
    FlatTire = 1 << 10,
    DisabledVehicle = 1 << 11,
    AirBagDeployment = 1 << 12,
}

/// <summary>ExteriorLights, BIT STRING SIZE(9,...): bit n of the ASN.1 string is <c>1 &lt;&lt; n</c>.</summary>
[Flags]
public enum ExteriorLights : ushort
{
    None = 0,
    LowBeamHeadlightsOn = 1 << 0,
    HighBeamHeadlightsOn = 1 << 1,
    LeftTurnSignalOn = 1 << 2,
    RightTurnSignalOn = 1 << 3,
    HazardSignalOn = 1 << 4,
    AutomaticLightControlOn = 1 << 5,
    DaytimeRunningLightsOn = 1 << 6,
    FogLightOn = 1 << 7,
    ParkingLightsOn = 1 << 8,
}

/// <summary>VehicleSafetyExtensions; every member optional.</summary>
public readonly record struct VehicleSafetyExtensions
{
    public VehicleEventFlags? Events { get; init; }

    public PathHistory? PathHistory { get; init; }

    public PathPrediction? PathPrediction { get; init; }

    public ExteriorLights? Lights { get; init; }
}

/// <summary>PathPrediction: radiusOfCurve (10 cm, -32767..32767; 32767 straight), confidence (0.5 %, 0..200).</summary>
public readonly record struct PathPrediction(short RadiusOfCurve, byte Confidence);

/// <summary>
/// One PathHistoryPoint: <c>llvOffset</c> as latitude and longitude offsets (1e-7 deg) from the BSM position,
/// <c>timeOffset</c> (10 ms, 1..65535) into the past, and optional speed and heading.
/// </summary>
public readonly record struct PathHistoryPoint(int LatOffset, int LonOffset, ushort TimeOffset, ushort? Speed = null, ushort? Heading = null);

/// <summary>PathHistory: up to 23 crumbs, stored inline so the BSM stays a reference-free value.</summary>
public readonly struct PathHistory : IEquatable<PathHistory>
{
    public const int MaxPoints = 23;

    private readonly PathHistoryPoints _points;

    public PathHistory(ReadOnlySpan<PathHistoryPoint> crumbData)
    {
        if (crumbData.Length > MaxPoints)
        {
            throw new ArgumentException($"a path history holds at most {MaxPoints} points", nameof(crumbData));
        }

        Span<PathHistoryPoint> target = _points;
        crumbData.CopyTo(target);
        Count = crumbData.Length;
    }

    public int Count { get; }

    [UnscopedRef]
    public ReadOnlySpan<PathHistoryPoint> CrumbData => ((ReadOnlySpan<PathHistoryPoint>)_points)[..Count];

    public bool Equals(PathHistory other) => CrumbData.SequenceEqual(other.CrumbData);

    public override bool Equals(object? obj) => obj is PathHistory other && Equals(other);

    public override int GetHashCode()
    {
        HashCode hash = default;
        foreach (PathHistoryPoint p in CrumbData)
        {
            hash.Add(p);
        }

        return hash.ToHashCode();
    }

    public static bool operator ==(PathHistory left, PathHistory right) => left.Equals(right);

    public static bool operator !=(PathHistory left, PathHistory right) => !left.Equals(right);

    [InlineArray(MaxPoints)]
    private struct PathHistoryPoints
    {
        private PathHistoryPoint _first;
    }
}

/// <summary>VehicleEmergencyExtensions; every member optional.</summary>
public readonly record struct VehicleEmergencyExtensions
{
    public ResponseType? ResponseType { get; init; }

    public SirenInUse? SirenUse { get; init; }

    public LightbarInUse? LightsUse { get; init; }
}

public enum ResponseType : byte
{
    NotInUseOrNotEquipped = 0,
    Emergency = 1,
    NonEmergency = 2,
    Pursuit = 3,
    Stationary = 4,
    SlowMoving = 5,
    StopAndGoMovement = 6,
}

public enum SirenInUse : byte
{
    Unavailable = 0,
    NotInUse = 1,
    InUse = 2,
    Reserved = 3,
}

public enum LightbarInUse : byte
{
    Unavailable = 0,
    NotInUse = 1,
    InUse = 2,
    YellowCautionLights = 3,
    SchooldBusLights = 4,
    ArrowSignsActive = 5,
    SlowMovingVehicle = 6,
    FreqStops = 7,
}
