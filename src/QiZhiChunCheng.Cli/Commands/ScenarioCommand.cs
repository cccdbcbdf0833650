using System.CommandLine;
using System.Globalization;
using QiZhiChunCheng.Core;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Mqtt;
using QiZhiChunCheng.Scenarios.Format;
using QiZhiChunCheng.Scenarios.Record;
using QiZhiChunCheng.Scenarios.Replay;
using QiZhiChunCheng.Scenarios.Verify;

namespace QiZhiChunCheng.Cli.Commands;

/// <summary>
/// <c>qzcc scenario list|record|replay|verify</c> (and <c>generate</c>, registered by the generator): the scenario
/// folders of scenarios/README.md. Output and errors go through the invocation's writers, so tests can read them;
/// progress goes to the error writer, redrawn in place on a terminal and as plain lines otherwise.
/// </summary>
internal static class ScenarioCommand
{
    public static Command Create()
    {
        Command scenario = new("scenario", "Scenarios: list, record from a broker, replay over MQTT or into an in-process engine, verify against their expected events");
        scenario.Subcommands.Add(CreateList());
        scenario.Subcommands.Add(CreateRecord());
        scenario.Subcommands.Add(CreateReplay());
        scenario.Subcommands.Add(CreateVerify());

        scenario.Subcommands.Add(ScenarioGenerateCommand.Create());
        return scenario;
    }

    private static Command CreateList()
    {
        Argument<string?> dir = new("DIR") { Description = "Where to look (default: the repository's scenarios/)", Arity = ArgumentArity.ZeroOrOne };
        Command list = new("list", "The scenario folders with their kind, whether they are negative, and their duration");
        list.Arguments.Add(dir);
        list.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            string? root = parse.GetValue(dir) ?? FindLibrary();
            if (root is null || !Directory.Exists(root))
            {
                return Fail(parse, "list", root is null ? "no scenarios/ folder above the current folder; give DIR" : $"{root}: no such folder");
            }

            IReadOnlyList<string> folders = ScenarioFolder.Find(root);
            output.WriteLine($"{"scenario",-40} {"kind",-12} {"negative",-8} {"duration",9}  files");
            int bad = 0;
            foreach (string folder in folders)
            {
                try
                {
                    ScenarioManifest m = ScenarioFolder.ReadManifest(folder);
                    string files = m.Generator is { } g && !File.Exists(Path.Combine(folder, "messages.jsonl")) && !File.Exists(Path.Combine(folder, "messages.jsonl.gz"))
                        ? $"recipe ({g.Kind}, seed {g.Seed})"
                        : File.Exists(Path.Combine(folder, "messages.jsonl.gz")) ? "jsonl.gz" : "jsonl";
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{m.Name,-40} {m.Kind,-12} {(m.Negative ? "yes" : "no"),-8} {m.DurationMs / 1000.0,8:F1}s  {files}"));
                }
                catch (Exception ex) when (ex is ScenarioFormatException or IOException)
                {
                    bad++;
                    output.WriteLine($"{Path.GetFileName(folder),-40} unreadable: {ex.Message}");
                }
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{folders.Count} scenarios under {Path.GetFullPath(root)}"));
            return bad == 0 ? 0 : Fail(parse, "list", string.Create(CultureInfo.InvariantCulture, $"{bad} scenario folder(s) could not be read"));
        });
        return list;
    }

    private static Command CreateRecord()
    {
        Option<string> mqtt = new("--mqtt") { Description = "The broker to tap, HOST:PORT", Required = true };
        Option<string> output = new("--out") { Description = "A new folder for the scenario", Required = true };
        Option<double?> duration = new("--duration") { Description = "Stop after this many seconds (default: at Ctrl-C)" };
        Option<string?> prefix = new("--prefix") { Description = "The zone prefix of the topics (removed from the recorded ones)" };
        Option<bool> gzip = new("--gzip") { Description = "Write messages.jsonl.gz" };
        Command record = new("record", "Tap a live broker into a scenario folder: every uplink on V2X/# into messages.jsonl, with scenario.json (kind MIXED); truth and expectations can be added by hand");
        foreach (Option option in new Option[] { mqtt, output, duration, prefix, gzip })
        {
            record.Options.Add(option);
        }

        record.SetAction(async (parse, cancellationToken) =>
        {
            if (!TryEndpoint(parse, "record", parse.GetValue(mqtt)!, out MqttEndpoint endpoint))
            {
                return 1;
            }

            if (parse.GetValue(duration) is <= 0)
            {
                return Fail(parse, "record", "--duration must be positive");
            }

            string outDir = parse.GetValue(output)!;
            TextWriter error = parse.InvocationConfiguration.Error;
            try
            {
                MqttRecordResult result = await MqttRecorder.RunAsync(
                    outDir,
                    new MqttRecordOptions
                    {
                        Endpoint = endpoint,
                        ZonePrefix = parse.GetValue(prefix),
                        Duration = parse.GetValue(duration) is { } s ? TimeSpan.FromSeconds(s) : null,
                        Compress = parse.GetValue(gzip),
                    },
                    new ProgressBar(error, IsTerminal(parse), "recording"),
                    cancellationToken);
                parse.InvocationConfiguration.Output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"recorded {result.Recorded} messages over {result.DurationMs / 1000.0:F1} s into {Path.GetFullPath(result.Folder)} ({result.Ignored} downlinks and foreign topics left out)"));
                return 0;
            }
            catch (Exception ex) when (ex is InfrastructureException or IOException or UnauthorizedAccessException)
            {
                return Fail(parse, "record", ex.Message);
            }
        });
        return record;
    }

    private static Command CreateReplay()
    {
        Argument<string> dir = new("DIR") { Description = "The scenario folder" };
        Option<string> speed = new("--speed") { Description = "Over MQTT: 1 (real time), 10, any factor, or max", DefaultValueFactory = _ => "1" };
        Option<string?> mqtt = new("--mqtt") { Description = "Publish to this broker, HOST:PORT, as the devices would; without it the scenario runs straight into an in-process engine (offline, as fast as it can) and its events are printed" };
        Option<string?> prefix = new("--prefix") { Description = "Publish under this zone prefix" };
        Option<bool> noMl = MlCommand.NoMlOption();
        Command replay = new("replay", "Replay a scenario, moved to the current time: over MQTT (with seq and ts, payload times moved), or into an in-process engine");
        replay.Arguments.Add(dir);
        foreach (Option option in new Option[] { speed, mqtt, prefix, noMl })
        {
            replay.Options.Add(option);
        }

        replay.SetAction(async (parse, cancellationToken) =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            double factor;
            if (parse.GetValue(speed) is "max")
            {
                factor = double.PositiveInfinity;
            }
            else if (!double.TryParse(parse.GetValue(speed), NumberStyles.Float, CultureInfo.InvariantCulture, out factor) || !(factor > 0) || double.IsInfinity(factor))
            {
                return Fail(parse, "replay", $"--speed: '{parse.GetValue(speed)}' is not a positive number or max");
            }

            ScenarioFolder folder;
            try
            {
                folder = ScenarioFolder.Open(parse.GetValue(dir)!);
            }
            catch (Exception ex) when (ex is ScenarioFormatException or IOException)
            {
                return Fail(parse, "replay", ex.Message);
            }

            ProgressBar progress = new(error, IsTerminal(parse), folder.Manifest.Name);
            if (parse.GetValue(mqtt) is not { } broker)
            {
                return ReplayInProcess(parse, folder, progress, ReplayOptions(folder.Path, parse.GetValue(noMl), error), cancellationToken);
            }

            if (!TryEndpoint(parse, "replay", broker, out MqttEndpoint endpoint))
            {
                return 1;
            }

            try
            {
                MqttReplayResult result = await MqttReplayer.RunAsync(folder, new MqttReplayOptions { Endpoint = endpoint, Speed = factor, ZonePrefix = parse.GetValue(prefix) }, progress, cancellationToken);
                foreach (string problem in result.Problems)
                {
                    error.WriteLine($"qzcc scenario replay: {problem}");
                }

                output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{(result.Stopped ? "stopped: " : "")}published {result.Published} messages of {folder.Manifest.Name} to {endpoint} in {result.Elapsed.TotalSeconds:F1} s ({result.Published / Math.Max(result.Elapsed.TotalSeconds, 1e-3):F0} msg/s), start moved to {DateTimeOffset.FromUnixTimeMilliseconds(result.StartUtcMs):yyyy-MM-dd'T'HH:mm:ss.fff'Z'}; skipped {result.Skipped}, refused by the broker {result.Refused}"));
                return result.Refused > 0 ? Fail(parse, "replay", string.Create(CultureInfo.InvariantCulture, $"the broker refused {result.Refused} publishes")) : 0;
            }
            catch (Exception ex) when (ex is InfrastructureException or ScenarioFormatException or IOException)
            {
                return Fail(parse, "replay", ex.Message);
            }
        });
        return replay;
    }

    private static int ReplayInProcess(ParseResult parse, ScenarioFolder folder, ProgressBar progress, InProcessReplayOptions? options, CancellationToken cancellationToken)
    {
        TextWriter output = parse.InvocationConfiguration.Output;
        long messages = 0;
        ReplayResult result;
        try
        {
            result = InProcessReplay.Run(folder, options, progress: t => progress.Report(t, folder.Manifest.DurationMs, ++messages), cancellationToken: cancellationToken);
        }
        catch (OperationCanceledException)
        {
            progress.Finish(0, folder.Manifest.DurationMs, messages);
            output.WriteLine("stopped");
            return 0;
        }

        progress.Finish(folder.Manifest.DurationMs, folder.Manifest.DurationMs, messages);
        foreach (V2xEvent e in result.Events)
        {
            output.WriteLine(ConsoleEventPrinter.Format(e));
        }

        foreach (string problem in result.Problems)
        {
            parse.InvocationConfiguration.Error.WriteLine($"qzcc scenario replay: {problem}");
        }

        string onsets = string.Join(", ", result.Events.Where(e => e.Phase == EventPhase.Onset).GroupBy(e => V2xEvent.TypeCode(e.Type)).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Count()}")));
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{folder.Manifest.Name}: {result.Messages} messages ({result.Rejected} refused), {result.Ticks} ticks, onsets: {(onsets.Length == 0 ? "none" : onsets)}; fusion RMSE {(result.Fusion.RmseM is { } r ? r.ToString("F2", CultureInfo.InvariantCulture) + " m" : "-")}"));
        return result.BadLines > 0 ? Fail(parse, "replay", string.Create(CultureInfo.InvariantCulture, $"{result.BadLines} line(s) could not be read")) : 0;
    }

    private static Command CreateVerify()
    {
        Argument<string[]> dirs = new("DIR") { Description = "Scenario folders, or folders to search for them (scenarios/ verifies the library)", Arity = ArgumentArity.OneOrMore };
        Option<string?> report = new("--report") { Description = "Also write the report as Markdown to FILE.md" };
        Option<bool> json = new("--json") { Description = "Print the report as JSON on standard output (the shape of ARCHITECTURE.md)" };
        Option<bool> noMl = MlCommand.NoMlOption();
        Command verify = new("verify", "Replay each scenario in process and check its expected events; per application precision and recall, lead time, fusion error; exit 1 when any scenario fails");
        verify.Arguments.Add(dirs);
        verify.Options.Add(report);
        verify.Options.Add(json);
        verify.Options.Add(noMl);
        verify.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            List<string> folders = [];
            foreach (string dir in parse.GetValue(dirs)!)
            {
                if (!Directory.Exists(dir))
                {
                    return Fail(parse, "verify", $"{dir}: no such folder");
                }

                folders.AddRange(ScenarioFolder.Find(dir));
            }

            if (folders.Count == 0)
            {
                return Fail(parse, "verify", $"no scenario folders (with a scenario.json) in {string.Join(", ", parse.GetValue(dirs)!)}");
            }

            List<ScenarioVerdict> verdicts = [];
            foreach (string folder in folders)
            {
                ScenarioVerdict v = ScenarioVerifier.Verify(folder, options: ReplayOptions(folder, parse.GetValue(noMl), error));
                verdicts.Add(v);
                error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{verdicts.Count}/{folders.Count}] {v.Name}: {(v.Passed ? "passed" : "FAILED")} ({v.Matched}/{v.Expected} matched, {v.Unexpected} unexpected, {v.WallMs / 1000:F1} s)"));
                foreach (string failure in v.Failures)
                {
                    error.WriteLine($"    {failure}");
                }
            }

            VerifyReport result = VerifyReport.From(verdicts);
            if (parse.GetValue(report) is { } file)
            {
                File.WriteAllText(file, result.ToMarkdown());
            }

            if (parse.GetValue(json))
            {
                output.WriteLine(result.ToJson());
            }
            else
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.Passed} passed, {result.Failed} failed"));
                foreach ((string type, ApplicationScore a) in result.Applications)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {type,-6} recall {Pct(a.Recall)}  precision {Pct(a.Precision)}  ({a.Matched}/{a.Expected} matched, {a.FalsePositives} false positives){(a.MeanLeadTimeMs is { } lead ? $", lead time {lead:F0} ms" : "")}"));
                }
            }

            return result.Failed == 0 ? 0 : Fail(parse, "verify", string.Create(CultureInfo.InvariantCulture, $"{result.Failed} of {verdicts.Count} scenarios failed, the first: {verdicts.First(v => !v.Passed).Name}"));

            static string Pct(double? v) => v is { } x ? (x * 100).ToString("F1", CultureInfo.InvariantCulture) + " %" : "-";
        });
        return verify;
    }

    /// <summary>
    /// The in-process replay of a folder with the shipped models in the engine (null with --no-ml, or when the
    /// manifest cannot be read: the replay then reports that itself).
    /// </summary>
    private static InProcessReplayOptions? ReplayOptions(string dir, bool noMl, TextWriter warnings)
    {
        if (noMl)
        {
            return null;
        }

        try
        {
            return new InProcessReplayOptions { Engine = MlCommand.WithModels(InProcessReplay.EngineOptionsFor(ScenarioFolder.ReadManifest(dir)), noMl: false, warnings) };
        }
        catch (Exception ex) when (ex is ScenarioFormatException or IOException)
        {
            return null;
        }
    }

    /// <summary>The repository's scenarios/ folder, looked for above the current folder, then above the executable's.</summary>
    internal static string? FindLibrary()
    {
        foreach (string start in (ReadOnlySpan<string>)[Directory.GetCurrentDirectory(), AppContext.BaseDirectory])
        {
            for (DirectoryInfo? d = new(start); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "QiZhiChunCheng.sln")))
                {
                    string scenarios = Path.Combine(d.FullName, "scenarios");
                    if (Directory.Exists(scenarios))
                    {
                        return scenarios;
                    }

                    break;
                }
            }
        }

        return null;
    }

    private static bool IsTerminal(ParseResult parse) =>
        ReferenceEquals(parse.InvocationConfiguration.Error, Console.Error) && !Console.IsErrorRedirected;

    private static bool TryEndpoint(ParseResult parse, string command, string text, out MqttEndpoint endpoint)
    {
        try
        {
            endpoint = MqttEndpoint.Parse(text);
            return true;
        }
        catch (FormatException ex)
        {
            endpoint = default;
            Fail(parse, command, $"--mqtt: {ex.Message}");
            return false;
        }
    }

    private static int Fail(ParseResult parse, string command, string reason)
    {
        parse.InvocationConfiguration.Error.WriteLine($"qzcc scenario {command}: {reason}");
        return 1;
    }
}
