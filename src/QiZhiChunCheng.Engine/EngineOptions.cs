using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Detectors;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Engine.Signals;
using QiZhiChunCheng.Engine.Trust;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine;

/// <summary>Configuration of the engine; every threshold has its documented default (engine README).</summary>
public sealed record EngineOptions
{
    /// <summary>
    /// The zone's compiled lane map (limits, phases, stop lines per lane). The default is an empty map, on which
    /// lane-based detectors raise nothing: composition roots load the zone (the NetTopologySuite adapter's
    /// <c>ZoneMapLoader.Default</c>) and set it here.
    /// </summary>
    public LaneMap Map { get; init; } = LaneMap.Empty;

    /// <summary>Detection runs on the fused world every this many ms of event time (100 ms, the Day-1 message rate).</summary>
    public long TickMs { get; init; } = 100;

    /// <summary>
    /// A message whose event time is more than this far behind the newest event time the engine has seen is late
    /// (200 ms): it is counted, and applied as far as still meaningful (it refreshes its track, but ticks already
    /// evaluated are not evaluated again and a track never moves back in time).
    /// </summary>
    public long LateToleranceMs { get; init; } = 200;

    /// <summary>
    /// When event time jumps forward by more than this (a gap in the stream), the ticks in between are skipped, not
    /// replayed one by one (2,000 ms); track management still ages every track by the whole gap.
    /// </summary>
    public long MaxCatchUpMs { get; init; } = 2000;

    /// <summary>The event types to detect; null (the default) means all of them.</summary>
    public IReadOnlySet<EventType>? Enabled { get; init; }

    public FusionOptions Fusion { get; init; } = new();

    public LifecycleOptions Lifecycle { get; init; } = new();

    public SurfaceOptions Surface { get; init; } = new();

    /// <summary>How SPAT signal state is read (staleness).</summary>
    public SignalOptions Signals { get; init; } = new();

    /// <summary>How RSI events and signs are kept (validity, weather codes).</summary>
    public RsiOptions Rsi { get; init; } = new();

    public SlwOptions Slw { get; init; } = new();

    public FcwOptions Fcw { get; init; } = new();

    public IcwOptions Icw { get; init; } = new();

    public LtaOptions Lta { get; init; } = new();

    public BswOptions Bsw { get; init; } = new();

    public DnpwOptions Dnpw { get; init; } = new();

    public EbwOptions Ebw { get; init; } = new();

    public AvwOptions Avw { get; init; } = new();

    public ClwOptions Clw { get; init; } = new();

    public HlwOptions Hlw { get; init; } = new();

    public RlvwOptions Rlvw { get; init; } = new();

    public VrucwOptions Vrucw { get; init; } = new();

    public GlosaOptions Glosa { get; init; } = new();

    public IvsOptions Ivs { get; init; } = new();

    public TjwOptions Tjw { get; init; } = new();

    public EvwOptions Evw { get; init; } = new();

    /// <summary>Plausibility rules, quarantine, per-source and per-segment windows and their models (docs/trust.md).</summary>
    public TrustOptions Trust { get; init; } = new();

    public bool IsEnabled(EventType type) => Enabled is null || Enabled.Contains(type);
}
