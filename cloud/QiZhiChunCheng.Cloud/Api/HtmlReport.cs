using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using QiZhiChunCheng.Core.Events;

namespace QiZhiChunCheng.Cloud.Api;

/// <summary>
/// The self-contained event map report (<c>qzcc map export --out report.html</c>): the map page with Leaflet, its
/// plugins, the page's own script and style, the zone and the events all inline, so that it opens from disk with no
/// server and no network. The page answers its filters from the events it carries. Thread-safe.
/// </summary>
public static partial class HtmlReport
{
    /// <summary>Most events a report carries (the newest of the range); a browser handles this many inline.</summary>
    public const int MaxEvents = 50_000;

    /// <summary>Writes the report for <paramref name="events"/> of the range [<paramref name="fromUtcMs"/>, <paramref name="toUtcMs"/>) on the zone.</summary>
    public static string Build(string zoneGeoJson, IReadOnlyList<StoredEvent> events, long? fromUtcMs, long? toUtcMs, long generatedUtcMs)
    {
        ArgumentNullException.ThrowIfNull(zoneGeoJson);
        ArgumentNullException.ThrowIfNull(events);
        using MemoryStream data = new();
        using (Utf8JsonWriter json = new(data))
        {
            // The default encoder escapes <, > and &, so nothing in the data can close the script element.
            json.WriteStartObject();
            json.WriteNumber("generated", generatedUtcMs);
            WriteTime(json, "from", fromUtcMs);
            WriteTime(json, "to", toUtcMs);
            json.WritePropertyName("zone");
            using (JsonDocument zone = JsonDocument.Parse(zoneGeoJson))
            {
                zone.WriteTo(json);
            }

            json.WritePropertyName("events");
            json.WriteStartObject();
            json.WriteString("type", "FeatureCollection");
            json.WriteStartArray("features");
            foreach (StoredEvent e in events)
            {
                HttpApi.WriteFeature(json, e);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        string page = WebAssets.ReadText("index.html");
        page = Stylesheet().Replace(page, m => "<style>\n" + WebAssets.ReadText(m.Groups[1].Value) + "\n</style>");
        page = Script().Replace(page, m =>
        {
            string name = m.Groups[1].Value;
            string code = Inline(WebAssets.ReadText(name));
            return name == "app.js"
                ? "<script>window.QZCC_REPORT = " + Encoding.UTF8.GetString(data.ToArray()) + ";</script>\n<script>\n" + code + "\n</script>"
                : "<script>\n" + code + "\n</script>";
        });
        return page;
    }

    private static void WriteTime(Utf8JsonWriter json, string name, long? utcMs)
    {
        if (utcMs is { } t)
        {
            json.WriteNumber(name, t);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    // Script text must not close its element early, and a source map comment would make the browser look for a file.
    private static string Inline(string code) =>
        SourceMap().Replace(code, "").Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("<link rel=\"stylesheet\" href=\"([^\"]+)\">")]
    private static partial Regex Stylesheet();

    [GeneratedRegex("<script src=\"([^\"]+)\"></script>")]
    private static partial Regex Script();

    [GeneratedRegex(@"//# sourceMappingURL=\S+")]
    private static partial Regex SourceMap();
}
