using System.Text.RegularExpressions;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Mqtt;
using QiZhiChunCheng.Testing;

namespace QiZhiChunCheng.Cloud.Tests;

/// <summary>Ingest counts each device's gaps and duplicates by <c>seq</c> and measures latency from <c>ts</c>.</summary>
public sealed class IngestSequenceTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private CloudHost _cloud = null!;

    public async ValueTask InitializeAsync()
    {
        _cloud = await CloudHost.StartAsync(new CloudOptions { Mqtt = new MqttEndpoint("127.0.0.1", 0), HttpUrl = "http://127.0.0.1:0", DataDir = _dir.Path });
    }

    public async ValueTask DisposeAsync()
    {
        await _cloud.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public void The_worked_example_of_DeviceSequence_holds()
    {
        DeviceSequence s = new();
        foreach (long seq in new long[] { 1, 2, 5, 3, 6, 2_000_000, 7 })
        {
            s.See(seq);
        }

        Assert.Equal(2 + 1_999_993, s.Gaps);
        Assert.Equal(1, s.Duplicates);
        Assert.Equal(1, s.Resets);
        Assert.Equal(7, s.Last);
    }

    [Fact]
    public async Task Gaps_duplicates_and_latency_per_device_are_counted_and_served_on_metrics()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using MqttPublisher vehicle = new(_cloud.MqttEndpoint, "VEH-0042");
        await vehicle.ConnectAsync(ct);
        string topic = _cloud.Topics.Uplink(SourceKind.Obu, DeviceId.Parse("VEH-0042"), MessageType.Bsm);
        byte[] bsm = JsonCodec.Encode(new V2xMessage(default, Samples.Bsm()));
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        // 4 is lost, 3 comes twice (a resend after an outage).
        foreach (long seq in new long[] { 1, 2, 3, 5, 3, 6 })
        {
            await vehicle.PublishAsync(topic, bsm, seq, now - 250, atLeastOnce: true, ct);
        }

        using CancellationTokenSource patience = CancellationTokenSource.CreateLinkedTokenSource(ct);
        patience.CancelAfter(TimeSpan.FromSeconds(20));
        using PeriodicTimer poll = new(TimeSpan.FromMilliseconds(20));
        (SourceKind, DeviceId) key = (SourceKind.Obu, DeviceId.Parse("VEH-0042"));
        while (!(_cloud.Metrics.Devices.TryGetValue(key, out DeviceSequence? s) && s.Last == 6 && s.Duplicates == 1))
        {
            await poll.WaitForNextTickAsync(patience.Token);
        }

        DeviceSequence device = _cloud.Metrics.Devices[key];
        Assert.Equal(1, device.Gaps);
        Assert.Equal(0, device.Resets);
        LatencyHistogram latencies = _cloud.Metrics.IngestLatency;
        Assert.Equal(6, latencies.Count);
        Assert.InRange(latencies.PercentileMs(0), 250, 20_000); // the shortest
        Assert.InRange(latencies.MaxMs, 250, 20_000);

        using HttpClient http = new() { BaseAddress = _cloud.HttpAddress };
        string metrics = await http.GetStringAsync(new Uri("metrics", UriKind.Relative), ct);
        Assert.Contains("qzcc_device_seq_gaps_total{kind=\"obu\",device=\"VEH-0042\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("qzcc_device_seq_duplicates_total{kind=\"obu\",device=\"VEH-0042\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("qzcc_ingest_latency_ms_count 6", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vehicle_that_teleports_is_counted_by_rule_on_metrics()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using MqttPublisher vehicle = new(_cloud.MqttEndpoint, "VEH-0043");
        await vehicle.ConnectAsync(ct);
        string topic = _cloud.Topics.Uplink(SourceKind.Obu, DeviceId.Parse("VEH-0043"), MessageType.Bsm);
        Bsm sample = Samples.Bsm();
        long start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // Ten reports 100 ms apart; the sixth is 1.1 km north of the fifth.
        for (int i = 0; i < 10; i++)
        {
            long t = start + (i * 100);
            double north = i >= 5 ? 0.01 : 0;
            Bsm bsm = sample with { SecMark = (ushort)(t % 60_000), Pos = Position3D.FromDegrees(sample.Pos.LatitudeDeg + north, sample.Pos.LongitudeDeg) };
            await vehicle.PublishAsync(topic, JsonCodec.Encode(new V2xMessage(default, bsm)), i + 1, t, atLeastOnce: true, ct);
        }

        using HttpClient http = new() { BaseAddress = _cloud.HttpAddress };
        using CancellationTokenSource patience = CancellationTokenSource.CreateLinkedTokenSource(ct);
        patience.CancelAfter(TimeSpan.FromSeconds(20));
        string metrics = "";
        while (!Regex.IsMatch(metrics, @"qzcc_trust_failures_total\{rule=""jump""\} [1-9]") && !patience.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
            metrics = await http.GetStringAsync(new Uri("metrics", UriKind.Relative), ct);
        }

        // Each partition that sees the vehicle (its home and a halo copy) checks it: at least the ten sightings, the
        // jump at least once, and no replay (each report is new).
        Assert.Matches(@"qzcc_trust_failures_total\{rule=""jump""\} [1-9]", metrics);
        Assert.Matches(@"qzcc_trust_sightings_total (1\d|[2-9]\d)\n", metrics);
        Assert.Contains("qzcc_trust_failures_total{rule=\"replay\"} 0", metrics, StringComparison.Ordinal);
        Assert.Matches(@"qzcc_trust_quarantined_sources\{partition=""\d+""\} \d+", metrics);
        Assert.Contains("qzcc_partition_events_not_owned_total{partition=", metrics, StringComparison.Ordinal);
    }
}
