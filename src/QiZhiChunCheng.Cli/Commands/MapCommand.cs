using System.CommandLine;
using System.Globalization;
using QiZhiChunCheng.Cloud.Api;
using QiZhiChunCheng.Cloud.Store;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.NetTopologySuite;

namespace QiZhiChunCheng.Cli.Commands;

/// <summary>
/// <c>qzcc map info [FILE]</c> and <c>qzcc map export [FILE] [--events] [--store PATH] [--from T] [--to T] --out
/// FILE.geojson|FILE.html</c>: the zone map's counts and validation problems, its geometry as GeoJSON, the stored
/// events as GeoJSON, or the self-contained event map report. Without FILE: scenarios/maps/qizhi-dongfeng.json, looked for
/// above the current folder, then above the executable's, else the copy embedded in the core. Writes through the
/// invocation's output and error writers, so tests can read them.
/// </summary>
internal static class MapCommand
{
    public static Command Create()
    {
        Command map = new("map", "The zone's lane map: counts and problems, or its geometry as GeoJSON");
        map.Subcommands.Add(CreateInfo());
        map.Subcommands.Add(CreateExport());
        return map;
    }

    private static Command CreateInfo()
    {
        Argument<string?> file = MapFileArgument();
        Command info = new("info", "Print the map's counts (nodes, links, lanes, crosswalks, RSUs, conflict areas) and every validation problem; exit 1 when the map is not valid");
        info.Arguments.Add(file);
        info.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            ZoneMap zone = Load(parse.GetValue(file));
            ZoneCounts c = zone.Counts;
            output.WriteLine($"zone map: {zone.Source}");
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  nodes {c.Nodes} (intersections {c.Intersections}), links {c.Links}, lanes {c.Lanes}, crosswalks {c.Crosswalks}, connections {c.Connections}, conflict areas {c.ConflictAreas}, RSUs {c.Rsus}, signal plans {c.SignalPlans}"));
            if (zone.LaneMap is { } laneMap)
            {
                (int segments, int cells, int entries) = laneMap.IndexSize;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  match index: {segments} segments in {cells} cells of {laneMap.Options.CellSizeM:G} m ({entries} entries)"));
            }

            if (zone.Problems.Count == 0)
            {
                output.WriteLine("problems: none");
                return 0;
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"problems: {zone.Problems.Count}"));
            foreach (MapProblem problem in zone.Problems)
            {
                output.WriteLine($"  {problem}");
            }

            return Fail(parse, "info", NotValid(zone));
        });
        return info;
    }

    private static Command CreateExport()
    {
        Argument<string?> file = MapFileArgument();
        Option<string> output = new("--out") { Description = "FILE.geojson: the zone (or with --events, the events); FILE.html: the self-contained event map report", Required = true };
        Option<bool> events = new("--events") { Description = "With a .geojson output: write the stored events of the time range instead of the zone" };
        Option<string> store = new("--store") { Description = "The event store to read events from", DefaultValueFactory = _ => Path.Combine("qzcc-data", "events.db") };
        Option<string?> from = new("--from") { Description = "Events with onset at or after this time (ISO-8601, e.g. 2026-11-28T00:00:00+08:00, or UTC ms)" };
        Option<string?> to = new("--to") { Description = "Events with onset before this time" };
        Command export = new("export", "Write the zone as GeoJSON, the stored events as GeoJSON (--events), or the event map report as one HTML file that opens from disk");
        export.Arguments.Add(file);
        export.Options.Add(output);
        export.Options.Add(events);
        export.Options.Add(store);
        export.Options.Add(from);
        export.Options.Add(to);
        export.SetAction(async (parse, cancellationToken) =>
        {
            string path = parse.GetValue(output)!;
            bool html = path.EndsWith(".html", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".htm", StringComparison.OrdinalIgnoreCase);
            bool geojson = path.EndsWith(".geojson", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
            if (!html && !geojson)
            {
                return Fail(parse, "export", $"--out {path}: write .geojson (the zone, or the events with --events) or .html (the event map report)");
            }

            ZoneMap zone = Load(parse.GetValue(file));
            if (!zone.IsValid)
            {
                return Fail(parse, "export", NotValid(zone));
            }

            if (!html && !parse.GetValue(events))
            {
                return WriteZone(parse, zone, path);
            }

            long? fromMs = null;
            long? toMs = null;
            foreach ((Option<string?> option, bool isFrom) in (ReadOnlySpan<(Option<string?>, bool)>)[(from, true), (to, false)])
            {
                if (parse.GetValue(option) is { } text)
                {
                    if (!HttpApi.TryParseTime(text, out long ms))
                    {
                        return Fail(parse, "export", $"{option.Name} '{text}': expected an ISO-8601 time (2026-11-28T08:00:00+08:00) or UTC milliseconds");
                    }

                    if (isFrom)
                    {
                        fromMs = ms;
                    }
                    else
                    {
                        toMs = ms;
                    }
                }
            }

            string storePath = parse.GetValue(store)!;
            if (!File.Exists(storePath))
            {
                return Fail(parse, "export", $"--store {storePath}: no event store there (run qzcc demo, or point --store at an events.db)");
            }

            List<StoredEvent> found = [];
            long total;
            await using (SqliteEventStore source = await SqliteEventStore.OpenAsync(storePath, cancellationToken))
            {
                EventQuery query = new() { FromUtcMs = fromMs, ToUtcMs = toMs, PageSize = HttpApi.MaxPageSize };
                EventPage page;
                do
                {
                    page = await source.QueryAsync(query, cancellationToken);
                    found.AddRange(page.Items);
                    query = query with { Page = query.Page + 1 };
                }
                while (page.Items.Count == query.PageSize && found.Count < HtmlReport.MaxEvents);
                total = page.Total;
            }

            if (found.Count > HtmlReport.MaxEvents)
            {
                found.RemoveRange(HtmlReport.MaxEvents, found.Count - HtmlReport.MaxEvents);
            }

            try
            {
                CreateFolderFor(path);
                if (html)
                {
                    await File.WriteAllTextAsync(path, HtmlReport.Build(GeoJsonExport.ToGeoJson(zone), found, fromMs, toMs, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), cancellationToken);
                }
                else
                {
                    await File.WriteAllBytesAsync(path, HttpApi.WriteFeatureCollection(new EventPage(found, total, 1, Math.Max(1, found.Count))), cancellationToken);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return Fail(parse, "export", $"cannot write {path}: {ex.Message}");
            }

            parse.InvocationConfiguration.Output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"wrote {Path.GetFullPath(path)}: {found.Count} events{(found.Count < total ? $" (the newest of {total} in the range)" : "")}{(html ? " on the zone map, self-contained" : " as GeoJSON")}, from {Path.GetFullPath(storePath)}"));
            return 0;
        });
        return export;
    }

    private static int WriteZone(ParseResult parse, ZoneMap zone, string path)
    {
        try
        {
            CreateFolderFor(path);
            using FileStream stream = File.Create(path);
            GeoJsonExport.Write(zone, stream);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail(parse, "export", $"cannot write {path}: {ex.Message}");
        }

        LaneMap map = zone.LaneMap!;
        parse.InvocationConfiguration.Output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"wrote {Path.GetFullPath(path)}: {map.Lanes.Length - map.Crosswalks.Length} lanes, {map.Crosswalks.Length} crosswalks, {map.Connections.Length} connections, {map.ConflictAreas.Length} conflict areas, {zone.Rsus.Count} RSU coverage areas, from {zone.Source}"));
        return 0;
    }

    private static void CreateFolderFor(string path)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }
    }

    private static Argument<string?> MapFileArgument() => new("FILE")
    {
        Description = "A MAP in JER JSON; its .rsus.json and .signals.json are read from beside it. Default: scenarios/maps/qizhi-dongfeng.json",
        Arity = ArgumentArity.ZeroOrOne,
    };

    /// <summary>The given file, else the default zone's file found on disk, else the embedded default zone.</summary>
    internal static ZoneMap Load(string? file)
    {
        if (file is not null)
        {
            return ZoneMapLoader.LoadFile(file);
        }

        return FindDefaultMapFile() is { } found ? ZoneMapLoader.LoadFile(found) : ZoneMapLoader.Default;
    }

    /// <summary>
    /// scenarios/maps/qizhi-dongfeng.json in the folder holding QiZhiChunCheng.sln, found by walking up from the
    /// current folder, then from the executable's folder; null when neither leads to one.
    /// </summary>
    internal static string? FindDefaultMapFile()
    {
        foreach (string start in (ReadOnlySpan<string>)[Directory.GetCurrentDirectory(), AppContext.BaseDirectory])
        {
            for (DirectoryInfo? d = new(start); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "QiZhiChunCheng.sln")))
                {
                    string map = Path.Combine(d.FullName, "scenarios", "maps", ZoneFiles.DefaultMapFileName);
                    if (File.Exists(map))
                    {
                        return map;
                    }

                    break;
                }
            }
        }

        return null;
    }

    private static string NotValid(ZoneMap zone) =>
        string.Create(CultureInfo.InvariantCulture, $"{zone.Source} is not a valid map: {zone.Problems.Count} problem(s), the first: {zone.Problems[0]}");

    private static int Fail(ParseResult parse, string command, string reason)
    {
        parse.InvocationConfiguration.Error.WriteLine($"qzcc map {command}: {reason}");
        return 1;
    }
}
