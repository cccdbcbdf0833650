using System.IO.Compression;
using QiZhiChunCheng.Scenarios.Format;

namespace QiZhiChunCheng.Scenarios.Tests;

/// <summary>The folder format: writing and reading back, plain and gzip, and the errors that name file and line.</summary>
public sealed class ScenarioFolderTests
{
    private static string Tiny => Path.Combine(RepoPaths.Data, "fcw-tiny-rear-end");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_folder_written_and_read_back_is_the_same_scenario(bool compress)
    {
        ScenarioFolder original = ScenarioFolder.Open(Tiny);
        using TempDirectory dir = new();

        ScenarioFolder.Write(dir.Path, original.Manifest, original.ReadMessages(), original.ReadTruth(), original.Expected, compress);
        ScenarioFolder copy = ScenarioFolder.Open(dir.Path);

        Assert.Equal(compress, copy.MessagesFile.EndsWith(".jsonl.gz", StringComparison.Ordinal));
        Assert.Equal(compress, copy.TruthFile!.EndsWith(".jsonl.gz", StringComparison.Ordinal));
        Assert.Equal(original.Manifest, copy.Manifest);
        Assert.Equal(original.ReadMessages().Select(ScenarioFolder.ToLine), copy.ReadMessages().Select(ScenarioFolder.ToLine));
        Assert.Equal(original.ReadTruth().Select(ScenarioFolder.ToLine), copy.ReadTruth().Select(ScenarioFolder.ToLine));
        Assert.Equal(ScenarioFolder.ToLine(original.ReadTruth().First()), ScenarioFolder.ToLine(copy.ReadTruth().First()));
        Assert.Equal(File.ReadAllText(Path.Combine(Tiny, ScenarioFolder.ExpectedFile)), File.ReadAllText(Path.Combine(dir.Path, ScenarioFolder.ExpectedFile)));
        Assert.Equal(original.Expected.Expected[0].Participants, copy.Expected.Expected[0].Participants);
        Assert.Empty(copy.Validate());
        if (compress)
        {
            using GZipStream gz = new(File.OpenRead(copy.MessagesFile), CompressionMode.Decompress);
            using StreamReader reader = new(gz);
            Assert.Equal(File.ReadAllText(original.MessagesFile), reader.ReadToEnd());
        }
    }

    [Fact]
    public void Bad_lines_are_reported_with_file_and_line_and_the_good_ones_still_read()
    {
        using TempDirectory dir = new();
        ScenarioFolder.WriteManifest(dir.Path, TinyFcwScenario.Manifest);
        string[] lines = File.ReadAllLines(Path.Combine(Tiny, ScenarioFolder.MessagesFileName));
        File.WriteAllLines(Path.Combine(dir.Path, ScenarioFolder.MessagesFileName), [lines[0], "{\"t\": 5, \"topic\": \"V2X/OBU/VEH-F1/BSM/UP\"", lines[1], "{\"topic\": \"x\", \"payload\": 3}", "{\"t\": 0, \"payload\": {}}", lines[2]]);

        ScenarioFolder folder = ScenarioFolder.Open(dir.Path);
        IReadOnlyList<string> problems = folder.Validate();

        string file = folder.MessagesFile;
        Assert.Equal(3, problems.Count);
        Assert.StartsWith($"{file}:2: ", problems[0], StringComparison.Ordinal);
        Assert.Equal($"{file}:4: payload: expected a JSON object (or a string holding one), got Number", problems[1]);
        Assert.StartsWith($"{file}:5: ", problems[2], StringComparison.Ordinal);
        Assert.Contains("topic", problems[2], StringComparison.Ordinal);
        Assert.Equal(3, folder.ReadMessages(_ => { }).Count());
        ScenarioFormatException ex = Assert.Throws<ScenarioFormatException>(() => folder.ReadMessages().ToList());
        Assert.StartsWith($"{file}:2: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Times_going_backwards_and_expectations_naming_unknown_participants_are_problems()
    {
        using TempDirectory dir = new();
        ScenarioFolder tiny = ScenarioFolder.Open(Tiny);
        List<ScenarioMessage> messages = [.. tiny.ReadMessages()];
        messages.Insert(41, messages[3]); // a t = 100 line after the t = 2000 ones
        ScenarioFolder.Write(dir.Path, tiny.Manifest, messages, tiny.ReadTruth(), tiny.Expected with { Expected = [tiny.Expected.Expected[0] with { Participants = ["follower", "ghost"] }] });

        IReadOnlyList<string> problems = ScenarioFolder.Open(dir.Path).Validate();

        Assert.Equal($"{Path.Combine(dir.Path, "messages.jsonl")}:42: t: 100 is before the previous line's 2000 (lines are in time order)", problems[0]);
        Assert.Equal($"{Path.Combine(dir.Path, "expected-events.json")}: participant 'ghost' is not in {Path.Combine(dir.Path, "truth.jsonl")}", problems[^1]);
    }

    [Fact]
    public void Members_left_out_of_hand_written_files_take_their_documented_defaults()
    {
        using TempDirectory dir = new();
        File.WriteAllText(Path.Combine(dir.Path, ScenarioFolder.ManifestFile), "{\"name\": \"x\", \"kind\": \"FCW\", \"startUtcMs\": 1795852800000}");
        File.WriteAllText(Path.Combine(dir.Path, ScenarioFolder.MessagesFileName), "{\"t\": 0, \"topic\": \"V2X/OBU/V/BSM/UP\", \"payload\": {}}\n");
        File.WriteAllText(Path.Combine(dir.Path, ScenarioFolder.TruthFileName), "{\"t\": 0, \"id\": \"a\", \"lat\": 43.8, \"lon\": 125.2}\n");
        File.WriteAllText(Path.Combine(dir.Path, ScenarioFolder.ExpectedFile), "{\"expected\": [{\"type\": \"FCW\", \"toMs\": 100}], \"forbidden\": [{\"type\": \"EBW\"}]}");

        ScenarioFolder folder = ScenarioFolder.Open(dir.Path);

        Assert.Equal(("", false, "qizhi-dongfeng", "dry", 0L, 0, null), (folder.Manifest.Description, folder.Manifest.Negative, folder.Manifest.Map, folder.Manifest.Surface, folder.Manifest.DurationMs, folder.Manifest.Seed, folder.Manifest.Generator));
        ExpectedEvent e = Assert.Single(folder.Expected.Expected);
        Assert.Equal((0L, 100L, 30.0, null, null, null), (e.FromMs, e.ToMs, e.ToleranceM, e.Lat, e.Lon, e.ConflictMs));
        Assert.Empty(e.Participants);
        ForbiddenEvent f = Assert.Single(folder.Expected.Forbidden);
        Assert.Equal((0L, null), (f.FromMs, f.ToMs));
        Assert.Empty(f.Participants);
        TruthSample t = Assert.Single(folder.ReadTruth());
        Assert.Equal(("vehicle", null, null, 0.0, 0.0), (t.Kind, t.BsmId, t.Ptc, t.SpeedMps, t.HeadingDeg));
    }

    [Theory]
    [InlineData("{\"name\": \"Bad Name\", \"kind\": \"FCW\", \"startUtcMs\": 1}", "name: 'Bad Name' must be kebab-case")]
    [InlineData("{\"name\": \"x\", \"kind\": \"FCWW\", \"startUtcMs\": 1}", "kind: 'FCWW' is not an event type code")]
    [InlineData("{\"name\": \"x\", \"kind\": \"FCW\"}", "startUtcMs: 0 must be a UTC time in ms")]
    [InlineData("{\"name\": \"x\", \"kind\": \"FCW\", \"startUtcMs\": 1, \"surface\": \"wet\"}", "surface: 'wet' must be dry, snow or ice")]
    [InlineData("{\"kind\": \"FCW\"}", "missing required properties")]
    [InlineData("{\"name\": \"x\", \"kind\": \"FCW\", \"startUtcMs\": \"soon\"}", "(at $.startUtcMs)")]
    public void A_bad_manifest_is_refused_naming_the_file_and_the_field(string json, string reason)
    {
        using TempDirectory dir = new();
        File.WriteAllText(Path.Combine(dir.Path, ScenarioFolder.ManifestFile), json);
        File.WriteAllText(Path.Combine(dir.Path, ScenarioFolder.MessagesFileName), "");

        ScenarioFormatException ex = Assert.Throws<ScenarioFormatException>(() => ScenarioFolder.Open(dir.Path));

        Assert.StartsWith(Path.Combine(dir.Path, ScenarioFolder.ManifestFile) + ": ", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.Message.Contains(reason, StringComparison.Ordinal), ex.Message);
    }

    [Fact]
    public void A_recipe_only_folder_is_generated_once_into_the_cache_and_reused()
    {
        using TempDirectory cache = new();
        using TempDirectory dir = new();
        ScenarioFolder.WriteManifest(dir.Path, TinyFcwScenario.Manifest with { Name = "recipe-only", Generator = new GeneratorRecipe { Kind = "copy", Seed = 7 } });
        CopyGenerator generator = new(Tiny);
        string? before = Environment.GetEnvironmentVariable("QZCC_CACHE");
        Environment.SetEnvironmentVariable("QZCC_CACHE", cache.Path);
        try
        {
            ScenarioFolder first = ScenarioFolder.Open(dir.Path, generator);
            ScenarioFolder second = ScenarioFolder.Open(dir.Path, generator);

            Assert.Equal(1, generator.Calls);
            Assert.Equal(first.GeneratedInto, second.GeneratedInto);
            Assert.Matches(@"scenarios[/\\]recipe-only-[0-9a-f]{16}$", first.GeneratedInto);
            Assert.StartsWith(cache.Path, first.MessagesFile, StringComparison.Ordinal);
            Assert.Equal(62, first.ReadMessages().Count());
            Assert.Single(first.Expected.Expected);
            Assert.Empty(Directory.GetDirectories(Path.Combine(cache.Path, "scenarios"), "*.tmp-*"));
            ScenarioFormatException none = Assert.Throws<ScenarioFormatException>(() =>
            {
                ScenarioFolder.WriteManifest(dir.Path, TinyFcwScenario.Manifest with { Name = "recipe-only", Generator = new GeneratorRecipe { Kind = "copy", Seed = 8 } });
                ScenarioFolder.Open(dir.Path);
            });
            Assert.Contains("no generator is available", none.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("QZCC_CACHE", before);
        }
    }

    private sealed class CopyGenerator(string from) : IScenarioGenerator
    {
        public int Calls { get; private set; }

        public void Generate(GeneratorRecipe recipe, ScenarioManifest manifest, string outDir)
        {
            Calls++;
            foreach (string file in new[] { ScenarioFolder.MessagesFileName, ScenarioFolder.TruthFileName, ScenarioFolder.ExpectedFile })
            {
                File.Copy(Path.Combine(from, file), Path.Combine(outDir, file));
            }
        }
    }
}
