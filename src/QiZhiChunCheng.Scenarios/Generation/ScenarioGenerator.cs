using System.Globalization;
using System.Runtime.CompilerServices;
using QiZhiChunCheng.Scenarios.Format;
using QiZhiChunCheng.Scenarios.Generation.Kinds;

namespace QiZhiChunCheng.Scenarios.Generation;

/// <summary>One folder of the committed library: what generates it.</summary>
public sealed record LibraryEntry(string Folder, string Kind, bool Negative, int Seed);

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
    public static IReadOnlyList<string> Kinds { get; } = [.. ScriptedKinds.Kinds, "mixed", "rush-hour"];

    /// <summary>
    /// The committed library under <c>scenarios/</c>: a positive and a near-miss scenario per application, the winter
    /// pair; <c>rush-hour</c> is committed as its recipe only (<see cref="RushHourManifest"/>).
    /// </summary>
    public static IReadOnlyList<LibraryEntry> Library { get; } = BuildLibrary();

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
    public static ScenarioDraft Draft(string kind, int seed, bool negative = false, IReadOnlyDictionary<string, double>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (kind is "mixed" or "rush-hour")
        {
            return TrafficKind.Build(kind, seed, parameters ?? new Dictionary<string, double>());
        }

        return ScriptedKinds.TryBuild(kind, seed, negative, out ScenarioDraft? draft)
            ? draft!
            : throw new ArgumentException($"unknown scenario kind '{kind}': expected one of {string.Join(", ", Kinds)}", nameof(kind));
    }

    /// <summary>Generates a scenario into <paramref name="outDir"/>; returns its manifest.</summary>
    public static ScenarioManifest Generate(string kind, int seed, bool negative, IReadOnlyDictionary<string, double>? parameters, string outDir)
    {
        ScenarioDraft draft = Draft(kind, seed, negative, parameters);
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
        ScenarioDraft draft = Draft(recipe.Kind, recipe.Seed, negative, recipe.Parameters);
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
