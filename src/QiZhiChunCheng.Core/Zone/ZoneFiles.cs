using System.Globalization;
using System.Reflection;
using System.Text.Json;
using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Core.Zone;

/// <summary>
/// The zone files beside a MAP (<c>NAME.json</c>): the RSU list <c>NAME.rsus.json</c> and the signal plans
/// <c>NAME.signals.json</c> (formats in <c>scenarios/README.md</c>), and the default zone embedded in this
/// assembly so that every tier works from anywhere. Readers collect every problem with its path; they allocate
/// and are for load time. Thread-safe.
/// </summary>
public static class ZoneFiles
{
    /// <summary>The default zone's file name (scenarios/maps/qizhi-dongfeng.json).</summary>
    public const string DefaultMapFileName = "qizhi-dongfeng.json";

    private const string ResourcePrefix = "QiZhiChunCheng.Zone.";

    /// <summary>The RSU list's file name beside a MAP file: <c>x.json</c> gives <c>x.rsus.json</c>.</summary>
    public static string RsusPathFor(string mapPath) => Sibling(mapPath, ".rsus.json");

    /// <summary>The signal plans' file name beside a MAP file: <c>x.json</c> gives <c>x.signals.json</c>.</summary>
    public static string SignalsPathFor(string mapPath) => Sibling(mapPath, ".signals.json");

    /// <summary>The embedded default MAP (JER JSON), its RSU list and its signal plans.</summary>
    public static byte[] DefaultMap() => ReadResource(DefaultMapFileName);

    public static byte[] DefaultRsus() => ReadResource(RsusPathFor(DefaultMapFileName));

    public static byte[] DefaultSignals() => ReadResource(SignalsPathFor(DefaultMapFileName));

    /// <summary>Reads an RSU list: <c>{"rsus": [{"id", "rsuId", "name"?, "pos", "radioRangeM"?, "sensorRangeM"?, "coverage"}]}</c>.</summary>
    public static bool TryReadRsus(ReadOnlySpan<byte> utf8, out IReadOnlyList<RsuSite> rsus, out IReadOnlyList<MapProblem> problems)
    {
        List<MapProblem> found = [];
        List<RsuSite> sites = [];
        if (Parse(utf8, found) is { } document)
        {
            using (document)
            {
                if (Array(document.RootElement, "rsus", "", found) is { } list)
                {
                    int i = 0;
                    foreach (JsonElement e in list.EnumerateArray())
                    {
                        if (ReadRsu(e, $"rsus[{i}]", found) is { } site)
                        {
                            sites.Add(site);
                        }

                        i++;
                    }

                    CheckUnique(sites, s => s.Id.ToString(), "rsus", "id", found);
                    CheckUnique(sites, s => s.RsuId.ToString(), "rsus", "rsuId", found);
                }
            }
        }

        rsus = sites;
        problems = found;
        return found.Count == 0;
    }

    /// <summary>Reads signal plans: <c>{"intersections": [{"id": {"id"}, "name"?, "cycleS", "offsetS", "phases": [{"id", "startS", "greenS", "yellowS", "redS", "movements"?}]}]}</c>.</summary>
    public static bool TryReadSignalPlans(ReadOnlySpan<byte> utf8, out IReadOnlyList<IntersectionSignalPlan> plans, out IReadOnlyList<MapProblem> problems)
    {
        List<MapProblem> found = [];
        List<IntersectionSignalPlan> read = [];
        if (Parse(utf8, found) is { } document)
        {
            using (document)
            {
                if (Array(document.RootElement, "intersections", "", found) is { } list)
                {
                    int i = 0;
                    foreach (JsonElement e in list.EnumerateArray())
                    {
                        if (ReadPlan(e, $"intersections[{i}]", found) is { } plan)
                        {
                            read.Add(plan);
                        }

                        i++;
                    }

                    CheckUnique(read, p => p.Id.ToString(), "intersections", "id", found);
                }
            }
        }

        plans = read;
        problems = found;
        return found.Count == 0;
    }

    private static RsuSite? ReadRsu(JsonElement e, string path, List<MapProblem> problems)
    {
        int before = problems.Count;
        string? idText = String(e, "id", path, problems, required: true);
        DeviceId id = default;
        if (idText is not null && !DeviceId.TryParse(idText, out id))
        {
            problems.Add(new MapProblem($"{path}.id", $"'{idText}' is not a device id (1..16 of A-Z a-z 0-9 _ - .)"));
        }

        string? rsuIdText = String(e, "rsuId", path, problems, required: true);
        OctetId8 rsuId = default;
        if (rsuIdText is not null && !OctetId8.TryParseHex(rsuIdText, out rsuId))
        {
            problems.Add(new MapProblem($"{path}.rsuId", $"'{rsuIdText}' is not 8 octets in hex (16 digits)"));
        }

        Position3D? pos = Position(e, "pos", path, problems);
        double radio = Number(e, "radioRangeM", path, problems) ?? 1000;
        double sensor = Number(e, "sensorRangeM", path, problems) ?? 300;
        List<Position3D> coverage = [];
        if (Array(e, "coverage", path, problems) is { } points)
        {
            int i = 0;
            foreach (JsonElement p in points.EnumerateArray())
            {
                if (ReadPosition(p, $"{path}.coverage[{i}]", problems) is { } position)
                {
                    coverage.Add(position);
                }

                i++;
            }

            if (points.GetArrayLength() < 3)
            {
                problems.Add(new MapProblem($"{path}.coverage", "a coverage polygon needs at least 3 points"));
            }
        }

        if (radio <= 0 || sensor <= 0)
        {
            problems.Add(new MapProblem(path, "radioRangeM and sensorRangeM must be positive"));
        }

        return problems.Count > before ? null : new RsuSite
        {
            Id = id,
            RsuId = rsuId,
            Name = String(e, "name", path, problems, required: false),
            Pos = pos!.Value,
            RadioRangeM = radio,
            SensorRangeM = sensor,
            Coverage = coverage.ToArray(),
        };
    }

    private static IntersectionSignalPlan? ReadPlan(JsonElement e, string path, List<MapProblem> problems)
    {
        int before = problems.Count;
        NodeReferenceId? id = NodeId(e, "id", path, problems);
        int? cycle = Integer(e, "cycleS", path, problems, 1, 3600, required: true);
        int offset = Integer(e, "offsetS", path, problems, 0, 3599, required: false) ?? 0;
        List<PhasePlan> phases = [];
        if (Array(e, "phases", path, problems) is { } list)
        {
            int i = 0;
            foreach (JsonElement p in list.EnumerateArray())
            {
                string at = $"{path}.phases[{i}]";
                int? phaseId = Integer(p, "id", at, problems, 0, 255, required: true);
                int? start = Integer(p, "startS", at, problems, 0, 3599, required: true);
                int? green = Integer(p, "greenS", at, problems, 0, 3600, required: true);
                int? yellow = Integer(p, "yellowS", at, problems, 0, 3600, required: true);
                int? red = Integer(p, "redS", at, problems, 0, 3600, required: true);
                if (phaseId is { } pid && start is { } s && green is { } g && yellow is { } y && red is { } r)
                {
                    if (cycle is { } c && g + y + r != c)
                    {
                        problems.Add(new MapProblem(at, string.Create(CultureInfo.InvariantCulture, $"green {g} + yellow {y} + red {r} is {g + y + r} s, not the cycle of {c} s")));
                    }

                    if (cycle is { } c2 && s >= c2)
                    {
                        problems.Add(new MapProblem($"{at}.startS", string.Create(CultureInfo.InvariantCulture, $"{s} is not within the cycle of {c2} s")));
                    }

                    phases.Add(new PhasePlan((byte)pid, s, g, y, r, String(p, "movements", at, problems, required: false)));
                }

                i++;
            }

            CheckUnique(phases, p => p.Id.ToString(CultureInfo.InvariantCulture), $"{path}.phases", "id", problems);
        }

        if (cycle is { } cycleS && offset >= cycleS)
        {
            problems.Add(new MapProblem($"{path}.offsetS", string.Create(CultureInfo.InvariantCulture, $"{offset} is not within the cycle of {cycleS} s")));
        }

        return problems.Count > before ? null : new IntersectionSignalPlan
        {
            Id = id!.Value,
            Name = String(e, "name", path, problems, required: false),
            CycleS = cycle!.Value,
            OffsetS = offset,
            Phases = phases.ToArray(),
        };
    }

    private static JsonDocument? Parse(ReadOnlySpan<byte> utf8, List<MapProblem> problems)
    {
        try
        {
            JsonDocument document = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                problems.Add(new MapProblem("", "the file must hold a JSON object"));
                return null;
            }

            return document;
        }
        catch (JsonException ex)
        {
            problems.Add(new MapProblem("", $"not JSON: {ex.Message}"));
            return null;
        }
    }

    private static JsonElement? Array(JsonElement e, string name, string path, List<MapProblem> problems)
    {
        if (!e.TryGetProperty(name, out JsonElement value) || value.ValueKind != JsonValueKind.Array)
        {
            problems.Add(new MapProblem(Join(path, name), "an array is required"));
            return null;
        }

        return value;
    }

    private static string? String(JsonElement e, string name, string path, List<MapProblem> problems, bool required)
    {
        if (!e.TryGetProperty(name, out JsonElement value))
        {
            if (required)
            {
                problems.Add(new MapProblem(Join(path, name), "a string is required"));
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            problems.Add(new MapProblem(Join(path, name), "must be a string"));
            return null;
        }

        return value.GetString();
    }

    private static double? Number(JsonElement e, string name, string path, List<MapProblem> problems)
    {
        if (!e.TryGetProperty(name, out JsonElement value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            problems.Add(new MapProblem(Join(path, name), "must be a number"));
            return null;
        }

        return value.GetDouble();
    }

    private static int? Integer(JsonElement e, string name, string path, List<MapProblem> problems, int min, int max, bool required)
    {
        if (!e.TryGetProperty(name, out JsonElement value))
        {
            if (required)
            {
                problems.Add(new MapProblem(Join(path, name), "an integer is required"));
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long n))
        {
            problems.Add(new MapProblem(Join(path, name), "must be an integer"));
            return null;
        }

        if (n < min || n > max)
        {
            problems.Add(new MapProblem(Join(path, name), string.Create(CultureInfo.InvariantCulture, $"{n} is outside {min}..{max}")));
            return null;
        }

        return (int)n;
    }

    private static NodeReferenceId? NodeId(JsonElement e, string name, string path, List<MapProblem> problems)
    {
        if (!e.TryGetProperty(name, out JsonElement value) || value.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new MapProblem(Join(path, name), "a NodeReferenceID object {\"id\": n} is required"));
            return null;
        }

        string at = Join(path, name);
        int? id = Integer(value, "id", at, problems, 0, 65535, required: true);
        int? region = Integer(value, "region", at, problems, 0, 65535, required: false);
        return id is { } i ? new NodeReferenceId((ushort)i, region is { } r ? (ushort)r : null) : null;
    }

    private static Position3D? Position(JsonElement e, string name, string path, List<MapProblem> problems)
    {
        if (!e.TryGetProperty(name, out JsonElement value))
        {
            problems.Add(new MapProblem(Join(path, name), "a position {\"lat\", \"long\"} is required"));
            return null;
        }

        return ReadPosition(value, Join(path, name), problems);
    }

    private static Position3D? ReadPosition(JsonElement value, string path, List<MapProblem> problems)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new MapProblem(path, "a position {\"lat\", \"long\"} in 1e-7 degree is required"));
            return null;
        }

        int? lat = Integer(value, "lat", path, problems, -900000000, 900000000, required: true);
        int? lon = Integer(value, "long", path, problems, -1799999999, 1800000000, required: true);
        int? elevation = Integer(value, "elevation", path, problems, -4095, 61439, required: false);
        return lat is { } la && lon is { } lo ? new Position3D(la, lo, elevation) : null;
    }

    private static void CheckUnique<T>(List<T> items, Func<T, string> key, string path, string what, List<MapProblem> problems)
    {
        HashSet<string> seen = [];
        for (int i = 0; i < items.Count; i++)
        {
            string k = key(items[i]);
            if (!seen.Add(k))
            {
                problems.Add(new MapProblem($"{path}[{i}].{what}", $"duplicate {what} {k}"));
            }
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Sibling(string mapPath, string suffix)
    {
        ArgumentNullException.ThrowIfNull(mapPath);
        return (mapPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? mapPath[..^5] : mapPath) + suffix;
    }

    private static byte[] ReadResource(string fileName)
    {
        Assembly assembly = typeof(ZoneFiles).Assembly;
        using Stream stream = assembly.GetManifestResourceStream(ResourcePrefix + fileName)
            ?? throw new InvalidOperationException($"the embedded zone file {fileName} is missing from {assembly.GetName().Name}");
        using MemoryStream copy = new();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
