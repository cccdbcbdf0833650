using QiZhiChunCheng.Core.Geo;
using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Engine.World;

/// <summary>Builds observations from BSMs and RSM participants in a lane map's local frame. Allocates nothing.</summary>
public static class Observations
{
    private const double G = 9.80665;

    /// <summary>A BSM as an observation at <paramref name="timeUtcMs"/>.</summary>
    public static void FromBsm(in Bsm bsm, long timeUtcMs, LocalFrame frame, double defaultSigmaM, out Observation o)
    {
        (double x, double y) = frame.ToLocal(bsm.Pos.LatitudeDeg, bsm.Pos.LongitudeDeg);
        byte cls = bsm.VehicleClass.Classification;
        o = new Observation
        {
            Source = ObservationSource.Bsm,
            SenderId = bsm.Id,
            VehicleId = bsm.Id,
            HasVehicleId = true,
            Kind = KindOfClass(cls, ParticipantKind.Vehicle),
            TimeUtcMs = timeUtcMs,
            XM = x,
            YM = y,
            PosSigmaM = SigmaOf(bsm.PosAccuracy, defaultSigmaM),
            SpeedMps = bsm.SpeedAvailable ? bsm.SpeedMps : 0,
            HeadingDeg = bsm.HeadingDeg,
            AccelMps2 = bsm.AccelSet.Long == AccelerationSet4Way.AccelerationUnavailable ? double.NaN : bsm.AccelSet.LongMps2,
            YawRateDps = bsm.AccelSet.Yaw * 0.01,
            LengthM = bsm.Size.Length * 0.01,
            WidthM = bsm.Size.Width * 0.01,
            VehicleClass = cls,
            Flags = FlagsOf(bsm),
        };
    }

    /// <summary>One RSM participant as an observation at <paramref name="timeUtcMs"/>.</summary>
    public static void FromParticipant(Rsm rsm, in ParticipantData p, long timeUtcMs, LocalFrame frame, double defaultSigmaM, out Observation o)
    {
        ArgumentNullException.ThrowIfNull(rsm);
        (double x, double y) = frame.ToLocal(p.Pos.LatitudeDeg, p.Pos.LongitudeDeg);
        byte cls = p.VehicleClass?.Classification ?? 0;
        ParticipantKind kind = p.PtcType switch
        {
            ParticipantType.Motor => ParticipantKind.Vehicle,
            ParticipantType.NonMotor => ParticipantKind.NonMotor,
            ParticipantType.Pedestrian => ParticipantKind.Pedestrian,
            _ => KindOfClass(cls, ParticipantKind.Unknown),
        };
        short accel = p.AccelSet?.Long ?? AccelerationSet4Way.AccelerationUnavailable;
        o = new Observation
        {
            Source = ObservationSource.Rsm,
            SenderId = rsm.Id,
            PtcId = p.PtcId,
            VehicleId = p.Id ?? default,
            HasVehicleId = p.Id.HasValue,
            Kind = kind,
            TimeUtcMs = timeUtcMs,
            XM = x,
            YM = y,
            PosSigmaM = SigmaOf(p.PosConfidence.Pos, defaultSigmaM),
            SpeedMps = p.Speed == Bsm.SpeedUnavailable ? 0 : p.SpeedMps,
            HeadingDeg = p.HeadingDeg,
            AccelMps2 = accel == AccelerationSet4Way.AccelerationUnavailable ? double.NaN : accel * 0.01,
            YawRateDps = p.AccelSet is { } a ? a.Yaw * 0.01 : double.NaN,
            LengthM = p.Size.Length * 0.01,
            WidthM = p.Size.Width * 0.01,
            VehicleClass = cls,
            Flags = accel != AccelerationSet4Way.AccelerationUnavailable && accel * 0.01 < -0.4 * G ? ParticipantFlags.HardBraking : ParticipantFlags.None,
        };
    }

    /// <summary>The flags a BSM reports: brakes, safety events, lights, emergency extension.</summary>
    public static ParticipantFlags FlagsOf(in Bsm bsm)
    {
        ParticipantFlags f = ParticipantFlags.None;
        BrakeSystemStatus b = bsm.Brakes;
        if (b.BrakePadel == BrakePedalStatus.On)
        {
            f |= ParticipantFlags.BrakeApplied;
        }

        if (b.Abs == AntiLockBrakeStatus.Engaged)
        {
            f |= ParticipantFlags.AbsActive;
        }

        if (b.Traction == TractionControlStatus.Engaged)
        {
            f |= ParticipantFlags.TractionActive;
        }

        if (b.Scs == StabilityControlStatus.Engaged)
        {
            f |= ParticipantFlags.StabilityActive;
        }

        if (bsm.AccelSet.Long != AccelerationSet4Way.AccelerationUnavailable && bsm.AccelSet.LongMps2 < -0.4 * G)
        {
            f |= ParticipantFlags.HardBraking;
        }

        if (bsm.SafetyExt is { } ext)
        {
            if (ext.Events is { } e)
            {
                if ((e & VehicleEventFlags.HardBraking) != 0)
                {
                    f |= ParticipantFlags.HardBraking;
                }

                if ((e & VehicleEventFlags.HazardLights) != 0)
                {
                    f |= ParticipantFlags.HazardLights;
                }

                if ((e & VehicleEventFlags.AbsActivated) != 0)
                {
                    f |= ParticipantFlags.AbsActive;
                }

                if ((e & VehicleEventFlags.TractionControlLoss) != 0)
                {
                    f |= ParticipantFlags.TractionActive;
                }

                if ((e & VehicleEventFlags.StabilityControlActivated) != 0)
                {
                    f |= ParticipantFlags.StabilityActive;
                }

                if ((e & VehicleEventFlags.AirBagDeployment) != 0)
                {
                    f |= ParticipantFlags.AirbagDeployed;
                }

                if ((e & VehicleEventFlags.DisabledVehicle) != 0)
                {
                    f |= ParticipantFlags.Disabled;
                }
            }

            if (ext.Lights is { } l)
            {
                if ((l & ExteriorLights.LeftTurnSignalOn) != 0)
                {
                    f |= ParticipantFlags.LeftTurnSignal;
                }

                if ((l & ExteriorLights.RightTurnSignalOn) != 0)
                {
                    f |= ParticipantFlags.RightTurnSignal;
                }

                if ((l & ExteriorLights.HazardSignalOn) != 0)
                {
                    f |= ParticipantFlags.HazardLights;
                }
            }
        }

        if (bsm.EmergencyExt is { } em)
        {
            bool siren = em.SirenUse == SirenInUse.InUse;
            bool lights = em.LightsUse == LightbarInUse.InUse;
            if (siren)
            {
                f |= ParticipantFlags.SirenInUse;
            }

            if (lights)
            {
                f |= ParticipantFlags.LightbarInUse;
            }

            byte cls = bsm.VehicleClass.Classification;
            if (cls is >= 60 and <= 69 && (siren || lights || em.ResponseType == ResponseType.Emergency))
            {
                f |= ParticipantFlags.EmergencyResponse;
            }
        }

        if (bsm.Transmission == TransmissionState.ReverseGears)
        {
            f |= ParticipantFlags.Reversing;
        }

        return f;
    }

    private static ParticipantKind KindOfClass(byte cls, ParticipantKind otherwise) => cls switch
    {
        82 => ParticipantKind.Pedestrian,
        85 => ParticipantKind.NonMotor,
        0 => otherwise,
        _ => ParticipantKind.Vehicle,
    };

    // PositionalAccuracy's semi-major axis is in 0.05 m and a 1-sigma ellipse in J2735; CSAE reads it the same way.
    private static double SigmaOf(PositionalAccuracy? accuracy, double fallback) =>
        accuracy is { SemiMajor: > 0 and < 255 } a ? a.SemiMajor * 0.05 : fallback;

    // PositionConfidence is a 95 % radius class; sigma per axis is that radius / 2.45.
    private static double SigmaOf(PositionConfidence confidence, double fallback) => confidence switch
    {
        PositionConfidence.Unavailable => fallback,
        _ when (int)confidence >= 1 && (int)confidence < RadiiM.Length => RadiiM[(int)confidence] / 2.45,
        _ => fallback,
    };

    // a500m, a200m, a100m, a50m, a20m, a10m, a5m, a2m, a1m, a50cm, a20cm, a10cm, a5cm, a2cm, a1cm
    private static readonly double[] RadiiM = [0, 500, 200, 100, 50, 20, 10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01];
}
