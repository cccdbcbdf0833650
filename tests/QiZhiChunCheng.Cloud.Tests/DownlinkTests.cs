using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;
using QiZhiChunCheng.Edge.Tests.Fixtures;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Cloud.Tests;

/// <summary>From an RSU's and a vehicle's publish to a warning back on the road, and ingest from an external broker.</summary>
public sealed class DownlinkTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_forward_collision_goes_down_as_RSI_to_the_covering_RSUs_and_as_WARN_to_the_vehicles_involved()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using TempDirectory dir = new();
        CloudHost cloud = await CloudHost.StartAsync(new CloudOptions { Mqtt = new MqttEndpoint("127.0.0.1", 0), HttpUrl = "http://127.0.0.1:0", DataDir = dir.Path, Workers = 2, Partitions = 6 }, ct);
        await using (cloud)
        {
            ConcurrentQueue<(string Topic, byte[] Payload)> rsu01 = new();
            ConcurrentQueue<(string Topic, byte[] Payload)> vehicle = new();
            await using MqttPublisher rsuClient = new(cloud.MqttEndpoint, "RSU-DF-01", (t, p) => { rsu01.Enqueue((t, p.ToArray())); return ValueTask.CompletedTask; });
            await rsuClient.ConnectAsync(ct);
            await rsuClient.SubscribeAsync(cloud.Topics.Downlink(SourceKind.Rsu, DeviceId.Parse("RSU-DF-01")), ct);
            await using MqttPublisher vehicleClient = new(cloud.MqttEndpoint, "VEH-0006", (t, p) => { vehicle.Enqueue((t, p.ToArray())); return ValueTask.CompletedTask; });
            await vehicleClient.ConnectAsync(ct);
            await vehicleClient.SubscribeAsync(cloud.Topics.Downlink(SourceKind.Obu, DeviceId.Parse("VEH-0006")), ct);

            // The demo's rear-end approach: VEH-0005 brakes hard in front of VEH-0006 near RSU-DF-01.
            await DemoTraffic.PublishAsync(cloud.MqttEndpoint, DemoTraffic.Build(seconds: 16), ct);
            for (int i = 0; i < 400 && (!rsu01.Any(r => Encoding.UTF8.GetString(r.Payload).Contains("FCW onset FCW-", StringComparison.Ordinal)) || !vehicle.Any(v => Type(v.Payload) == "FCW")); i++)
            {
                await Task.Delay(50, ct);
            }

            // The vehicle gets the FCW as JSON naming it.
            (string topic, byte[] warning) = Assert.Single(vehicle, v => Type(v.Payload) == "FCW" && Phase(v.Payload) == "onset");
            Assert.Equal("V2X/OBU/VEH-0006/WARN/DOWN", topic);
            using JsonDocument json = JsonDocument.Parse(warning);
            Assert.Contains(OctetId8.FromAscii("VEH0006").ToString(), json.RootElement.GetProperty("participants").EnumerateArray().Select(p => p.GetString()));
            Assert.True(json.RootElement.GetProperty("ts").GetInt64() > 0);

            // The RSU covering the place gets RSIs that decode and validate as any RSI would, naming the event.
            Assert.NotEmpty(rsu01);
            foreach ((string rsiTopic, byte[] payload) in rsu01)
            {
                Assert.Equal("V2X/RSU/RSU-DF-01/RSI/DOWN", rsiTopic);
                Assert.True(JsonCodec.TryDecodeRsi(payload, out Rsi? rsi, out Rejection rejection), rejection.Reason);
                Assert.True(MessageValidator.TryValidate(new V2xMessage(default, rsi!), out rejection), rejection.Reason);
                Assert.Equal("5253554446303031", rsi!.Id.ToString()); // RSU-DF-01 broadcasts it as its own
            }

            Assert.True(rsu01.Any(r => Encoding.UTF8.GetString(r.Payload).Contains("FCW onset FCW-", StringComparison.Ordinal)), string.Join(" | ", rsu01.Select(r => Encoding.UTF8.GetString(r.Payload)).Take(5)));
            Assert.True(cloud.Downlink!.SentToVehicles > 0);

            // An operator sees what went down, and whether the downlink's queue keeps up.
            int delivered = rsu01.Count; // counted before it is published, so the count is never behind it
            using HttpClient http = new() { BaseAddress = cloud.HttpAddress };
            string metrics = await http.GetStringAsync(new Uri("metrics", UriKind.Relative), ct);
            long toVehicles = long.Parse(Line(metrics, "qzcc_downlink_sent_total{to=\"vehicle\"} "), CultureInfo.InvariantCulture);
            long toRsus = long.Parse(Line(metrics, "qzcc_downlink_sent_total{to=\"rsu\"} "), CultureInfo.InvariantCulture);
            Assert.InRange(toVehicles, 1, cloud.Downlink.SentToVehicles);
            Assert.InRange(toRsus, delivered, cloud.Downlink.SentToRsus);
            Assert.InRange(long.Parse(Line(metrics, "qzcc_sink_queued_batches{sink=\"downlink\"} "), CultureInfo.InvariantCulture), 0, 4096);
        }

        static string Line(string metrics, string prefix) =>
            metrics.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..];

        static string? Type(byte[] payload) => JsonDocument.Parse(payload).RootElement.GetProperty("type").GetString();

        static string? Phase(byte[] payload) => JsonDocument.Parse(payload).RootElement.GetProperty("phase").GetString();
    }

    [Fact]
    public async Task Two_cloud_instances_on_Mosquitto_share_the_uplink_through_a_shared_subscription()
    {
        Mosquitto.RequireOrSkip();
        CancellationToken ct = TestContext.Current.CancellationToken;
        using TempDirectory dir = new();
        await using Mosquitto broker = new(Path.Combine(dir.Path, "mosquitto"));
        await broker.StartAsync();
        CloudHost a = await CloudHost.StartAsync(new CloudOptions { ExternalMqtt = broker.Endpoint, HttpUrl = null, DataDir = Path.Combine(dir.Path, "a"), Workers = 1 }, ct);
        await using (a)
        {
            CloudHost b = await CloudHost.StartAsync(new CloudOptions { ExternalMqtt = broker.Endpoint, HttpUrl = null, DataDir = Path.Combine(dir.Path, "b"), Workers = 1 }, ct);
            await using (b)
            {
                // QoS 1, so the count is exact: this test is about the split, not about QoS 0 under load.
                List<TrafficMessage> traffic = [.. DemoTraffic.Build(seconds: 3).Select(m => m with { AtLeastOnce = true })];
                await DemoTraffic.PublishAsync(broker.Endpoint, traffic, ct);
                for (int i = 0; i < 400 && a.Metrics.AcceptedTotal + b.Metrics.AcceptedTotal < traffic.Count; i++)
                {
                    await Task.Delay(50, ct);
                }

                // Each publish reached exactly one instance, and both took a share.
                Assert.True(traffic.Count == a.Metrics.AcceptedTotal + b.Metrics.AcceptedTotal, $"a {a.Metrics.AcceptedTotal} + {a.Metrics.RejectedTotal} rejected ({string.Join("; ", a.DeadLetters.Recent.Take(3).Select(d => d.Reason))}), b {b.Metrics.AcceptedTotal} + {b.Metrics.RejectedTotal}, of {traffic.Count}");
                Assert.True(a.Metrics.AcceptedTotal > 0 && b.Metrics.AcceptedTotal > 0, $"a {a.Metrics.AcceptedTotal}, b {b.Metrics.AcceptedTotal}");
            }
        }
    }
}
