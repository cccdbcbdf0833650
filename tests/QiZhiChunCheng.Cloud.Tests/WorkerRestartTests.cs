using QiZhiChunCheng.Cloud.Workers;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Cloud.Tests;

/// <summary>
/// A fusion worker killed mid-stream on Kafka (mock cluster), without a last commit; traffic goes on; a replacement
/// takes its partitions, rebuilds the engines' state by replaying the records up to the last commit (their events not
/// sent again) and carries on. The store ends with exactly the events of an undisturbed run: none lost, none twice.
/// </summary>
public sealed class WorkerRestartTests
{
    private static readonly List<TrafficMessage> Traffic = DemoTraffic.Build(seconds: 40);

    [Fact]
    public async Task Killing_a_worker_mid_stream_and_starting_another_loses_no_event_and_stores_none_twice()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        SortedSet<string> reference = await ScaleTests.RunAsync(workers: 1, partitions: 1, kafka: null, ct);

        using TempDirectory dir = new();
        EventCollector collector = new();
        CloudHost cloud = await CloudHost.StartAsync(new CloudOptions
        {
            Mqtt = new MqttEndpoint("127.0.0.1", 0),
            HttpUrl = null,
            DataDir = dir.Path,
            Workers = 3,
            Partitions = 12,
            Kafka = "mock",
            ExtraSinks = [collector],
        }, ct);
        long storedCount;
        List<string> storedIds = [];
        await using (cloud)
        {
            int half = Traffic.Count / 2;
            await DemoTraffic.PublishAsync(cloud.MqttEndpoint, Traffic[..half], ct);
            await WaitUntilAsync(() => cloud.Metrics.Processed > half, ct);
            await Task.Delay(1000, ct); // workers commit every 200 ms: let the victim have committed part of its history

            // Kill one worker that owns partitions which have seen traffic: no final commit, its sinks not awaited.
            FusionWorker victim = cloud.Workers.First(w => w.Id == 1);
            await cloud.KillWorkerAsync(victim);
            Assert.DoesNotContain(cloud.Workers, w => w.Id == 1);

            await DemoTraffic.PublishAsync(cloud.MqttEndpoint, Traffic[half..], ct);
            cloud.StartWorker();
            await WaitUntilAsync(() => cloud.Metrics.AcceptedTotal >= Traffic.Count, ct);
            await cloud.StopAsync();

            // Someone rebuilt state from the killed worker's committed history.
            Assert.True(cloud.Metrics.Partitions.Values.Sum(p => p.ReplayedCount) > 0, "no record was replayed after the kill");
            storedCount = await cloud.Store.CountAsync(ct);
            for (int page = 1; ; page++)
            {
                EventPage events = await cloud.Store.QueryAsync(new EventQuery { Page = page, PageSize = 1000 }, ct);
                storedIds.AddRange(events.Items.Select(e => e.Event.Id));
                if (events.Items.Count < 1000)
                {
                    break;
                }
            }
        }

        SortedSet<string> referenceIds = new(reference.Select(line => line[..line.IndexOf(' ', StringComparison.Ordinal)]), StringComparer.Ordinal);
        SortedSet<string> onsetIds = new(collector.Events.Where(e => e.Phase == EventPhase.Onset).Select(e => e.Id), StringComparer.Ordinal);

        // Nothing lost: every event of the undisturbed run was raised and stored; nothing twice: no other id.
        Assert.Equal(referenceIds, onsetIds);
        Assert.Equal(referenceIds, new SortedSet<string>(storedIds, StringComparer.Ordinal));
        Assert.Equal(referenceIds.Count, storedCount);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken ct)
    {
        for (int i = 0; i < 600 && !condition(); i++)
        {
            await Task.Delay(50, ct);
        }

        Assert.True(condition(), "timed out waiting for the pipeline");
    }
}
