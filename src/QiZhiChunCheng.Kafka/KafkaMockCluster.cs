using System.Runtime.InteropServices;
using System.Text;
using QiZhiChunCheng.Core;
using QiZhiChunCheng.Core.Bus;

namespace QiZhiChunCheng.Kafka;

/// <summary>
/// librdkafka's built-in mock cluster: brokers on loopback that speak the real Kafka protocol (produce, fetch,
/// consumer groups, offsets), started in milliseconds inside this process. For tests, <c>--kafka mock</c> and
/// benchmarks; it is a test broker, not a store (each partition keeps a bounded log and drops the oldest records).
/// Brokers are numbered 1..N. Thread-safe for its calls; dispose after every client that uses it.
/// </summary>
public sealed class KafkaMockCluster : IDisposable
{
    private IntPtr _rk;
    private IntPtr _cluster;

    public KafkaMockCluster(int brokers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        KafkaNative.EnsureLoaded();
        byte[] errors = new byte[512];
        IntPtr conf = KafkaNative.rd_kafka_conf_new();
        // The mock needs a client instance to own its threads; a producer with no brokers is the smallest one.
        Set(conf, "client.id", "qzcc-mock-cluster", errors);
        Set(conf, "log_level", "3", errors);
        _rk = KafkaNative.rd_kafka_new(0, conf, errors, (nuint)errors.Length); // 0: RD_KAFKA_PRODUCER; takes conf
        if (_rk == IntPtr.Zero)
        {
            throw new InfrastructureException($"librdkafka could not make the mock cluster's client: {Text(errors)}", retryable: false);
        }

        _cluster = KafkaNative.rd_kafka_mock_cluster_new(_rk, brokers);
        if (_cluster == IntPtr.Zero)
        {
            KafkaNative.rd_kafka_destroy(_rk);
            _rk = IntPtr.Zero;
            throw new InfrastructureException("librdkafka could not start the mock cluster", retryable: false);
        }

        BootstrapServers = Marshal.PtrToStringUTF8(KafkaNative.rd_kafka_mock_cluster_bootstraps(_cluster))
            ?? throw new InfrastructureException("the mock cluster has no bootstrap address", retryable: false);
        Brokers = brokers;
    }

    /// <summary>The brokers' "host:port,..." on loopback, for <see cref="KafkaBusOptions.BootstrapServers"/>.</summary>
    public string BootstrapServers { get; }

    public int Brokers { get; }

    /// <summary>The librdkafka file in use (Confluent.Kafka's and this class's), for diagnostics.</summary>
    public static string? LibraryPath => KafkaNative.LoadedPath;

    /// <summary>Creates one topic with replication factor 1 (the admin client's CreateTopics times out against the mock).</summary>
    public void CreateTopic(string topic, int partitions)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        Check(KafkaNative.rd_kafka_mock_topic_create(Cluster, topic, partitions, 1), $"create topic {topic}");
    }

    /// <summary>Creates the seven topics of ARCHITECTURE.md, each with <paramref name="partitions"/> partitions.</summary>
    public void CreateTopics(int partitions)
    {
        foreach (string topic in KafkaTopics.All)
        {
            CreateTopic(topic, partitions);
        }
    }

    /// <summary>
    /// How long the group coordinator waits for more members before the first assignment of an empty group (the
    /// mock's default is 3 s, like Kafka's <c>group.initial.rebalance.delay.ms</c>); tests set it to zero.
    /// </summary>
    public void SetGroupInitialRebalanceDelay(TimeSpan delay) =>
        KafkaNative.rd_kafka_mock_group_initial_rebalance_delay_ms(Cluster, (int)delay.TotalMilliseconds);

    /// <summary>Takes broker <paramref name="brokerId"/> (1..N) down: its connections close and it accepts none.</summary>
    public void SetBrokerDown(int brokerId) => Check(KafkaNative.rd_kafka_mock_broker_set_down(Cluster, brokerId), $"set broker {brokerId} down");

    /// <summary>Brings broker <paramref name="brokerId"/> back up.</summary>
    public void SetBrokerUp(int brokerId) => Check(KafkaNative.rd_kafka_mock_broker_set_up(Cluster, brokerId), $"set broker {brokerId} up");

    public void Dispose()
    {
        if (_cluster != IntPtr.Zero)
        {
            KafkaNative.rd_kafka_mock_cluster_destroy(_cluster);
            _cluster = IntPtr.Zero;
        }

        if (_rk != IntPtr.Zero)
        {
            KafkaNative.rd_kafka_destroy(_rk);
            _rk = IntPtr.Zero;
        }
    }

    private IntPtr Cluster => _cluster != IntPtr.Zero ? _cluster : throw new ObjectDisposedException(nameof(KafkaMockCluster));

    private static void Set(IntPtr conf, string name, string value, byte[] errors)
    {
        if (KafkaNative.rd_kafka_conf_set(conf, name, value, errors, (nuint)errors.Length) != 0)
        {
            throw new InvalidOperationException($"librdkafka refused {name}={value}: {Text(errors)}");
        }
    }

    private static void Check(int err, string what)
    {
        if (err != 0)
        {
            throw new InfrastructureException($"mock cluster: {what}: {KafkaNative.ErrorText(err)}", retryable: false);
        }
    }

    private static string Text(byte[] errors)
    {
        int end = Array.IndexOf(errors, (byte)0);
        return Encoding.UTF8.GetString(errors, 0, end < 0 ? errors.Length : end);
    }
}

/// <summary>The seven topics, the five data topics in a fixed order (the consumer's merge indexes by it).</summary>
public static class KafkaTopics
{
    public static readonly IReadOnlyList<string> Data = [BusTopics.Bsm, BusTopics.Rsm, BusTopics.Spat, BusTopics.Map, BusTopics.Rsi];

    public static readonly IReadOnlyList<string> All = [.. Data, BusTopics.Events, BusTopics.DeadLetter];

    /// <summary>The index of a data topic in <see cref="Data"/>, or -1.</summary>
    public static int DataIndex(string topic) => topic switch
    {
        BusTopics.Bsm => 0,
        BusTopics.Rsm => 1,
        BusTopics.Spat => 2,
        BusTopics.Map => 3,
        BusTopics.Rsi => 4,
        _ => -1,
    };
}
