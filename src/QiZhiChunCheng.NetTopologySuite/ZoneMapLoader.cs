using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.Engine.Map;

namespace QiZhiChunCheng.NetTopologySuite;

/// <summary>
/// Loads a zone: a MAP (JER JSON through <see cref="JsonCodec"/>, a decoded <see cref="MapData"/>, or a MAP
/// <see cref="V2xMessage"/> as received from an RSU) with its optional RSU list and signal plans; validates it,
/// builds its geometry with NetTopologySuite and compiles the engine's <see cref="LaneMap"/>. Bad input is a
/// <see cref="ZoneMap"/> with problems, never an exception. Load time only (tens of milliseconds); thread-safe.
/// </summary>
public static class ZoneMapLoader
{
    private static readonly Lazy<ZoneMap> DefaultZone = new(() => LoadJson(ZoneFiles.DefaultMap(), ZoneFiles.DefaultRsus(), ZoneFiles.DefaultSignals(), "embedded default zone"));

    /// <summary>The default zone (scenarios/maps/qizhi-dongfeng.json), embedded in the core; loaded once.</summary>
    public static ZoneMap Default => DefaultZone.Value;

    public static ZoneMap Load(MapData map, IReadOnlyList<RsuSite>? rsus = null, IReadOnlyList<IntersectionSignalPlan>? signalPlans = null, string source = "MAP", MatchOptions? options = null) =>
        Load(map, rsus ?? [], signalPlans, [], source, options);

    /// <summary>Loads the MAP carried by a message (type <see cref="MessageType.Map"/>).</summary>
    public static ZoneMap Load(in V2xMessage message, IReadOnlyList<IntersectionSignalPlan>? signalPlans = null, MatchOptions? options = null)
    {
        if (message.Type != MessageType.Map)
        {
            return Failed($"{message.Type} message", new MapProblem("", $"a {message.Type} message carries no map"));
        }

        return Load(message.Map, [], signalPlans, [], $"MAP message from {message.Envelope.SourceId}", options);
    }

    /// <summary>Loads a MAP in JER JSON, with the RSU list and signal plans when given (empty spans: none).</summary>
    public static ZoneMap LoadJson(ReadOnlySpan<byte> mapJson, ReadOnlySpan<byte> rsusJson = default, ReadOnlySpan<byte> signalsJson = default, string source = "MAP JSON", MatchOptions? options = null)
    {
        List<MapProblem> problems = [];
        IReadOnlyList<RsuSite> rsus = [];
        IReadOnlyList<IntersectionSignalPlan>? plans = null;
        if (!rsusJson.IsEmpty)
        {
            ZoneFiles.TryReadRsus(rsusJson, out rsus, out IReadOnlyList<MapProblem> found);
            problems.AddRange(Prefixed("rsus file", found));
        }

        if (!signalsJson.IsEmpty)
        {
            ZoneFiles.TryReadSignalPlans(signalsJson, out IReadOnlyList<IntersectionSignalPlan> read, out IReadOnlyList<MapProblem> found);
            plans = read;
            problems.AddRange(Prefixed("signals file", found));
        }

        if (!JsonCodec.TryDecodeMap(mapJson, out MapData? map, out Rejection rejection) || map is null)
        {
            problems.Insert(0, new MapProblem("", $"not a MAP in JER JSON: {rejection.Reason}"));
            return Failed(source, problems, rsus, plans);
        }

        return Load(map, rsus, plans, problems, source, options);
    }

    /// <summary>Loads a MAP file and, when they exist beside it, its <c>.rsus.json</c> and <c>.signals.json</c>.</summary>
    public static ZoneMap LoadFile(string mapPath, MatchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mapPath);
        byte[] map;
        try
        {
            map = File.ReadAllBytes(mapPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Failed(mapPath, new MapProblem("", $"cannot read {mapPath}: {ex.Message}"));
        }

        string rsus = ZoneFiles.RsusPathFor(mapPath);
        string signals = ZoneFiles.SignalsPathFor(mapPath);
        return LoadJson(map, File.Exists(rsus) ? File.ReadAllBytes(rsus) : [], File.Exists(signals) ? File.ReadAllBytes(signals) : [], mapPath, options);
    }

    private static ZoneMap Load(MapData map, IReadOnlyList<RsuSite> rsus, IReadOnlyList<IntersectionSignalPlan>? plans, List<MapProblem> earlier, string source, MatchOptions? options)
    {
        ArgumentNullException.ThrowIfNull(map);
        MapCompiler compiler = new(map, plans);
        LaneMap? laneMap = compiler.Compile(options);
        List<MapProblem> problems = [.. earlier, .. compiler.Problems];
        ZoneGeometry geometry = compiler.Geometry;
        int links = 0;
        foreach (MapNode node in map.Nodes)
        {
            links += node.InLinks.Count;
        }

        ZoneCounts counts = new(
            map.Nodes.Count,
            geometry.NodeAreas.Count,
            links,
            compiler.LaneCounts.Lanes,
            compiler.LaneCounts.Crosswalks,
            geometry.Connections.Count,
            geometry.Conflicts.Count,
            rsus.Count,
            plans?.Count ?? 0);
        return new ZoneMap(source, map, problems.Count == 0 ? laneMap : null, problems, rsus, plans ?? [], geometry, counts);
    }

    private static ZoneMap Failed(string source, MapProblem problem) => Failed(source, [problem], [], null);

    private static ZoneMap Failed(string source, List<MapProblem> problems, IReadOnlyList<RsuSite> rsus, IReadOnlyList<IntersectionSignalPlan>? plans) =>
        new(source, null, null, problems, rsus, plans ?? [], new ZoneGeometry { Frame = new Core.Geo.LocalFrame(0, 0) }, new ZoneCounts(0, 0, 0, 0, 0, 0, 0, rsus.Count, plans?.Count ?? 0));

    private static IEnumerable<MapProblem> Prefixed(string file, IReadOnlyList<MapProblem> problems)
    {
        foreach (MapProblem p in problems)
        {
            yield return p with { Path = p.Path.Length == 0 ? file : $"{file}: {p.Path}" };
        }
    }
}
