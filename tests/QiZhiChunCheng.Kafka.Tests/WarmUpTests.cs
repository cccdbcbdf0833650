using QiZhiChunCheng.Core.Bus;

namespace QiZhiChunCheng.Kafka.Tests;

public sealed class WarmUpTests
{
    private const int Partitions = 12;

    [Fact]
    public async Task A_new_member_replays_what_was_committed_and_resumes_after_it()
    {
        using KafkaMockCluster cluster = KafkaTestKit.Cluster(Partitions);
        KafkaBusOptions options = KafkaTestKit.Options(cluster, Partitions);
        await Produce(options, from: 0, count: 600);

        HashSet<long> committed;
        using (var first = new KafkaBusConsumer(options))
        {
            List<ConsumedRecord> done = KafkaTestKit.Drain(first, 400, TimeSpan.FromSeconds(30));
            Assert.All(done, r => Assert.False(r.Replay));
            first.Commit([.. done.Select(r => r.Position)]);
            committed = [.. done.Select(r => KafkaTestKit.Number(r.Record))];
        }

        await Produce(options, from: 600, count: 400);

        using var second = new KafkaBusConsumer(options);
        List<ConsumedRecord> records = KafkaTestKit.Drain(second, 1_000, TimeSpan.FromSeconds(30));

        Assert.Equal(Enumerable.Range(0, 1_000).Select(i => (long)i), records.Select(r => KafkaTestKit.Number(r.Record)).Order());
        Assert.Equal(committed.Order(), records.Where(r => r.Replay).Select(r => KafkaTestKit.Number(r.Record)).Order());
        foreach (IGrouping<int, ConsumedRecord> partition in records.GroupBy(r => r.Record.Partition))
        {
            // Within a partition the replays come first, then the rest, all in produce order.
            bool[] replay = [.. partition.Select(r => r.Replay)];
            Assert.Equal(replay.OrderDescending(), replay);
            long[] numbers = [.. partition.Select(r => KafkaTestKit.Number(r.Record))];
            Assert.Equal(numbers.Order(), numbers);
        }
    }

    [Fact]
    public async Task Without_a_warm_up_window_a_new_member_starts_at_the_commit()
    {
        using KafkaMockCluster cluster = KafkaTestKit.Cluster(Partitions);
        KafkaBusOptions options = KafkaTestKit.Options(cluster, Partitions) with { WarmUp = TimeSpan.Zero };
        await Produce(options, from: 0, count: 300);
        using (var first = new KafkaBusConsumer(options))
        {
            List<ConsumedRecord> done = KafkaTestKit.Drain(first, 300, TimeSpan.FromSeconds(30));
            first.Commit([.. done.Select(r => r.Position)]);
        }

        await Produce(options, from: 300, count: 100);
        using var second = new KafkaBusConsumer(options);
        List<ConsumedRecord> records = KafkaTestKit.Drain(second, 100, TimeSpan.FromSeconds(30));

        Assert.Equal(Enumerable.Range(300, 100).Select(i => (long)i), records.Select(r => KafkaTestKit.Number(r.Record)).Order());
        Assert.All(records, r => Assert.False(r.Replay));
        Assert.False(second.TryConsume(TimeSpan.FromMilliseconds(300), out _, TestContext.Current.CancellationToken));
    }

    // Records spread over the twelve partitions by key and over the five topics in turn.
    private static async Task Produce(KafkaBusOptions options, int from, int count)
    {
        using var producer = new KafkaBusProducer(options);
        for (int i = from; i < from + count; i++)
        {
            await producer.ProduceAsync(new BusRecord(KafkaTopics.Data[i % 5], (ulong)(i % 37), KafkaTestKit.Value(i)), TestContext.Current.CancellationToken);
        }

        Assert.True(producer.Flush(TimeSpan.FromSeconds(30)));
        Assert.Equal(count, producer.Delivered);
    }
}
