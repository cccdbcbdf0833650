using System.Buffers.Binary;
using QiZhiChunCheng.Core.Bus;

namespace QiZhiChunCheng.Kafka.Tests;

/// <summary>Options for tests against the mock cluster, records with a readable identity, and a drain loop.</summary>
internal static class KafkaTestKit
{
    /// <summary>A mock cluster with the seven topics and no initial rebalance delay (a group forms at once).</summary>
    public static KafkaMockCluster Cluster(int partitions, int brokers = 1)
    {
        var cluster = new KafkaMockCluster(brokers);
        cluster.CreateTopics(partitions);
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        return cluster;
    }

    public static KafkaBusOptions Options(KafkaMockCluster cluster, int partitions, Action<string>? log = null) => new()
    {
        BootstrapServers = cluster.BootstrapServers,
        Partitions = partitions,
        GroupId = "qzcc-fusion-test",
        ClientId = "qzcc-test",
        Log = log ?? (_ => { }),
        // Quick rebalances: a joining member is noticed at the next heartbeat.
        ConsumerProperties = new Dictionary<string, string>
        {
            ["heartbeat.interval.ms"] = "100",
            ["session.timeout.ms"] = "6000",
            ["fetch.wait.max.ms"] = "10",
        },
    };

    /// <summary>A record whose value is its number (8 bytes) padded to <paramref name="size"/> bytes.</summary>
    public static BusRecord Record(string topic, int partition, long number, int size = 16) =>
        new(topic, (ulong)number, Value(number, size)) { Partition = partition };

    public static byte[] Value(long number, int size = 16)
    {
        byte[] value = new byte[Math.Max(size, 8)];
        BinaryPrimitives.WriteInt64BigEndian(value, number);
        return value;
    }

    public static long Number(BusRecord record) => BinaryPrimitives.ReadInt64BigEndian(record.Value.Span);

    public static long Seq(BusRecord record) => long.Parse(record.Header(KafkaWire.SeqHeader)!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Consumes until <paramref name="count"/> records came, or fails after <paramref name="timeout"/>.</summary>
    public static List<ConsumedRecord> Drain(IBusConsumer consumer, int count, TimeSpan timeout)
    {
        List<ConsumedRecord> records = new(count);
        DateTime deadline = DateTime.UtcNow + timeout;
        while (records.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {records.Count} of {count} records came in {timeout}");
            if (consumer.TryConsume(TimeSpan.FromMilliseconds(200), out ConsumedRecord record, TestContext.Current.CancellationToken))
            {
                records.Add(record);
            }
        }

        return records;
    }

    /// <summary>Waits (without sleeping the test away) until <paramref name="done"/> holds, or fails after <paramref name="timeout"/>.</summary>
    public static void WaitUntil(Func<bool> done, TimeSpan timeout, string what)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} did not happen within {timeout}");
            Thread.Yield();
            Thread.Sleep(5);
        }
    }

    /// <summary>Every record of the five data topics, read to their end (no group, no commit).</summary>
    public static List<ConsumedRecord> ReadData(KafkaBusOptions options)
    {
        List<ConsumedRecord> all = [];
        foreach (string topic in KafkaTopics.Data)
        {
            using var reader = new KafkaTopicReader(options, topic);
            all.AddRange(reader.ReadToEnd(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        }

        return all;
    }

    /// <summary>Per partition number, the seqs of one producer instance must be exactly 0..n-1: none lost, none twice.</summary>
    public static void AssertCompleteSequences(IEnumerable<ConsumedRecord> records, string ingestId)
    {
        foreach (IGrouping<int, ConsumedRecord> partition in records.Where(r => r.Record.Header(KafkaWire.IngestIdHeader) == ingestId).GroupBy(r => r.Record.Partition))
        {
            long[] seqs = [.. partition.Select(r => Seq(r.Record)).Order()];
            Assert.Equal(Enumerable.Range(0, seqs.Length).Select(i => (long)i), seqs);
        }
    }

    /// <summary>Consumes until <paramref name="done"/> holds, or fails after <paramref name="timeout"/>.</summary>
    public static void ConsumeUntil(IBusConsumer consumer, Func<bool> done, TimeSpan timeout, List<ConsumedRecord>? into = null)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"the condition did not hold within {timeout}");
            if (consumer.TryConsume(TimeSpan.FromMilliseconds(50), out ConsumedRecord record, TestContext.Current.CancellationToken))
            {
                into?.Add(record);
            }
        }
    }
}
