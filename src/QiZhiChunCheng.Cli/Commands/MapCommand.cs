using System.CommandLine;
using System.Globalization;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.NetTopologySuite;

namespace QiZhiChunCheng.Cli.Commands;

/// <summary>
/// <c>qzcc map info [FILE]</c> and <c>qzcc map export [FILE] --out FILE.geojson</c>: the zone map's counts and
/// validation problems, and its geometry as GeoJSON. Without FILE: scenarios/maps/qizhi-dongfeng.json, looked for
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
        Option<string> output = new("--out") { Description = "The GeoJSON file to write (RFC 7946, WGS-84 longitude and latitude)", Required = true };
        Command export = new("export", "Write the zone (lanes as polygons and centre lines, stop lines, crosswalks, intersections, conflict areas, RSU coverage) as GeoJSON");
        export.Arguments.Add(file);
        export.Options.Add(output);
        export.SetAction(parse =>
        {
            string path = parse.GetValue(output)!;
            if (!path.EndsWith(".geojson", StringComparison.OrdinalIgnoreCase) && !path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                return Fail(parse, "export", $"--out {path}: only .geojson is written here (the .html event map report is not part of this command yet)");
            }

            ZoneMap zone = Load(parse.GetValue(file));
            if (!zone.IsValid)
            {
                return Fail(parse, "export", NotValid(zone));
            }

            try
            {
                string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
                if (folder is not null)
                {
                    Directory.CreateDirectory(folder);
                }

                using (FileStream stream = File.Create(path))
                {
                    GeoJsonExport.Write(zone, stream);
                }
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
        });
        return export;
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
