using Microsoft.Extensions.Logging;
using QiZhiChunCheng.Cloud.Workers;
using QiZhiChunCheng.Core.Bus;

namespace QiZhiChunCheng.Cloud.Bus;

/// <summary>The cloud host on Kafka (placeholder until the Kafka adapter lands).</summary>
internal sealed class KafkaCloudBus : CloudBus
{
    public override string Name => "kafka";

    public override IBusProducer Producer => throw new NotSupportedException();

    public static CloudBus Create(string kafka, int partitions, ILoggerFactory loggers) =>
        throw new NotSupportedException($"Kafka ({kafka}, {partitions} partitions) is not built in yet");

    public override IBusConsumer NewConsumer(int worker) => throw new NotSupportedException();

    public override Task FinishAsync(CloudMetrics metrics, IReadOnlyList<FusionWorker> workers) => Task.CompletedTask;

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
