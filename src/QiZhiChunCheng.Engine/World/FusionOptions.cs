namespace QiZhiChunCheng.Engine.World;

/// <summary>
/// Fusion and track management settings; every value has its documented default. Noise figures follow
/// V2X-REFERENCE section 1 (BSM positions 1.5 m at 95 %, roadside 0.5 m at 95 %); the gates and lifecycle times
/// are provisional engineering values, documented in <c>docs/fusion.md</c>.
/// </summary>
public sealed record FusionOptions
{
    /// <summary>How many tracks a partition can hold at once (preallocated; 4,096).</summary>
    public int Capacity { get; init; } = 4096;

    /// <summary>A track nobody has seen for this long (event time) coasts: predicted, still reported (300 ms).</summary>
    public long CoastAfterMs { get; init; } = 300;

    /// <summary>A confirmed track nobody has seen for this long is deleted (1,500 ms).</summary>
    public long DeleteAfterMs { get; init; } = 1500;

    /// <summary>
    /// A tentative track nobody has seen for this long is deleted (300 ms, the coasting time): a false target
    /// seen once goes quickly and cannot glue later sightings to itself.
    /// </summary>
    public long TentativeDeleteAfterMs { get; init; } = 300;

    /// <summary>Roadside sightings needed to confirm a track that no BSM confirms (3).</summary>
    public int ConfirmHits { get; init; } = 3;

    /// <summary>Association gate on position, in metres after prediction to the sighting's time (5 m).</summary>
    public double GateDistanceM { get; init; } = 5;

    /// <summary>
    /// Association gate on the squared Mahalanobis distance of the position (2 degrees of freedom) after
    /// prediction (25, about 5 sigma): keeps a neighbour in the next lane out when both are precisely tracked.
    /// </summary>
    public double GateChi2 { get; init; } = 25;

    /// <summary>Association gate on heading for participants moving faster than 2 m/s (45°).</summary>
    public double GateHeadingDeg { get; init; } = 45;

    /// <summary>Association gate on speed (5 m/s).</summary>
    public double GateSpeedMps { get; init; } = 5;

    /// <summary>
    /// Radius around a sighting in which candidate tracks are looked up in the spatial index (10 m). A track is
    /// indexed where its last update or the last snapshot placed it, so with the engine's 100 ms ticks it has moved
    /// at most a few metres since: the 5 m gate plus 5 m covers 60 km/h (the zone's highest limit) for 300 ms and
    /// 40 m/s for 125 ms. Each metre more adds candidates in dense traffic (15 m read 2.3 times as many as 10 m).
    /// </summary>
    public double SearchRadiusM { get; init; } = 10;

    /// <summary>
    /// Cost bonus for the track an RSU's own participant id pointed to last time (9, a 3-sigma equivalent): a
    /// strong prior, but only inside the gates, so a recycled id cannot glue two objects.
    /// </summary>
    public double RoadsidePriorBonus { get; init; } = 9;

    /// <summary>Process noise: white acceleration spectral density of the constant-velocity model (m²/s³; 2).</summary>
    public double ProcessNoise { get; init; } = 2;

    /// <summary>Default BSM position sigma per axis when the message carries no accuracy (0.61 m: 1.5 m at 95 %).</summary>
    public double BsmSigmaM { get; init; } = 0.61;

    /// <summary>Default roadside position sigma per axis when the RSM carries no confidence (0.2 m: 0.5 m at 95 %).</summary>
    public double RsmSigmaM { get; init; } = 0.2;

    /// <summary>BSM speed sigma (0.2 m/s: wheel-speed based, provisional).</summary>
    public double BsmSpeedSigmaMps { get; init; } = 0.2;

    /// <summary>BSM heading sigma (3°, GNSS course over ground at speed; provisional).</summary>
    public double BsmHeadingSigmaDeg { get; init; } = 3;

    /// <summary>Roadside speed sigma (0.5 m/s: radar/video track speed; provisional).</summary>
    public double RsmSpeedSigmaMps { get; init; } = 0.5;

    /// <summary>Roadside heading sigma (5°; provisional).</summary>
    public double RsmHeadingSigmaDeg { get; init; } = 5;

    /// <summary>Below this speed the reported heading is kept instead of the filtered velocity's (0.5 m/s).</summary>
    public double SlowSpeedMps { get; init; } = 0.5;

    /// <summary>Two confirmed tracks closer than this (after prediction to a common time) may be one object (2 m).</summary>
    public double MergeGateM { get; init; } = 2;

    /// <summary>... and their velocities differ by less than this (2 m/s).</summary>
    public double MergeSpeedMps { get; init; } = 2;

    /// <summary>... at this many consecutive checks (at most one per track per 100 ms of event time): then the younger is merged into the older (5).</summary>
    public int MergeAfterUpdates { get; init; } = 5;
}
