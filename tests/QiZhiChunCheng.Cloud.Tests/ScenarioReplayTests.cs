using System.Collections.Concurrent;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Mqtt;
using QiZhiChunCheng.Scenarios.Format;
using QiZhiChunCheng.Scenarios.Record;
using QiZhiChunCheng.Scenarios.Replay;
using QiZhiChunCheng.Scenarios.Verify;

namespace QiZhiChunCheng.Cloud.Tests;

/// <summary>
/// A scenario replayed over MQTT into the whole cloud tier (embedded broker, ingest, bus, workers): at speed 1 and at
/// max it raises the same events at the same offsets from its moved start, and those are the events the in-process
/// replay raises. The scenario is the 3 s hand-made FCW one of the scenario tests, so speed 1 costs 3 s.
/// </summary>
public sealed class ScenarioReplayTests
{
    private static readonly string Tiny = Path.Combine(FindRoot(), "tests", "QiZhiChunCheng.Scenarios.Tests", "Data", "fcw-tiny-rear-end");

    [Fact]
    public async Task A_scenario_replayed_over_MQTT_at_speed_1_and_at_max_raises_the_events_of_the_in_process_replay()
    {
        ScenarioFolder folder = ScenarioFolder.Open(Tiny);
        List<string> offline = Normalise(InProcessReplay.Run(folder, cancellationToken: TestContext.Current.CancellationToken).Events, folder.Manifest.StartUtcMs);

        List<string> realTime = await ThroughCloudAsync(folder, speed: 1);
        List<string> max = await ThroughCloudAsync(folder, speed: double.PositiveInfinity);

        Assert.Contains(offline, e => e.StartsWith("FCW Onset", StringComparison.Ordinal));
        Assert.Equal(offline, realTime);
        Assert.Equal(offline, max);
    }

    [Fact]
    public async Task A_recording_of_a_replay_is_a_scenario_that_verifies_like_the_original()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using TempDirectory data = new();
        using TempDirectory recording = new();
        ScenarioFolder folder = ScenarioFolder.Open(Tiny);
        await using EmbeddedBroker broker = new(new MqttEndpoint("127.0.0.1", 0), (_, _) => ValueTask.CompletedTask);
        await broker.StartAsync();
        string outDir = Path.Combine(recording.Path, "tiny-recorded");
        using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        TaskCompletionSource subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<MqttRecordResult> recorder = MqttRecorder.RunAsync(outDir, new MqttRecordOptions { Endpoint = broker.Endpoint, Started = () => subscribed.TrySetResult() }, cancellationToken: stop.Token);
        await subscribed.Task.WaitAsync(TimeSpan.FromSeconds(20), ct);

        MqttReplayResult replayed = await MqttReplayer.RunAsync(folder, new MqttReplayOptions { Endpoint = broker.Endpoint, Speed = double.PositiveInfinity }, cancellationToken: ct);
        await WaitForLinesAsync(outDir, replayed.Published, ct);
        await stop.CancelAsync();
        MqttRecordResult result = await recorder.WaitAsync(TimeSpan.FromSeconds(20), ct);

        Assert.Equal(62, result.Recorded);
        ScenarioFolder recorded = ScenarioFolder.Open(outDir);
        Assert.Equal(("tiny-recorded", "MIXED"), (recorded.Manifest.Name, recorded.Manifest.Kind));
        Assert.Empty(recorded.Validate());

        // Truth and expectations added by hand, as a test engineer would: the original's.
        File.Copy(Path.Combine(Tiny, ScenarioFolder.TruthFileName), Path.Combine(outDir, ScenarioFolder.TruthFileName));
        ExpectedEvents expected = folder.Expected;
        long moved = recorded.Manifest.StartUtcMs - replayed.StartUtcMs; // the recording starts at the first arrival
        ScenarioFolder.WriteExpected(outDir, expected with { Expected = [.. expected.Expected.Select(x => x with { FromMs = x.FromMs - moved - 100, ToMs = x.ToMs - moved + 100, ConflictMs = null })] });
        ScenarioVerdict verdict = ScenarioVerifier.Verify(outDir, cancellationToken: ct);
        Assert.True(verdict.Passed, string.Join("; ", verdict.Failures));
    }

    private static async Task WaitForLinesAsync(string dir, long lines, CancellationToken ct)
    {
        // The recorder flushes every second; its file is read back until every line is there (bounded wait).
        using CancellationTokenSource patience = CancellationTokenSource.CreateLinkedTokenSource(ct);
        patience.CancelAfter(TimeSpan.FromSeconds(20));
        string file = Path.Combine(dir, ScenarioFolder.MessagesFileName);
        using PeriodicTimer poll = new(TimeSpan.FromMilliseconds(50));
        while (await poll.WaitForNextTickAsync(patience.Token))
        {
            if (File.Exists(file) && CountLines(file) >= lines)
            {
                return;
            }
        }
    }

    private static int CountLines(string file)
    {
        using FileStream stream = new(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using StreamReader reader = new(stream);
        int n = 0;
        while (reader.ReadLine() is not null)
        {
            n++;
        }

        return n;
    }

    private static async Task<List<string>> ThroughCloudAsync(ScenarioFolder folder, double speed)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using TempDirectory dir = new();
        Collector events = new();
        MqttReplayResult result;
        await using (CloudHost cloud = await CloudHost.StartAsync(new CloudOptions { Mqtt = new MqttEndpoint("127.0.0.1", 0), HttpUrl = null, DataDir = dir.Path, ExtraSinks = [events] }, ct))
        {
            result = await MqttReplayer.RunAsync(folder, new MqttReplayOptions { Endpoint = cloud.MqttEndpoint, Speed = speed }, cancellationToken: ct);
            await cloud.StopAsync(); // drains everything accepted through the workers and sinks
        }

        Assert.Equal((62, 0, 0), (result.Published, result.Skipped, result.Refused));
        return Normalise([.. events.All], result.StartUtcMs);
    }

    // What must agree: type, phase, severity, participants and event time relative to the (moved) start.
    private static List<string> Normalise(IEnumerable<V2xEvent> events, long startUtcMs) =>
        [.. events
            .Select(e => $"{V2xEvent.TypeCode(e.Type)} {e.Phase} sev {e.Severity} [{string.Join(",", e.Participants)}] at {e.EventTimeUtcMs - startUtcMs} ms")
            .Order(StringComparer.Ordinal)];

    private static string FindRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "QiZhiChunCheng.sln")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("no QiZhiChunCheng.sln above the test binaries");
    }

    private sealed class Collector : IEventSink
    {
        public ConcurrentQueue<V2xEvent> All { get; } = new();

        public ValueTask WriteAsync(IReadOnlyList<V2xEvent> events, CancellationToken cancellationToken)
        {
            foreach (V2xEvent e in events)
            {
                All.Enqueue(e);
            }

            return ValueTask.CompletedTask;
        }
    }
}
