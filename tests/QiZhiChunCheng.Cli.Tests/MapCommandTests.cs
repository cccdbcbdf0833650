using System.CommandLine;
using System.Text.Json;
using QiZhiChunCheng.Cli.Commands;
using QiZhiChunCheng.Cloud.Store;
using QiZhiChunCheng.Core.Events;

namespace QiZhiChunCheng.Cli.Tests;

/// <summary><c>qzcc map info</c> and <c>qzcc map export</c> through the real command line, with their output captured.</summary>
public sealed class MapCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qzcc-map-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Info_on_the_default_zone_prints_the_counts_and_no_problem()
    {
        (int exit, string output, string error) = await RunAsync("map", "info");

        Assert.Equal(0, exit);
        Assert.Empty(error);
        Assert.Contains("qizhi-dongfeng.json", output, StringComparison.Ordinal);
        Assert.Contains("nodes 11 (intersections 3), links 20, lanes 48, crosswalks 12, connections 48, conflict areas ", output, StringComparison.Ordinal);
        Assert.Contains("RSUs 7, signal plans 3", output, StringComparison.Ordinal);
        Assert.Contains("problems: none", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Info_on_an_invalid_map_lists_every_problem_and_fails_with_a_one_line_reason()
    {
        string map = Path.Combine(_dir, "broken.json");
        string text = File.ReadAllText(MapCommand.FindDefaultMapFile()!);

        // Node 1's first lane connects to lane 9 of node 12, which has lanes 1 and 2 only; and the last lane of the file keeps one point.
        text = text.Replace("\"connectingLane\": {\"lane\": 1, \"maneuver\": \"4000\"}", "\"connectingLane\": {\"lane\": 9, \"maneuver\": \"4000\"}", StringComparison.Ordinal);
        int last = text.LastIndexOf("{\"posOffset\"", StringComparison.Ordinal);
        int previous = text.LastIndexOf("{\"posOffset\"", last - 1, StringComparison.Ordinal);
        text = text.Remove(previous, last - previous);
        File.WriteAllText(map, text);

        (int exit, string output, string error) = await RunAsync("map", "info", map);

        Assert.Equal(1, exit);
        Assert.Contains("connectsTo lane 9 of node 12 does not exist", output, StringComparison.Ordinal);
        Assert.Contains("nodes[10].inLinks[0].lanes[2]: a lane needs at least 2 points", output, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("qzcc map info: ", error, StringComparison.Ordinal);
        Assert.Contains("is not a valid map", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Info_on_a_missing_file_fails()
    {
        (int exit, _, string error) = await RunAsync("map", "info", Path.Combine(_dir, "nothing.json"));

        Assert.Equal(1, exit);
        Assert.Contains("cannot read", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_writes_GeoJSON_with_one_feature_per_element()
    {
        string file = Path.Combine(_dir, "zone.geojson");

        (int exit, string output, string error) = await RunAsync("map", "export", "--out", file);

        Assert.Equal(0, exit);
        Assert.Empty(error);
        Assert.Contains("wrote", output, StringComparison.Ordinal);
        using JsonDocument geojson = JsonDocument.Parse(File.ReadAllBytes(file));
        Assert.Equal("FeatureCollection", geojson.RootElement.GetProperty("type").GetString());
        Dictionary<string, int> kinds = [];
        foreach (JsonElement feature in geojson.RootElement.GetProperty("features").EnumerateArray())
        {
            string kind = feature.GetProperty("properties").GetProperty("kind").GetString()!;
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
        }

        Assert.Equal(48, kinds["lane"]);
        Assert.Equal(48, kinds["centreLine"]);
        Assert.Equal(30, kinds["stopLine"]); // the connected lanes: 6 Dongfeng and 6 cross-road approaches
        Assert.Equal(12, kinds["crosswalk"]);
        Assert.Equal(48, kinds["connection"]);
        Assert.Equal(3, kinds["intersection"]);
        Assert.Equal(7, kinds["rsuCoverage"]);
        Assert.True(kinds["conflictArea"] > 30);
    }

    [Fact]
    public async Task Export_refuses_an_output_that_is_neither_geojson_nor_html()
    {
        (int exit, _, string error) = await RunAsync("map", "export", "--out", Path.Combine(_dir, "zone.kml"));

        Assert.Equal(1, exit);
        Assert.StartsWith("qzcc map export: --out", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_of_events_writes_the_time_range_as_GeoJSON_and_as_a_self_contained_HTML_report()
    {
        string store = Path.Combine(_dir, "events.db");
        long t0 = new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
        await using (SqliteEventStore events = await SqliteEventStore.OpenAsync(store, TestContext.Current.CancellationToken))
        {
            await events.WriteAsync([Event("DAY1-A", t0 + 1000), Event("DAY1-B", t0 + 2000), Event("DAY2-</script>", t0 + 86_400_000)], TestContext.Current.CancellationToken);
        }

        string geojson = Path.Combine(_dir, "day1.geojson");
        (int exit, string output, string error) = await RunAsync("map", "export", "--events", "--store", store, "--from", "2026-11-28T00:00:00+08:00", "--to", "2026-11-29T00:00:00+08:00", "--out", geojson);
        Assert.Equal(0, exit);
        Assert.Empty(error);
        Assert.Contains("2 events", output, StringComparison.Ordinal);
        using (JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(geojson)))
        {
            Assert.Equal(["DAY1-B", "DAY1-A"], doc.RootElement.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()));
        }

        string html = Path.Combine(_dir, "report.html");
        (exit, _, error) = await RunAsync("map", "export", "--store", store, "--out", html);
        Assert.Equal(0, exit);
        Assert.Empty(error);
        string page = File.ReadAllText(html);
        Assert.DoesNotContain("src=\"", page, StringComparison.Ordinal); // nothing to fetch: scripts are inline
        Assert.DoesNotContain("<link rel=\"stylesheet\"", page, StringComparison.Ordinal);
        Assert.Contains("window.QZCC_REPORT = ", page, StringComparison.Ordinal);
        Assert.Contains("DAY1-A", page, StringComparison.Ordinal);
        Assert.Contains("L.markerClusterGroup", page, StringComparison.Ordinal);
        Assert.DoesNotContain("DAY2-</script>", page, StringComparison.Ordinal); // an id cannot close the data's script element
        Assert.Contains("DAY2-\\u003C/script\\u003E", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_of_events_without_a_store_fails_with_a_reason()
    {
        (int exit, _, string error) = await RunAsync("map", "export", "--store", Path.Combine(_dir, "none.db"), "--out", Path.Combine(_dir, "r.html"));

        Assert.Equal(1, exit);
        Assert.StartsWith("qzcc map export: --store", error, StringComparison.Ordinal);
    }

    private static V2xEvent Event(string id, long time) => new()
    {
        Id = id,
        Type = EventType.Rlvw,
        Participants = ["5645483030303033"],
        LatitudeDeg = 43.8468,
        LongitudeDeg = 125.2238,
        EventTimeUtcMs = time,
        DetectedUtcMs = time,
    };

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        RootCommand root = new("qzcc");
        root.Subcommands.Add(MapCommand.Create());
        using StringWriter output = new();
        using StringWriter error = new();
        int exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }
}
