using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using QiZhiChunCheng.Cloud.Status;
using QiZhiChunCheng.Core.Events;

namespace QiZhiChunCheng.Cloud.Api;

/// <summary>What the HTTP API serves from; the cloud host builds one.</summary>
public sealed record HttpApiServices
{
    public required IEventStore Store { get; init; }

    public required CloudMetrics Metrics { get; init; }

    /// <summary>The live stream's fan-out (<c>/api/events/stream</c>).</summary>
    public required EventBroadcaster Live { get; init; }

    /// <summary>RSU status for <c>/api/rsus</c>.</summary>
    public required RsuRegistry Rsus { get; init; }

    /// <summary>The zone as GeoJSON for <c>/api/map</c> (lanes, intersections, crosswalks, RSU coverage).</summary>
    public required Func<string> ZoneGeoJson { get; init; }

    /// <summary>A tile URL template for the page's background (<c>https://.../{z}/{x}/{y}.png</c>); null: no tiles, the zone on a plain background.</summary>
    public string? TileUrl { get; init; }

    /// <summary>Events committed by the store writer, for <c>/metrics</c>.</summary>
    public Func<long>? StoreWrites { get; init; }

    /// <summary>What keeps the cloud from doing its job now (<c>/healthz</c> answers 503 with them); null or empty: ok.</summary>
    public Func<IReadOnlyList<string>>? HealthProblems { get; init; }

    /// <summary>Warnings published down so far: RSIs to RSUs, WARN to vehicles (null: the downlink is off).</summary>
    public Func<(long ToRsus, long ToVehicles)?>? DownlinkSent { get; init; }

    /// <summary>Event batches waiting for each sink that runs on its own thread (the downlink, <c>v2x.events</c>).</summary>
    public Func<IEnumerable<(string Sink, int Queued)>>? SinkQueues { get; init; }

    /// <summary>MQTT refusals (device authentication and topic rights) by device and reason; null or empty when the broker is open.</summary>
    public Func<IReadOnlyList<(string Device, QiZhiChunCheng.Mqtt.Auth.RefusalReason Reason, long Count)>>? MqttRefusals { get; init; }

    /// <summary>The device registry in force and its reloads from the file (null: the broker is open).</summary>
    public Func<(int Devices, long Applied, long Refused)?>? DeviceRegistryStatus { get; init; }
}

/// <summary>
/// The HTTP API (ASP.NET Core minimal APIs) and the map page. Every read is answered from the store with paging or
/// aggregation on the server; a bad parameter gets 400 with a problem-details body whose <c>parameter</c> names it.
/// The routes are listed in <c>cloud/QiZhiChunCheng.Cloud/README.md</c>.
/// </summary>
public static class HttpApi
{
    public const int MaxPageSize = 1000;

    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static void Map(WebApplication app, HttpApiServices services)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(services);
        IEventStore store = services.Store;
        CloudMetrics metrics = services.Metrics;
        Lazy<byte[]> zone = new(() => System.Text.Encoding.UTF8.GetBytes(services.ZoneGeoJson()));

        app.MapGet("/healthz", () =>
        {
            IReadOnlyList<string> problems = services.HealthProblems?.Invoke() ?? [];
            return problems.Count == 0
                ? Results.Text("ok\n")
                : Results.Text($"unhealthy\n{string.Join('\n', problems)}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        app.MapGet("/", () => Asset("index.html"));
        app.MapGet("/{file}", (string file) => Asset(file));
        app.MapGet("/vendor/{file}", (string file) => Asset("vendor/" + file));
        app.MapGet("/api/config", () => Results.Json(new PageConfig(services.TileUrl), CloudJsonContext.Default.PageConfig));
        app.MapGet("/api/map", () => Results.Bytes(zone.Value, "application/geo+json"));
        app.MapGet("/api/rsus", () => Results.Bytes(WriteRsus(services.Rsus.Snapshot()), "application/json"));
        app.MapGet("/api/events", async (HttpRequest request, CancellationToken cancellationToken) =>
        {
            if (!TryParseQuery(request.Query, out EventQuery? query, out string? parameter, out string? problem))
            {
                return BadParameter(parameter!, problem!);
            }

            EventPage page = await store.QueryAsync(query!, cancellationToken);
            return Results.Bytes(WriteFeatureCollection(page), "application/geo+json");
        });
        app.MapGet("/api/events/stream", async (HttpContext context) =>
        {
            if (!TryParseQuery(context.Request.Query, out EventQuery? query, out string? parameter, out string? problem))
            {
                await BadParameter(parameter!, problem!).ExecuteAsync(context);
                return;
            }

            await StreamAsync(context, services.Live, query!);
        });
        app.MapGet("/api/events/{id}", async (string id, CancellationToken cancellationToken) =>
        {
            EventDetail? detail = await store.GetDetailAsync(id, cancellationToken);
            return detail is null
                ? Results.Problem(statusCode: 404, title: "No such event", detail: $"id: no event '{id}' is stored", extensions: new Dictionary<string, object?> { ["parameter"] = "id" })
                : Results.Bytes(WriteDetail(detail), "application/geo+json");
        });
        app.MapGet("/api/stats", async (HttpRequest request, CancellationToken cancellationToken) =>
        {
            if (!TryParseStats(request.Query, out StatsQuery? query, out string? parameter, out string? problem))
            {
                return BadParameter(parameter!, problem!);
            }

            IReadOnlyList<StatsBucket> buckets = await store.StatsAsync(query!, cancellationToken);
            return Results.Bytes(WriteStats(query!, buckets), "application/json");
        });
        app.MapGet("/metrics", () =>
        {
            System.Text.StringBuilder text = new();
            metrics.WritePipeline(text);
            foreach ((EventType type, long count) in metrics.EventsByType())
            {
                text.Append(CultureInfo.InvariantCulture, $"qzcc_events_total{{type=\"{V2xEvent.TypeCode(type)}\"}} {count}\n");
            }

            if (services.StoreWrites is { } writes)
            {
                text.Append(CultureInfo.InvariantCulture, $"qzcc_store_event_writes_total {writes()}\n");
            }

            if (services.DownlinkSent?.Invoke() is { } sent)
            {
                text.Append(CultureInfo.InvariantCulture, $"qzcc_downlink_sent_total{{to=\"rsu\"}} {sent.ToRsus}\n");
                text.Append(CultureInfo.InvariantCulture, $"qzcc_downlink_sent_total{{to=\"vehicle\"}} {sent.ToVehicles}\n");
            }

            if (services.SinkQueues is { } queues)
            {
                foreach ((string sink, int queued) in queues())
                {
                    text.Append(CultureInfo.InvariantCulture, $"qzcc_sink_queued_batches{{sink=\"{sink}\"}} {queued}\n");
                }
            }

            text.Append(CultureInfo.InvariantCulture, $"qzcc_stream_subscribers {services.Live.Subscribers}\n");
            text.Append(CultureInfo.InvariantCulture, $"qzcc_stream_dropped_total {services.Live.Dropped}\n");
            IReadOnlyList<RsuStatus> rsus = services.Rsus.Snapshot();
            text.Append(CultureInfo.InvariantCulture, $"qzcc_rsus_online {rsus.Count(r => r.Online)}\n");

            if (services.MqttRefusals is { } refusals)
            {
                foreach ((string device, QiZhiChunCheng.Mqtt.Auth.RefusalReason reason, long count) in refusals())
                {
                    text.Append(CultureInfo.InvariantCulture, $"qzcc_mqtt_refused_total{{device=\"{device}\",reason=\"{reason}\"}} {count}\n");
                }
            }

            if (services.DeviceRegistryStatus?.Invoke() is { } registry)
            {
                text.Append(CultureInfo.InvariantCulture, $"qzcc_device_registry_devices {registry.Devices}\n");
                text.Append(CultureInfo.InvariantCulture, $"qzcc_device_registry_reloads_total{{result=\"applied\"}} {registry.Applied}\n");
                text.Append(CultureInfo.InvariantCulture, $"qzcc_device_registry_reloads_total{{result=\"refused\"}} {registry.Refused}\n");
            }

            metrics.WriteTransport(text);

            return Results.Text(text.ToString(), "text/plain; version=0.0.4");
        });
    }

    private static IResult Asset(string name) =>
        WebAssets.Read(name) is { } bytes ? Results.Bytes(bytes, WebAssets.ContentType(name)) : Results.NotFound();

    private static IResult BadParameter(string parameter, string problem) =>
        Results.Problem(statusCode: 400, title: $"Invalid parameter '{parameter}'", detail: problem, extensions: new Dictionary<string, object?> { ["parameter"] = parameter });

    /// <summary>
    /// Server-sent events: each stored phase of an event that passes the query's filters is one <c>event: v2x</c>
    /// whose data is the GeoJSON feature (one line). A comment every 15 s keeps proxies from closing the stream.
    /// </summary>
    private static async Task StreamAsync(HttpContext context, EventBroadcaster live, EventQuery filter)
    {
        CancellationToken aborted = context.RequestAborted;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        using EventBroadcaster.Subscription subscription = live.Subscribe();
        await context.Response.WriteAsync("retry: 2000\n: connected\n\n", aborted);
        await context.Response.Body.FlushAsync(aborted);
        using MemoryStream buffer = new();
        try
        {
            while (true)
            {
                using CancellationTokenSource wait = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                wait.CancelAfter(KeepAlive);
                bool more;
                try
                {
                    more = await subscription.Reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                {
                    await context.Response.WriteAsync(": keep-alive\n\n", aborted);
                    await context.Response.Body.FlushAsync(aborted);
                    continue;
                }

                if (!more)
                {
                    return;
                }

                while (subscription.Reader.TryRead(out StoredEvent? e))
                {
                    if (!Matches(filter, e.Event))
                    {
                        continue;
                    }

                    buffer.SetLength(0);
                    using (Utf8JsonWriter json = new(buffer))
                    {
                        WriteFeature(json, e);
                    }

                    await context.Response.WriteAsync("event: v2x\ndata: ", aborted);
                    await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), aborted);
                    await context.Response.WriteAsync("\n\n", aborted);
                }

                await context.Response.Body.FlushAsync(aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private static bool Matches(EventQuery q, V2xEvent e)
    {
        if (q.Types is { Count: > 0 } types && !types.Contains(e.Type))
        {
            return false;
        }

        if (q.MinSeverity is { } s && e.Severity < s)
        {
            return false;
        }

        return !q.HasBbox || (e.LongitudeDeg >= q.MinLonDeg && e.LongitudeDeg <= q.MaxLonDeg && e.LatitudeDeg >= q.MinLatDeg && e.LatitudeDeg <= q.MaxLatDeg);
    }

    /// <summary>Reads <c>/api/stats</c>'s query string: <c>by</c>, the filters of <c>/api/events</c>, <c>cell</c> (degrees) and <c>utcOffset</c> (minutes).</summary>
    public static bool TryParseStats(IQueryCollection q, out StatsQuery? query, out string? parameter, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(q);
        query = null;
        StatsBy by;
        switch (q["by"].ToString())
        {
            case "type": by = StatsBy.Type; break;
            case "hour": by = StatsBy.Hour; break;
            case "intersection": by = StatsBy.Intersection; break;
            case "cell": by = StatsBy.Cell; break;
            default: return Fail("by", "expected type, hour, intersection or cell", out parameter, out problem);
        }

        if (!TryParseQuery(q, out EventQuery? filter, out parameter, out problem))
        {
            return false;
        }

        StatsQuery result = new() { Filter = filter!, By = by };
        if (q.TryGetValue("cell", out var cellText))
        {
            if (!double.TryParse(cellText, NumberStyles.Float, CultureInfo.InvariantCulture, out double cell) || !(cell >= 0.00001 && cell <= 1))
            {
                return Fail("cell", "expected a grid size in degrees, 0.00001..1", out parameter, out problem);
            }

            result = result with { CellDeg = cell };
        }

        if (q.TryGetValue("utcOffset", out var offsetText))
        {
            if (!int.TryParse(offsetText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int offset) || offset is < -720 or > 840)
            {
                return Fail("utcOffset", "expected the zone's offset from UTC in minutes, -720..840 (480 for UTC+8)", out parameter, out problem);
            }

            result = result with { UtcOffsetMinutes = offset };
        }

        query = result;
        return true;
    }

    /// <summary>Reads the query string; on failure names the parameter and what was wrong.</summary>
    public static bool TryParseQuery(IQueryCollection q, out EventQuery? query, out string? parameter, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(q);
        query = null;
        parameter = null;
        problem = null;
        EventQuery result = new();
        if (q.TryGetValue("bbox", out var bboxText))
        {
            string[] parts = bboxText.ToString().Split(',');
            double[] v = new double[4];
            if (parts.Length != 4 || !Array.TrueForAll(parts, p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            {
                return Fail("bbox", "expected minLon,minLat,maxLon,maxLat in degrees", out parameter, out problem);
            }

            for (int i = 0; i < 4; i++)
            {
                v[i] = double.Parse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture);
            }

            if (v[0] > v[2] || v[1] > v[3] || v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90)
            {
                return Fail("bbox", "expected minLon <= maxLon and minLat <= maxLat within -180..180 and -90..90", out parameter, out problem);
            }

            result = result with { MinLonDeg = v[0], MinLatDeg = v[1], MaxLonDeg = v[2], MaxLatDeg = v[3] };
        }

        foreach (string name in (string[])["from", "to"])
        {
            if (q.TryGetValue(name, out var timeText))
            {
                if (!TryParseTime(timeText.ToString(), out long ms))
                {
                    return Fail(name, "expected an ISO-8601 time (2026-11-28T08:00:00Z) or UTC milliseconds", out parameter, out problem);
                }

                result = name == "from" ? result with { FromUtcMs = ms } : result with { ToUtcMs = ms };
            }
        }

        if (q.TryGetValue("type", out var typeText))
        {
            List<EventType> types = [];
            foreach (string code in typeText.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!V2xEvent.TryParseType(code, out EventType type))
                {
                    return Fail("type", $"'{code}' is not an event type ({string.Join(", ", Enum.GetValues<EventType>().Select(V2xEvent.TypeCode))})", out parameter, out problem);
                }

                types.Add(type);
            }

            result = result with { Types = types };
        }

        if (q.TryGetValue("severity", out var severityText))
        {
            if (!byte.TryParse(severityText, NumberStyles.None, CultureInfo.InvariantCulture, out byte severity) || severity is < 1 or > 3)
            {
                return Fail("severity", "expected a minimum severity 1..3", out parameter, out problem);
            }

            result = result with { MinSeverity = severity };
        }

        if (q.TryGetValue("page", out var pageText))
        {
            if (!int.TryParse(pageText, NumberStyles.None, CultureInfo.InvariantCulture, out int page) || page < 1)
            {
                return Fail("page", "expected a page number from 1", out parameter, out problem);
            }

            result = result with { Page = page };
        }

        if (q.TryGetValue("pageSize", out var sizeText))
        {
            if (!int.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out int size) || size is < 1 or > MaxPageSize)
            {
                return Fail("pageSize", $"expected a page size 1..{MaxPageSize}", out parameter, out problem);
            }

            result = result with { PageSize = size };
        }

        query = result;
        return true;
    }

    /// <summary>Writes a page of events as a GeoJSON FeatureCollection (RFC 7946), with the paging figures as foreign members.</summary>
    public static byte[] WriteFeatureCollection(EventPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        using MemoryStream stream = new();
        using (Utf8JsonWriter json = new(stream))
        {
            json.WriteStartObject();
            json.WriteString("type", "FeatureCollection");
            json.WriteNumber("total", page.Total);
            json.WriteNumber("page", page.Page);
            json.WriteNumber("pageSize", page.PageSize);
            json.WriteStartArray("features");
            foreach (StoredEvent e in page.Items)
            {
                WriteFeature(json, e);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>One stored event as a GeoJSON Feature: a Point at its onset, its figures and life as properties.</summary>
    public static void WriteFeature(Utf8JsonWriter json, StoredEvent stored)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(stored);
        json.WriteStartObject();
        WriteFeatureMembers(json, stored);
        json.WriteEndObject();
    }

    private static void WriteFeatureMembers(Utf8JsonWriter json, StoredEvent stored)
    {
        V2xEvent e = stored.Event;
        json.WriteString("type", "Feature");
        json.WriteString("id", e.Id);
        json.WriteStartObject("geometry");
        json.WriteString("type", "Point");
        json.WriteStartArray("coordinates");
        json.WriteNumberValue(Math.Round(e.LongitudeDeg, 7));
        json.WriteNumberValue(Math.Round(e.LatitudeDeg, 7));
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteStartObject("properties");
        json.WriteString("type", V2xEvent.TypeCode(e.Type));
        json.WriteString("phase", e.Phase.ToString().ToLowerInvariant());
        json.WriteNumber("severity", e.Severity);
        json.WriteStartArray("participants");
        foreach (string p in e.Participants)
        {
            json.WriteStringValue(p);
        }

        json.WriteEndArray();
        if (e.Location is not null)
        {
            json.WriteString("location", e.Location);
        }

        json.WriteString("time", Iso(e.EventTimeUtcMs));
        json.WriteNumber("timeUtcMs", e.EventTimeUtcMs);
        json.WriteNumber("detectedUtcMs", e.DetectedUtcMs);
        Downlink.EventJson.WriteFiguresAndTrace(json, e);
        json.WriteNumber("lastUtcMs", stored.LastUtcMs);
        if (stored.Intersection is not null)
        {
            json.WriteString("intersection", stored.Intersection);
        }

        json.WriteEndObject();
    }

    /// <summary>
    /// <c>/api/events/{id}</c>: the event's Feature with two more members, <c>phases</c> (its life, oldest first) and
    /// <c>messages</c> (the decoded messages behind the phases that the platform kept, as published, in JER JSON).
    /// </summary>
    public static byte[] WriteDetail(EventDetail detail)
    {
        ArgumentNullException.ThrowIfNull(detail);
        using MemoryStream stream = new();
        using (Utf8JsonWriter json = new(stream))
        {
            json.WriteStartObject();
            WriteFeatureMembers(json, detail.Summary);
            json.WriteStartArray("phases");
            foreach (EventPhaseRecord p in detail.Phases)
            {
                json.WriteStartObject();
                json.WriteString("phase", p.Phase.ToString().ToLowerInvariant());
                json.WriteString("time", Iso(p.EventTimeUtcMs));
                json.WriteNumber("timeUtcMs", p.EventTimeUtcMs);
                json.WriteNumber("detectedUtcMs", p.DetectedUtcMs);
                json.WriteNumber("severity", p.Severity);
                json.WriteNumber("lat", Math.Round(p.LatitudeDeg, 7));
                json.WriteNumber("lon", Math.Round(p.LongitudeDeg, 7));
                json.WriteStartObject("figures");
                foreach (KeyValuePair<string, double> figure in p.Figures)
                {
                    json.WriteNumber(figure.Key, figure.Value);
                }

                json.WriteEndObject();
                if (p.TraceId is not null)
                {
                    json.WriteString("traceId", p.TraceId);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("messages");
            foreach (EventMessage m in detail.Messages)
            {
                json.WriteStartObject();
                json.WriteString("traceId", m.TraceId);
                json.WriteString("messageType", m.MessageType);
                json.WriteString("sourceId", m.SourceId);
                json.WriteNumber("generatedUtcMs", m.GeneratedUtcMs);
                json.WritePropertyName("message");
                json.WriteRawValue(m.Json);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static byte[] WriteStats(StatsQuery query, IReadOnlyList<StatsBucket> buckets)
    {
        using MemoryStream stream = new();
        using (Utf8JsonWriter json = new(stream))
        {
            json.WriteStartObject();
            json.WriteString("by", query.By.ToString().ToLowerInvariant());
            if (query.By == StatsBy.Hour)
            {
                json.WriteNumber("utcOffsetMinutes", query.UtcOffsetMinutes);
            }

            if (query.By == StatsBy.Cell)
            {
                json.WriteNumber("cellDeg", query.CellDeg);
            }

            json.WriteNumber("total", buckets.Sum(b => b.Count));
            json.WriteStartArray("buckets");
            foreach (StatsBucket b in buckets)
            {
                json.WriteStartObject();
                json.WriteString("key", b.Key);
                json.WriteNumber("count", b.Count);
                if (b.LatitudeDeg is { } lat && b.LongitudeDeg is { } lon)
                {
                    json.WriteNumber("lat", lat);
                    json.WriteNumber("lon", lon);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static byte[] WriteRsus(IReadOnlyList<RsuStatus> rsus)
    {
        using MemoryStream stream = new();
        using (Utf8JsonWriter json = new(stream))
        {
            json.WriteStartObject();
            json.WriteNumber("online", rsus.Count(r => r.Online));
            json.WriteStartArray("rsus");
            foreach (RsuStatus r in rsus)
            {
                json.WriteStartObject();
                json.WriteString("id", r.Id);
                if (r.Name is not null)
                {
                    json.WriteString("name", r.Name);
                }

                if (r.LatitudeDeg is { } lat && r.LongitudeDeg is { } lon)
                {
                    json.WriteNumber("lat", Math.Round(lat, 7));
                    json.WriteNumber("lon", Math.Round(lon, 7));
                }

                json.WriteBoolean("online", r.Online);
                if (r.LastHeartbeatUtcMs is { } hb)
                {
                    json.WriteString("lastHeartbeat", Iso(hb));
                    json.WriteNumber("lastHeartbeatUtcMs", hb);
                }
                else
                {
                    json.WriteNull("lastHeartbeat");
                }

                if (r.LastMessageUtcMs is { } lm)
                {
                    json.WriteNumber("lastMessageUtcMs", lm);
                }

                json.WriteNumber("messages", r.Messages);
                json.WriteNumber("messagesPerSecond", r.MessagesPerSecond);
                json.WriteStartObject("ratesByType");
                foreach (KeyValuePair<string, double> rate in r.RatesByType)
                {
                    json.WriteNumber(rate.Key, rate.Value);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static string Iso(long utcMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(utcMs).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>An ISO-8601 time (2026-11-28T08:00:00Z; without an offset: UTC) or UTC milliseconds.</summary>
    public static bool TryParseTime(string text, out long utcMs)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out utcMs))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset time))
        {
            utcMs = time.ToUnixTimeMilliseconds();
            return true;
        }

        return false;
    }

    private static bool Fail(string name, string message, out string? parameter, out string? problem)
    {
        parameter = name;
        problem = $"{name}: {message}";
        return false;
    }
}
