namespace QiZhiChunCheng.Engine.Trust;

/// <summary>
/// The plausibility rules. The numeric value is the rule's code in MISBEHAVIOR events (figure <c>ruleCode</c>) and
/// its index in per-rule counters; <see cref="TrustRules.Name"/> is its name in metrics and docs.
/// </summary>
public enum TrustRule : byte
{
    None = 0,

    /// <summary>Speed above <see cref="TrustOptions.MaxSpeedMps"/>.</summary>
    Speed = 1,

    /// <summary>Reported acceleration, or change of reported speed between two reports, above <see cref="TrustOptions.MaxAccelMps2"/>.</summary>
    Accel = 2,

    /// <summary>Moved farther since the previous report than speed and elapsed time allow.</summary>
    Jump = 3,

    /// <summary>Heading far from the direction the reports move in.</summary>
    Heading = 4,

    /// <summary>A vehicle off every lane, connection and intersection area of the map.</summary>
    OffLane = 5,

    /// <summary>A roadside sighting outside its RSU's coverage.</summary>
    Coverage = 6,

    /// <summary>Event time ahead of both the message's own envelope stamp and the engine's clock.</summary>
    Future = 7,

    /// <summary>Event time far behind the engine's clock, the newest event time of any source (a frozen clock, a replay of old data).</summary>
    Stale = 8,

    /// <summary>One id reported in two places at once (two senders with one id, alternating).</summary>
    DuplicateId = 9,

    /// <summary>Time going backwards for a source beyond network reordering (an old message sent again).</summary>
    Replay = 10,
}

/// <summary>Rule names and masks.</summary>
public static class TrustRules
{
    /// <summary>Rule codes run 1..Count-1; 0 is none.</summary>
    public const int Count = 11;

    /// <summary>
    /// Failures that keep the single sighting out of fusion even before its source is quarantined: the
    /// physically impossible and the re-sent (a teleport, a twin, an old or repeated message).
    /// </summary>
    public const uint DropMask = (1u << (int)TrustRule.Speed) | (1u << (int)TrustRule.Jump) | (1u << (int)TrustRule.DuplicateId)
        | (1u << (int)TrustRule.Replay) | (1u << (int)TrustRule.Future) | (1u << (int)TrustRule.Stale);

    private static readonly string[] Names =
        ["none", "speed", "accel", "jump", "heading", "off_lane", "coverage", "future", "stale", "duplicate_id", "replay"];

    /// <summary>The rule's name (<c>off_lane</c>), for metrics labels.</summary>
    public static string Name(TrustRule rule) => Names[(int)rule];

    internal static uint Bit(TrustRule rule) => 1u << (int)rule;
}

/// <summary>What the trust checks have seen (engine-wide), for the summary and /metrics.</summary>
public sealed class TrustCounters
{
    private readonly long[] _rules = new long[TrustRules.Count];

    /// <summary>Sightings checked: each BSM, each RSM participant.</summary>
    public long Sightings { get; internal set; }

    /// <summary>Sightings that failed at least one rule.</summary>
    public long FailedSightings { get; internal set; }

    /// <summary>Sightings kept out of fusion: their source is quarantined, or they failed a dropping rule.</summary>
    public long Dropped { get; internal set; }

    /// <summary>Sources quarantined so far (onsets).</summary>
    public long Quarantines { get; internal set; }

    public long Releases { get; internal set; }

    /// <summary>Sources quarantined now.</summary>
    public int Quarantined { get; internal set; }

    /// <summary>Per-source windows computed (and scored, with a scorer).</summary>
    public long SourceWindows { get; internal set; }

    /// <summary>Windows the scorer called anomalous.</summary>
    public long AnomalousWindows { get; internal set; }

    /// <summary>Anomalous windows that did not count: a suspect RSU overlapping the source explains them away.</summary>
    public long ExplainedWindows { get; internal set; }

    /// <summary>Anomalous windows not counted because the stream did not yet hold a whole window (its first 10 s).</summary>
    public long WarmUpWindows { get; internal set; }

    public long SegmentWindows { get; internal set; }

    /// <summary>Sources forgotten because the source table was full.</summary>
    public long Evictions { get; internal set; }

    /// <summary>Failures of one rule (a sighting failing two rules counts in both).</summary>
    public long Failures(TrustRule rule) => _rules[(int)rule];

    internal void Count(uint mask)
    {
        for (int r = 1; r < TrustRules.Count; r++)
        {
            if ((mask & (1u << r)) != 0)
            {
                _rules[r]++;
            }
        }
    }
}
