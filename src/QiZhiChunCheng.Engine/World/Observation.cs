using System.Globalization;
using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Engine.World;

/// <summary>What kind of road user a track is.</summary>
public enum ParticipantKind : byte
{
    Unknown = 0,

    /// <summary>A motor vehicle (RSM <c>motor</c>, or any BSM sender that is not a pedestrian or cyclist).</summary>
    Vehicle = 1,

    /// <summary>A cyclist or other non-motor road user (RSM <c>non-motor</c>, BSM class 85).</summary>
    NonMotor = 2,

    /// <summary>A pedestrian (RSM <c>pedestrian</c>, BSM class 82).</summary>
    Pedestrian = 3,
}

/// <summary>Where an observation came from.</summary>
public enum ObservationSource : byte
{
    /// <summary>A vehicle's own report (BSM): knows its id, 1.5 m (95 %) GNSS positioning.</summary>
    Bsm = 1,

    /// <summary>A roadside sensor's report (one RSM participant): an RSU-local id, usually better positions.</summary>
    Rsm = 2,
}

/// <summary>State flags a participant reports (BSM brakes, safety events, lights, emergency extension).</summary>
[Flags]
public enum ParticipantFlags : ushort
{
    None = 0,
    BrakeApplied = 1 << 0,

    /// <summary>Deceleration above 0.4 g, reported (eventHardBraking) or measured (accelSet.long).</summary>
    HardBraking = 1 << 1,
    HazardLights = 1 << 2,
    AbsActive = 1 << 3,
    TractionActive = 1 << 4,
    StabilityActive = 1 << 5,
    AirbagDeployed = 1 << 6,
    Disabled = 1 << 7,
    LeftTurnSignal = 1 << 8,
    RightTurnSignal = 1 << 9,
    SirenInUse = 1 << 10,
    LightbarInUse = 1 << 11,

    /// <summary>An emergency vehicle on an emergency response (class 60..69 with responseType emergency or siren/lights).</summary>
    EmergencyResponse = 1 << 12,
    Reversing = 1 << 13,
}

/// <summary>
/// Who a participant is, as events name it: the BSM id in hex when the participant is (or has been associated
/// with) a connected vehicle, otherwise <c>{rsuId}:{ptcId}</c> of the RSU that first saw it. A value type: naming
/// allocates only when <see cref="ToString"/> is called (when an event is materialised).
/// </summary>
public readonly record struct ParticipantRef(OctetId8 VehicleId, OctetId8 RsuId, ushort PtcId, bool IsVehicle, bool IsRsu = false)
{
    public static ParticipantRef Vehicle(OctetId8 id) => new(id, default, 0, true);

    /// <summary>An RSU itself (a MISBEHAVIOR subject): named by the bare RSU id, with no participant id.</summary>
    public static ParticipantRef Rsu(OctetId8 rsu) => new(default, rsu, 0, false, true);

    public static ParticipantRef Roadside(OctetId8 rsu, ushort ptcId) => new(default, rsu, ptcId, false);

    public bool IsEmpty => !IsVehicle && !IsRsu && RsuId.Value == 0 && PtcId == 0;

    public override string ToString() =>
        IsVehicle ? VehicleId.ToString() : IsRsu ? RsuId.ToString() : string.Create(CultureInfo.InvariantCulture, $"{RsuId}:{PtcId}");
}

/// <summary>
/// One sighting of one road user, in the lane map's local frame (metres east and north of its origin), placed at
/// its own event time. Built from a BSM or from one RSM participant; the world model fuses them into tracks.
/// A plain struct: copying it is the cost of passing it, so pass it by <c>in</c>.
/// </summary>
public struct Observation
{
    public ObservationSource Source;

    /// <summary>The sender: the RSU for an RSM participant, the vehicle itself for a BSM.</summary>
    public OctetId8 SenderId;

    /// <summary>The RSU-local participant id (RSM only).</summary>
    public ushort PtcId;

    /// <summary>The vehicle's BSM id: always for a BSM; for an RSM participant when the RSU associated it.</summary>
    public OctetId8 VehicleId;

    public bool HasVehicleId;

    public ParticipantKind Kind;

    /// <summary>Event time of the sighting (UTC ms), from the message's own time markers.</summary>
    public long TimeUtcMs;

    public double XM;

    public double YM;

    /// <summary>Position standard deviation per axis (m); 1.5 m at 95 % is about 0.61 m.</summary>
    public double PosSigmaM;

    public double SpeedMps;

    /// <summary>Clockwise from true north, 0..360.</summary>
    public double HeadingDeg;

    /// <summary>Longitudinal acceleration (m/s², negative when braking); NaN when unknown.</summary>
    public double AccelMps2;

    /// <summary>Yaw rate (deg/s, positive clockwise as J2735/CSAE); NaN when unknown.</summary>
    public double YawRateDps;

    public double LengthM;

    public double WidthM;

    /// <summary>BasicVehicleClass (10 passenger car, 60..69 emergency, 82 pedestrian, 85 bicycle); 0 unknown.</summary>
    public byte VehicleClass;

    public ParticipantFlags Flags;
}
