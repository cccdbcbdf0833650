using Confluent.Kafka;

namespace QiZhiChunCheng.Kafka;

/// <summary>
/// One partition number's merge: five FIFO buffers, one per data topic's partition p, put back into produce order by
/// the producers' (ingest-id, seq) stamps. Rules, in order:
/// <list type="number">
/// <item>A head whose seq is the next expected of its ingest-id goes first. A head below the expected seq is late (it
/// was given up on) and goes at once; it is counted. Once each of the five topic-partitions has reached its end at
/// least once, an ingest-id not seen before is a producer that started after that, so its next expected seq is 0.</item>
/// <item>Otherwise, when no head is a known ingest-id's later seq (a gap: the missing record may still be on its way
/// in another topic) and each of the five buffers has a record or its topic-partition is at its end (caught up), the
/// smallest (timestamp, seq) head goes first: joining streams mid-way while catching up after the assignment. An
/// end-of-partition flag can be stale (a record produced just before may still be on its way), which is why rule 2 is
/// only for the catch-up, where the records were written long before.</item>
/// <item>Otherwise the merge waits: at least MaxMergeWait, and until the topic-partitions that could hold the missing
/// record have been read to their end again (at most ten times MaxMergeWait). Then the smallest (timestamp, seq) head
/// goes, the wait is counted, and the next stall goes on without waiting again until a record is taken by rule 1.</item>
/// </list>
/// Worked example, one ingest-id: v2x.bsm/3 holds seq [0, 2], v2x.spat/3 holds [1], the others are at their end. At
/// the start nothing is expected, every buffer has a record or is at its end, so rule 2 takes the smallest head, 0;
/// then 1 (rule 1, from v2x.spat/3), then 2. Were 1 still in flight and v2x.spat/3 empty, the head 2 would be a gap
/// and the merge would wait for 1. Not thread-safe: the consumer's one thread owns it.
/// </summary>
internal sealed class PartitionMerge
{
    private readonly Dictionary<string, long> _nextSeq = new(StringComparer.Ordinal);
    private long _stalledSinceMs = -1;
    private bool _gaveUp;
    private bool _caughtUpOnce;
    private readonly int[] _endsAtStall = new int[KafkaTopics.Data.Count];

    public PartitionMerge(int partition)
    {
        Partition = partition;
        Topics = new TopicBuffer[KafkaTopics.Data.Count];
        for (int i = 0; i < Topics.Length; i++)
        {
            Topics[i] = new TopicBuffer(new TopicPartition(KafkaTopics.Data[i], new Partition(partition)));
        }
    }

    public int Partition { get; }

    public TopicBuffer[] Topics { get; }

    public long MergeTimeouts { get; private set; }

    public long LateRecords { get; private set; }

    /// <summary>When a stalled merge gives up waiting (Environment.TickCount64 ms), or -1 when it is not stalled.</summary>
    public long StallDeadlineMs(long nowMs, TimeSpan maxWait)
    {
        if (_stalledSinceMs < 0)
        {
            return -1;
        }

        long wait = (long)maxWait.TotalMilliseconds;
        return nowMs < _stalledSinceMs + wait ? _stalledSinceMs + wait : _stalledSinceMs + (10 * wait);
    }

    /// <summary>
    /// Every one of the five topic-partitions has reached its end at least once since the assignment. From then on an
    /// ingest-id not seen so far started after this consumer caught up, so its records begin at seq 0.
    /// </summary>
    public bool CaughtUpOnce
    {
        get
        {
            if (_caughtUpOnce)
            {
                return true;
            }

            foreach (TopicBuffer topic in Topics)
            {
                if (!topic.ReachedEndOnce)
                {
                    return false;
                }
            }

            return _caughtUpOnce = true;
        }
    }

    public bool HasBuffered
    {
        get
        {
            foreach (TopicBuffer topic in Topics)
            {
                if (topic.Buffer.Count > 0)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Takes the next record in produce order, if the rules allow one now.</summary>
    public bool TryTake(long nowMs, TimeSpan maxWait, out Buffered record, out TopicBuffer from)
    {
        int best = -1;
        int newStart = -1;
        int smallest = -1;
        bool gap = false;
        bool allCaughtUp = true;
        for (int i = 0; i < Topics.Length; i++)
        {
            TopicBuffer topic = Topics[i];
            if (topic.Buffer.Count == 0)
            {
                allCaughtUp &= topic.AtEnd;
                continue;
            }

            Buffered head = topic.Buffer.Peek();
            if (smallest < 0 || Before(head, Topics[smallest].Buffer.Peek()))
            {
                smallest = i;
            }

            if (head.IngestId is null)
            {
                continue;
            }

            if (!_nextSeq.TryGetValue(head.IngestId, out long expected))
            {
                if (!CaughtUpOnce)
                {
                    continue; // still catching up: this may be mid-stream, rule 2 decides
                }

                // Caught up once: an ingest-id not seen so far is a new instance, whose seq 0 goes first once the
                // other topics are caught up (an old instance's tail may still come); a later seq waits for its 0.
                if (head.Seq == 0)
                {
                    if (newStart < 0 || Before(head, Topics[newStart].Buffer.Peek()))
                    {
                        newStart = i;
                    }
                }
                else
                {
                    gap = true;
                }

                continue;
            }

            if (head.Seq <= expected)
            {
                if (best < 0 || Before(head, Topics[best].Buffer.Peek()))
                {
                    best = i;
                }
            }
            else
            {
                gap = true;
            }
        }

        if (best >= 0)
        {
            _stalledSinceMs = -1;
            _gaveUp = false;
            return Take(best, out record, out from);
        }

        if (smallest < 0)
        {
            _stalledSinceMs = -1;
            record = default;
            from = null!;
            return false;
        }

        if (newStart >= 0 && allCaughtUp)
        {
            _stalledSinceMs = -1;
            return Take(newStart, out record, out from);
        }

        if (!gap && allCaughtUp)
        {
            _stalledSinceMs = -1;
            return Take(smallest, out record, out from);
        }

        if (_gaveUp)
        {
            return Take(smallest, out record, out from);
        }

        if (_stalledSinceMs < 0)
        {
            _stalledSinceMs = nowMs;
            for (int i = 0; i < Topics.Length; i++)
            {
                _endsAtStall[i] = Topics[i].Ends;
            }
        }

        if (GiveUp(nowMs - _stalledSinceMs, (long)maxWait.TotalMilliseconds))
        {
            MergeTimeouts++;
            _stalledSinceMs = -1;
            _gaveUp = true;
            return Take(smallest, out record, out from);
        }

        record = default;
        from = null!;
        return false;
    }

    // A stall ends after the wait only if the missing record cannot be in the log: every topic-partition with nothing
    // buffered has reached its end again since the stall began. Under a backlog (the record still sits in librdkafka's
    // queue behind others) that takes longer than the wait, and the order is kept. A full buffer, or ten times the
    // wait (a topic-partition that cannot be fetched: its leader down), ends it anyway so the partition keeps moving.
    private bool GiveUp(long waitedMs, long maxWaitMs)
    {
        if (waitedMs < maxWaitMs)
        {
            return false;
        }

        if (waitedMs >= 10 * maxWaitMs)
        {
            return true;
        }

        bool readToEnd = true;
        for (int i = 0; i < Topics.Length; i++)
        {
            TopicBuffer topic = Topics[i];
            if (topic.Paused)
            {
                return true;
            }

            readToEnd &= topic.Buffer.Count > 0 || topic.Ends > _endsAtStall[i];
        }

        return readToEnd;
    }

    private bool Take(int index, out Buffered record, out TopicBuffer from)
    {
        from = Topics[index];
        record = from.Buffer.Dequeue();
        if (record.IngestId is not null)
        {
            if (_nextSeq.TryGetValue(record.IngestId, out long expected) && record.Seq < expected)
            {
                LateRecords++;
            }
            else
            {
                _nextSeq[record.IngestId] = record.Seq + 1;
            }
        }

        return true;
    }

    private static bool Before(in Buffered a, in Buffered b) =>
        a.TimestampMs != b.TimestampMs ? a.TimestampMs < b.TimestampMs : a.Seq < b.Seq;
}

/// <summary>A record taken from Kafka and held until the merge releases it.</summary>
internal readonly record struct Buffered(ConsumeResult<byte[], byte[]> Result, string? IngestId, long Seq, long TimestampMs);

/// <summary>The buffer of one topic-partition, with what the consumer knows about its position.</summary>
internal sealed class TopicBuffer(TopicPartition topicPartition)
{
    public TopicPartition TopicPartition { get; } = topicPartition;

    public Queue<Buffered> Buffer { get; } = new();

    /// <summary>The consumer reached the end of the partition after its last record (an EOF event came).</summary>
    public bool AtEnd
    {
        get;
        set
        {
            field = value;
            if (value)
            {
                ReachedEndOnce = true;
                Ends++;
            }
        }
    }

    /// <summary>An EOF event came at least once since the assignment.</summary>
    public bool ReachedEndOnce { get; private set; }

    /// <summary>How many EOF events came since the assignment (a stall compares it before and after).</summary>
    public int Ends { get; private set; }

    /// <summary>The group's committed offset when the partition was assigned; records below it are replays. -1: none.</summary>
    public long Committed { get; set; } = -1;

    /// <summary>Replays older than this (Unix ms) are skipped: they are outside the warm-up window.</summary>
    public long ReplayCutoffMs { get; set; } = long.MinValue;

    public bool Paused { get; set; }
}
