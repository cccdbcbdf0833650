using Confluent.Kafka;

namespace QiZhiChunCheng.Kafka;

/// <summary>
/// How far the fusion workers' consumer group is from the end of the five data topics, as Kafka itself records it:
/// for each topic-partition, the high watermark minus the group's committed offset. Zero means every record on the
/// bus was processed and its events confirmed by the sinks (the workers commit only then): the point at which a
/// stopping cloud may let its workers go. It never joins the group. Not thread-safe; dispose when done.
/// </summary>
public sealed class KafkaGroupProgress : IDisposable
{
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly List<TopicPartition> _all = [];
    private readonly TimeSpan _timeout;

    public KafkaGroupProgress(KafkaBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Dictionary<string, string> config = KafkaWire.Config(options, options.ConsumerProperties);
        config["group.id"] = options.GroupId;
        config["enable.auto.commit"] = "false";
        _consumer = new ConsumerBuilder<byte[], byte[]>(config).SetLogHandler((_, message) => KafkaWire.Log(options, message)).Build();
        foreach (string topic in KafkaTopics.Data)
        {
            for (int p = 0; p < options.Partitions; p++)
            {
                _all.Add(new TopicPartition(topic, new Partition(p)));
            }
        }

        _timeout = options.RequestTimeout;
    }

    /// <summary>Records on the data topics not yet committed by the group.</summary>
    public long Behind()
    {
        Dictionary<TopicPartition, long> committed = [];
        foreach (TopicPartitionOffset tpo in _consumer.Committed(_all, _timeout))
        {
            committed[tpo.TopicPartition] = tpo.Offset == Offset.Unset ? 0 : tpo.Offset.Value;
        }

        long behind = 0;
        foreach (TopicPartition tp in _all)
        {
            WatermarkOffsets marks = _consumer.QueryWatermarkOffsets(tp, _timeout);
            behind += Math.Max(0, marks.High.Value - Math.Max(marks.Low.Value, committed.GetValueOrDefault(tp)));
        }

        return behind;
    }

    public void Dispose() => _consumer.Dispose();
}
