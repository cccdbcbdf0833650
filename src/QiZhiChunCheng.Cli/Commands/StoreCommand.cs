using System.CommandLine;
using System.Globalization;
using QiZhiChunCheng.Cloud.Store;
using QiZhiChunCheng.Core.Events;

namespace QiZhiChunCheng.Cli.Commands;

/// <summary>
/// <c>qzcc store seed</c> fills an event store with made-up events (load tests of the map page, the crash test's
/// writer); <c>qzcc store check</c> checks a store's consistency (after a crash, say) and exits 1 on a problem.
/// </summary>
internal static class StoreCommand
{
    public static Command Create()
    {
        Command store = new("store", "The event store: fill it with made-up events, or check its consistency");
        store.Subcommands.Add(CreateSeed());
        store.Subcommands.Add(CreateCheck());
        return store;
    }

    private static Option<string> StoreOption() => new("--store") { Description = "The SQLite event store file", DefaultValueFactory = _ => Path.Combine("qzcc-data", "events.db") };

    private static Command CreateSeed()
    {
        Option<string> path = StoreOption();
        Option<long> count = new("--events") { Description = "How many events (each onset, and every other one its clear)", DefaultValueFactory = _ => 100_000 };
        Option<int> days = new("--days") { Description = "Spread the onsets over this many days up to now", DefaultValueFactory = _ => 30 };
        Option<int> seed = new("--seed") { Description = "Seed of the generator; the same seed gives the same events", DefaultValueFactory = _ => 1 };
        Option<int> batch = new("--batch") { Description = "Events per transaction", DefaultValueFactory = _ => 5000 };
        Command command = new("seed", "Add made-up events around the zone's intersections and roads, with morning and evening peaks; prints a line per committed batch");
        command.Options.Add(path);
        command.Options.Add(count);
        command.Options.Add(days);
        command.Options.Add(seed);
        command.Options.Add(batch);
        command.SetAction(async (parse, cancellationToken) =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(count) < 1 || parse.GetValue(days) < 1 || parse.GetValue(batch) < 1)
            {
                parse.InvocationConfiguration.Error.WriteLine("qzcc store seed: --events, --days and --batch must be positive");
                return 1;
            }

            await using SqliteEventStore store = await SqliteEventStore.OpenAsync(parse.GetValue(path)!, cancellationToken);
            SyntheticEvents generator = new(parse.GetValue(seed), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), parse.GetValue(days), parse.GetValue(count));
            List<V2xEvent> events = [];
            long written = 0;
            long target = parse.GetValue(count);
            System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
            while (written < target)
            {
                events.Clear();
                long before = written;
                while (written < target && written - before < parse.GetValue(batch))
                {
                    generator.Next(events);
                    written++;
                }

                await store.WriteAsync(events, cancellationToken);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"committed {written} events"));
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {written} events to {Path.GetFullPath(parse.GetValue(path)!)} in {clock.Elapsed.TotalSeconds:F1} s ({written / Math.Max(0.001, clock.Elapsed.TotalSeconds):F0} events/s)"));
            return 0;
        });
        return command;
    }

    private static Command CreateCheck()
    {
        Option<string> path = StoreOption();
        Command command = new("check", "Check a store: SQLite's integrity check, one R*Tree row and at least one phase per event");
        command.Options.Add(path);
        command.SetAction(async (parse, cancellationToken) =>
        {
            string file = parse.GetValue(path)!;
            if (!File.Exists(file))
            {
                parse.InvocationConfiguration.Error.WriteLine($"qzcc store check: {file} does not exist");
                return 1;
            }

            await using SqliteEventStore store = await SqliteEventStore.OpenAsync(file, cancellationToken);
            IReadOnlyList<string> problems = await store.CheckAsync(cancellationToken);
            long events = await store.CountAsync(cancellationToken);
            foreach (string problem in problems)
            {
                parse.InvocationConfiguration.Output.WriteLine(problem);
            }

            if (problems.Count > 0)
            {
                parse.InvocationConfiguration.Error.WriteLine($"qzcc store check: {file} has {problems.Count} problem(s), the first: {problems[0]}");
                return 1;
            }

            parse.InvocationConfiguration.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFullPath(file)}: {events} events, consistent"));
            return 0;
        });
        return command;
    }
}
