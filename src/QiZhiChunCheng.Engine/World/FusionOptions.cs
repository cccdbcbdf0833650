namespace QiZhiChunCheng.Engine.World;

/// <summary>Fusion and track management settings; every value has its documented default.</summary>
public sealed record FusionOptions
{
    /// <summary>How many tracks a partition can hold at once (preallocated; 4,096).</summary>
    public int Capacity { get; init; } = 4096;

    /// <summary>A track nobody has seen for this long (event time) coasts: predicted, still reported (300 ms).</summary>
    public long CoastAfterMs { get; init; } = 300;

    /// <summary>A track nobody has seen for this long is deleted (1,500 ms).</summary>
    public long DeleteAfterMs { get; init; } = 1500;

    /// <summary>Roadside sightings needed to confirm a track that no BSM confirms (3).</summary>
    public int ConfirmHits { get; init; } = 3;

    /// <summary>Association gate on position, in metres after prediction (5 m).</summary>
    public double GateDistanceM { get; init; } = 5;

    /// <summary>Association gate on heading for participants moving faster than 2 m/s (45°).</summary>
    public double GateHeadingDeg { get; init; } = 45;

    /// <summary>Association gate on speed (5 m/s).</summary>
    public double GateSpeedMps { get; init; } = 5;

    /// <summary>Process noise: white acceleration spectral density of the constant-velocity model (m²/s³; 2).</summary>
    public double ProcessNoise { get; init; } = 2;

    /// <summary>Default BSM position sigma per axis when the message carries no accuracy (0.61 m: 1.5 m at 95 %).</summary>
    public double BsmSigmaM { get; init; } = 0.61;

    /// <summary>Default roadside position sigma per axis when the RSM carries no confidence (0.2 m: 0.5 m at 95 %).</summary>
    public double RsmSigmaM { get; init; } = 0.2;
}
