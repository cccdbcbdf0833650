using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using QiZhiChunCheng.Cloud;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;
using QiZhiChunCheng.Edge.Simulation;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Cli.Commands;

/// <summary>
/// <c>qzcc demo</c>: the whole platform in one process on embedded defaults: the MQTT broker, ingest, the
/// in-process bus, detection, the SQLite store and the HTTP API, with simulated RSUs and vehicles on Dongfeng
/// Street. Prints one line per event; with <c>--duration</c> stops by itself and prints a summary.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        Option<int?> duration = new("--duration") { Description = "Stop after this many seconds and print a summary (default: run until Ctrl-C)" };
        Option<string> http = new("--http") { Description = "Address of the HTTP API and map", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        Option<string> mqtt = new("--mqtt") { Description = "HOST:PORT where the embedded MQTT broker listens (port 0 picks a free one)", DefaultValueFactory = _ => "127.0.0.1:1883" };
        Option<string> data = new("--data") { Description = "Folder for the event store and the dead letter log", DefaultValueFactory = _ => "qzcc-data" };
        Option<int> workers = new("--workers") { Description = "Detection workers", DefaultValueFactory = _ => 2 };
        Option<string> retention = new("--retention") { Description = "Keep events this long after their last phase: days (30, 7d), hours (12h) or minutes (90m); older ones are pruned in the background", DefaultValueFactory = _ => "30d" };
        Option<string?> kafka = new("--kafka") { Description = "Run the bus on Kafka: 'mock' (librdkafka's mock cluster in this process) or HOST:PORT[,HOST:PORT]; default the in-process bus" };
        Option<bool> noMl = MlCommand.NoMlOption();
        Option<string?> tiles = new("--tiles") { Description = "A tile URL template for the map page's background (https://host/{z}/{x}/{y}.png); default none: the zone on a plain background, works offline" };

        Command command = new("demo", "Run the platform end to end on embedded defaults with simulated traffic on Dongfeng Street");
        command.Options.Add(duration);
        command.Options.Add(http);
        command.Options.Add(mqtt);
        command.Options.Add(data);
        command.Options.Add(workers);
        command.Options.Add(retention);
        command.Options.Add(tiles);
        command.Options.Add(kafka);
        command.Options.Add(noMl);
        command.SetAction(async (parse, cancellationToken) =>
        {
            int? seconds = parse.GetValue(duration);
            if (seconds is <= 0)
            {
                return Fail("--duration must be a positive number of seconds");
            }

            if (parse.GetValue(workers) is < 1 or > 64)
            {
                return Fail("--workers must be 1..64");
            }

            MqttEndpoint endpoint;
            try
            {
                endpoint = MqttEndpoint.Parse(parse.GetValue(mqtt)!);
            }
            catch (FormatException ex)
            {
                return Fail($"--mqtt: {ex.Message}");
            }

            if (!Uri.TryCreate(parse.GetValue(http), UriKind.Absolute, out Uri? httpUri) || httpUri.Scheme is not ("http" or "https"))
            {
                return Fail($"--http: '{parse.GetValue(http)}' is not an http:// address");
            }

            if (!TryParseRetention(parse.GetValue(retention)!, out TimeSpan keep))
            {
                return Fail($"--retention: '{parse.GetValue(retention)}' is not a duration (30, 30d, 12h, 90m)");
            }

            CloudOptions options = new()
            {
                Mqtt = endpoint,
                HttpUrl = httpUri.ToString().TrimEnd('/'),
                DataDir = parse.GetValue(data)!,
                Workers = parse.GetValue(workers),
                Retention = keep,
                TileUrl = parse.GetValue(tiles),
                Kafka = parse.GetValue(kafka),
                ExtraSinks = [new ConsoleEventPrinter()],
            };
            options = options with { Engine = MlCommand.WithModels(options.Engine, parse.GetValue(noMl), parse.InvocationConfiguration.Error) };
            return await RunAsync(options, seconds, cancellationToken);
        });
        return command;
    }

    /// <summary>A retention: a number of days, or a number with d, h or m.</summary>
    internal static bool TryParseRetention(string text, out TimeSpan retention)
    {
        retention = default;
        text = text.Trim();
        double scale = 1;
        if (text.Length > 1 && char.IsLetter(text[^1]))
        {
            scale = char.ToLowerInvariant(text[^1]) switch { 'd' => 1, 'h' => 1 / 24.0, 'm' => 1 / 1440.0, _ => double.NaN };
            text = text[..^1];
        }

        if (double.IsNaN(scale) || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value > 0) || value * scale > 36_500)
        {
            return false;
        }

        retention = TimeSpan.FromDays(value * scale);
        return true;
    }

    private static async Task<int> RunAsync(CloudOptions options, int? seconds, CancellationToken cancellationToken)
    {
        string dataDir = options.DataDir;
        CloudHost cloud;
        try
        {
            cloud = await CloudHost.StartAsync(options, cancellationToken);
        }
        catch (Exception ex) when (ex is SocketException or IOException or QiZhiChunCheng.Core.InfrastructureException || ex.InnerException is SocketException)
        {
            return Fail($"cannot start: {ex.Message} (is another qzcc running? choose other ports with --mqtt 127.0.0.1:0 --http http://127.0.0.1:0)");
        }

        await using (cloud)
        {
            Console.Out.WriteLine($"qzcc demo: MQTT broker on {cloud.MqttEndpoint}, the event map at {cloud.HttpAddress} (API {cloud.HttpAddress}api/events), store {Path.GetFullPath(Path.Combine(dataDir, "events.db"))}, events kept {options.Retention.TotalDays:0.##} days");
            Console.Out.WriteLine(seconds is { } s ? $"Simulated traffic on Dongfeng Street for {s} s; Ctrl-C stops earlier." : "Simulated traffic on Dongfeng Street; Ctrl-C stops.");
            using CancellationTokenSource run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (seconds is { } limit)
            {
                run.CancelAfter(TimeSpan.FromSeconds(limit));
            }

            EdgeSimulation edge = EdgeSimulation.DongfengDemo(cloud.MqttEndpoint, cloud.Topics);
            await edge.RunAsync(run.Token);
            await cloud.StopAsync();
            PrintSummary(cloud, edge);
        }

        return 0;
    }

    private static void PrintSummary(CloudHost cloud, EdgeSimulation edge)
    {
        CloudMetrics m = cloud.Metrics;
        Console.Out.WriteLine();
        Console.Out.WriteLine("Summary");
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  published by the edge: {edge.Counters.Published} (failed {edge.Counters.Failed})"));
        Console.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  messages in: {m.AcceptedTotal} (BSM {m.Accepted(MessageType.Bsm)}, RSM {m.Accepted(MessageType.Rsm)}, SPAT {m.Accepted(MessageType.Spat)}, MAP {m.Accepted(MessageType.Map)}, RSI {m.Accepted(MessageType.Rsi)}), heartbeats {m.Heartbeats}"));
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  rejected: {m.RejectedTotal}{RejectedDetail(m)}"));
        List<(EventType Type, long Count)> byType = [.. m.EventsByType()];
        Console.Out.WriteLine(byType.Count == 0
            ? "  events: none"
            : "  events: " + string.Join(", ", byType.Select(e => string.Create(CultureInfo.InvariantCulture, $"{V2xEvent.TypeCode(e.Type)} {e.Count}"))));
        long[] latencies = m.DetectionLatenciesMs();
        if (latencies.Length > 0)
        {
            Console.Out.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  latency from message generation to event detection: p50 {Percentile(latencies, 0.50)} ms, p95 {Percentile(latencies, 0.95)} ms, p99 {Percentile(latencies, 0.99)} ms (n={latencies.Length})"));
        }
    }

    private static string RejectedDetail(CloudMetrics m)
    {
        List<string> parts = [];
        foreach (RejectionKind kind in Enum.GetValues<RejectionKind>())
        {
            if (m.Rejected(kind) > 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{kind} {m.Rejected(kind)}"));
            }
        }

        return parts.Count == 0 ? "" : $" ({string.Join(", ", parts)})";
    }

    private static long Percentile(long[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static int Fail(string reason)
    {
        Console.Error.WriteLine($"qzcc demo: {reason}");
        return 1;
    }
}
