using System.CommandLine;
using QiZhiChunCheng.Scenarios.Generation;

namespace QiZhiChunCheng.Cli.Commands;

/// <summary>
/// <c>qzcc scenario generate KIND --out DIR [--seed N] [--negative] [--param NAME=NUMBER|WORD]...</c>: writes a generated
/// scenario folder (scenario.json, messages.jsonl.gz, truth.jsonl.gz, expected-events.json). KIND <c>library</c>
/// regenerates the committed library (every folder the generator owns, and the rush-hour recipe) under DIR.
/// </summary>
internal static class ScenarioGenerateCommand
{
    public static Command Create()
    {
        Argument<string> kind = new("KIND") { Description = $"What to generate: {string.Join(", ", ScenarioGenerator.Kinds)}, or library (the whole committed library under --out)" };
        Option<string> output = new("--out") { Description = "The scenario folder to write (for library: the scenarios/ folder)", Required = true };
        Option<int?> seed = new("--seed") { Description = "The random seed (default: the kind's library seed, else 1); the same seed gives the same bytes" };
        Option<bool> negative = new("--negative") { Description = "The near miss of a scripted kind: the application must not fire" };
        Option<string[]> parameters = new("--param") { Description = "A kind parameter, NAME=NUMBER or NAME=WORD (mixed, rush-hour: participants, durationS, connectedShare, vruShare, crawlers; misbehavior: fault=drift-radar|ghost-vehicle|replayed-bsm|frozen-clock|none, rsu=RSU-DF-01, startS, durationS, driftMPerMin, bearingDeg, delayS)", AllowMultipleArgumentsPerToken = false };
        Command generate = new("generate", "Generate a scenario on the default zone: lane-following traffic, signals, sensor models, truth and expected events");
        generate.Arguments.Add(kind);
        generate.Options.Add(output);
        generate.Options.Add(seed);
        generate.Options.Add(negative);
        generate.Options.Add(parameters);
        generate.SetAction(parse =>
        {
            string k = parse.GetValue(kind)!.ToLowerInvariant();
            string dir = parse.GetValue(output)!;
            try
            {
                if (k == "library")
                {
                    ScenarioGenerator.GenerateLibrary(dir);
                    parse.InvocationConfiguration.Output.WriteLine($"generated {ScenarioGenerator.Library.Count} scenarios and the rush-hour recipe under {dir}");
                    return 0;
                }

                if (!ScenarioGenerator.Kinds.Contains(k))
                {
                    return Fail(parse, $"unknown kind '{k}': expected one of {string.Join(", ", ScenarioGenerator.Kinds)}, library");
                }

                bool neg = parse.GetValue(negative);
                int s = parse.GetValue(seed) ?? ScenarioGenerator.Library.FirstOrDefault(e => e.Kind == k && e.Negative == neg)?.Seed ?? 1;
                var numbers = ScenarioGenerator.ParseArguments(parse.GetValue(parameters) ?? [], out var choices);
                var manifest = ScenarioGenerator.Generate(k, s, neg, numbers, dir, choices);
                parse.InvocationConfiguration.Output.WriteLine($"generated {manifest.Name} ({manifest.Kind}{(manifest.Negative ? ", negative" : "")}, seed {s}, {manifest.DurationMs / 1000.0:0.#} s) in {dir}");
                return 0;
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                return Fail(parse, ex.Message);
            }
        });
        return generate;
    }

    private static int Fail(ParseResult parse, string reason)
    {
        parse.InvocationConfiguration.Error.WriteLine($"scenario generate: {reason}");
        return 1;
    }
}
