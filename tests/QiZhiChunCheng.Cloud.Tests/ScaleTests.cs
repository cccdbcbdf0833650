using System.Collections.Concurrent;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Cloud.Tests;

/// <summary>Collects every event phase the workers emit.</summary>
public sealed class EventCollector : IEventSink
{
    private readonly ConcurrentQueue<V2xEvent> _events = new();

    public IReadOnlyList<V2xEvent> Events => [.. _events];

    public ValueTask WriteAsync(IReadOnlyList<V2xEvent> events, CancellationToken cancellationToken)
    {
        foreach (V2xEvent e in events)
        {
            _events.Enqueue(e);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The onsets as comparable lines: id, type, participants, position to 1e-6 degree, severity.</summary>
    public static SortedSet<string> Onsets(IEnumerable<V2xEvent> events) =>
        new(events.Where(e => e.Phase == EventPhase.Onset).Select(e =>
            FormattableString.Invariant($"{e.Id} {V2xEvent.TypeCode(e.Type)} [{string.Join(",", e.Participants)}] {e.LatitudeDeg:F6},{e.LongitudeDeg:F6} s{e.Severity}")), StringComparer.Ordinal);
}

/// <summary>
/// Scale without changing answers: the demo's traffic (crossing five tile edges) through one worker on one partition
/// and through several workers on many partitions gives the same events.
/// </summary>
public sealed class ScaleTests
{
    private static readonly List<TrafficMessage> Traffic = DemoTraffic.Build(seconds: 40);

    [Fact]
    public async Task Three_workers_on_twelve_in_process_partitions_raise_the_same_events_as_one_worker_on_one()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        SortedSet<string> single = await RunAsync(workers: 1, partitions: 1, kafka: null, ct);
        SortedSet<string> spread = await RunAsync(workers: 3, partitions: 12, kafka: null, ct);

        Assert.True(single.Count >= 10, $"the demo traffic raised only {single.Count} events:\n{string.Join('\n', single)}");
        Assert.Equal(single, spread);
    }

    [Fact]
    public async Task Three_workers_on_twelve_Kafka_partitions_raise_the_same_events_as_one_worker_on_one_in_process_partition()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        SortedSet<string> single = await RunAsync(workers: 1, partitions: 1, kafka: null, ct);
        SortedSet<string> kafka = await RunAsync(workers: 3, partitions: 12, kafka: "mock", ct);

        Assert.True(single.Count >= 10, $"the demo traffic raised only {single.Count} events");
        Assert.True(single.SetEquals(kafka), $"only in one partition:\n{string.Join('\n', single.Except(kafka))}\nonly on Kafka:\n{string.Join('\n', kafka.Except(single))}");
    }

    internal static async Task<SortedSet<string>> RunAsync(int workers, int partitions, string? kafka, CancellationToken ct)
    {
        using TempDirectory dir = new();
        EventCollector collector = new();
        CloudHost cloud = await CloudHost.StartAsync(new CloudOptions
        {
            Mqtt = new MqttEndpoint("127.0.0.1", 0),
            HttpUrl = null,
            DataDir = dir.Path,
            Workers = workers,
            Partitions = partitions,
            Kafka = kafka,
            ExtraSinks = [collector],
        }, ct);
        await using (cloud)
        {
            await DemoTraffic.PublishAsync(cloud.MqttEndpoint, Traffic, ct);

            // QoS 0: the last publishes may still be on the socket when the publisher returns.
            for (int i = 0; i < 200 && cloud.Metrics.AcceptedTotal + cloud.Metrics.RejectedTotal < Traffic.Count; i++)
            {
                await Task.Delay(50, ct);
            }

            await cloud.StopAsync();
            Assert.Equal(0, cloud.Metrics.RejectedTotal);
            Assert.Equal(Traffic.Count, cloud.Metrics.AcceptedTotal);
        }

        // Each onset exactly once: no partition spoke for another's tile, and none was left unspoken.
        V2xEvent[] onsets = [.. collector.Events.Where(e => e.Phase == EventPhase.Onset)];
        Assert.Equal(onsets.Length, onsets.Select(e => e.Id).Distinct().Count());
        return EventCollector.Onsets(onsets);
    }
}
