namespace QiZhiChunCheng.Engine.Trust;

/// <summary>
/// Per-source window features: computed over the last <see cref="WindowMs"/> (10 s) of event time, emitted every
/// <see cref="StepMs"/> (1 s) of event time for each source seen in that window. The indexes name the slots of the
/// feature span handed to <see cref="ISourceAnomalyScorer"/> and <see cref="ITrustObserver"/>.
/// </summary>
public static class SourceFeatures
{
    public const int Count = 9;

    public const long WindowMs = 10_000;

    public const long StepMs = 1_000;

    /// <summary>Messages per second from this source (an RSM counts once, whatever its participants).</summary>
    public const int MessageRateHz = 0;

    /// <summary>Mean envelope IngestUtcMs - GeneratedUtcMs, ms (0 when not stamped).</summary>
    public const int MeanLatencyMs = 1;

    /// <summary>
    /// Mean distance, m, of this source's sightings from the fused track of the same road user, counting only tracks
    /// another source also feeds (0 when none).
    /// </summary>
    public const int MeanResidualM = 2;

    /// <summary><see cref="MeanResidualM"/> now minus <see cref="MeanResidualM"/> one window ago, m.</summary>
    public const int ResidualTrendM = 3;

    /// <summary>RMS of (reported speed - track speed), m/s.</summary>
    public const int SpeedNoiseMps = 4;

    /// <summary>Share of the expected 10 Hz reports (BSM) or frames (RSM) missing, 0..1.</summary>
    public const int DropoutShare = 5;

    /// <summary>
    /// Vehicle: share of its reports inside an RSU's coverage that no roadside sighting confirmed within 1 s; RSU: 0.
    /// </summary>
    public const int UnseenCoveredShare = 6;

    /// <summary>Plausibility-rule failures per message.</summary>
    public const int RuleFailureRate = 7;

    /// <summary>1 for an RSU, 0 for a vehicle.</summary>
    public const int IsRsu = 8;

    public static readonly string[] Names =
    [
        "messageRateHz",
        "meanLatencyMs",
        "meanResidualM",
        "residualTrendM",
        "speedNoiseMps",
        "dropoutShare",
        "unseenCoveredShare",
        "ruleFailureRate",
        "isRsu",
    ];
}
