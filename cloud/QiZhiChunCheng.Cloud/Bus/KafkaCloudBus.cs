using System.Diagnostics;
using Microsoft.Extensions.Logging;
using QiZhiChunCheng.Cloud.Workers;
using QiZhiChunCheng.Core.Bus;
using QiZhiChunCheng.Kafka;

namespace QiZhiChunCheng.Cloud.Bus;

/// <summary>
/// The cloud host on Kafka: one sequenced idempotent producer for ingest and the sinks, one consumer per fusion
/// worker in the group <c>qzcc-fusion</c>. <c>mock</c> starts librdkafka's mock cluster in this process and creates
/// the seven topics with the requested partitions; a bootstrap list uses a real cluster whose topics must exist
/// with the same partition count on the five data topics (the partition count given must match it).
/// </summary>
internal sealed class KafkaCloudBus : CloudBus
{
    private readonly KafkaMockCluster? _mock;
    private readonly KafkaBusOptions _options;
    private readonly KafkaBusProducer _producer;

    private KafkaCloudBus(KafkaMockCluster? mock, KafkaBusOptions options)
    {
        _mock = mock;
        _options = options;
        _producer = new KafkaBusProducer(options);
    }

    public override string Name => _mock is null ? $"kafka {_options.BootstrapServers}" : "kafka mock";

    public override IBusProducer Producer => _producer;

    public static CloudBus Create(string kafka, int partitions, ILoggerFactory loggers)
    {
        ILogger logger = loggers.CreateLogger<KafkaCloudBus>();
        KafkaMockCluster? mock = null;
        string bootstrap = kafka;
        if (kafka == "mock")
        {
            mock = new KafkaMockCluster();
            mock.CreateTopics(partitions);
            mock.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
            bootstrap = mock.BootstrapServers;
        }

        try
        {
            return new KafkaCloudBus(mock, new KafkaBusOptions
            {
                BootstrapServers = bootstrap,
                Partitions = partitions,
                ClientId = "qzcc-cloud",
                Log = line =>
                {
                    if (logger.IsEnabled(LogLevel.Information))
                    {
                        logger.LogInformation("{Kafka}", line);
                    }
                },
            });
        }
        catch
        {
            mock?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The cloud process hands each worker slot its partitions itself (direct assignment, offsets committed to the group
    /// <c>qzcc-fusion</c>): a replacement for a dead worker takes over its partitions at once from the last commit,
    /// without waiting for a group rebalance (librdkafka's mock took up to 45 s, a session time-out, to settle one).
    /// </summary>
    public override IBusConsumer NewConsumer(int slot, IReadOnlyList<int> partitions) =>
        new KafkaBusConsumer(_options with { ClientId = $"qzcc-worker-{slot}" }, partitions);

    /// <summary>
    /// Flushes the producer, then waits (up to 60 s) until the group has committed every record on the data topics
    /// (the workers commit only what the sinks confirmed), then asks the workers to stop; they commit on the way out.
    /// </summary>
    public override async Task FinishAsync(CloudMetrics metrics, IReadOnlyList<FusionWorker> workers)
    {
        _producer.Flush(TimeSpan.FromSeconds(30));
        using KafkaGroupProgress progress = new(_options);
        Stopwatch clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            long behind = await Task.Run(progress.Behind);
            if (behind == 0)
            {
                break;
            }

            await Task.Delay(200);
        }

        foreach (FusionWorker worker in workers)
        {
            worker.RequestStop();
        }
    }

    public override ValueTask DisposeAsync()
    {
        _producer.Dispose();
        _mock?.Dispose();
        return ValueTask.CompletedTask;
    }
}
