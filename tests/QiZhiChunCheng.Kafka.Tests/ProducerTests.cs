using QiZhiChunCheng.Core;
using QiZhiChunCheng.Core.Bus;

namespace QiZhiChunCheng.Kafka.Tests;

public sealed class ProducerTests
{
    [Fact]
    public async Task An_idempotent_producer_delivers_everything_across_a_broker_outage()
    {
        const int Partitions = 12;
        const int Count = 9_000;
        using KafkaMockCluster cluster = KafkaTestKit.Cluster(Partitions, brokers: 3);
        KafkaBusOptions options = KafkaTestKit.Options(cluster, Partitions);
        string ingestId;
        using (var producer = new KafkaBusProducer(options))
        {
            ingestId = producer.IngestId;
            for (int i = 0; i < Count; i++)
            {
                if (i == Count / 3)
                {
                    cluster.SetBrokerDown(2); // the leader of about a third of the partitions
                }

                await producer.ProduceAsync(new BusRecord(KafkaTopics.Data[i % 5], (ulong)i, KafkaTestKit.Value(i)), TestContext.Current.CancellationToken);
            }

            // The mock keeps broker 2 the leader of its partitions (4 of 12): their records cannot go anywhere now.
            Assert.False(producer.Flush(TimeSpan.FromSeconds(2)), "the outage held records back");
            Assert.True(producer.Delivered < Count);
            cluster.SetBrokerUp(2);
            Assert.True(producer.Flush(TimeSpan.FromSeconds(60)));
            Assert.Equal(Count, producer.Delivered);
            Assert.Equal(0, producer.Failed);
        }

        List<ConsumedRecord> records = KafkaTestKit.ReadData(options);
        Assert.Equal(Count, records.Count);
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i), records.Select(r => KafkaTestKit.Number(r.Record)).Order());
        KafkaTestKit.AssertCompleteSequences(records, ingestId);
        foreach (IGrouping<(string, int), ConsumedRecord> topicPartition in records.GroupBy(r => (r.Position.Topic, r.Position.Partition)))
        {
            long[] seqs = [.. topicPartition.OrderBy(r => r.Position.Offset).Select(r => KafkaTestKit.Seq(r.Record))];
            Assert.Equal(seqs.Order(), seqs); // retried batches kept their order in the log
        }
    }

    [Fact]
    public async Task A_full_local_queue_makes_the_producer_wait_and_loses_nothing()
    {
        const int Partitions = 2;
        const int Count = 2_000;
        using KafkaMockCluster cluster = KafkaTestKit.Cluster(Partitions);
        KafkaBusOptions options = KafkaTestKit.Options(cluster, Partitions) with
        {
            ProducerProperties = new Dictionary<string, string> { ["queue.buffering.max.messages"] = "100" },
        };
        using (var producer = new KafkaBusProducer(options))
        {
            await producer.ProduceAsync(KafkaTestKit.Record(BusTopics.Bsm, 0, -1) with { AwaitDelivery = true }, TestContext.Current.CancellationToken);
            cluster.SetBrokerDown(1); // nothing drains now: the queue must fill
            Task writing = Task.Run(async () =>
            {
                for (int i = 0; i < Count; i++)
                {
                    await producer.ProduceAsync(KafkaTestKit.Record(KafkaTopics.Data[i % 5], i % Partitions, i), TestContext.Current.CancellationToken);
                }
            }, TestContext.Current.CancellationToken);

            KafkaTestKit.WaitUntil(() => producer.QueueFullWaits > 0, TimeSpan.FromSeconds(30), "the queue filling up");
            Assert.False(writing.IsCompleted);
            cluster.SetBrokerUp(1);
            await writing.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            Assert.True(producer.Flush(TimeSpan.FromSeconds(60)));
            Assert.Equal(Count + 1, producer.Delivered);
            Assert.Equal(0, producer.Failed);
        }

        List<ConsumedRecord> records = KafkaTestKit.ReadData(options);
        Assert.Equal(Enumerable.Range(-1, Count + 1).Select(i => (long)i), records.Select(r => KafkaTestKit.Number(r.Record)).Order());
    }

    [Fact]
    public async Task Awaiting_delivery_reports_a_failure_with_its_reason()
    {
        using var cluster = new KafkaMockCluster();
        cluster.CreateTopic(BusTopics.Events, 2);
        KafkaBusOptions options = KafkaTestKit.Options(cluster, partitions: 4);
        using var producer = new KafkaBusProducer(options);

        InfrastructureException failure = await Assert.ThrowsAsync<InfrastructureException>(async () =>
            await producer.ProduceAsync(KafkaTestKit.Record(BusTopics.Events, 3, 1) with { AwaitDelivery = true }, TestContext.Current.CancellationToken));

        Assert.Contains("partition", failure.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, producer.Failed);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await producer.ProduceAsync(KafkaTestKit.Record(BusTopics.Bsm, 4, 1), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Events_keep_their_headers_and_get_no_sequence()
    {
        using KafkaMockCluster cluster = KafkaTestKit.Cluster(partitions: 3);
        KafkaBusOptions options = KafkaTestKit.Options(cluster, 3);
        using (var producer = new KafkaBusProducer(options))
        {
            for (int i = 0; i < 3; i++)
            {
                var record = new BusRecord(BusTopics.Events, (ulong)i, KafkaTestKit.Value(i), [new("trace-id", $"t{i}"), new("content-type", "application/json"), new("seq", "forged")])
                {
                    AwaitDelivery = true,
                };
                await producer.ProduceAsync(record, TestContext.Current.CancellationToken);
            }

            // A data record's stamp is the producer's own, whatever the caller put in.
            await producer.ProduceAsync(new BusRecord(BusTopics.Bsm, 9, KafkaTestKit.Value(9), [new("trace-id", "t9"), new("seq", "forged")]) { Partition = 1, AwaitDelivery = true }, TestContext.Current.CancellationToken);
        }

        using var reader = new KafkaTopicReader(options, BusTopics.Events);
        IReadOnlyList<ConsumedRecord> events = reader.ReadToEnd(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal([0L, 1, 2], events.Select(e => KafkaTestKit.Number(e.Record)).Order());
        Assert.All(events, e => Assert.Equal($"t{KafkaTestKit.Number(e.Record)}", e.Record.Header("trace-id")));
        Assert.All(events, e => Assert.Equal("application/json", e.Record.Header("content-type")));
        Assert.All(events, e => Assert.Null(e.Record.Header(KafkaWire.IngestIdHeader)));
        Assert.All(events, e => Assert.Equal((ulong)KafkaTestKit.Number(e.Record), e.Record.Key));

        ConsumedRecord bsm = Assert.Single(KafkaTestKit.ReadData(options));
        Assert.Equal("t9", bsm.Record.Header("trace-id"));
        Assert.Equal("0", bsm.Record.Header("seq"));
        Assert.Equal(16, bsm.Record.Header(KafkaWire.IngestIdHeader)!.Length);
    }

    [Fact]
    public void A_key_without_a_partition_lands_on_a_stable_partition()
    {
        // The same mix as the tile router: fixed values, never a per-process hash code.
        Assert.Equal(0, KafkaWire.PartitionOf(1UL << 61, 12)); // the zone key of TileKey
        Assert.Equal(9, KafkaWire.PartitionOf(12345, 12));
        int[] spread = new int[12];
        for (ulong key = 0; key < 12_000; key++)
        {
            spread[KafkaWire.PartitionOf(key, 12)]++;
        }

        Assert.All(spread, n => Assert.InRange(n, 800, 1200));
    }
}
