using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using QiZhiChunCheng.Cli.Bench;
using QiZhiChunCheng.Core;

namespace QiZhiChunCheng.Cli.Commands;

/// <summary><c>qzcc bench e2e</c>: the end-to-end load harness (<see cref="E2eHarness"/>).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        Option<double> rate = new("--rate") { Description = "Target messages per second over all simulated devices", DefaultValueFactory = _ => 20_000 };
        Option<double> duration = new("--duration") { Description = "Seconds measured (after the warm-up)", DefaultValueFactory = _ => 30 };
        Option<int> workers = new("--workers") { Description = "Fusion workers", DefaultValueFactory = _ => 2 };
        Option<int> partitions = new("--partitions") { Description = "Partitions of the data topics (default: two per worker in process, 12 on Kafka)" };
        Option<string?> kafka = new("--kafka") { Description = "Run the bus on Kafka: 'mock' (librdkafka's mock cluster in this process) or HOST:PORT[,HOST:PORT]; default the in-process bus" };
        Option<int> connections = new("--connections") { Description = "MQTT connections the vehicles' BSMs are spread over", DefaultValueFactory = _ => 16 };
        Option<double> warmUp = new("--warmup") { Description = "Seconds at the start not measured", DefaultValueFactory = _ => 3 };
        Option<bool> noDownlink = new("--no-downlink") { Description = "Do not send warnings down over MQTT (to see what the downlink costs)" };
        Option<bool> json = new("--json") { Description = "Print one JSON object (sustainedMsgsPerS, p50Ms, p99Ms, maxMs, lost, ...) instead of the table" };

        Command e2e = new("e2e", "Publish generated traffic through the real MQTT broker and bus and measure message-to-result latency, throughput and loss");
        foreach (Option option in (Option[])[rate, duration, warmUp, workers, partitions, kafka, connections, noDownlink, json])
        {
            e2e.Options.Add(option);
        }

        e2e.SetAction(async (parse, cancellationToken) =>
        {
            E2eOptions options = new()
            {
                Rate = parse.GetValue(rate),
                DurationS = parse.GetValue(duration),
                WarmUpS = parse.GetValue(warmUp),
                Workers = parse.GetValue(workers),
                Partitions = parse.GetValue(partitions),
                Kafka = parse.GetValue(kafka),
                Connections = parse.GetValue(connections),
                Downlink = !parse.GetValue(noDownlink),
            };
            if (options.Rate is < 100 or > 1_000_000)
            {
                return Fail("--rate must be 100..1000000 messages/s");
            }

            if (options.DurationS is < 1 or > 86_400)
            {
                return Fail("--duration must be 1..86400 seconds");
            }

            if (options.Workers is < 1 or > 64 || options.Partitions is < 0 or > 1024 || options.Connections is < 1 or > 1000)
            {
                return Fail("--workers must be 1..64, --partitions 0..1024, --connections 1..1000");
            }

            bool asJson = parse.GetValue(json);
            E2eResult result;
            try
            {
                result = await E2eHarness.RunAsync(options, asJson ? null : line => Console.Error.WriteLine(line), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return Fail("stopped before the end");
            }
            catch (Exception ex) when (ex is InfrastructureException or SocketException or IOException or NotSupportedException)
            {
                return Fail(ex.Message);
            }

            if (asJson)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(result, BenchJsonContext.Default.E2eResult));
            }
            else
            {
                Print(result);
            }

            return 0;
        });

        Command bench = new("bench", "Measure the platform end to end (the BenchmarkDotNet suites live in benchmarks/)");
        bench.Subcommands.Add(e2e);
        return bench;
    }

    private static void Print(E2eResult r)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        Console.Out.WriteLine(string.Create(c, $"bus {r.Bus}, {r.Partitions} partitions, {r.Workers} workers, {r.Vehicles} vehicles, {r.DurationS:0.#} s measured"));
        Console.Out.WriteLine(string.Create(c, $"  sustained      {r.SustainedMsgsPerS,10:0} msg/s (target {r.TargetMsgsPerS:0})"));
        Console.Out.WriteLine(string.Create(c, $"  latency p50    {r.P50Ms,10:0.00} ms"));
        Console.Out.WriteLine(string.Create(c, $"  latency p99    {r.P99Ms,10:0.00} ms"));
        Console.Out.WriteLine(string.Create(c, $"  of which ingest p50 {r.IngestP50Ms:0} ms, p99 {r.IngestP99Ms:0} ms (generation to the broker's hand-over, 1 ms steps)"));
        Console.Out.WriteLine(string.Create(c, $"  latency max    {r.MaxMs,10:0.00} ms  ({r.Measured} messages measured)"));
        Console.Out.WriteLine(string.Create(c, $"  lost           {r.Lost,10}     of {r.Published} published ({r.Rejected} rejected)"));
        Console.Out.WriteLine(string.Create(c, $"  events         {r.Events,10}     ({string.Join(", ", r.EventsByType.Select(e => $"{e.Key} {e.Value}"))}, onsets since start)"));
        Console.Out.WriteLine(string.Create(c, $"  CPU            {r.CpuPercent,10:0.0} % of {Environment.ProcessorCount} cores (harness and cloud in one process)"));
        Console.Out.WriteLine(string.Create(c, $"  peak memory    {r.PeakMemoryMb,10:0} MB"));
    }

    private static int Fail(string reason)
    {
        Console.Error.WriteLine($"qzcc bench e2e: {reason}");
        return 1;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(E2eResult))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
