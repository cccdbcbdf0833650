using System.Net;
using System.Text.Json;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Mqtt;
using QiZhiChunCheng.Testing;

namespace QiZhiChunCheng.Cloud.Tests;

/// <summary>
/// The HTTP API against the real cloud host: a SQLite file, the store writer, HTTP on a free loopback port. Events
/// go in through the store writer (the path the workers use), so what the API serves is what the pipeline stored.
/// </summary>
public sealed class HttpApiTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly long T0 = new DateTimeOffset(2026, 11, 27, 9, 30, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(); // 17:30 in Changchun
    private readonly TempDirectory _dir = new();
    private CloudHost _cloud = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _cloud = await CloudHost.StartAsync(new CloudOptions { Mqtt = new MqttEndpoint("127.0.0.1", 0), HttpUrl = "http://127.0.0.1:0", DataDir = _dir.Path });
        _http = new HttpClient { BaseAddress = _cloud.HttpAddress, Timeout = Patience };
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _cloud.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Events_are_filtered_by_box_time_type_and_severity_and_paged_as_GeoJSON()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        List<V2xEvent> events = [];
        for (int i = 0; i < 40; i++)
        {
            // Two columns of events, 20 west of 125.2200 and 20 east; FCW on odd i.
            events.Add(Event($"E{i:D2}", T0 + (i * 60_000), i % 2 == 0 ? EventType.Slw : EventType.Fcw, severity: (byte)(1 + (i % 3)), lon: i < 20 ? 125.2150 : 125.2250));
        }

        await _cloud.StoreWriter.WriteAsync(events, ct);

        using JsonDocument all = await GetJsonAsync("api/events?pageSize=15&page=2", ct);
        Assert.Equal(40, all.RootElement.GetProperty("total").GetInt64());
        Assert.Equal(15, all.RootElement.GetProperty("features").GetArrayLength());
        Assert.Equal("E24", all.RootElement.GetProperty("features")[0].GetProperty("id").GetString());

        using JsonDocument box = await GetJsonAsync("api/events?bbox=125.22,43.84,125.23,43.85&type=FCW&severity=2&pageSize=100", ct);
        string[] ids = [.. box.RootElement.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!)];
        Assert.Equal(["E37", "E35", "E31", "E29", "E25", "E23"], ids); // east (i >= 20), FCW (odd i), severity 2 or 3 (i % 3 != 0)
        Assert.All(box.RootElement.GetProperty("features").EnumerateArray(), f => Assert.Equal("FCW", f.GetProperty("properties").GetProperty("type").GetString()));

        string from = DateTimeOffset.FromUnixTimeMilliseconds(T0 + (10 * 60_000)).ToString("O");
        using JsonDocument window = await GetJsonAsync($"api/events?from={Uri.EscapeDataString(from)}&to={T0 + (12 * 60_000)}", ct);
        Assert.Equal(["E11", "E10"], window.RootElement.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task An_event_by_id_shows_its_phases_participants_and_the_messages_behind_it()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;

        // The message goes through the same ring that ingest feeds; the writer finds it by the onset's trace id.
        Bsm bsm = Samples.Bsm();
        TraceId trace = new(0x1234, 0x5678);
        V2xMessage message = new(new Envelope { SourceKind = SourceKind.Obu, SourceId = DeviceId.Parse("VEH-0007"), Type = MessageType.Bsm, GeneratedUtcMs = T0 - 20, TraceId = trace }, bsm);
        _cloud.RecentMessages.Add(trace.ToString(), BinaryCodec.Encode(message));
        V2xEvent onset = Event("FCW-X", T0, EventType.Fcw, 2) with { TraceId = trace.ToString(), Participants = ["5645483030303037", "5645483030303038"] };
        await _cloud.StoreWriter.WriteAsync([onset], ct);
        await _cloud.StoreWriter.WriteAsync([onset with { Phase = EventPhase.Update, Severity = 3, EventTimeUtcMs = T0 + 500, TraceId = "00000000000000000000000000000099" }], ct);
        await _cloud.StoreWriter.WriteAsync([onset with { Phase = EventPhase.Clear, Severity = 1, EventTimeUtcMs = T0 + 2000, TraceId = null }], ct);

        using JsonDocument detail = await GetJsonAsync("api/events/FCW-X", ct);
        JsonElement root = detail.RootElement;
        Assert.Equal("Feature", root.GetProperty("type").GetString());
        Assert.Equal("clear", root.GetProperty("properties").GetProperty("phase").GetString());
        Assert.Equal(3, root.GetProperty("properties").GetProperty("severity").GetInt32());
        Assert.Equal(T0 + 2000, root.GetProperty("properties").GetProperty("lastUtcMs").GetInt64());
        Assert.Equal(2, root.GetProperty("properties").GetProperty("participants").GetArrayLength());
        Assert.Equal(["onset", "update", "clear"], root.GetProperty("phases").EnumerateArray().Select(p => p.GetProperty("phase").GetString()));
        JsonElement kept = Assert.Single(root.GetProperty("messages").EnumerateArray());
        Assert.Equal(trace.ToString(), kept.GetProperty("traceId").GetString());
        Assert.Equal("BSM", kept.GetProperty("messageType").GetString());
        Assert.Equal("VEH-0007", kept.GetProperty("sourceId").GetString());
        Assert.Equal(bsm.Speed, kept.GetProperty("message").GetProperty("speed").GetInt32());

        using HttpResponseMessage missing = await _http.GetAsync(new Uri("api/events/NOPE", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Stats_count_by_type_hour_and_intersection_on_the_server()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        NetTopologySuite.ZoneIntersection feiyue = NetTopologySuite.ZoneMapLoader.Default.Intersections[0];
        await _cloud.StoreWriter.WriteAsync(
            [
                Event("R1", T0, EventType.Rlvw, 2, lat: feiyue.LatitudeDeg, lon: feiyue.LongitudeDeg),
                Event("R2", T0 + 1000, EventType.Rlvw, 2, lat: feiyue.LatitudeDeg, lon: feiyue.LongitudeDeg),
                Event("S1", T0 + 7_200_000, EventType.Slw, 1, lat: 43.8300, lon: 125.1900),
            ],
            ct);

        using JsonDocument byType = await GetJsonAsync("api/stats?by=type", ct);
        Assert.Equal(3, byType.RootElement.GetProperty("total").GetInt64());
        Assert.Equal([("RLVW", 2), ("SLW", 1)], Buckets(byType));
        using JsonDocument byHour = await GetJsonAsync("api/stats?by=hour", ct);
        Assert.Equal([("17", 2), ("19", 1)], Buckets(byHour));
        using JsonDocument byHourUtc = await GetJsonAsync("api/stats?by=hour&utcOffset=0", ct);
        Assert.Equal([("9", 2), ("11", 1)], Buckets(byHourUtc));
        using JsonDocument byIntersection = await GetJsonAsync("api/stats?by=intersection&type=RLVW", ct);
        Assert.Equal([(feiyue.Name, 2)], Buckets(byIntersection));

        static (string, int)[] Buckets(JsonDocument doc) =>
            [.. doc.RootElement.GetProperty("buckets").EnumerateArray().Select(b => (b.GetProperty("key").GetString()!, b.GetProperty("count").GetInt32()))];
    }

    [Theory]
    [InlineData("api/stats", "by")]
    [InlineData("api/stats?by=weekday", "by")]
    [InlineData("api/stats?by=cell&cell=5", "cell")]
    [InlineData("api/stats?by=type&bbox=10,10,9,9", "bbox")]
    [InlineData("api/stats?by=hour&utcOffset=east", "utcOffset")]
    [InlineData("api/events?page=0", "page")]
    [InlineData("api/events?to=soon", "to")]
    [InlineData("api/events/stream?type=NOPE", "type")]
    public async Task A_bad_parameter_anywhere_gets_400_with_a_problem_naming_it(string url, string parameter)
    {
        using HttpResponseMessage response = await _http.GetAsync(new Uri(url, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(parameter, problem.RootElement.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task The_stream_sends_each_stored_event_to_a_live_client_as_a_server_sent_event()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        TaskCompletionSource subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _cloud.Live.Subscribed += () => subscribed.TrySetResult();
        using HttpResponseMessage response = await _http.GetAsync(new Uri("api/events/stream?type=FCW", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await subscribed.Task.WaitAsync(Patience, ct);

        // An SLW the client did not ask for, then the FCW it did.
        await _cloud.StoreWriter.WriteAsync([Event("LIVE-SLW", T0, EventType.Slw, 1), Event("LIVE-FCW", T0 + 1, EventType.Fcw, 3)], ct);

        using StreamReader reader = new(await response.Content.ReadAsStreamAsync(ct));
        using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Patience);
        string? eventName = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventName = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                using JsonDocument feature = JsonDocument.Parse(line["data: ".Length..]);
                Assert.Equal("v2x", eventName);
                Assert.Equal("LIVE-FCW", feature.RootElement.GetProperty("id").GetString());
                Assert.Equal(3, feature.RootElement.GetProperty("properties").GetProperty("severity").GetInt32());
                return;
            }
        }

        Assert.Fail("the stream ended without the event");
    }

    [Fact]
    public async Task The_map_RSU_status_health_metrics_and_page_are_served()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using MqttPublisher rsu = new(_cloud.MqttEndpoint, "RSU-DF-01");
        await rsu.ConnectAsync(ct);
        await rsu.PublishAsync(_cloud.Topics.Heartbeat(SourceKind.Rsu, DeviceId.Parse("RSU-DF-01")), "{\"status\":\"ok\"}"u8.ToArray(), 1, 0, atLeastOnce: true, ct);
        await rsu.PublishAsync(_cloud.Topics.Uplink(SourceKind.Rsu, DeviceId.Parse("RSU-DF-01"), MessageType.Bsm), JsonCodec.Encode(new V2xMessage(default, Samples.Bsm())), 2, 0, atLeastOnce: true, ct);

        using JsonDocument rsus = await GetJsonAsync("api/rsus", ct);
        JsonElement[] list = [.. rsus.RootElement.GetProperty("rsus").EnumerateArray()];
        Assert.Equal(7, list.Length); // the zone's RSUs, heard or not
        JsonElement heard = list.Single(r => r.GetProperty("id").GetString() == "RSU-DF-01");
        Assert.True(heard.GetProperty("online").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, heard.GetProperty("lastHeartbeat").ValueKind);
        Assert.Equal(1, heard.GetProperty("messages").GetInt64());
        Assert.Equal(1, rsus.RootElement.GetProperty("online").GetInt32());
        Assert.False(list.Single(r => r.GetProperty("id").GetString() == "RSU-DF-02").GetProperty("online").GetBoolean());

        using JsonDocument map = await GetJsonAsync("api/map", ct);
        HashSet<string> kinds = [.. map.RootElement.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("properties").GetProperty("kind").GetString()!)];
        Assert.Superset(new HashSet<string> { "lane", "intersection", "crosswalk", "rsuCoverage" }, kinds);

        Assert.Equal("ok\n", await _http.GetStringAsync(new Uri("healthz", UriKind.Relative), ct));
        await _cloud.StoreWriter.WriteAsync([Event("M1", T0, EventType.Slw, 1)], ct);
        string metrics = await _http.GetStringAsync(new Uri("metrics", UriKind.Relative), ct);
        Assert.Contains("qzcc_store_event_writes_total 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("qzcc_rsus_online 1\n", metrics, StringComparison.Ordinal);

        string page = await _http.GetStringAsync(new Uri("/", UriKind.Relative), ct);
        Assert.Contains("<script src=\"vendor/leaflet.js\">", page, StringComparison.Ordinal);
        foreach (string asset in (string[])["app.js", "app.css", "vendor/leaflet.js", "vendor/leaflet.css", "vendor/leaflet.markercluster.js", "vendor/MarkerCluster.css", "vendor/leaflet-heat.js"])
        {
            using HttpResponseMessage response = await _http.GetAsync(new Uri(asset, UriKind.Relative), ct);
            Assert.True(response.IsSuccessStatusCode, $"{asset}: {response.StatusCode}");
            Assert.True(response.Content.Headers.ContentLength > 100, asset);
        }
    }

    private async Task<JsonDocument> GetJsonAsync(string url, CancellationToken ct)
    {
        using HttpResponseMessage response = await _http.GetAsync(new Uri(url, UriKind.Relative), ct);
        string body = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.IsSuccessStatusCode, $"{url}: {response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }

    internal static V2xEvent Event(string id, long time, EventType type, byte severity, double lat = 43.8465, double lon = 125.2200) => new()
    {
        Id = id,
        Type = type,
        Phase = EventPhase.Onset,
        Severity = severity,
        Participants = ["5645483030303033"],
        LatitudeDeg = lat,
        LongitudeDeg = lon,
        Location = "Dongfeng Street",
        Figures = new Dictionary<string, double> { ["speedMps"] = 20 },
        EventTimeUtcMs = time,
        DetectedUtcMs = time + 3,
    };
}
