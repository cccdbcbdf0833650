namespace QiZhiChunCheng.Engine.Trust;

/// <summary>
/// Scores one source window (<see cref="SourceFeatures"/>). Called on the engine's thread once per second of event
/// time per source: must not allocate and must not block.
/// </summary>
public interface ISourceAnomalyScorer
{
    /// <summary>Higher is more anomalous.</summary>
    float Score(ReadOnlySpan<float> features);

    /// <summary>A score at or above this is anomalous.</summary>
    float Threshold { get; }
}

/// <summary>Classifies one segment window (<see cref="SegmentFeatures"/>). Must not allocate and must not block.</summary>
public interface ITrafficStateModel
{
    TrafficLevel Classify(ReadOnlySpan<float> features);
}

/// <summary>
/// A training and evaluation tap: called synchronously on the engine's thread at each window; implementations copy
/// what they keep (the spans are reused).
/// </summary>
public interface ITrustObserver
{
    void OnSourceWindow(in SourceWindowSample sample);

    void OnSegmentWindow(in SegmentWindowSample sample);
}
