using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Tests.Fusion;

/// <summary>Observations built directly in local metres, for tests of the world model without messages.</summary>
internal static class Sightings
{
    public const long T0 = 1_800_000_000_000;

    public static Observation Bsm(ulong id, long tMs, double x, double y, double headingDeg, double speedMps, double sigmaM = 0.61) => new()
    {
        Source = ObservationSource.Bsm,
        SenderId = new OctetId8(id),
        VehicleId = new OctetId8(id),
        HasVehicleId = true,
        Kind = ParticipantKind.Vehicle,
        TimeUtcMs = T0 + tMs,
        XM = x,
        YM = y,
        PosSigmaM = sigmaM,
        SpeedMps = speedMps,
        HeadingDeg = headingDeg,
        AccelMps2 = double.NaN,
        YawRateDps = double.NaN,
        LengthM = 4.8,
        WidthM = 1.85,
        VehicleClass = 10,
    };

    public static Observation Rsm(
        ulong rsu,
        ushort ptc,
        long tMs,
        double x,
        double y,
        double headingDeg,
        double speedMps,
        ParticipantKind kind = ParticipantKind.Vehicle,
        ulong? vehicleId = null,
        double sigmaM = 0.2) => new()
        {
            Source = ObservationSource.Rsm,
            SenderId = new OctetId8(rsu),
            PtcId = ptc,
            VehicleId = vehicleId is { } v ? new OctetId8(v) : default,
            HasVehicleId = vehicleId.HasValue,
            Kind = kind,
            TimeUtcMs = T0 + tMs,
            XM = x,
            YM = y,
            PosSigmaM = sigmaM,
            SpeedMps = speedMps,
            HeadingDeg = headingDeg,
            AccelMps2 = double.NaN,
            YawRateDps = double.NaN,
            LengthM = kind == ParticipantKind.Pedestrian ? 0.5 : 4.8,
            WidthM = kind == ParticipantKind.Pedestrian ? 0.5 : 1.85,
        };

    /// <summary>The confirmed and coasting tracks at <paramref name="tMs"/>.</summary>
    public static TrackState[] Snapshot(WorldModel world, long tMs)
    {
        TrackState[] buffer = new TrackState[world.Options.Capacity];
        int n = world.Snapshot(T0 + tMs, buffer);
        return buffer[..n];
    }

    public static (double X, double Y) Along(double x, double y, double headingDeg, double metres)
    {
        double r = headingDeg * Math.PI / 180;
        return (x + (metres * Math.Sin(r)), y + (metres * Math.Cos(r)));
    }
}
