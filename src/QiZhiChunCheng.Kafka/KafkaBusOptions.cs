namespace QiZhiChunCheng.Kafka;

/// <summary>
/// How the Kafka bus reaches its cluster and behaves. One record for the producer, the consumers and the topic
/// reader; each takes what it needs. Immutable.
/// </summary>
public sealed record KafkaBusOptions
{
    /// <summary>librdkafka's <c>bootstrap.servers</c>: "host:port[,host:port]", or <see cref="KafkaMockCluster.BootstrapServers"/>.</summary>
    public required string BootstrapServers { get; init; }

    /// <summary>The partition count of the data topics (all five have the same count); the producer's <c>Partitions</c>.</summary>
    public int Partitions { get; init; } = 12;

    /// <summary>The consumer group of the fusion workers.</summary>
    public string GroupId { get; init; } = "qzcc-fusion";

    /// <summary>librdkafka's <c>client.id</c>, seen in broker logs and metrics.</summary>
    public string ClientId { get; init; } = "qzcc";

    /// <summary>
    /// How long the producer waits to fill a batch (<c>linger.ms</c>). Small, because every millisecond here is a
    /// millisecond of detection latency; 0 sends each record alone and costs throughput.
    /// </summary>
    public double LingerMs { get; init; } = 1;

    /// <summary>
    /// How far back a consumer re-reads, on getting a partition that has a committed offset, to rebuild the engine's
    /// state (tracks, timers, active events): records from now − WarmUp up to the committed offset come again with
    /// <c>Replay = true</c>. Zero: resume exactly at the committed offset and rebuild nothing.
    /// </summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long the consumer's merge holds a partition back waiting for the record that comes next in produce order
    /// (a gap in the sequence, or a topic that has not caught up) before it goes on without it and counts it in
    /// <see cref="KafkaBusConsumer.MergeTimeouts"/>.
    /// </summary>
    public TimeSpan MaxMergeWait { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long blocking calls to the cluster (committed offsets, offsets for times, flush) may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Extra librdkafka properties for every client (security.protocol, sasl.*, ...); they win over the defaults.</summary>
    public IReadOnlyDictionary<string, string>? Properties { get; init; }

    /// <summary>Extra librdkafka properties for the producer only (queue.buffering.max.messages, message.timeout.ms, ...).</summary>
    public IReadOnlyDictionary<string, string>? ProducerProperties { get; init; }

    /// <summary>Extra librdkafka properties for consumers only (session.timeout.ms, heartbeat.interval.ms, ...).</summary>
    public IReadOnlyDictionary<string, string>? ConsumerProperties { get; init; }

    /// <summary>
    /// Where librdkafka's log lines go (level name, facility and message in one line). Null: warnings and worse to
    /// standard error, the rest dropped.
    /// </summary>
    public Action<string>? Log { get; init; }
}
