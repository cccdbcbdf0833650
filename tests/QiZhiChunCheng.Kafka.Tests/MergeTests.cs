using Confluent.Kafka;

namespace QiZhiChunCheng.Kafka.Tests;

/// <summary>The merge rules on their own, with the clock in the test's hands.</summary>
public sealed class MergeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromMilliseconds(200);

    [Fact]
    public void At_the_start_the_merge_waits_until_every_topic_has_a_record_or_is_at_its_end()
    {
        var merge = new PartitionMerge(3);
        Put(merge, 0, "a", 5, timestampMs: 100);
        Put(merge, 1, "a", 6, timestampMs: 100);

        Assert.False(merge.TryTake(0, Wait, out _, out _)); // v2x.spat/3, .map/3, .rsi/3 have said nothing yet

        merge.Topics[2].AtEnd = merge.Topics[3].AtEnd = merge.Topics[4].AtEnd = true;
        Assert.Equal([5L, 6], TakeAll(merge, 0));
        Assert.Equal(0, merge.MergeTimeouts);
    }

    [Fact]
    public void A_gap_is_waited_for_even_when_every_topic_looks_caught_up()
    {
        var merge = new PartitionMerge(0);
        foreach (TopicBuffer topic in merge.Topics)
        {
            topic.AtEnd = true;
        }

        Put(merge, 0, "a", 0, timestampMs: 1);
        Assert.Equal([0L], TakeAll(merge, 0));

        // seq 1 is still on its way to v2x.spat/0 (end-of-partition news is older than it).
        Put(merge, 0, "a", 2, timestampMs: 3);
        Assert.False(merge.TryTake(1_000, Wait, out _, out _));
        Assert.False(merge.TryTake(1_199, Wait, out _, out _));
        Put(merge, 2, "a", 1, timestampMs: 2);
        Assert.Equal([1L, 2], TakeAll(merge, 1_199));
        Assert.Equal(0, merge.MergeTimeouts);
    }

    [Fact]
    public void A_lost_record_stalls_the_merge_for_the_wait_only_and_is_counted()
    {
        var merge = new PartitionMerge(0);
        foreach (TopicBuffer topic in merge.Topics)
        {
            topic.AtEnd = true;
        }

        Put(merge, 0, "a", 0, timestampMs: 1);
        Put(merge, 0, "a", 2, timestampMs: 3);
        Assert.Equal([0L], TakeAll(merge, 1_000));
        Assert.Empty(TakeAll(merge, 1_200)); // the wait is over, but the empty topics were not read again since
        for (int i = 1; i < merge.Topics.Length; i++)
        {
            merge.Topics[i].AtEnd = true; // read to their end again: seq 1 is not there
        }

        Assert.Equal([2L], TakeAll(merge, 1_200));
        Assert.Equal(1, merge.MergeTimeouts);

        Put(merge, 1, "a", 1, timestampMs: 2); // it came after all: handed out late, and counted
        Assert.Equal([1L], TakeAll(merge, 1_300));
        Assert.Equal(1, merge.LateRecords);
    }

    [Fact]
    public void A_stall_ends_at_ten_times_the_wait_when_a_topic_never_reports_its_end()
    {
        var merge = new PartitionMerge(0);
        foreach (TopicBuffer topic in merge.Topics)
        {
            topic.AtEnd = true;
        }

        Put(merge, 0, "a", 0, timestampMs: 1);
        Put(merge, 0, "a", 2, timestampMs: 3);
        Assert.Equal([0L], TakeAll(merge, 0));
        Assert.Empty(TakeAll(merge, 1_999));
        Assert.Equal([2L], TakeAll(merge, 2_000));
        Assert.Equal(1, merge.MergeTimeouts);
    }

    [Fact]
    public void A_new_producer_instance_waits_for_the_tail_of_the_old_one()
    {
        var merge = new PartitionMerge(0);
        for (int i = 1; i < merge.Topics.Length; i++)
        {
            merge.Topics[i].AtEnd = true;
        }

        Put(merge, 0, "old", 40, timestampMs: 10); // joined mid-stream while catching up: rule 2
        Assert.Equal([40L], TakeAll(merge, 0));
        merge.Topics[0].AtEnd = true; // caught up

        // The restarted ingest's first record is here; the old instance's seq 41 is not fetched from v2x.rsm yet.
        Put(merge, 0, "new", 0, timestampMs: 20);
        merge.Topics[1].AtEnd = false;
        Assert.False(merge.TryTake(0, Wait, out _, out _));

        Put(merge, 1, "old", 41, timestampMs: 11);
        Assert.True(merge.TryTake(0, Wait, out Buffered first, out _));
        Assert.Equal(("old", 41L), (first.IngestId, first.Seq));
        Assert.False(merge.TryTake(0, Wait, out _, out _)); // v2x.rsm/0 may hold more of the old instance

        merge.Topics[1].AtEnd = true;
        Assert.True(merge.TryTake(0, Wait, out Buffered second, out _));
        Assert.Equal(("new", 0L), (second.IngestId, second.Seq));
        Assert.Equal(0, merge.MergeTimeouts);
    }

    [Fact]
    public void After_catching_up_a_new_producer_instance_starts_at_seq_zero()
    {
        var merge = new PartitionMerge(0);
        foreach (TopicBuffer topic in merge.Topics)
        {
            topic.AtEnd = true; // caught up once
        }

        // seq 1 came first through v2x.rsm; seq 0 is still on its way to v2x.bsm, whose end-of-partition news is stale.
        Put(merge, 1, "new", 1, timestampMs: 21);
        Assert.False(merge.TryTake(0, Wait, out _, out _));

        Put(merge, 0, "new", 0, timestampMs: 20);
        Assert.Equal([0L, 1], TakeAll(merge, 0));
        Assert.Equal(0, merge.MergeTimeouts);
    }

    [Fact]
    public void Two_producers_interleave_each_in_its_own_order()
    {
        var merge = new PartitionMerge(0);
        foreach (TopicBuffer topic in merge.Topics)
        {
            topic.AtEnd = true;
        }

        Put(merge, 0, "a", 0, timestampMs: 10);
        Put(merge, 0, "b", 0, timestampMs: 11);
        Put(merge, 1, "b", 1, timestampMs: 12);
        Put(merge, 1, "a", 1, timestampMs: 13);
        Put(merge, 0, "a", 2, timestampMs: 14);

        List<(string, long)> order = [];
        while (merge.TryTake(0, Wait, out Buffered record, out _))
        {
            order.Add((record.IngestId!, record.Seq));
        }

        Assert.Equal([("a", 0L), ("b", 0L), ("b", 1L), ("a", 1L), ("a", 2L)], order);
    }

    private static void Put(PartitionMerge merge, int topic, string ingest, long seq, long timestampMs)
    {
        merge.Topics[topic].Buffer.Enqueue(new Buffered(new ConsumeResult<byte[], byte[]>(), ingest, seq, timestampMs));
        merge.Topics[topic].AtEnd = false;
    }

    private static List<long> TakeAll(PartitionMerge merge, long nowMs)
    {
        List<long> seqs = [];
        while (merge.TryTake(nowMs, Wait, out Buffered record, out _))
        {
            seqs.Add(record.Seq);
        }

        return seqs;
    }
}
