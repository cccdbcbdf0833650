using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Edge.Simulation;

/// <summary>
/// A vehicle driving a corridor at a speed profile: a cruise speed, and optionally a higher speed held for
/// <see cref="SpeedingPeriodS"/> out of every twice that period (the demo's speeder). Deterministic in time:
/// its state is a pure function of the seconds since the simulation started. Immutable, thread-safe.
/// </summary>
public sealed record SimulatedVehicle
{
    public required DeviceId DeviceId { get; init; }

    public required OctetId8 BsmId { get; init; }

    public required Corridor Corridor { get; init; }

    public double StartM { get; init; }

    public int Lane { get; init; }

    public bool Forward { get; init; } = true;

    public double CruiseKmh { get; init; } = 50;

    /// <summary>When set, the vehicle drives this speed for the first half of every 2 x <see cref="SpeedingPeriodS"/>.</summary>
    public double? SpeedingKmh { get; init; }

    public double SpeedingPeriodS { get; init; } = 10;

    public byte VehicleClass { get; init; } = 10;

    /// <summary>A scripted situation that replaces the speed profile; each cycle of it is a new vehicle (see <see cref="VehicleScript"/>).</summary>
    public VehicleScript? Script { get; init; }

    /// <summary>
    /// A ghost: nothing is really there. Its OBU sends BSMs (a spoofer's fabricated vehicle) but no RSU sensor sees
    /// it; with a <see cref="Script"/> it sends only during the first <see cref="GhostActiveS"/> of each cycle, a new
    /// ghost id each cycle.
    /// </summary>
    public bool Ghost { get; init; }

    /// <summary>How long a ghost sends in each cycle of its script (s).</summary>
    public double GhostActiveS { get; init; } = double.PositiveInfinity;

    /// <summary>Whether the vehicle sends at <paramref name="t"/> seconds: always, except a ghost between its appearances.</summary>
    public bool SendsAt(double t) => !Ghost || Script is not { } script || t - (Math.Floor(t / script.CycleS) * script.CycleS) < GhostActiveS;

    /// <summary>The emergency extension an emergency vehicle sends (siren and lightbar in use), or none.</summary>
    public VehicleEmergencyExtensions? Emergency { get; init; }

    /// <summary>Speed (m/s) at <paramref name="t"/> seconds.</summary>
    public double SpeedMpsAt(double t) =>
        (SpeedingKmh is { } fast && (t % (2 * SpeedingPeriodS)) < SpeedingPeriodS ? fast : CruiseKmh) / 3.6;

    /// <summary>Distance travelled along the corridor by <paramref name="t"/> seconds (integral of the profile).</summary>
    public double DistanceAt(double t)
    {
        double cruise = CruiseKmh / 3.6;
        if (SpeedingKmh is not { } fastKmh)
        {
            return StartM + (cruise * t);
        }

        double fast = fastKmh / 3.6;
        double cycle = 2 * SpeedingPeriodS;
        double whole = Math.Floor(t / cycle);
        double rest = t - (whole * cycle);
        double perCycle = (fast + cruise) * SpeedingPeriodS;
        double inCycle = rest < SpeedingPeriodS ? fast * rest : (fast * SpeedingPeriodS) + (cruise * (rest - SpeedingPeriodS));
        return StartM + (whole * perCycle) + inCycle;
    }

    /// <summary>The BSM this vehicle sends at <paramref name="t"/> seconds, generated at <paramref name="utcMs"/>.</summary>
    public Bsm BsmAt(double t, long utcMs, byte msgCnt)
    {
        if (Script is { } script)
        {
            return ScriptedBsmAt(script, t, utcMs, msgCnt);
        }

        (double lat, double lon, double heading) = Corridor.At(DistanceAt(t), Lane, Forward);
        double speed = SpeedMpsAt(t);
        return new Bsm
        {
            MsgCnt = msgCnt,
            Id = BsmId,
            SecMark = (ushort)(utcMs % 60000),
            Pos = Position3D.FromDegrees(lat, lon, 215.0),
            PosConfidence = new PositionConfidenceSet(PositionConfidence.A1m),
            Transmission = TransmissionState.ForwardGears,
            Speed = (ushort)Math.Round(speed / 0.02),
            Heading = (ushort)(Math.Round(heading / 0.0125) % 28800),
            AccelSet = new AccelerationSet4Way(0, 0, 0, 0),
            Brakes = new BrakeSystemStatus { BrakePadel = BrakePedalStatus.Off },
            Size = new VehicleSize(185, 480, 30),
            VehicleClass = new VehicleClassification(VehicleClass),
            EmergencyExt = Emergency,
        };
    }

    private Bsm ScriptedBsmAt(VehicleScript script, double t, long utcMs, byte msgCnt)
    {
        long cycle = (long)Math.Floor(t / script.CycleS);
        ScriptState state = script.At(t - (cycle * script.CycleS));
        (double lat, double lon, double heading) = Corridor.At(StartM + state.DistanceM, Lane, Forward);
        bool braking = state.AccelMps2 < 0;
        return new Bsm
        {
            MsgCnt = msgCnt,
            Id = new OctetId8(BsmId.Value + (ulong)cycle),
            SecMark = (ushort)(utcMs % 60000),
            Pos = Position3D.FromDegrees(lat, lon, 215.0),
            PosConfidence = new PositionConfidenceSet(PositionConfidence.A1m),
            Transmission = TransmissionState.ForwardGears,
            Speed = (ushort)Math.Round(state.SpeedMps / 0.02),
            Heading = (ushort)(Math.Round(heading / 0.0125) % 28800),
            AccelSet = new AccelerationSet4Way((short)Math.Round(state.AccelMps2 * 100), 0, 0, 0),
            Brakes = new BrakeSystemStatus
            {
                BrakePadel = braking ? BrakePedalStatus.On : BrakePedalStatus.Off,
                Abs = state.AbsEngaged ? AntiLockBrakeStatus.Engaged : AntiLockBrakeStatus.On,
            },
            Size = new VehicleSize(185, 480, 30),
            VehicleClass = new VehicleClassification(VehicleClass),
            SafetyExt = state.Events == VehicleEventFlags.None && state.Lights == ExteriorLights.None
                ? null
                : new VehicleSafetyExtensions { Events = state.Events, Lights = state.Lights },
            EmergencyExt = Emergency,
        };
    }
}
