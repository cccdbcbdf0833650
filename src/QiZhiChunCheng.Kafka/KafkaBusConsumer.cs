using Confluent.Kafka;
using QiZhiChunCheng.Core;
using QiZhiChunCheng.Core.Bus;

namespace QiZhiChunCheng.Kafka;

/// <summary>
/// A fusion worker's consumer: one member of the consumer group (<see cref="KafkaBusOptions.GroupId"/>) subscribed to
/// the five data topics with the range assignor, so one member owns partition p of all five (they have the same
/// count). Per partition number it merges the five topic-partitions back into produce order (see
/// <see cref="PartitionMerge"/>) and hands out records one by one.
/// <para>
/// Warm-up: on getting a topic-partition with a committed offset, it starts reading at
/// max(low watermark, first offset at or after now − <see cref="KafkaBusOptions.WarmUp"/>) (never after the committed
/// offset) and marks the records below the committed offset <c>Replay</c>: the worker rebuilds its engine's state from
/// them without sending their events again. Without a committed offset it reads from the beginning and nothing is a
/// replay. State older than the window is not rebuilt.
/// </para>
/// Offsets are committed only through <see cref="Commit"/> (synchronously). Buffers hold at most
/// <see cref="MaxBufferedPerTopicPartition"/> records per topic-partition before the partition is paused. Allocates
/// per record (the Kafka message, its headers). Not thread-safe: one worker thread calls it.
/// </summary>
public sealed class KafkaBusConsumer : IBusConsumer, IBusLag
{
    /// <summary>A topic-partition's buffer size at which fetching it pauses (resumed at half).</summary>
    public const int MaxBufferedPerTopicPartition = 5_000;

    private static readonly TimeSpan PollSlice = TimeSpan.FromMilliseconds(100);
    private readonly KafkaBusOptions _options;
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly SortedDictionary<int, PartitionMerge> _owned = [];
    private PartitionMerge[] _ownedOrder = [];
    private int _next;
    private bool _losing;
    private long _mergeTimeoutsOfRevoked;
    private long _lateOfRevoked;
    private bool _disposed;

    private readonly IReadOnlyList<int>? _staticPartitions;
    private bool _staticAssigned;

    /// <summary>
    /// A consumer in the group. With <paramref name="partitions"/>, it takes exactly those partition numbers (of all
    /// five topics) by direct assignment instead of joining the group's rebalancing: commits still go to the group, a
    /// successor given the same partitions resumes after them with the same warm-up replay. One cloud process that
    /// hands its partitions to its workers itself uses this; several processes sharing the topics use the group.
    /// </summary>
    public KafkaBusConsumer(KafkaBusOptions options, IReadOnlyList<int>? partitions = null)
    {
        _staticPartitions = partitions;
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        Dictionary<string, string> config = KafkaWire.Config(options, null);
        config["group.id"] = options.GroupId;
        config["partition.assignment.strategy"] = "range";
        config["enable.auto.commit"] = "false";
        config["enable.auto.offset.store"] = "false";
        config["enable.partition.eof"] = "true";
        config["auto.offset.reset"] = "earliest";
        KafkaWire.Merge(config, options.ConsumerProperties);

        _consumer = new ConsumerBuilder<byte[], byte[]>(config)
            .SetLogHandler((_, message) => KafkaWire.Log(options, message))
            .SetErrorHandler((_, error) => LastError = error.Reason)
            .SetPartitionsAssignedHandler(OnAssigned)
            .SetPartitionsRevokedHandler((_, revoked) => OnRevoked(revoked, lost: false))
            .SetPartitionsLostHandler((_, lost) => OnRevoked(lost, lost: true))
            .Build();
        if (partitions is null)
        {
            _consumer.Subscribe(KafkaTopics.Data);
        }
    }

    public bool Finished => false;

    /// <summary>The partition numbers this member owns now.</summary>
    public IReadOnlyList<int> OwnedPartitions => [.. _owned.Keys];

    /// <summary>The topic-partitions librdkafka has assigned to this member (for tests and status pages).</summary>
    public IReadOnlyList<(string Topic, int Partition)> Assignment => [.. _consumer.Assignment.Select(tp => (tp.Topic, tp.Partition.Value))];

    /// <summary>Times a merge gave up waiting for the next record in produce order (MaxMergeWait).</summary>
    public long MergeTimeouts
    {
        get
        {
            long sum = _mergeTimeoutsOfRevoked;
            foreach (PartitionMerge merge in _owned.Values)
            {
                sum += merge.MergeTimeouts;
            }

            return sum;
        }
    }

    /// <summary>Records that arrived after the merge had given up on them (handed out late, out of order).</summary>
    public long LateRecords
    {
        get
        {
            long sum = _lateOfRevoked;
            foreach (PartitionMerge merge in _owned.Values)
            {
                sum += merge.LateRecords;
            }

            return sum;
        }
    }

    /// <summary>The last error librdkafka reported, for status pages.</summary>
    public string? LastError { get; private set; }

    public event Action<IReadOnlyList<int>>? PartitionsAssigned;

    public event Action<IReadOnlyList<int>>? PartitionsRevoked;

    public bool TryConsume(TimeSpan timeout, out ConsumedRecord record, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_staticPartitions is not null && !_staticAssigned)
        {
            _staticAssigned = true;
            List<TopicPartition> assigned = [];
            foreach (string topic in KafkaTopics.Data)
            {
                foreach (int p in _staticPartitions)
                {
                    assigned.Add(new TopicPartition(topic, new Partition(p)));
                }
            }

            _consumer.Assign(OnAssigned(_consumer, assigned));
        }

        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long now = Environment.TickCount64;
            if (TryMerge(now, out record))
            {
                return true;
            }

            long wait = Math.Min(deadline - now, (long)PollSlice.TotalMilliseconds);
            long stall = EarliestStallDeadline(now);
            if (stall >= 0)
            {
                wait = Math.Min(wait, Math.Max(stall - now, 0));
            }

            if (deadline - now <= 0)
            {
                record = default;
                return false;
            }

            ConsumeResult<byte[], byte[]>? result;
            try
            {
                result = _consumer.Consume(TimeSpan.FromMilliseconds(wait));
            }
            catch (ConsumeException ex) when (!ex.Error.IsFatal)
            {
                LastError = ex.Error.Reason;
                continue;
            }
            catch (KafkaException ex)
            {
                throw new InfrastructureException($"the Kafka consumer stopped: {ex.Error.Reason}", retryable: false, ex);
            }

            if (result is not null)
            {
                Accept(result);
            }
        }
    }

    /// <summary>
    /// Records of the partition not yet handed to the worker: those buffered for the merge plus, per topic, the high
    /// watermark of the last fetch minus the fetch position (0 for a topic that reported its end with nothing after).
    /// A topic not fetched yet counts 0. Call it from the consuming thread.
    /// </summary>
    public long Lag(int partition)
    {
        if (!_owned.TryGetValue(partition, out PartitionMerge? merge))
        {
            return -1;
        }

        long lag = 0;
        foreach (TopicBuffer topic in merge.Topics)
        {
            lag += topic.Buffer.Count;
            if (topic.AtEnd)
            {
                continue;
            }

            WatermarkOffsets marks = _consumer.GetWatermarkOffsets(topic.TopicPartition);
            Offset position = _consumer.Position(topic.TopicPartition);
            if (marks.High != Offset.Unset && position != Offset.Unset)
            {
                lag += Math.Max(0, marks.High.Value - position.Value);
            }
        }

        return lag;
    }

    public void Commit(IReadOnlyList<BusPosition> positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (positions.Count == 0 || _losing)
        {
            return; // partitions already lost to another member cannot be committed by this one
        }

        Dictionary<(string, int), long> next = [];
        foreach (BusPosition position in positions)
        {
            (string, int) key = (position.Topic, position.Partition);
            if (!next.TryGetValue(key, out long offset) || offset < position.Offset + 1)
            {
                next[key] = position.Offset + 1;
            }
        }

        List<TopicPartitionOffset> offsets = new(next.Count);
        foreach (KeyValuePair<(string Topic, int Partition), long> pair in next)
        {
            offsets.Add(new TopicPartitionOffset(pair.Key.Topic, new Partition(pair.Key.Partition), new Offset(pair.Value)));
        }

        try
        {
            _consumer.Commit(offsets);
        }
        catch (KafkaException ex)
        {
            throw new InfrastructureException($"Kafka did not take the commit: {ex.Error.Reason}", retryable: !ex.Error.IsFatal, ex);
        }
    }

    /// <summary>Leaves the group (its partitions go to the other members at once) and closes the consumer.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            _consumer.Close();
        }
        catch (KafkaException)
        {
            // The group is gone (a cluster shut down first): the session times out there, nothing to do here.
        }

        _consumer.Dispose();
    }

    private bool TryMerge(long nowMs, out ConsumedRecord record)
    {
        PartitionMerge[] order = _ownedOrder;
        for (int k = 0; k < order.Length; k++)
        {
            PartitionMerge merge = order[(_next + k) % order.Length];
            if (merge.TryTake(nowMs, _options.MaxMergeWait, out Buffered taken, out TopicBuffer from))
            {
                _next = (_next + k + 1) % order.Length;
                if (from.Paused && from.Buffer.Count <= MaxBufferedPerTopicPartition / 2)
                {
                    _consumer.Resume([from.TopicPartition]);
                    from.Paused = false;
                }

                record = ToConsumed(taken, from);
                return true;
            }
        }

        record = default;
        return false;
    }

    private long EarliestStallDeadline(long nowMs)
    {
        long earliest = -1;
        foreach (PartitionMerge merge in _ownedOrder)
        {
            long deadline = merge.StallDeadlineMs(nowMs, _options.MaxMergeWait);
            if (deadline >= 0 && (earliest < 0 || deadline < earliest))
            {
                earliest = deadline;
            }
        }

        return earliest;
    }

    private void Accept(ConsumeResult<byte[], byte[]> result)
    {
        TopicBuffer? buffer = Find(result.TopicPartition);
        if (buffer is null)
        {
            return; // a partition revoked while its record was in flight: the next owner reads it
        }

        if (result.IsPartitionEOF)
        {
            buffer.AtEnd = true;
            return;
        }

        buffer.AtEnd = false;
        long timestampMs = result.Message.Timestamp.UnixTimestampMs;
        if (result.Offset.Value < buffer.Committed && timestampMs < buffer.ReplayCutoffMs)
        {
            return; // older than the warm-up window
        }

        (string? ingest, long seq) = KafkaWire.ReadStamp(result.Message.Headers);
        buffer.Buffer.Enqueue(new Buffered(result, ingest, seq, timestampMs));
        if (!buffer.Paused && buffer.Buffer.Count >= MaxBufferedPerTopicPartition)
        {
            _consumer.Pause([buffer.TopicPartition]);
            buffer.Paused = true;
        }
    }

    private TopicBuffer? Find(TopicPartition topicPartition)
    {
        int index = KafkaTopics.DataIndex(topicPartition.Topic);
        return index >= 0 && _owned.TryGetValue(topicPartition.Partition.Value, out PartitionMerge? merge) ? merge.Topics[index] : null;
    }

    private static ConsumedRecord ToConsumed(in Buffered taken, TopicBuffer from)
    {
        ConsumeResult<byte[], byte[]> result = taken.Result;
        var busRecord = new BusRecord(result.Topic, KafkaWire.DecodeKey(result.Message.Key), result.Message.Value ?? [], KafkaWire.ToBusHeaders(result.Message.Headers))
        {
            Partition = result.Partition.Value,
        };
        long offset = result.Offset.Value;
        return new ConsumedRecord(busRecord, new BusPosition(result.Topic, result.Partition.Value, offset), Replay: offset < from.Committed);
    }

    // Runs inside Consume, on the worker's thread. Returns where each topic-partition starts (the warm-up).
    private IEnumerable<TopicPartitionOffset> OnAssigned(IConsumer<byte[], byte[]> consumer, List<TopicPartition> assigned)
    {
        List<TopicPartition> data = assigned.FindAll(tp => KafkaTopics.DataIndex(tp.Topic) >= 0);
        Dictionary<TopicPartition, long> committed = [];
        foreach (TopicPartitionOffset offset in Committed(consumer, data))
        {
            if (offset.Offset.Value >= 0)
            {
                committed[offset.TopicPartition] = offset.Offset.Value;
            }
        }

        Dictionary<TopicPartition, long> windowStart = [];
        long cutoffMs = DateTimeOffset.UtcNow.Add(-_options.WarmUp).ToUnixTimeMilliseconds();
        if (committed.Count > 0 && _options.WarmUp > TimeSpan.Zero)
        {
            windowStart = OffsetsForTime(consumer, committed.Keys, new Timestamp(cutoffMs, TimestampType.CreateTime));
            // -1 means no record is in the window, or a broker that cannot look offsets up by time (librdkafka's mock
            // answers -1 to every timestamp). A probe at time 0 tells them apart: a real broker answers the first
            // offset of a non-empty partition. Without the lookup, the window is read from the low watermark and the
            // records older than it are skipped as they come (cheap on the mock, whose partitions are short).
            List<TopicPartition> unknown = [];
            foreach (KeyValuePair<TopicPartition, long> pair in windowStart)
            {
                if (pair.Value < 0)
                {
                    unknown.Add(pair.Key);
                }
            }

            if (unknown.Count > 0)
            {
                foreach (KeyValuePair<TopicPartition, long> probe in OffsetsForTime(consumer, unknown, new Timestamp(0, TimestampType.CreateTime)))
                {
                    if (probe.Value < 0)
                    {
                        windowStart[probe.Key] = 0; // raised to the low watermark below
                    }
                }
            }
        }

        List<TopicPartitionOffset> starts = new(assigned.Count);
        List<int> numbers = [];
        foreach (TopicPartition tp in assigned)
        {
            int index = KafkaTopics.DataIndex(tp.Topic);
            if (index < 0)
            {
                starts.Add(new TopicPartitionOffset(tp, Offset.Unset));
                continue;
            }

            if (!_owned.TryGetValue(tp.Partition.Value, out PartitionMerge? merge))
            {
                merge = new PartitionMerge(tp.Partition.Value);
                _owned[tp.Partition.Value] = merge;
                numbers.Add(tp.Partition.Value);
            }

            TopicBuffer buffer = merge.Topics[index];
            if (!committed.TryGetValue(tp, out long commit))
            {
                buffer.Committed = -1;
                starts.Add(new TopicPartitionOffset(tp, Offset.Beginning));
                continue;
            }

            buffer.Committed = commit;
            buffer.ReplayCutoffMs = cutoffMs;
            long start = commit;
            if (windowStart.TryGetValue(tp, out long inWindow) && inWindow >= 0 && inWindow < commit)
            {
                WatermarkOffsets marks = Call(() => consumer.QueryWatermarkOffsets(tp, _options.RequestTimeout), "watermarks");
                start = Math.Max(marks.Low.Value, inWindow);
            }

            starts.Add(new TopicPartitionOffset(tp, new Offset(start)));
        }

        _ownedOrder = [.. _owned.Values];
        if (numbers.Count > 0)
        {
            PartitionsAssigned?.Invoke(numbers);
        }

        return starts;
    }

    private void OnRevoked(List<TopicPartitionOffset> revoked, bool lost)
    {
        List<int> numbers = [];
        foreach (TopicPartitionOffset tp in revoked)
        {
            if (KafkaTopics.DataIndex(tp.Topic) >= 0 && _owned.ContainsKey(tp.Partition.Value) && !numbers.Contains(tp.Partition.Value))
            {
                numbers.Add(tp.Partition.Value);
            }
        }

        if (numbers.Count == 0)
        {
            return;
        }

        numbers.Sort();
        _losing = lost;
        try
        {
            PartitionsRevoked?.Invoke(numbers);
        }
        finally
        {
            _losing = false;
            foreach (int number in numbers)
            {
                PartitionMerge merge = _owned[number];
                _mergeTimeoutsOfRevoked += merge.MergeTimeouts;
                _lateOfRevoked += merge.LateRecords;
                _owned.Remove(number); // buffered records are dropped: uncommitted, the next owner reads them again
            }

            _ownedOrder = [.. _owned.Values];
            _next = 0;
        }
    }

    private Dictionary<TopicPartition, long> OffsetsForTime(IConsumer<byte[], byte[]> consumer, IEnumerable<TopicPartition> partitions, Timestamp timestamp)
    {
        List<TopicPartitionTimestamp> query = [];
        foreach (TopicPartition tp in partitions)
        {
            query.Add(new TopicPartitionTimestamp(tp, timestamp));
        }

        Dictionary<TopicPartition, long> offsets = [];
        foreach (TopicPartitionOffset found in Call(() => consumer.OffsetsForTimes(query, _options.RequestTimeout), "offsets for times"))
        {
            offsets[found.TopicPartition] = found.Offset.Value;
        }

        return offsets;
    }

    private List<TopicPartitionOffset> Committed(IConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions) =>
        partitions.Count == 0 ? [] : Call(() => consumer.Committed(partitions, _options.RequestTimeout), "committed offsets");

    private static T Call<T>(Func<T> call, string what)
    {
        try
        {
            return call();
        }
        catch (KafkaException ex)
        {
            throw new InfrastructureException($"Kafka did not answer for {what}: {ex.Error.Reason}", retryable: !ex.Error.IsFatal, ex);
        }
    }
}
