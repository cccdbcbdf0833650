using Confluent.Kafka;
using QiZhiChunCheng.Core;
using QiZhiChunCheng.Core.Bus;

namespace QiZhiChunCheng.Kafka;

/// <summary>
/// Reads one whole topic from the beginning (v2x.events, v2x.deadletter) for tests and tools: every partition is
/// assigned directly, outside any consumer group, and nothing is committed. Not thread-safe; dispose when done.
/// </summary>
public sealed class KafkaTopicReader : IDisposable
{
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly int _partitions;

    public KafkaTopicReader(KafkaBusOptions options, string topic)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        Dictionary<string, string> config = KafkaWire.Config(options, options.ConsumerProperties);
        config["group.id"] = $"{options.GroupId}-reader"; // required by the client; never joined, never committed
        config["enable.auto.commit"] = "false";
        config["enable.partition.eof"] = "true";
        _consumer = new ConsumerBuilder<byte[], byte[]>(config)
            .SetLogHandler((_, message) => KafkaWire.Log(options, message))
            .Build();
        Topic = topic;
        _partitions = options.Partitions;
        List<TopicPartitionOffset> all = new(_partitions);
        for (int p = 0; p < _partitions; p++)
        {
            all.Add(new TopicPartitionOffset(topic, new Partition(p), Offset.Beginning));
        }

        _consumer.Assign(all);
    }

    public string Topic { get; }

    /// <summary>
    /// Everything in the topic now, in offset order within each partition (read until every partition reports its
    /// end); throws when <paramref name="timeout"/> runs out first.
    /// </summary>
    public IReadOnlyList<ConsumedRecord> ReadToEnd(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        List<ConsumedRecord> records = [];
        HashSet<int> atEnd = [];
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (atEnd.Count < _partitions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long left = deadline - Environment.TickCount64;
            if (left <= 0)
            {
                throw new InfrastructureException($"reading {Topic}: {atEnd.Count} of {_partitions} partitions reached their end in {timeout}", retryable: true);
            }

            ConsumeResult<byte[], byte[]>? result = _consumer.Consume(TimeSpan.FromMilliseconds(Math.Min(left, 100)));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                atEnd.Add(result.Partition.Value);
                continue;
            }

            atEnd.Remove(result.Partition.Value);
            var record = new BusRecord(result.Topic, KafkaWire.DecodeKey(result.Message.Key), result.Message.Value ?? [], KafkaWire.ToBusHeaders(result.Message.Headers))
            {
                Partition = result.Partition.Value,
            };
            records.Add(new ConsumedRecord(record, new BusPosition(result.Topic, result.Partition.Value, result.Offset.Value), Replay: false));
        }

        return records;
    }

    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
    }
}
