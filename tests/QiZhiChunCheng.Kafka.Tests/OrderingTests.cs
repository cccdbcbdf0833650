using System.Collections.Concurrent;
using QiZhiChunCheng.Core.Bus;

namespace QiZhiChunCheng.Kafka.Tests;

public sealed class OrderingTests
{
    [Fact]
    public async Task Five_topics_of_one_partition_come_back_in_produce_order()
    {
        const int Partitions = 4;
        const int Count = 5_000;
        using KafkaMockCluster cluster = KafkaTestKit.Cluster(Partitions);
        // A long merge wait: the order must come from the sequence, never from a lucky timing.
        KafkaBusOptions options = KafkaTestKit.Options(cluster, Partitions) with { MaxMergeWait = TimeSpan.FromSeconds(30) };
        var random = new Random(20261128);
        using (var producer = new KafkaBusProducer(options))
        {
            for (int i = 0; i < Count; i++)
            {
                // BSM-heavy like the zone's traffic, but every topic appears; all into partition 2.
                int pick = random.Next(100);
                string topic = pick < 60 ? BusTopics.Bsm : pick < 80 ? BusTopics.Rsm : pick < 94 ? BusTopics.Spat : pick < 97 ? BusTopics.Map : BusTopics.Rsi;
                await producer.ProduceAsync(KafkaTestKit.Record(topic, 2, i), TestContext.Current.CancellationToken);
            }

            Assert.True(producer.Flush(TimeSpan.FromSeconds(30)));
            Assert.Equal(Count, producer.Delivered);
        }

        using var consumer = new KafkaBusConsumer(options);
        List<ConsumedRecord> records = KafkaTestKit.Drain(consumer, Count, TimeSpan.FromSeconds(60));

        Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i), records.Select(r => KafkaTestKit.Number(r.Record)));
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i), records.Select(r => KafkaTestKit.Seq(r.Record)));
        Assert.All(records, r => Assert.Equal(2, r.Record.Partition));
        Assert.All(records, r => Assert.False(r.Replay));
        Assert.Equal(0, consumer.LateRecords);
    }

    [Fact]
    public async Task Concurrent_producers_into_one_partition_are_merged_in_enqueue_order()
    {
        const int Partitions = 2;
        const int PerWriter = 1_000;
        using KafkaMockCluster cluster = KafkaTestKit.Cluster(Partitions);
        KafkaBusOptions options = KafkaTestKit.Options(cluster, Partitions) with { MaxMergeWait = TimeSpan.FromSeconds(30) };
        string ingestId;
        using (var producer = new KafkaBusProducer(options))
        {
            ingestId = producer.IngestId;
            // Four writers, each on its own topic, racing into partition 0: the seq decides the one true order.
            Task[] writers = [.. Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                for (int i = 0; i < PerWriter; i++)
                {
                    await producer.ProduceAsync(KafkaTestKit.Record(KafkaTopics.Data[w], 0, (w * 1_000_000L) + i), TestContext.Current.CancellationToken);
                }
            }))];
            await Task.WhenAll(writers);
            Assert.True(producer.Flush(TimeSpan.FromSeconds(30)));
        }

        using var consumer = new KafkaBusConsumer(options);
        List<ConsumedRecord> records = KafkaTestKit.Drain(consumer, 4 * PerWriter, TimeSpan.FromSeconds(60));

        Assert.Equal(Enumerable.Range(0, 4 * PerWriter).Select(i => (long)i), records.Select(r => KafkaTestKit.Seq(r.Record)));
        Assert.All(records, r => Assert.Equal(ingestId, r.Record.Header(KafkaWire.IngestIdHeader)));
        foreach (IGrouping<long, long> writer in records.Select(r => KafkaTestKit.Number(r.Record)).GroupBy(n => n / 1_000_000))
        {
            Assert.Equal(Enumerable.Range(0, PerWriter).Select(i => (writer.Key * 1_000_000) + i), writer);
        }
    }

    [Fact]
    public async Task Range_assignment_gives_one_member_all_five_topics_of_each_partition_number()
    {
        const int Partitions = 12;
        using KafkaMockCluster cluster = KafkaTestKit.Cluster(Partitions);
        KafkaBusOptions options = KafkaTestKit.Options(cluster, Partitions);
        using var first = new KafkaBusConsumer(options);
        using var second = new KafkaBusConsumer(options);
        var owned = new[] { new HashSet<int>(), new HashSet<int>() };
        var received = new[] { new ConcurrentQueue<ConsumedRecord>(), new ConcurrentQueue<ConsumedRecord>() };
        KafkaBusConsumer[] members = [first, second];
        for (int m = 0; m < 2; m++)
        {
            HashSet<int> mine = owned[m];
            members[m].PartitionsAssigned += numbers => { lock (mine) { mine.UnionWith(numbers); } };
            members[m].PartitionsRevoked += numbers => { lock (mine) { mine.ExceptWith(numbers); } };
        }

        using var stop = new CancellationTokenSource();
        Task[] loops = [.. Enumerable.Range(0, 2).Select(m => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (members[m].TryConsume(TimeSpan.FromMilliseconds(50), out ConsumedRecord record, CancellationToken.None))
                {
                    received[m].Enqueue(record);
                }
            }
        }))];

        int[] Owned(int m)
        {
            lock (owned[m])
            {
                return [.. owned[m].Order()];
            }
        }

        KafkaTestKit.WaitUntil(() => Owned(0).Length == 6 && Owned(1).Length == 6 && !Owned(0).Intersect(Owned(1)).Any(), TimeSpan.FromSeconds(30), "the two members sharing the twelve partitions");

        // One record on every topic-partition: each member gets exactly the five topics of its own partition numbers.
        using (var producer = new KafkaBusProducer(options))
        {
            for (int p = 0; p < Partitions; p++)
            {
                foreach (string topic in KafkaTopics.Data)
                {
                    await producer.ProduceAsync(KafkaTestKit.Record(topic, p, p), TestContext.Current.CancellationToken);
                }
            }
        }

        KafkaTestKit.WaitUntil(() => received[0].Count + received[1].Count >= 5 * Partitions, TimeSpan.FromSeconds(30), "every record arriving");
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        Assert.Equal(Enumerable.Range(0, Partitions), Owned(0).Concat(Owned(1)).Order());
        for (int m = 0; m < 2; m++)
        {
            Assert.Equal(Owned(m), members[m].OwnedPartitions);
            Assert.All(members[m].Assignment.GroupBy(tp => tp.Partition), number => Assert.Equal(KafkaTopics.Data.Order(), number.Select(tp => tp.Topic).Order()));
            Assert.Equal(Owned(m), members[m].Assignment.Select(tp => tp.Partition).Distinct().Order());
            Assert.Equal(5 * 6, received[m].Count);
            Assert.All(received[m], r => Assert.Contains(r.Record.Partition, Owned(m)));
        }
    }
}
