using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Core.Bus;

/// <summary>
/// One record on the bus, in Kafka's terms: topic, key (the spatial tile), value (the compact binary frame, or
/// the original bytes on the dead letter topic) and headers (trace id, content type, rejection reason).
/// </summary>
public sealed record BusRecord(string Topic, ulong Key, ReadOnlyMemory<byte> Value, IReadOnlyList<KeyValuePair<string, string>>? Headers = null)
{
    /// <summary>
    /// The partition to write to, chosen by the shared tile router (home tile and halo copies); -1: the bus picks
    /// one from <see cref="Key"/>. Every bus honours it, so partitioning is decided once, not per bus.
    /// </summary>
    public int Partition { get; init; } = -1;

    /// <summary>
    /// True: <see cref="IBusProducer.ProduceAsync"/> completes only when the bus holds the record (Kafka: the broker's
    /// delivery report, a failure is an exception). False (the default): it completes once the record is queued,
    /// which is what a 10 Hz data stream wants. The in-process bus has nothing to wait for and ignores it.
    /// </summary>
    public bool AwaitDelivery { get; init; }

    public string? Header(string name)
    {
        if (Headers is null)
        {
            return null;
        }

        // An index loop: a foreach over the interface would allocate an enumerator on every call (per message).
        for (int i = 0; i < Headers.Count; i++)
        {
            if (Headers[i].Key == name)
            {
                return Headers[i].Value;
            }
        }

        return null;
    }
}

/// <summary>Header names and values used on the bus.</summary>
public static class BusHeaders
{
    public const string TraceId = "trace-id";
    public const string ContentType = "content-type";

    /// <summary>Marks a copy of a record written to another partition than its home one: <see cref="Halo"/>.</summary>
    public const string Copy = "copy";
    public const string Halo = "halo";
}

/// <summary>The topic names of ARCHITECTURE.md.</summary>
public static class BusTopics
{
    public const string Bsm = "v2x.bsm";
    public const string Rsm = "v2x.rsm";
    public const string Spat = "v2x.spat";
    public const string Map = "v2x.map";
    public const string Rsi = "v2x.rsi";
    public const string Events = "v2x.events";
    public const string DeadLetter = "v2x.deadletter";

    public static string For(MessageType type) => type switch
    {
        MessageType.Bsm => Bsm,
        MessageType.Rsm => Rsm,
        MessageType.Spat => Spat,
        MessageType.Map => Map,
        MessageType.Rsi => Rsi,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static bool IsData(string topic) => topic is Bsm or Rsm or Spat or Map or Rsi;
}

/// <summary>Anything that takes records for the bus: the in-process bus, or Kafka.</summary>
public interface IBusProducer
{
    /// <summary>The number of partitions of the data topics (all five have the same count).</summary>
    int Partitions { get; }

    /// <summary>
    /// Writes one record; waits when the bus applies back-pressure. Records for one partition are delivered to its
    /// consumer in the order of these calls, across the five data topics (a Kafka producer stamps a per-partition
    /// sequence so the consumer can restore it).
    /// </summary>
    ValueTask ProduceAsync(BusRecord record, CancellationToken cancellationToken);
}
