using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using QiZhiChunCheng.Core.Events;

namespace QiZhiChunCheng.Scenarios.Format;

/// <summary>A scenario folder that cannot be read: the message names the file and, for a line file, the line.</summary>
public sealed class ScenarioFormatException : Exception
{
    public ScenarioFormatException()
    {
    }

    public ScenarioFormatException(string message)
        : base(message)
    {
    }

    public ScenarioFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Writes the message and truth files of a recipe-only scenario (one committed as <c>scenario.json</c> with a
/// <see cref="ScenarioManifest.Generator"/> recipe). Implemented by the generator; <see cref="ScenarioFolder.Open"/>
/// calls it the first time such a folder is used and keeps the result in the local cache.
/// </summary>
public interface IScenarioGenerator
{
    /// <summary>
    /// Writes <c>messages.jsonl[.gz]</c> and <c>truth.jsonl[.gz]</c> (and <c>expected-events.json</c> when the
    /// recipe defines the expectations) into <paramref name="outDir"/>, which exists and is empty. Must be
    /// deterministic: the same recipe gives the same bytes. Files the committed folder has win over generated ones.
    /// </summary>
    void Generate(GeneratorRecipe recipe, ScenarioManifest manifest, string outDir);
}

/// <summary>The generator <see cref="ScenarioFolder.Open"/> uses for recipe-only folders when none is passed.</summary>
public static class ScenarioGenerators
{
    /// <summary>Set once at start-up by whoever provides the generator (the CLI, a test fixture); null: none.</summary>
    public static IScenarioGenerator? Default { get; set; }
}

/// <summary>
/// One scenario folder on disk: <c>scenario.json</c>, <c>messages.jsonl</c>, <c>truth.jsonl</c> (each may be
/// <c>.jsonl.gz</c>) and <c>expected-events.json</c> (scenarios/README.md documents them). Opening reads the
/// manifest and the expectations; messages and truth are streamed line by line, so a folder of any size replays in
/// constant memory. A recipe-only folder is generated on first use into the cache
/// (<c>$QZCC_CACHE</c>, else <c>~/.cache/qzcc</c>, under <c>scenarios/{name}-{hash of scenario.json}</c>).
/// Immutable after opening; reading is thread-safe (each call opens its own stream).
/// </summary>
public sealed class ScenarioFolder
{
    public const string ManifestFile = "scenario.json";
    public const string MessagesFileName = "messages.jsonl";
    public const string TruthFileName = "truth.jsonl";
    public const string ExpectedFile = "expected-events.json";

    /// <summary>The kinds that are not a single application.</summary>
    public static readonly IReadOnlyList<string> OtherKinds = ["MISBEHAVIOR", "LOAD", "MIXED"];

    private static readonly ScenarioJson Indented = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    });

    private readonly string? _expectedPath;

    private ScenarioFolder(string path, ScenarioManifest manifest, string messagesFile, string? truthFile, string? expectedFile, ExpectedEvents expected, string? generatedInto)
    {
        Path = path;
        Manifest = manifest;
        MessagesFile = messagesFile;
        TruthFile = truthFile;
        _expectedPath = expectedFile;
        Expected = expected;
        GeneratedInto = generatedInto;
    }

    /// <summary>The folder as given (the committed one, for a recipe-only scenario).</summary>
    public string Path { get; }

    public ScenarioManifest Manifest { get; }

    /// <summary>The messages file actually read (in the cache for a recipe-only scenario).</summary>
    public string MessagesFile { get; }

    /// <summary>The truth file, or null when the folder has none (a fresh recording).</summary>
    public string? TruthFile { get; }

    /// <summary>The expectations; empty when the folder has no <c>expected-events.json</c>.</summary>
    public ExpectedEvents Expected { get; }

    /// <summary>Whether the folder has an <c>expected-events.json</c>.</summary>
    public bool HasExpectations => _expectedPath is not null;

    /// <summary>The cache folder the scenario was generated into, for a recipe-only scenario; else null.</summary>
    public string? GeneratedInto { get; }

    /// <summary>Whether <paramref name="dir"/> looks like a scenario folder (holds a <c>scenario.json</c>).</summary>
    public static bool IsScenarioFolder(string dir) => File.Exists(System.IO.Path.Combine(dir, ManifestFile));

    /// <summary>
    /// The folder of training sets under the library (<c>scenarios/training</c>): generated data for
    /// <c>qzcc ml train</c>, not must-pass cases, so searching <c>scenarios/</c> leaves it out; name it (or a folder
    /// in it) to verify it.
    /// </summary>
    public const string TrainingFolder = "training";

    /// <summary>
    /// The scenario folders at or under <paramref name="dir"/> (a folder holding <c>scenario.json</c> is one; its
    /// subfolders are not searched), sorted by path. The zone map folder <c>maps</c> is skipped, and so is a
    /// <see cref="TrainingFolder"/> directly in <paramref name="dir"/>.
    /// </summary>
    public static IReadOnlyList<string> Find(string dir)
    {
        List<string> found = [];
        Walk(System.IO.Path.GetFullPath(dir), found, root: true);
        found.Sort(StringComparer.Ordinal);
        return found;

        static void Walk(string dir, List<string> found, bool root = false)
        {
            if (IsScenarioFolder(dir))
            {
                found.Add(dir);
                return;
            }

            foreach (string sub in Directory.EnumerateDirectories(dir))
            {
                string name = System.IO.Path.GetFileName(sub);
                if (name is "maps" || name.StartsWith('.') || (root && name is TrainingFolder))
                {
                    continue;
                }

                Walk(sub, found);
            }
        }
    }

    /// <summary>
    /// Opens a scenario folder: reads and checks <c>scenario.json</c> and <c>expected-events.json</c>, finds the line
    /// files, and for a recipe-only folder generates them into the cache first (with <paramref name="generator"/>,
    /// else <see cref="ScenarioGenerators.Default"/>). Throws <see cref="ScenarioFormatException"/> with a one-line
    /// reason that names the file.
    /// </summary>
    public static ScenarioFolder Open(string dir, IScenarioGenerator? generator = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dir);
        if (!Directory.Exists(dir))
        {
            throw new ScenarioFormatException($"{dir}: no such folder");
        }

        string manifestPath = System.IO.Path.Combine(dir, ManifestFile);
        if (!File.Exists(manifestPath))
        {
            throw new ScenarioFormatException($"{manifestPath}: missing (every scenario folder has a scenario.json)");
        }

        byte[] manifestBytes = File.ReadAllBytes(manifestPath);
        ScenarioManifest manifest = ReadJson(manifestPath, manifestBytes, ScenarioJson.Default.ScenarioManifest);
        if (CheckManifest(manifest) is { } manifestProblem)
        {
            throw new ScenarioFormatException($"{manifestPath}: {manifestProblem}");
        }

        string? messages = FindLineFile(dir, MessagesFileName);
        string? truth = FindLineFile(dir, TruthFileName);
        string? expectedPath = File.Exists(System.IO.Path.Combine(dir, ExpectedFile)) ? System.IO.Path.Combine(dir, ExpectedFile) : null;
        string? generatedInto = null;
        if (messages is null)
        {
            if (manifest.Generator is not { } recipe)
            {
                throw new ScenarioFormatException($"{dir}: no {MessagesFileName} (or {MessagesFileName}.gz), and scenario.json has no generator recipe");
            }

            generatedInto = EnsureGenerated(manifest, recipe, manifestBytes, generator ?? ScenarioGenerators.Default);
            messages = FindLineFile(generatedInto, MessagesFileName)
                ?? throw new ScenarioFormatException($"{generatedInto}: the generator wrote no {MessagesFileName}");
            truth ??= FindLineFile(generatedInto, TruthFileName);
            if (expectedPath is null && File.Exists(System.IO.Path.Combine(generatedInto, ExpectedFile)))
            {
                expectedPath = System.IO.Path.Combine(generatedInto, ExpectedFile);
            }
        }

        ExpectedEvents expected = new();
        if (expectedPath is not null)
        {
            expected = ReadJson(expectedPath, File.ReadAllBytes(expectedPath), ScenarioJson.Default.ExpectedEvents);
            if (CheckExpected(expected, manifest) is { } problem)
            {
                throw new ScenarioFormatException($"{expectedPath}: {problem}");
            }
        }

        return new ScenarioFolder(dir, manifest, messages, truth, expectedPath, expected, generatedInto);
    }

    /// <summary>Reads and checks only <c>scenario.json</c> (no generation, no line files): what <c>scenario list</c> shows.</summary>
    public static ScenarioManifest ReadManifest(string dir)
    {
        string manifestPath = System.IO.Path.Combine(dir, ManifestFile);
        if (!File.Exists(manifestPath))
        {
            throw new ScenarioFormatException($"{manifestPath}: missing (every scenario folder has a scenario.json)");
        }

        ScenarioManifest manifest = ReadJson(manifestPath, File.ReadAllBytes(manifestPath), ScenarioJson.Default.ScenarioManifest);
        return CheckManifest(manifest) is { } problem ? throw new ScenarioFormatException($"{manifestPath}: {problem}") : manifest;
    }

    /// <summary>
    /// Streams <c>messages.jsonl</c>. A line that is not a message (bad JSON, a missing field, a time going
    /// backwards) is reported to <paramref name="onBadLine"/> as <c>file:line: reason</c> and skipped; without a
    /// handler it throws <see cref="ScenarioFormatException"/>.
    /// </summary>
    public IEnumerable<ScenarioMessage> ReadMessages(Action<string>? onBadLine = null)
    {
        long last = long.MinValue;
        foreach ((int line, string text) in ReadLines(MessagesFile))
        {
            string? problem = null;
            ScenarioMessage? message = null;
            try
            {
                message = JsonSerializer.Deserialize(text, ScenarioJson.Default.ScenarioMessage);
                problem = message is null ? "null is not a message" : CheckMessage(message, last);
            }
            catch (JsonException ex)
            {
                problem = JsonReason(ex);
            }

            if (problem is not null)
            {
                Bad(onBadLine, $"{MessagesFile}:{line}: {problem}");
                continue;
            }

            last = message!.T;
            yield return message;
        }
    }

    /// <summary>Streams <c>truth.jsonl</c> (nothing when the folder has none); bad lines as in <see cref="ReadMessages"/>.</summary>
    public IEnumerable<TruthSample> ReadTruth(Action<string>? onBadLine = null)
    {
        if (TruthFile is null)
        {
            yield break;
        }

        long last = long.MinValue;
        foreach ((int line, string text) in ReadLines(TruthFile))
        {
            string? problem = null;
            TruthSample? sample = null;
            try
            {
                sample = JsonSerializer.Deserialize(text, ScenarioJson.Default.TruthSample);
                problem = sample is null ? "null is not a truth sample" : CheckTruth(sample, last);
            }
            catch (JsonException ex)
            {
                problem = JsonReason(ex);
            }

            if (problem is not null)
            {
                Bad(onBadLine, $"{TruthFile}:{line}: {problem}");
                continue;
            }

            last = sample!.T;
            yield return sample;
        }
    }

    /// <summary>
    /// Reads every line of the folder and returns the problems found (up to <paramref name="max"/>), each naming
    /// file and line: lines that are not messages or truth samples, times going backwards, expectations naming a
    /// participant the truth does not have. Empty: the folder is well-formed. Message payloads are decoded by the
    /// replay (a payload the platform refuses is a legitimate test input).
    /// </summary>
    public IReadOnlyList<string> Validate(int max = 20)
    {
        List<string> problems = [];
        void Add(string p)
        {
            if (problems.Count < max)
            {
                problems.Add(p);
            }
        }

        foreach (ScenarioMessage _ in ReadMessages(Add))
        {
        }

        HashSet<string> ids = new(StringComparer.Ordinal);
        foreach (TruthSample s in ReadTruth(Add))
        {
            ids.Add(s.Id);
        }

        if (HasExpectations)
        {
            foreach (string id in NamedRoadUsers(Expected).Distinct(StringComparer.Ordinal))
            {
                if (!ids.Contains(id))
                {
                    Add($"{_expectedPath}: participant '{id}' is not in {(TruthFile is null ? "the truth (the folder has no truth.jsonl)" : TruthFile)}");
                }
            }
        }

        return problems;
    }

    /// <summary>
    /// The participants expected-events.json names that must be in the truth: every name, except the RSUs a
    /// MISBEHAVIOR entry names by their device id (<c>RSU-DF-01</c>): an RSU is a source, not a road user.
    /// </summary>
    public static IEnumerable<string> NamedRoadUsers(ExpectedEvents expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        foreach (ExpectedEvent e in expected.Expected)
        {
            foreach (string id in e.Participants)
            {
                if (!IsRsuSource(e.Type, id))
                {
                    yield return id;
                }
            }
        }

        foreach (ForbiddenEvent f in expected.Forbidden)
        {
            foreach (string id in f.Participants)
            {
                if (!IsRsuSource(f.Type, id))
                {
                    yield return id;
                }
            }
        }

        static bool IsRsuSource(string type, string id) =>
            string.Equals(type, "MISBEHAVIOR", StringComparison.Ordinal) && ZoneRsus.IsRsu(id);
    }

    /// <summary>
    /// Writes a scenario folder: <c>scenario.json</c>, <c>messages.jsonl</c>, and when given <c>truth.jsonl</c> and
    /// <c>expected-events.json</c>; with <paramref name="compress"/> the line files are <c>.jsonl.gz</c>. Existing
    /// files of the same names are replaced (a plain file is removed when its gzip form is written, and back).
    /// </summary>
    public static void Write(
        string dir,
        ScenarioManifest manifest,
        IEnumerable<ScenarioMessage> messages,
        IEnumerable<TruthSample>? truth = null,
        ExpectedEvents? expected = null,
        bool compress = false)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(messages);
        Directory.CreateDirectory(dir);
        WriteManifest(dir, manifest);
        WriteLines(dir, MessagesFileName, compress, messages, ScenarioJson.Default.ScenarioMessage);
        if (truth is not null)
        {
            WriteLines(dir, TruthFileName, compress, truth, ScenarioJson.Default.TruthSample);
        }

        if (expected is not null)
        {
            WriteExpected(dir, expected);
        }
    }

    /// <summary>Writes <c>scenario.json</c>, indented, ending with a newline.</summary>
    public static void WriteManifest(string dir, ScenarioManifest manifest) =>
        File.WriteAllText(System.IO.Path.Combine(dir, ManifestFile), JsonSerializer.Serialize(manifest, Indented.ScenarioManifest) + "\n", new UTF8Encoding(false));

    /// <summary>Writes <c>expected-events.json</c>, indented, ending with a newline.</summary>
    public static void WriteExpected(string dir, ExpectedEvents expected) =>
        File.WriteAllText(System.IO.Path.Combine(dir, ExpectedFile), JsonSerializer.Serialize(expected, Indented.ExpectedEvents) + "\n", new UTF8Encoding(false));

    /// <summary>Opens a line file for writing (<c>.gz</c> when <paramref name="compress"/>), removing the other form.</summary>
    public static StreamWriter CreateLineWriter(string dir, string fileName, bool compress)
    {
        string plain = System.IO.Path.Combine(dir, fileName);
        string gz = plain + ".gz";
        File.Delete(compress ? plain : gz);
        Stream file = new FileStream(compress ? gz : plain, FileMode.Create, FileAccess.Write, FileShare.Read);
        Stream stream = compress ? new GZipStream(file, CompressionLevel.SmallestSize) : file;
        return new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" };
    }

    /// <summary>One line of a line file, as written (compact JSON, no newline).</summary>
    public static string ToLine(ScenarioMessage message) => JsonSerializer.Serialize(message, ScenarioJson.Default.ScenarioMessage);

    public static string ToLine(TruthSample sample) => JsonSerializer.Serialize(sample, ScenarioJson.Default.TruthSample);

    /// <summary>The cache root: <c>$QZCC_CACHE</c>, else <c>~/.cache/qzcc</c> (<c>$XDG_CACHE_HOME/qzcc</c> when set).</summary>
    public static string CacheRoot()
    {
        if (Environment.GetEnvironmentVariable("QZCC_CACHE") is { Length: > 0 } cache)
        {
            return cache;
        }

        string xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x
            ? x
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return System.IO.Path.Combine(xdg, "qzcc");
    }

    /// <summary>The kinds a scenario may have: the event type codes and <see cref="OtherKinds"/>.</summary>
    public static bool IsKnownKind(string kind) =>
        OtherKinds.Contains(kind) || (V2xEvent.TryParseType(kind, out EventType type) && V2xEvent.TypeCode(type) == kind);

    private static string EnsureGenerated(ScenarioManifest manifest, GeneratorRecipe recipe, byte[] manifestBytes, IScenarioGenerator? generator)
    {
        string hash = Convert.ToHexStringLower(SHA256.HashData(manifestBytes))[..16];
        string scenarios = System.IO.Path.Combine(CacheRoot(), "scenarios");
        string target = System.IO.Path.Combine(scenarios, $"{manifest.Name}-{hash}");
        if (FindLineFile(target, MessagesFileName) is not null)
        {
            return target;
        }

        if (generator is null)
        {
            throw new ScenarioFormatException($"{manifest.Name}: recipe-only scenario (generator '{recipe.Kind}') and no generator is available to build it into {target}");
        }

        // Generate beside the target and move it in whole, so a concurrent or interrupted run never sees half a folder.
        Directory.CreateDirectory(scenarios);
        string temp = target + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(temp);
        try
        {
            generator.Generate(recipe, manifest, temp);
            File.WriteAllBytes(System.IO.Path.Combine(temp, ManifestFile), manifestBytes);
            try
            {
                Directory.Move(temp, target);
            }
            catch (IOException) when (FindLineFile(target, MessagesFileName) is not null)
            {
                // Another process generated it first: the same bytes, so theirs will do.
            }
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }

        return target;
    }

    private static string? CheckManifest(ScenarioManifest m)
    {
        if (string.IsNullOrWhiteSpace(m.Name) || m.Name.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
        {
            return $"name: '{m.Name}' must be kebab-case (a-z, 0-9, '-')";
        }

        if (!IsKnownKind(m.Kind))
        {
            return $"kind: '{m.Kind}' is not an event type code (FCW, ICW, ...) nor one of {string.Join(", ", OtherKinds)}";
        }

        if (m.Description is null || m.Map is null)
        {
            return "description and map must be strings when given";
        }

        if (m.Surface is not ("dry" or "snow" or "ice"))
        {
            return $"surface: '{m.Surface}' must be dry, snow or ice";
        }

        if (m.DurationMs < 0)
        {
            return $"durationMs: {m.DurationMs} must not be negative";
        }

        if (m.StartUtcMs <= 0)
        {
            return $"startUtcMs: {m.StartUtcMs} must be a UTC time in ms (for example 1795852800000, 2026-11-28T08:00Z)";
        }

        return m.Generator is { Kind.Length: 0 } ? "generator.kind: must not be empty" : null;
    }

    private static string? CheckExpected(ExpectedEvents expected, ScenarioManifest manifest)
    {
        if (expected.Expected is null || expected.Forbidden is null || expected.Expected.Any(e => e.Participants is null) || expected.Forbidden.Any(f => f.Participants is null))
        {
            return "a list is null: leave the member out, or give a list ([] for none)";
        }

        for (int i = 0; i < expected.Expected.Count; i++)
        {
            ExpectedEvent e = expected.Expected[i];
            string where = $"expected[{i}]";
            if (!V2xEvent.TryParseType(e.Type, out _))
            {
                return $"{where}.type: '{e.Type}' is not an event type code (FCW, ICW, LTA, BSW, LCW, DNPW, EBW, AVW, CLW, HLW, SLW, RLVW, VRUCW, GLOSA, IVS, TJW, EVW, MISBEHAVIOR)";
            }

            if (e.ToMs < e.FromMs)
            {
                return $"{where}: toMs {e.ToMs} is before fromMs {e.FromMs}";
            }

            if (e.Lat.HasValue != e.Lon.HasValue)
            {
                return $"{where}: give both lat and lon, or neither";
            }

            if (e.ToleranceM <= 0)
            {
                return $"{where}.toleranceM: {e.ToleranceM} must be positive";
            }
        }

        for (int i = 0; i < expected.Forbidden.Count; i++)
        {
            ForbiddenEvent f = expected.Forbidden[i];
            if (!V2xEvent.TryParseType(f.Type, out _))
            {
                return $"forbidden[{i}].type: '{f.Type}' is not an event type code";
            }

            if (f.ToMs is { } to && to < f.FromMs)
            {
                return $"forbidden[{i}]: toMs {to} is before fromMs {f.FromMs}";
            }
        }

        return manifest.Negative && expected.Expected.Count > 0 ? "a negative scenario expects no events (use forbidden)" : null;
    }

    private static string? CheckMessage(ScenarioMessage m, long last)
    {
        if (m.T < 0)
        {
            return $"t: {m.T} must not be negative";
        }

        if (m.T < last)
        {
            return $"t: {m.T} is before the previous line's {last} (lines are in time order)";
        }

        if (string.IsNullOrWhiteSpace(m.Topic))
        {
            return "topic: must not be empty";
        }

        return m.Payload.ValueKind is JsonValueKind.Object or JsonValueKind.String ? null : $"payload: expected a JSON object (or a string holding one), got {m.Payload.ValueKind}";
    }

    private static string? CheckTruth(TruthSample s, long last)
    {
        if (s.T < last)
        {
            return $"t: {s.T} is before the previous line's {last} (lines are in time order)";
        }

        if (string.IsNullOrWhiteSpace(s.Id))
        {
            return "id: must not be empty";
        }

        if (s.Lat is < -90 or > 90 || s.Lon is < -180 or > 180 || (s.Lat == 0 && s.Lon == 0))
        {
            return $"lat/lon: {s.Lat.ToString(CultureInfo.InvariantCulture)},{s.Lon.ToString(CultureInfo.InvariantCulture)} is not a position (degrees WGS-84)";
        }

        if (s.BsmId is { } bsm && (bsm.Length != 16 || !bsm.All(char.IsAsciiHexDigit)))
        {
            return $"bsmId: '{bsm}' must be 16 hex digits";
        }

        return null;
    }

    private static T ReadJson<T>(string path, byte[] bytes, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info)
    {
        try
        {
            return JsonSerializer.Deserialize(bytes, info) ?? throw new ScenarioFormatException($"{path}: null is not a {typeof(T).Name}");
        }
        catch (JsonException ex)
        {
            throw new ScenarioFormatException($"{path}: {JsonReason(ex)}", ex);
        }
    }

    // System.Text.Json's message with its own line numbers (0-based, of the one-line text) left out: ours are better.
    private static string JsonReason(JsonException ex)
    {
        string message = ex.Message;
        int cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        string head = cut > 0 ? message[..cut] : message;
        return ex.Path is { Length: > 1 } path ? $"{head} (at {path})" : head;
    }

    private static void Bad(Action<string>? onBadLine, string problem)
    {
        if (onBadLine is null)
        {
            throw new ScenarioFormatException(problem);
        }

        onBadLine(problem);
    }

    private static string? FindLineFile(string dir, string name)
    {
        string plain = System.IO.Path.Combine(dir, name);
        string gz = plain + ".gz";
        bool hasPlain = File.Exists(plain);
        bool hasGz = File.Exists(gz);
        if (hasPlain && hasGz)
        {
            throw new ScenarioFormatException($"{dir}: both {name} and {name}.gz; keep one");
        }

        return hasPlain ? plain : hasGz ? gz : null;
    }

    private static IEnumerable<(int Line, string Text)> ReadLines(string path)
    {
        using Stream file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using Stream input = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using StreamReader reader = new(input, Encoding.UTF8);
        int n = 0;
        while (reader.ReadLine() is { } text)
        {
            n++;
            if (!string.IsNullOrWhiteSpace(text))
            {
                yield return (n, text);
            }
        }
    }

    private static void WriteLines<T>(string dir, string name, bool compress, IEnumerable<T> items, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info)
    {
        using StreamWriter writer = CreateLineWriter(dir, name, compress);
        foreach (T item in items)
        {
            writer.WriteLine(JsonSerializer.Serialize(item, info));
        }
    }
}
