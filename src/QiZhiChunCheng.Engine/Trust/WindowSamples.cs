using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Engine.Trust;

/// <summary>One source's window: who (no strings), when it ends, its features, its score and whether it is quarantined.</summary>
public readonly ref struct SourceWindowSample
{
    public SourceWindowSample(SourceKind kind, OctetId8 sourceId, long windowEndUtcMs, ReadOnlySpan<float> features, float score, bool quarantined)
    {
        Kind = kind;
        SourceId = sourceId;
        WindowEndUtcMs = windowEndUtcMs;
        Features = features;
        Score = score;
        Quarantined = quarantined;
    }

    /// <summary><see cref="SourceKind.Rsu"/> for a roadside unit, <see cref="SourceKind.Obu"/> for a vehicle.</summary>
    public SourceKind Kind { get; }

    /// <summary>The RSU's 8-octet id (RSM id) or the vehicle's BSM id.</summary>
    public OctetId8 SourceId { get; }

    /// <summary>The end of the window (UTC ms, event time; a multiple of <see cref="SourceFeatures.StepMs"/>).</summary>
    public long WindowEndUtcMs { get; }

    /// <summary><see cref="SourceFeatures.Count"/> values, indexed by the <see cref="SourceFeatures"/> constants.</summary>
    public ReadOnlySpan<float> Features { get; }

    /// <summary>The anomaly score, NaN when no scorer is set.</summary>
    public float Score { get; }

    /// <summary>Whether the source was quarantined when the window closed (after this window's evidence).</summary>
    public bool Quarantined { get; }
}

/// <summary>One lane segment's window: which segment, when it ends, its features and the model's level (null without a model).</summary>
public readonly ref struct SegmentWindowSample
{
    public SegmentWindowSample(int segment, long windowEndUtcMs, ReadOnlySpan<float> features, TrafficLevel? modelLevel)
    {
        Segment = segment;
        WindowEndUtcMs = windowEndUtcMs;
        Features = features;
        ModelLevel = modelLevel;
    }

    /// <summary>The segment index in <see cref="LaneSegments"/>.</summary>
    public int Segment { get; }

    public long WindowEndUtcMs { get; }

    /// <summary><see cref="SegmentFeatures.Count"/> values, indexed by the <see cref="SegmentFeatures"/> constants.</summary>
    public ReadOnlySpan<float> Features { get; }

    public TrafficLevel? ModelLevel { get; }
}
