using System.CommandLine;
using System.Text.Json;
using QiZhiChunCheng.Cli.Commands;

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
    public async Task Export_refuses_an_html_output_for_now()
    {
        (int exit, _, string error) = await RunAsync("map", "export", "--out", Path.Combine(_dir, "zone.html"));

        Assert.Equal(1, exit);
        Assert.StartsWith("qzcc map export: --out", error, StringComparison.Ordinal);
    }

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
