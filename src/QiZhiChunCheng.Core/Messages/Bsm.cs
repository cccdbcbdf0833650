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

    // Explicit so that the decoders can fill the extensions in place (see InitSafetyExt).
    private readonly VehicleSafetyExtensions? _safetyExt;
    private readonly VehicleEmergencyExtensions? _emergencyExt;

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

    public VehicleSafetyExtensions? SafetyExt { get => _safetyExt; init => _safetyExt = value; }

    public VehicleEmergencyExtensions? EmergencyExt { get => _emergencyExt; init => _emergencyExt = value; }

    public double SpeedMps => Speed * 0.02;

    public double HeadingDeg => Heading * 0.0125;

    public bool SpeedAvailable => Speed != SpeedUnavailable;

    /// <summary>
    /// For the decoders only: makes <paramref name="bsm"/>'s safety extension present with every member absent
    /// and returns its storage, so that the path history is written once, in place, instead of being copied
    /// through the temporaries of init-only construction (each copy moves the whole inline path history).
    /// The caller owns <paramref name="bsm"/> and has not published it yet.
    /// </summary>
    internal static ref VehicleSafetyExtensions InitSafetyExt(ref Bsm bsm)
    {
        ref VehicleSafetyExtensions? slot = ref Unsafe.AsRef(in bsm._safetyExt);
        slot = default(VehicleSafetyExtensions);
        return ref Unsafe.AsRef(in Nullable.GetValueRefOrDefaultRef(in slot));
    }

    /// <summary>For the decoders only: sets the emergency extension of a BSM they have not published yet.</summary>
    internal static void SetEmergencyExt(ref Bsm bsm, in VehicleEmergencyExtensions? value) =>
        Unsafe.AsRef(in bsm._emergencyExt) = value;
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
    // Explicit so that the decoders can fill an extension in place (see InitPathHistory).
    private readonly VehicleEventFlags? _events;
    private readonly PathHistory? _pathHistory;
    private readonly PathPrediction? _pathPrediction;
    private readonly ExteriorLights? _lights;

    public VehicleEventFlags? Events { get => _events; init => _events = value; }

    public PathHistory? PathHistory { get => _pathHistory; init => _pathHistory = value; }

    public PathPrediction? PathPrediction { get => _pathPrediction; init => _pathPrediction = value; }

    public ExteriorLights? Lights { get => _lights; init => _lights = value; }

    /// <summary>
    /// For the decoders only: makes the path history of an extension they are building present and empty and
    /// returns its storage for <see cref="Messages.PathHistory.Fill"/>.
    /// </summary>
    internal static ref PathHistory InitPathHistory(ref VehicleSafetyExtensions ext)
    {
        ref PathHistory? slot = ref Unsafe.AsRef(in ext._pathHistory);
        slot = default(PathHistory);
        return ref Unsafe.AsRef(in Nullable.GetValueRefOrDefaultRef(in slot));
    }

    /// <summary>For the decoders only: sets the small members of an extension they are building, leaving the path history.</summary>
    internal static void SetMembers(ref VehicleSafetyExtensions ext, VehicleEventFlags? events, PathPrediction? pathPrediction, ExteriorLights? lights)
    {
        Unsafe.AsRef(in ext._events) = events;
        Unsafe.AsRef(in ext._pathPrediction) = pathPrediction;
        Unsafe.AsRef(in ext._lights) = lights;
    }
}

/// <summary>PathPrediction: radiusOfCurve (10 cm, -32767..32767; 32767 straight), confidence (0.5 %, 0..200).</summary>
public readonly record struct PathPrediction(short RadiusOfCurve, byte Confidence);

/// <summary>
/// One PathHistoryPoint: <c>llvOffset</c> as latitude and longitude offsets (1e-7 deg) from the BSM position,
/// <c>timeOffset</c> (10 ms, 1..65535) into the past, and optional speed and heading.
/// </summary>
/// <remarks>
/// 16 bytes: the optional speed and heading are stored as plain values plus a presence byte rather than as two
/// <see cref="Nullable{T}"/> (which would make a point 20 bytes), because the path history holds 23 points
/// inline and every copy of a BSM copies them all. A sentinel value would not do: any ushort is a value the
/// codecs must keep so that the validator can name it.
/// </remarks>
public readonly record struct PathHistoryPoint
{
    private const byte HasSpeed = 1, HasHeading = 2;

    private readonly ushort _speed;
    private readonly ushort _heading;
    private readonly byte _present;

    public PathHistoryPoint(int latOffset, int lonOffset, ushort timeOffset, ushort? speed = null, ushort? heading = null)
    {
        LatOffset = latOffset;
        LonOffset = lonOffset;
        TimeOffset = timeOffset;
        _speed = speed.GetValueOrDefault();
        _heading = heading.GetValueOrDefault();
        _present = (byte)((speed.HasValue ? HasSpeed : 0) | (heading.HasValue ? HasHeading : 0));
    }

    public int LatOffset { get; init; }

    public int LonOffset { get; init; }

    public ushort TimeOffset { get; init; }

    /// <summary>Speed, 0.02 m/s, or null when absent.</summary>
    public ushort? Speed
    {
        get => (_present & HasSpeed) != 0 ? _speed : null;
        init
        {
            _speed = value.GetValueOrDefault();
            _present = (byte)(value.HasValue ? _present | HasSpeed : _present & ~HasSpeed);
        }
    }

    /// <summary>Heading, 0.0125 deg, or null when absent.</summary>
    public ushort? Heading
    {
        get => (_present & HasHeading) != 0 ? _heading : null;
        init
        {
            _heading = value.GetValueOrDefault();
            _present = (byte)(value.HasValue ? _present | HasHeading : _present & ~HasHeading);
        }
    }

    public void Deconstruct(out int latOffset, out int lonOffset, out ushort timeOffset, out ushort? speed, out ushort? heading)
    {
        latOffset = LatOffset;
        lonOffset = LonOffset;
        timeOffset = TimeOffset;
        speed = Speed;
        heading = Heading;
    }
}

/// <summary>PathHistory: up to 23 crumbs, stored inline so the BSM stays a reference-free value.</summary>
public readonly struct PathHistory : IEquatable<PathHistory>
{
    public const int MaxPoints = 23;

    private readonly PathHistoryPoints _points;
    private readonly int _count;

    public PathHistory(ReadOnlySpan<PathHistoryPoint> crumbData)
    {
        if (crumbData.Length > MaxPoints)
        {
            throw new ArgumentException($"a path history holds at most {MaxPoints} points", nameof(crumbData));
        }

        Span<PathHistoryPoint> target = _points;
        crumbData.CopyTo(target);
        _count = crumbData.Length;
    }

    public int Count => _count;

    [UnscopedRef]
    public ReadOnlySpan<PathHistoryPoint> CrumbData => ((ReadOnlySpan<PathHistoryPoint>)_points)[..Count];

    /// <summary>
    /// For the decoders only: sets the count of a path history they are building (0..<see cref="MaxPoints"/>,
    /// checked by the caller) and returns its first <paramref name="count"/> points to write in place.
    /// </summary>
    internal static Span<PathHistoryPoint> Fill(ref PathHistory history, int count)
    {
        Unsafe.AsRef(in history._count) = count;
        return ((Span<PathHistoryPoint>)Unsafe.AsRef(in history._points))[..count];
    }

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
