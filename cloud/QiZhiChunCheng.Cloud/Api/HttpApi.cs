using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using QiZhiChunCheng.Core.Events;

namespace QiZhiChunCheng.Cloud.Api;

/// <summary>
/// The HTTP API (ASP.NET Core minimal APIs). <c>GET /api/events</c> answers a GeoJSON FeatureCollection, newest
/// first, paged; a bad parameter gets 400 with a problem-details body that names it.
/// </summary>
public static class HttpApi
{
    public const int MaxPageSize = 1000;

    public static void Map(WebApplication app, IEventStore store, CloudMetrics metrics)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/api/events", async (HttpRequest request, CancellationToken cancellationToken) =>
        {
            if (!TryParseQuery(request.Query, out EventQuery? query, out string? parameter, out string? problem))
            {
                return Results.Problem(statusCode: 400, title: $"Invalid parameter '{parameter}'", detail: problem, extensions: new Dictionary<string, object?> { ["parameter"] = parameter });
            }

            EventPage page = await store.QueryAsync(query!, cancellationToken);
            return Results.Bytes(WriteFeatureCollection(page), "application/geo+json");
        });
        app.MapGet("/metrics", () =>
        {
            System.Text.StringBuilder text = new();
            text.Append(CultureInfo.InvariantCulture, $"qzcc_messages_accepted_total {metrics.AcceptedTotal}\n");
            text.Append(CultureInfo.InvariantCulture, $"qzcc_messages_rejected_total {metrics.RejectedTotal}\n");
            foreach ((EventType type, long count) in metrics.EventsByType())
            {
                text.Append(CultureInfo.InvariantCulture, $"qzcc_events_total{{type=\"{V2xEvent.TypeCode(type)}\"}} {count}\n");
            }

            metrics.WriteTransport(text);

            return Results.Text(text.ToString(), "text/plain; version=0.0.4");
        });
    }

    /// <summary>Reads the query string; on failure names the parameter and what was wrong.</summary>
    public static bool TryParseQuery(IQueryCollection q, out EventQuery? query, out string? parameter, out string? problem)
    {
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
        using MemoryStream stream = new();
        using (Utf8JsonWriter json = new(stream))
        {
            json.WriteStartObject();
            json.WriteString("type", "FeatureCollection");
            json.WriteNumber("total", page.Total);
            json.WriteNumber("page", page.Page);
            json.WriteNumber("pageSize", page.PageSize);
            json.WriteStartArray("features");
            foreach (V2xEvent e in page.Events)
            {
                WriteFeature(json, e);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    public static void WriteFeature(Utf8JsonWriter json, V2xEvent e)
    {
        json.WriteStartObject();
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

        json.WriteString("time", DateTimeOffset.FromUnixTimeMilliseconds(e.EventTimeUtcMs).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        json.WriteNumber("timeUtcMs", e.EventTimeUtcMs);
        json.WriteNumber("detectedUtcMs", e.DetectedUtcMs);
        json.WriteStartObject("figures");
        foreach (KeyValuePair<string, double> figure in e.Figures)
        {
            json.WriteNumber(figure.Key, figure.Value);
        }

        json.WriteEndObject();
        if (e.TraceId is not null)
        {
            json.WriteString("traceId", e.TraceId);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static bool TryParseTime(string text, out long utcMs)
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
