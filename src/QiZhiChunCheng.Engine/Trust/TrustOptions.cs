using QiZhiChunCheng.Core.Zone;

namespace QiZhiChunCheng.Engine.Trust;

/// <summary>
/// Plausibility rules, quarantine and the optional models (see <c>docs/trust.md</c> for each threshold and why).
/// </summary>
public sealed record TrustOptions
{
    /// <summary>Plausibility rules and quarantine (on by default). Off: every message feeds fusion as before.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Scores per-source windows; anomalous windows count as quarantine evidence. Null: rules only.</summary>
    public ISourceAnomalyScorer? AnomalyScorer { get; init; }

    /// <summary>Classifies lane segments; feeds TJW. Null: TJW is rule-based only and no segment has a model level.</summary>
    public ITrafficStateModel? TrafficModel { get; init; }

    /// <summary>Receives every source and segment window (training, evaluation).</summary>
    public ITrustObserver? Observer { get; init; }

    /// <summary>
    /// The zone's RSUs (position, coverage polygon): RSM participants outside their sender's coverage fail the
    /// coverage rule, and a quarantined RSU is placed at its site. Null: coverage is a circle of
    /// <see cref="SensorRangeM"/> around the RSM's reference position.
    /// </summary>
    public IReadOnlyList<RsuSite>? Rsus { get; init; }

    /// <summary>How many sources are tracked at once (vehicles and RSUs); the oldest is forgotten beyond it.</summary>
    public int SourceCapacity { get; init; } = 4096;

    /// <summary>Speeds above this fail the speed rule, m/s (70 m/s = 252 km/h).</summary>
    public double MaxSpeedMps { get; init; } = 70;

    /// <summary>A reported acceleration, or the change of reported speed between two reports, above this fails, m/s² (about 1.2 g).</summary>
    public double MaxAccelMps2 { get; init; } = 12;

    /// <summary>A position may move this much more than speed and elapsed time allow (GNSS noise, latency), m.</summary>
    public double JumpToleranceM { get; init; } = 8;

    /// <summary>A heading more than this off the direction of the report's motion fails the heading rule, degrees.</summary>
    public double HeadingToleranceDeg { get; init; } = 75;

    /// <summary>The heading rule needs at least this much motion between two reports, m, and speed above <see cref="MinHeadingSpeedMps"/>.</summary>
    public double MinHeadingMoveM { get; init; } = 2;

    public double MinHeadingSpeedMps { get; init; } = 3;

    /// <summary>
    /// A vehicle is off lane when the map matches it to no lane, connection or intersection area (the map's own
    /// reach: half the lane width plus its match margin). Matched at most this often per source, ms; the verdict
    /// holds for the reports in between (matching costs about a third of a microsecond).
    /// </summary>
    public long OffLaneCheckMs { get; init; } = 500;

    /// <summary>Sensor range assumed when the RSU's coverage polygon is unknown, m.</summary>
    public double SensorRangeM { get; init; } = 300;

    /// <summary>A roadside sighting may lie this far outside its RSU's coverage, m.</summary>
    public double CoverageMarginM { get; init; } = 20;

    /// <summary>
    /// Event time more than this ahead of both the envelope's generation stamp (else its ingest stamp) and the engine's
    /// clock fails the future rule, ms.
    /// </summary>
    public long FutureToleranceMs { get; init; } = 1_000;

    /// <summary>Event time more than this behind the engine's clock (the newest event time) fails the stale rule, ms.</summary>
    public long StaleToleranceMs { get; init; } = 2_000;

    /// <summary>A report older than the source's previous one by at most this is network reordering, not a replay, ms.</summary>
    public long ReorderToleranceMs { get; init; } = 300;

    /// <summary>Quarantine when, over the last 10 s window, at least this share of a source's messages failed a rule.</summary>
    public double QuarantineFailureShare { get; init; } = 0.3;

    /// <summary>... and at least this many failures (so that one bad message of three is not enough).</summary>
    public int QuarantineMinFailures { get; init; } = 10;

    /// <summary>Quarantine after this many anomalous windows in a row (with a scorer).</summary>
    public int QuarantineAnomalousWindows { get; init; } = 3;

    /// <summary>
    /// The model's verdicts do not count in this much event time after the engine's first sighting (the windows are
    /// partial: docs/trust.md); rule failures do. Default: one source window.
    /// </summary>
    public long ModelWarmUpMs { get; init; } = SourceFeatures.WindowMs;

    /// <summary>
    /// Explaining away (on by default): a source's anomalous window does not count while an RSU whose coverage
    /// overlaps it is the likelier cause: quarantined (or released less than a window ago), failing its rules, or
    /// anomalous itself (for a vehicle: in the last window; for an RSU: now and with a higher score). See
    /// <c>docs/trust.md</c>. Off: every anomalous window counts, as before.
    /// </summary>
    public bool ExplainAway { get; init; } = true;

    /// <summary>A quarantined source is released after this much event time with no failing window, ms.</summary>
    public long ReleaseCleanMs { get; init; } = 10_000;

    /// <summary>A model-fed TJW needs at least this many vehicles on the segment in the window.</summary>
    public int ModelJamMinVehicles { get; init; } = 3;
}
