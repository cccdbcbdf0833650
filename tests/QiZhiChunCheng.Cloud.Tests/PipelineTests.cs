using System.Net;
using System.Text;
using System.Text.Json;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Edge.Simulation;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Cloud.Tests;

/// <summary>
/// The walking skeleton through real parts: the embedded MQTTnet broker on a free port, real MQTT clients, the
/// in-process bus, the engine, a SQLite file and the HTTP API on a free port. No sleeps: tests wait on the events.
/// </summary>
public sealed class PipelineTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _dir = new();
    private readonly EventProbe _probe = new(e => e.Type == EventType.Slw && e.Phase == EventPhase.Onset);
    private CloudHost _cloud = null!;

    public async ValueTask InitializeAsync()
    {
        _cloud = await CloudHost.StartAsync(new CloudOptions
        {
            Mqtt = new MqttEndpoint("127.0.0.1", 0),
            HttpUrl = "http://127.0.0.1:0",
            DataDir = _dir.Path,
            ExtraSinks = [_probe],
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _cloud.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_speeding_BSM_stream_published_over_MQTT_is_stored_as_an_SLW_event_and_served_as_GeoJSON()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using MqttPublisher vehicle = new(_cloud.MqttEndpoint, "VEH-0003");
        await vehicle.ConnectAsync(ct);
        await PublishSpeederAsync(vehicle, ct);

        V2xEvent onset = await _probe.Seen.WaitAsync(Patience, ct);
        Assert.Equal(["5645483030303033"], onset.Participants);

        V2xEvent? stored = await _cloud.Store.GetAsync(onset.Id, ct);
        Assert.NotNull(stored);

        using HttpClient http = new() { BaseAddress = _cloud.HttpAddress };
        using HttpResponseMessage response = await http.GetAsync(new Uri("api/events?type=SLW", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument geojson = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        Assert.Equal("FeatureCollection", geojson.RootElement.GetProperty("type").GetString());
        JsonElement feature = geojson.RootElement.GetProperty("features")[0];
        Assert.Equal(onset.Id, feature.GetProperty("id").GetString());
        Assert.Equal("SLW", feature.GetProperty("properties").GetProperty("type").GetString());
        Assert.Equal("Point", feature.GetProperty("geometry").GetProperty("type").GetString());
        Assert.Equal(125.22180, feature.GetProperty("geometry").GetProperty("coordinates")[0].GetDouble(), 4);
    }

    [Fact]
    public async Task Malformed_messages_go_to_the_dead_letter_log_with_their_reason_and_the_stream_goes_on()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using MqttPublisher vehicle = new(_cloud.MqttEndpoint, "VEH-0003");
        await vehicle.ConnectAsync(ct);
        string topic = _cloud.Topics.Uplink(SourceKind.Obu, DeviceId.Parse("VEH-0003"), MessageType.Bsm);
        byte[][] bad =
        [
            Encoding.UTF8.GetBytes("{\"msgCnt\": 1, \"id\": \"5645"),
            Encoding.UTF8.GetBytes("{\"msgCnt\": \"one\"}"),
            [0xC3, 0x28, 0x7B, 0x7D],
            new byte[(10 * 1024 * 1024) + 1],
        ];

        // Bad input before, between and after good messages; QoS 1 so each publish has been ingested when it returns.
        foreach (byte[] payload in bad)
        {
            await vehicle.PublishAsync(topic, payload, 1, 0, atLeastOnce: true, ct);
        }

        await PublishSpeederAsync(vehicle, ct);
        await vehicle.PublishAsync(_cloud.Topics.Uplink(SourceKind.Obu, DeviceId.Parse("VEH-0003"), MessageType.Rsm), Encoding.UTF8.GetBytes("[]"), 2, 0, atLeastOnce: true, ct);

        Assert.NotNull(await _probe.Seen.WaitAsync(Patience, ct));
        await _cloud.StopAsync(); // drains the bus, so the dead letter log has everything
        Assert.Equal(5, _cloud.Metrics.RejectedTotal);

        // Rejections are counted at ingest, but the letters reach the log through the bus's dead letter topic,
        // behind the 14 MB base64 line of the oversized one: the SLW onset can be seen first.
        Assert.True(SpinWait.SpinUntil(() => _cloud.DeadLetters.Recent.Count >= 5, Patience), "the dead letters reach the log");
        Assert.Equal(26, _cloud.Metrics.Accepted(MessageType.Bsm));
        IReadOnlyList<Ingest.DeadLetter> letters = _cloud.DeadLetters.Recent;
        Assert.Equal(5, letters.Count);
        Assert.All(letters, l => Assert.False(string.IsNullOrWhiteSpace(l.Reason)));
        Assert.Contains(letters, l => l.Kind == "TooLarge");
        Assert.Contains(letters, l => l.Kind == "InvalidUtf8");
        Assert.Contains(letters, l => l.Reason.Contains("msgCnt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_demo_traffic_on_Dongfeng_Street_raises_an_SLW_for_the_speeder()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        EdgeSimulation edge = EdgeSimulation.DongfengDemo(_cloud.MqttEndpoint, _cloud.Topics);
        Task traffic = edge.RunAsync(stop.Token);

        V2xEvent onset = await _probe.Seen.WaitAsync(Patience, ct);
        await stop.CancelAsync();
        await traffic;

        Assert.Equal([OctetId8.FromAscii("VEH0003").ToString()], onset.Participants);
        Assert.Equal("Dongfeng Street", onset.Location);
        Assert.Equal(0, _cloud.Metrics.RejectedTotal);
        Assert.True(_cloud.Metrics.Accepted(MessageType.Rsm) > 0);
        Assert.True(_cloud.Metrics.Heartbeats > 0);
    }

    [Theory]
    [InlineData("bbox=1,2,3", "bbox")]
    [InlineData("from=yesterday", "from")]
    [InlineData("type=XYZ", "type")]
    [InlineData("severity=9", "severity")]
    [InlineData("pageSize=100000", "pageSize")]
    public async Task A_bad_parameter_gets_400_with_a_problem_naming_it(string query, string parameter)
    {
        using HttpClient http = new() { BaseAddress = _cloud.HttpAddress };
        using HttpResponseMessage response = await http.GetAsync(new Uri($"api/events?{query}", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(parameter, problem.RootElement.GetProperty("parameter").GetString());
        Assert.StartsWith(parameter + ":", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_MAP_from_an_RSU_replaces_the_lane_map_and_its_limits_apply_to_the_next_BSMs()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        TaskCompletionSource applied = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _cloud.ZoneMap.Applied += _ => applied.TrySetResult();
        await using MqttPublisher rsu = new(_cloud.MqttEndpoint, "RSU-DF-01");
        await rsu.ConnectAsync(ct);
        await using MqttPublisher vehicle = new(_cloud.MqttEndpoint, "VEH-0003");
        await vehicle.ConnectAsync(ct);
        string mapTopic = _cloud.Topics.Uplink(SourceKind.Rsu, DeviceId.Parse("RSU-DF-01"), MessageType.Map);

        // A MAP that passes the range checks but does not make a map (a connection to a lane that does not
        // exist) is refused by the loader, and the map stays.
        MapData broken = WithLanes(NetTopologySuite.ZoneMapLoader.Default.Map!, lane => lane.ConnectsTo.IsEmpty ? lane : lane with { ConnectsTo = [lane.ConnectsTo[0] with { ConnectingLane = new ConnectingLane(250) }] });
        await rsu.PublishAsync(mapTopic, JsonCodec.Encode(new V2xMessage(default, broken)), 1, 0, atLeastOnce: true, ct);

        // Dongfeng Street at 50 km/h (694 x 0.02 m/s) instead of 60: 57 km/h is now speeding.
        MapData slower = WithLanes(NetTopologySuite.ZoneMapLoader.Default.Map!, lane => lane with { SpeedLimits = Lower(lane.SpeedLimits) });
        slower = slower with { Nodes = slower.Nodes.AsSpan().ToArray().Select(n => n with { InLinks = n.InLinks.AsSpan().ToArray().Select(l => l with { SpeedLimits = Lower(l.SpeedLimits) }).ToArray() }).ToArray() };
        await rsu.PublishAsync(mapTopic, JsonCodec.Encode(new V2xMessage(default, slower)), 2, 0, atLeastOnce: true, ct);
        await applied.Task.WaitAsync(Patience, ct);
        Assert.Equal(1, _cloud.ZoneMap.Refused);

        await PublishSpeederAsync(vehicle, ct, speed: 792);
        V2xEvent onset = await _probe.Seen.WaitAsync(Patience, ct);
        Assert.Equal(50 / 3.6, onset.Figures["limitMps"], 1);
        Assert.Equal(57.0 / 3.6, onset.Figures["speedMps"], 1);

        static ValueArray<RegulatorySpeedLimit> Lower(ValueArray<RegulatorySpeedLimit> limits) =>
            limits.IsEmpty ? limits : limits.AsSpan().ToArray().Select(l => l.Speed == 833 ? l with { Speed = 694 } : l).ToArray();
    }

    private static MapData WithLanes(MapData map, Func<MapLane, MapLane> change) => map with
    {
        Nodes = map.Nodes.AsSpan().ToArray().Select(n => n with
        {
            InLinks = n.InLinks.AsSpan().ToArray().Select(l => l with { Lanes = l.Lanes.AsSpan().ToArray().Select(change).ToArray() }).ToArray(),
        }).ToArray(),
    };

    /// <summary>26 BSMs, 2.5 s of event time on Dongfeng Street (limit 60 km/h), by default at 72 km/h, sent as fast as QoS 1 allows.</summary>
    private async Task PublishSpeederAsync(MqttPublisher vehicle, CancellationToken ct, ushort speed = 1000)
    {
        string topic = _cloud.Topics.Uplink(SourceKind.Obu, DeviceId.Parse("VEH-0003"), MessageType.Bsm);
        long start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3000;
        for (int i = 0; i <= 25; i++)
        {
            long t = start + (i * 100);
            Bsm bsm = new()
            {
                MsgCnt = (byte)i,
                Id = new OctetId8(0x5645483030303033),
                SecMark = (ushort)(t % 60000),
                Pos = Position3D.FromDegrees(43.846175, 125.22180),
                Transmission = TransmissionState.ForwardGears,
                Speed = speed,
                Heading = 4880,
                Size = new VehicleSize(185, 480),
                VehicleClass = new VehicleClassification(10),
            };
            await vehicle.PublishAsync(topic, JsonCodec.Encode(new V2xMessage(default, bsm)), i + 10, t, atLeastOnce: true, ct);
        }
    }
}
