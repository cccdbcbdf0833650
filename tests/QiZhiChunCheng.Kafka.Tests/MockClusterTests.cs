namespace QiZhiChunCheng.Kafka.Tests;

public sealed class MockClusterTests
{
    [Fact]
    public async Task Confluent_Kafka_and_the_mock_cluster_share_one_librdkafka_file()
    {
        using KafkaMockCluster cluster = KafkaTestKit.Cluster(partitions: 2);
        KafkaBusOptions options = KafkaTestKit.Options(cluster, 2);
        using (var producer = new KafkaBusProducer(options))
        {
            await producer.ProduceAsync(KafkaTestKit.Record(QiZhiChunCheng.Core.Bus.BusTopics.Bsm, 1, 7) with { AwaitDelivery = true }, TestContext.Current.CancellationToken);
            Assert.Equal(1, producer.Delivered);
        }

        if (!OperatingSystem.IsLinux())
        {
            return; // /proc/self/maps is how the file is seen; elsewhere the delivered record is the whole check
        }

        IReadOnlyList<string> mapped = KafkaNative.MappedLibrdkafkaFiles();
        Assert.Single(mapped);
        Assert.Equal(mapped[0], KafkaMockCluster.LibraryPath);
        Assert.StartsWith(Path.Combine(AppContext.BaseDirectory, "runtimes"), mapped[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_topic_with_no_partitions_is_refused()
    {
        using var cluster = new KafkaMockCluster();
        Assert.Throws<ArgumentOutOfRangeException>(() => cluster.CreateTopic("v2x.bsm", 0));
    }
}
