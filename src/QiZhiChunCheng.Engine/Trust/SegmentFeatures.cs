namespace QiZhiChunCheng.Engine.Trust;

/// <summary>
/// Per lane-segment features (each lane of the compiled map cut into segments of at most
/// <see cref="LaneSegments.MaxLengthM"/>, see <see cref="LaneSegments"/>), computed every <see cref="StepMs"/> (1 s)
/// of event time over the last <see cref="WindowMs"/> (5 s), for every segment with at least one vehicle in that window.
/// </summary>
public static class SegmentFeatures
{
    public const int Count = 8;

    public const long WindowMs = 5_000;

    public const long StepMs = 1_000;

    /// <summary>Distinct vehicles (fused tracks) on the segment during the window.</summary>
    public const int VehicleCount = 0;

    /// <summary>Mean number of vehicles on the segment per tick, per km of segment.</summary>
    public const int DensityPerKm = 1;

    /// <summary>Mean speed / lane limit (the limit is 13.9 m/s when the map gives none).</summary>
    public const int MeanSpeedRatio = 2;

    public const int SpeedStdMps = 3;

    /// <summary>Share of vehicle-ticks below 1 m/s.</summary>
    public const int StoppedShare = 4;

    /// <summary>Mean speed now minus mean speed one window (5 s) ago, m/s (0 when the segment was empty then).</summary>
    public const int SpeedTrendMps = 5;

    public const int LengthM = 6;

    public const int LimitMps = 7;

    public static readonly string[] Names =
    [
        "vehicleCount",
        "densityPerKm",
        "meanSpeedRatio",
        "speedStdMps",
        "stoppedShare",
        "speedTrendMps",
        "lengthM",
        "limitMps",
    ];
}
