namespace QiZhiChunCheng.Engine.Trust;

/// <summary>
/// Per-source window features: computed over the last <see cref="WindowMs"/> (10 s) of event time, emitted every
/// <see cref="StepMs"/> (1 s) of event time for each source seen in that window. The indexes name the slots of the
/// feature span handed to <see cref="ISourceAnomalyScorer"/> and <see cref="ITrustObserver"/>.
/// </summary>
public static class SourceFeatures
{
    public const int Count = 12;

    public const long WindowMs = 10_000;

    public const long StepMs = 1_000;

    /// <summary>Messages per second from this source (an RSM counts once, whatever its participants).</summary>
    public const int MessageRateHz = 0;

    /// <summary>Mean envelope IngestUtcMs - GeneratedUtcMs, ms (0 when not stamped).</summary>
    public const int MeanLatencyMs = 1;

    /// <summary>
    /// Mean distance, m, of this source's sightings from the other sources' latest sightings of the same track (each
    /// partner's sighting of the second before, predicted to this one's time by its reported velocity): leave-one-out,
    /// never against the fused track, which a faulty source drags. One term per sighting and partner (0 when none).
    /// </summary>
    public const int MeanResidualM = 2;

    /// <summary><see cref="MeanResidualM"/> now minus <see cref="MeanResidualM"/> one window ago, m.</summary>
    public const int ResidualTrendM = 3;

    /// <summary>RMS of (reported speed - partner's reported speed), m/s, over the same terms as <see cref="MeanResidualM"/>.</summary>
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

    /// <summary>
    /// Distinct partners in the window: other sources (vehicles by BSM, RSUs) whose sightings of shared tracks this
    /// source was compared with at least <see cref="MinPartnerTerms"/> times.
    /// </summary>
    public const int Partners = 9;

    /// <summary>
    /// Share of <see cref="Partners"/> this source disagrees with: its mean distance from that partner's sightings
    /// over the window above <see cref="DisagreeM"/> (0 when no partner). The residual is symmetric between two
    /// sources; this is not: a drifting radar disagrees with all its partners, an honest RSU next to one lying vehicle
    /// with one of many. A partner that disagrees widely itself (at least <see cref="WideShare"/> of at least
    /// <see cref="WidePartners"/> partners) is left out, with its offset in <see cref="MedianOffsetM"/>: it explains
    /// the disagreement (all partners count when none is left).
    /// </summary>
    public const int DisagreeShare = 10;

    /// <summary>
    /// Length, m, of the median over <see cref="Partners"/> (east and north separately) of the mean offset vector of
    /// this source's sightings from that partner's. Noise averages out within a pair and the median ignores one wrong
    /// partner: a shift of this source against all its partners (a drifting sensor) stays, long before its mean
    /// distance leaves the noise, while an honest RSU next to a drifting one carries the drift against one partner of
    /// many (0 when no partner).
    /// </summary>
    public const int MedianOffsetM = 11;

    /// <summary>The mean distance, m, from one partner's sightings above which a source disagrees with it.</summary>
    public const double DisagreeM = 1.0;

    /// <summary>A source disagreeing with this share of its partners or more disagrees widely (see <see cref="DisagreeShare"/>).</summary>
    public const double WideShare = 0.5;

    /// <summary>The partners a source needs before it can disagree widely.</summary>
    public const int WidePartners = 3;

    /// <summary>Comparisons with one partner in a window below which it is not counted as a partner.</summary>
    public const int MinPartnerTerms = 3;

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
        "partners",
        "disagreeShare",
        "medianOffsetM",
    ];
}
