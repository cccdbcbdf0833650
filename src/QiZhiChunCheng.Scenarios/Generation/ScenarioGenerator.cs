using System.Globalization;
using System.Runtime.CompilerServices;
using QiZhiChunCheng.Scenarios.Format;
using QiZhiChunCheng.Scenarios.Generation.Kinds;

namespace QiZhiChunCheng.Scenarios.Generation;

/// <summary>One folder of the committed library: what generates it.</summary>
public sealed record LibraryEntry(string Folder, string Kind, bool Negative, int Seed);

/// <summary>
/// A folder committed as its recipe only (scenario.json with <c>generator</c>, generated into the cache on first
/// use): <paramref name="Folder"/> relative to <c>scenarios/</c>, with <c>/</c>.
/// </summary>
public sealed record RecipeEntry(string Folder, string Name, string Kind, int Seed, Dictionary<string, double> Parameters, Dictionary<string, string>? Choices = null, string? Description = null);

/// <summary>
/// The scenario generator: <c>qzcc scenario generate KIND --out DIR [--seed N] [--negative]</c> and the recipes of
/// recipe-only scenarios. Kinds: one scripted kind per Day-1 application (<c>fcw</c> ... <c>evw</c>, with
/// <c>negative</c> for its near miss), <c>winter</c>, random <c>mixed</c> traffic and <c>rush-hour</c>. The same kind,
/// seed and parameters give the same bytes: every random draw comes from <see cref="Random"/> seeded with the seed,
/// time comes from the scenario's own start, and numbers are written in the invariant culture.
/// Thread-safe (each call builds its own world).
/// </summary>
public sealed class ScenarioGenerator : IScenarioGenerator
{
    public const string NegativeParameter = "negative";

    /// <summary>Every kind the generator knows.</summary>
    public static IReadOnlyList<string> Kinds { get; } = [.. ScriptedKinds.Kinds, "mixed", "rush-hour", FaultKind.Kind];

    /// <summary>
    /// The committed library under <c>scenarios/</c>: a positive and a near-miss scenario per application, the winter
    /// pair; <c>rush-hour</c> is committed as its recipe only (<see cref="RushHourManifest"/>).
    /// </summary>
    public static IReadOnlyList<LibraryEntry> Library { get; } = BuildLibrary();

    /// <summary>
    /// The recipe-only folders besides rush-hour: one <c>misbehavior-*</c> scenario per injected fault (must pass
    /// once misbehaviour detection is on), and the training sets under <c>training/</c>: each fault with three seeds
    /// (varied RSU, drift rate and direction, start, replay delay) plus clean traffic in <c>training/misbehavior</c>,
    /// and traffic from free flow to congested (more vehicles, slow crawlers) in <c>training/traffic</c>.
    /// </summary>
    public static IReadOnlyList<RecipeEntry> Recipes { get; } = BuildRecipes();

    /// <summary>The scenario.json of a recipe-only folder: the draft's manifest (not run) named after the folder, with the recipe.</summary>
    public static ScenarioManifest RecipeManifest(RecipeEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ScenarioDraft draft = Draft(entry.Kind, entry.Seed, false, entry.Parameters, entry.Choices);
        return draft.Manifest with
        {
            Name = entry.Name,
            Description = entry.Description ?? draft.Manifest.Description,
            Generator = new GeneratorRecipe { Kind = entry.Kind, Seed = entry.Seed, Parameters = entry.Parameters, Choices = entry.Choices },
        };
    }

    /// <summary>The recipe-only rush-hour scenario.json.</summary>
    public static ScenarioManifest RushHourManifest()
    {
        ScenarioDraft draft = TrafficKind.Build("rush-hour", 2026, new Dictionary<string, double>());
        return draft.Manifest with
        {
            Generator = new GeneratorRecipe { Kind = "rush-hour", Seed = 2026, Parameters = TrafficKind.Defaults("rush-hour") },
        };
    }

    /// <summary>Builds a scenario of <paramref name="kind"/> without running it.</summary>
    public static ScenarioDraft Draft(string kind, int seed, bool negative = false, IReadOnlyDictionary<string, double>? parameters = null, IReadOnlyDictionary<string, string>? choices = null)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (string.Equals(kind, FaultKind.Kind, StringComparison.OrdinalIgnoreCase))
        {
            return FaultKind.Build(seed, parameters ?? new Dictionary<string, double>(), choices ?? new Dictionary<string, string>());
        }

        if (kind is "mixed" or "rush-hour")
        {
            return TrafficKind.Build(kind, seed, parameters ?? new Dictionary<string, double>());
        }

        return ScriptedKinds.TryBuild(kind, seed, negative, out ScenarioDraft? draft)
            ? draft!
            : throw new ArgumentException($"unknown scenario kind '{kind}': expected one of {string.Join(", ", Kinds)}", nameof(kind));
    }

    /// <summary>Generates a scenario into <paramref name="outDir"/>; returns its manifest.</summary>
    public static ScenarioManifest Generate(string kind, int seed, bool negative, IReadOnlyDictionary<string, double>? parameters, string outDir, IReadOnlyDictionary<string, string>? choices = null)
    {
        ScenarioDraft draft = Draft(kind, seed, negative, parameters, choices);
        ExpectedEvents expected = draft.Run();
        ScenarioWriter.Write(draft.Manifest, draft.World, expected, outDir);
        return draft.Manifest;
    }

    /// <summary>Regenerates the whole committed library (and the rush-hour recipe) under <paramref name="scenariosDir"/>.</summary>
    public static void GenerateLibrary(string scenariosDir)
    {
        foreach (LibraryEntry e in Library)
        {
            ScenarioManifest m = Generate(e.Kind, e.Seed, e.Negative, null, Path.Combine(scenariosDir, e.Folder));
            if (m.Name != e.Folder)
            {
                throw new InvalidOperationException($"library entry {e.Folder} generated a scenario named {m.Name}");
            }
        }

        string rush = Path.Combine(scenariosDir, "rush-hour");
        Directory.CreateDirectory(rush);
        File.WriteAllText(Path.Combine(rush, ScenarioWriter.ManifestFile), ScenarioWriter.ManifestJson(RushHourManifest()));
        foreach (RecipeEntry r in Recipes)
        {
            string dir = Path.Combine(scenariosDir, r.Folder.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, ScenarioWriter.ManifestFile), ScenarioWriter.ManifestJson(RecipeManifest(r)));
        }
    }

    /// <summary>Generates a recipe-only scenario into a cache folder: the files of its recipe, and its own scenario.json.</summary>
    public void Generate(GeneratorRecipe recipe, ScenarioManifest manifest, string outDir)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(manifest);
        if (!Kinds.Contains(recipe.Kind, StringComparer.OrdinalIgnoreCase))
        {
            throw new ScenarioFormatException($"no generator is available for recipe kind '{recipe.Kind}': the generator knows {string.Join(", ", Kinds)}");
        }

        bool negative = recipe.Parameters.TryGetValue(NegativeParameter, out double n) && n != 0;
        ScenarioDraft draft = Draft(recipe.Kind, recipe.Seed, negative, recipe.Parameters, recipe.Choices);
        ExpectedEvents expected = draft.Run();
        ScenarioWriter.WriteGenerated(draft.World, expected, outDir);
    }

    // Recipe-only folders (rush-hour) open wherever this assembly is loaded: the CLI, the tests, the benchmarks.
#pragma warning disable CA2255 // a module initializer in a library is the point here: registering the default generator
    [ModuleInitializer]
    internal static void Register() => ScenarioGenerators.Default ??= new ScenarioGenerator();
#pragma warning restore CA2255

    private static List<LibraryEntry> BuildLibrary()
    {
        (string Kind, string Positive, string Negative)[] apps =
        [
            ("fcw", "fcw-dongfeng-rear-end", "fcw-dongfeng-near-miss"),
            ("icw", "icw-feiyue-crossing", "icw-feiyue-near-miss"),
            ("lta", "lta-feiyue-left-turn", "lta-feiyue-near-miss"),
            ("bsw", "bsw-dongfeng-blind-spot", "bsw-dongfeng-near-miss"),
            ("dnpw", "dnpw-dongfeng-overtake", "dnpw-dongfeng-near-miss"),
            ("ebw", "ebw-dongfeng-hard-brake", "ebw-dongfeng-near-miss"),
            ("avw", "avw-dongfeng-stopped-car", "avw-dongfeng-near-miss"),
            ("clw", "clw-dongfeng-abs", "clw-dongfeng-near-miss"),
            ("hlw", "hlw-dongfeng-obstacle", "hlw-dongfeng-near-miss"),
            ("slw", "slw-dongfeng-speeding", "slw-dongfeng-near-miss"),
            ("rlvw", "rlvw-feiyue-red-light", "rlvw-feiyue-near-miss"),
            ("vrucw", "vrucw-feiyue-crosswalk", "vrucw-feiyue-near-miss"),
            ("glosa", "glosa-feiyue-advice", "glosa-feiyue-near-miss"),
            ("ivs", "ivs-dongfeng-school-zone", "ivs-dongfeng-near-miss"),
            ("tjw", "tjw-dongfeng-jam", "tjw-feiyue-near-miss"),
            ("evw", "evw-dongfeng-ambulance", "evw-dongfeng-near-miss"),
            ("winter", "winter-feiyue-ice-stop", "winter-feiyue-dry-twin"),
        ];
        List<LibraryEntry> library = [];
        int seed = 100;
        foreach ((string kind, string positive, string negative) in apps)
        {
            library.Add(new LibraryEntry(positive, kind, false, seed++));
            library.Add(new LibraryEntry(negative, kind, true, seed++));
        }

        return library;
    }

    private static List<RecipeEntry> BuildRecipes()
    {
        static Dictionary<string, string> Fault(string fault, string rsu = "RSU-DF-01") => new(StringComparer.Ordinal) { ["fault"] = fault, ["rsu"] = rsu };

        List<RecipeEntry> recipes =
        [
            new("misbehavior-dongfeng-drift-radar", "misbehavior-dongfeng-drift-radar", FaultKind.Kind, 901, [], Fault("drift-radar")),
            new("misbehavior-dongfeng-ghost-vehicle", "misbehavior-dongfeng-ghost-vehicle", FaultKind.Kind, 902, [], Fault("ghost-vehicle")),
            new("misbehavior-dongfeng-replayed-bsm", "misbehavior-dongfeng-replayed-bsm", FaultKind.Kind, 903, [], Fault("replayed-bsm")),
            new("misbehavior-dongfeng-frozen-clock", "misbehavior-dongfeng-frozen-clock", FaultKind.Kind, 904, [], Fault("frozen-clock")),
        ];

        // Training: three seeds per fault, each varying what a detector must not learn by heart.
        string[] rsus = ["RSU-DF-01", "RSU-DF-02", "RSU-DF-03"];
        double[] rates = [1.2, 1.5, 2.0];
        double[] bearings = [331.6, 61.6, 151.6];
        for (int i = 0; i < 3; i++)
        {
            int seed = 11 + i;
            recipes.Add(new($"training/misbehavior/drift-radar-{seed}", $"train-drift-radar-{seed}", FaultKind.Kind, seed,
                new() { ["driftMPerMin"] = rates[i], ["bearingDeg"] = bearings[i], ["durationS"] = 120 + (15 * i) }, Fault("drift-radar", rsus[i])));
            recipes.Add(new($"training/misbehavior/ghost-vehicle-{seed}", $"train-ghost-vehicle-{seed}", FaultKind.Kind, seed,
                new() { ["startS"] = 3 + (2 * i) }, Fault("ghost-vehicle")));
            recipes.Add(new($"training/misbehavior/replayed-bsm-{seed}", $"train-replayed-bsm-{seed}", FaultKind.Kind, seed,
                new() { ["startS"] = 10 + (5 * i), ["delayS"] = 3 + (2 * i) }, Fault("replayed-bsm")));
            recipes.Add(new($"training/misbehavior/frozen-clock-{seed}", $"train-frozen-clock-{seed}", FaultKind.Kind, seed,
                new() { ["startS"] = 15 + (10 * i) }, Fault("frozen-clock", rsus[i])));
        }

        // Two more drifts, slower and faster, on other RSUs and bearings: a slow drift is the fault hardest to tell from
        // noise in its first minute, and three examples were too few for the trees to learn where it starts to show.
        (string Rsu, double Rate, double Bearing, int DurationS)[] drifts = [("RSU-DF-01", 1.0, 241.6, 150), ("RSU-DF-02", 1.8, 331.6, 120)];
        for (int i = 0; i < drifts.Length; i++)
        {
            int seed = 14 + i;
            recipes.Add(new($"training/misbehavior/drift-radar-{seed}", $"train-drift-radar-{seed}", FaultKind.Kind, seed,
                new() { ["driftMPerMin"] = drifts[i].Rate, ["bearingDeg"] = drifts[i].Bearing, ["durationS"] = drifts[i].DurationS }, Fault("drift-radar", drifts[i].Rsu)));
        }

        for (int i = 0; i < 2; i++)
        {
            int seed = 21 + i;
            recipes.Add(new($"training/misbehavior/clean-{seed}", $"train-clean-{seed}", FaultKind.Kind, seed,
                new() { ["durationS"] = 60, ["participants"] = 40 + (20 * i) }, Fault("none")));
        }

        // Traffic from free flow to congested: demand and slow crawlers (queues behind them), 60 s each.
        (int Participants, int Crawlers)[] demand = [(30, 0), (80, 1), (120, 3), (160, 5), (200, 8)];
        for (int i = 0; i < demand.Length; i++)
        {
            int seed = 31 + i;
            (int participants, int crawlers) = demand[i];
            recipes.Add(new($"training/traffic/demand-{participants}-{seed}", $"train-traffic-{participants}-{seed}", "mixed", seed,
                new() { ["participants"] = participants, ["durationS"] = 60, ["connectedShare"] = 0.3, ["vruShare"] = 0.1, ["crawlers"] = crawlers }, null,
                $"Traffic-state training data: {participants} road users on the whole zone over 60 s with {crawlers} slow crawler(s) on Dongfeng Street; free flow, slowing behind the crawlers and queues at the red lights."));
        }

        return recipes;
    }

    /// <summary>
    /// Parses <c>key=value</c> arguments: numbers (invariant culture) into the result, words (<c>fault=drift-radar</c>,
    /// <c>rsu=RSU-DF-01</c>: letters, digits, <c>-</c> and <c>_</c>) into <paramref name="choices"/>.
    /// </summary>
    public static Dictionary<string, double> ParseArguments(IEnumerable<string> pairs, out Dictionary<string, string> choices)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        List<string> numbers = [];
        choices = new(StringComparer.Ordinal);
        foreach (string pair in pairs)
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            string value = eq > 0 ? pair[(eq + 1)..] : "";
            if (eq > 0 && value.Length > 0 && char.IsLetter(value[0]) && value.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_'))
            {
                choices[pair[..eq]] = value;
            }
            else
            {
                numbers.Add(pair);
            }
        }

        return ParseParameters(numbers);
    }

    /// <summary>Parses <c>key=value</c> parameters (invariant culture).</summary>
    public static Dictionary<string, double> ParseParameters(IEnumerable<string> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        Dictionary<string, double> result = [];
        foreach (string pair in pairs)
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !double.TryParse(pair.AsSpan(eq + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                throw new FormatException($"--param {pair}: expected NAME=NUMBER, e.g. participants=400");
            }

            result[pair[..eq]] = value;
        }

        return result;
    }
}
