using Microsoft.Extensions.Logging;
using QiZhiChunCheng.Cloud.Ingest;
using QiZhiChunCheng.Cloud.Workers;
using QiZhiChunCheng.Core.Bus;

namespace QiZhiChunCheng.Cloud.Bus;

/// <summary>
/// The bus the cloud host runs on: a producer for ingest and the sinks, a consumer per fusion worker, and how to
/// finish. The in-process bus by default; Kafka (a real cluster, or librdkafka's mock cluster) when configured. What
/// goes to which partition (<see cref="TileRouter"/>), what a worker emits and when it commits
/// (<see cref="FusionWorker"/>, <see cref="CommitTracker"/>) is the same code for both.
/// </summary>
internal abstract class CloudBus : IAsyncDisposable
{
    public abstract string Name { get; }

    public abstract IBusProducer Producer { get; }

    /// <summary>A consumer for worker slot <paramref name="slot"/>, owning <paramref name="partitions"/> (p mod slots == slot).</summary>
    public abstract IBusConsumer NewConsumer(int slot, IReadOnlyList<int> partitions);

    /// <summary>No more input: let the workers process everything accepted, then stop them.</summary>
    public abstract Task FinishAsync(CloudMetrics metrics, IReadOnlyList<FusionWorker> workers);

    public abstract ValueTask DisposeAsync();

    public static CloudBus Create(string? kafka, int partitions, int workers, ILoggerFactory loggers) =>
        kafka is null ? new InProcess(partitions, workers) : KafkaCloudBus.Create(kafka, partitions, loggers);

    private sealed class InProcess(int partitions, int workers) : CloudBus
    {
        private readonly InProcessBus _bus = new(partitions, workers);

        public override string Name => "in-process";

        public override IBusProducer Producer => _bus;

        public override IBusConsumer NewConsumer(int slot, IReadOnlyList<int> partitions) => _bus.Consumer(slot);

        public override Task FinishAsync(CloudMetrics metrics, IReadOnlyList<FusionWorker> workers)
        {
            _bus.Complete();
            return Task.CompletedTask;
        }

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>Writes every dead letter to the local log as well as to the bus, whichever bus it is.</summary>
internal sealed class DeadLetterTap(IBusProducer inner, DeadLetterLog log) : IBusProducer
{
    public int Partitions => inner.Partitions;

    public ValueTask ProduceAsync(BusRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Topic == BusTopics.DeadLetter)
        {
            log.Add(record);
        }

        return inner.ProduceAsync(record, cancellationToken);
    }
}
