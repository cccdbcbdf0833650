using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using QiZhiChunCheng.Cli.Bench;
using QiZhiChunCheng.Cloud;
using QiZhiChunCheng.Core;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Cli.Commands;

/// <summary><c>qzcc bench e2e</c>: the end-to-end load harness (<see cref="E2eHarness"/>).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        Option<double> rate = new("--rate") { Description = "Target messages per second over all simulated devices", DefaultValueFactory = _ => 20_000 };
        Option<double> duration = new("--duration") { Description = "Seconds measured (after the warm-up)", DefaultValueFactory = _ => 30 };
        Option<int> workers = new("--workers") { Description = "Fusion workers (default: one per core but one, which ingest needs; at least 1)", DefaultValueFactory = _ => CloudHost.DefaultWorkers };
        Option<int> partitions = new("--partitions") { Description = "Partitions of the data topics (default: one per worker in process, two per worker on Kafka)" };
        Option<string?> kafka = new("--kafka") { Description = "Run the bus on Kafka: 'mock' (librdkafka's mock cluster in this process) or HOST:PORT[,HOST:PORT]; default the in-process bus" };
        Option<int> connections = new("--connections") { Description = "MQTT connections the vehicles' BSMs are spread over", DefaultValueFactory = _ => 16 };
        Option<double> warmUp = new("--warmup") { Description = "Seconds at the start not measured (the start-up burst: JIT, every vehicle and every warning appearing at once)", DefaultValueFactory = _ => 15 };
        Option<bool> noDownlink = new("--no-downlink") { Description = "Do not send warnings down over MQTT (to see what the downlink costs)" };
        Option<bool> noTrust = new("--no-trust") { Description = "Switch the plausibility checks and quarantine off (to see what they cost)" };
        Option<bool> json = new("--json") { Description = "Print one JSON object (sustainedMsgsPerS, p50Ms, p99Ms, maxMs, lost, ...) instead of the table" };
        Option<string> generator = new("--generator") { Description = "Where the load generator runs: 'process' (its own process, at a lower priority than the cloud, as the road's devices are other machines) or 'inproc' (in this process)", DefaultValueFactory = _ => "process" };
        generator.AcceptOnlyFromAmong("process", "inproc");

        Command e2e = new("e2e", "Publish generated traffic through the real MQTT broker and bus and measure message-to-result latency, throughput and loss");
        foreach (Option option in (Option[])[rate, duration, warmUp, workers, partitions, kafka, connections, noDownlink, noTrust, generator, json])
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
                SeparateProcess = parse.GetValue(generator) != "inproc",
                Trust = !parse.GetValue(noTrust),
            };
            if (options.Rate is < 100 or > 1_000_000)
            {
                return Fail(parse, "--rate must be 100..1000000 messages/s");
            }

            if (options.DurationS is < 1 or > 86_400)
            {
                return Fail(parse, "--duration must be 1..86400 seconds");
            }

            if (options.Workers is < 1 or > 64 || options.Partitions is < 0 or > 1024 || options.Connections is < 1 or > 1000)
            {
                return Fail(parse, "--workers must be 1..64, --partitions 0..1024, --connections 1..1000");
            }

            bool asJson = parse.GetValue(json);
            E2eResult result;
            try
            {
                result = await E2eHarness.RunAsync(options, asJson ? null : line => parse.InvocationConfiguration.Error.WriteLine(line), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return Fail(parse, "stopped before the end");
            }
            catch (Exception ex) when (ex is InfrastructureException or SocketException or IOException or NotSupportedException)
            {
                return Fail(parse, ex.Message);
            }

            if (asJson)
            {
                parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(result, BenchJsonContext.Default.E2eResult));
            }
            else
            {
                Print(parse.InvocationConfiguration.Output, result);
            }

            return 0;
        });

        Command bench = new("bench", "Measure the platform end to end (the BenchmarkDotNet suites live in benchmarks/)");
        bench.Subcommands.Add(e2e);
        bench.Subcommands.Add(CreateLoad());
        return bench;
    }

    /// <summary>
    /// <c>qzcc bench load</c>: publishes the harness's load traffic to a broker for a while: the generator process of
    /// <c>bench e2e</c>, and a way to load a <c>qzcc cloud</c> running elsewhere.
    /// </summary>
    private static Command CreateLoad()
    {
        Option<string> mqtt = new("--mqtt") { Description = "HOST:PORT of the MQTT broker to publish to", Required = true };
        Option<double> rate = new("--rate") { Description = "Target messages per second over all simulated devices", DefaultValueFactory = _ => 20_000 };
        Option<double> duration = new("--duration") { Description = "Seconds to publish for", DefaultValueFactory = _ => 30 };
        Option<int> connections = new("--connections") { Description = "MQTT connections the vehicles' BSMs are spread over", DefaultValueFactory = _ => 16 };
        Option<long?> startMs = new("--start-ms") { Description = "UTC milliseconds of the first 100 ms step (default: now); the run ends --duration seconds after it" };
        Option<string?> zonePrefix = new("--zone-prefix") { Description = "Topic prefix of the zone, when the broker serves several" };
        Option<bool> json = new("--json") { Description = "Print only one JSON object at the end: {\"published\":N,\"cpuSeconds\":S}" };
        Command load = new("load", "Publish the load harness's generated traffic (10 Hz BSMs on every lane, the RSUs' RSM and SPAT) to an MQTT broker");
        foreach (Option option in (Option[])[mqtt, rate, duration, connections, startMs, zonePrefix, json])
        {
            load.Options.Add(option);
        }

        load.SetAction(async (parse, cancellationToken) =>
        {
            MqttEndpoint broker;
            try
            {
                broker = MqttEndpoint.Parse(parse.GetValue(mqtt)!);
            }
            catch (FormatException ex)
            {
                return Fail(parse, "load", $"--mqtt: {ex.Message}");
            }

            double seconds = parse.GetValue(duration);
            double target = parse.GetValue(rate);
            if (target is < 100 or > 1_000_000 || seconds is <= 0 or > 86_400 || parse.GetValue(connections) is < 1 or > 1000)
            {
                return Fail(parse, "load", "--rate must be 100..1000000 messages/s, --duration 0..86400 seconds, --connections 1..1000");
            }

            bool asJson = parse.GetValue(json);
            long start = parse.GetValue(startMs) ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            LoadGenerator generator = new(broker, new V2xTopics(parse.GetValue(zonePrefix)), target, parse.GetValue(connections));
            if (!asJson)
            {
                parse.InvocationConfiguration.Error.WriteLine($"bench load: {generator.Description}, {target:0} msg/s to {broker} for {seconds:0} s");
            }

            using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            long end = start + (long)(seconds * 1000);
            stop.CancelAfter(TimeSpan.FromMilliseconds(Math.Max(0, end - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())));
            try
            {
                await generator.RunAsync(start, stop.Token);
            }
            catch (Exception ex) when (ex is InfrastructureException or SocketException or IOException or MQTTnet.Exceptions.MqttCommunicationException)
            {
                return Fail(parse, "load", ex.Message);
            }

            LoadReport report = new(generator.Published, Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, generator.Skipped);
            if (asJson)
            {
                parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(report, BenchLoadJsonContext.Default.LoadReport));
            }
            else
            {
                parse.InvocationConfiguration.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"published {report.Published} messages ({report.Published / seconds:0} msg/s), CPU {report.CpuSeconds:0.0} s, {report.Skipped} skipped by devices running late"));
            }

            return cancellationToken.IsCancellationRequested ? Fail(parse, "load", "stopped before the end") : 0;
        });
        return load;
    }

    private static void Print(TextWriter output, E2eResult r)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"bus {r.Bus}, {r.Partitions} partitions, {r.Workers} workers, {r.Vehicles} vehicles, {r.DurationS:0.#} s measured"));
        output.WriteLine(string.Create(c, $"  sustained      {r.SustainedMsgsPerS,10:0} msg/s (target {r.TargetMsgsPerS:0})"));
        if (!r.Steady)
        {
            output.WriteLine(string.Create(c, $"  NOT STEADY     the window began with {r.LagAtStart} records waiting on the bus and took in {r.SustainedMsgsPerS / Math.Max(1, r.TargetMsgsPerS):0.00} x the target: it measured a backlog draining; a longer --warmup measures the steady state"));
        }

        output.WriteLine(string.Create(c, $"  latency p50    {r.P50Ms,10:0.00} ms"));
        output.WriteLine(string.Create(c, $"  latency p99    {r.P99Ms,10:0.00} ms"));
        output.WriteLine(string.Create(c, $"  of which ingest p50 {r.IngestP50Ms:0} ms, p99 {r.IngestP99Ms:0} ms (generation to the broker's hand-over, 1 ms steps)"));
        output.WriteLine(string.Create(c, $"  latency max    {r.MaxMs,10:0.00} ms  ({r.Measured} messages measured)"));
        output.WriteLine(string.Create(c, $"  lost           {r.Lost,10}     of {r.Published} published ({r.Rejected} rejected)"));
        if (r.GeneratorSkipped > 0)
        {
            output.WriteLine(string.Create(c, $"  late           {r.GeneratorSkipped,10}     messages the generator skipped since it started, warm-up included: a device a 100 ms step or more behind (short of CPU) sends its current report, not the ones it missed"));
        }

        output.WriteLine(string.Create(c, $"  events         {r.Events,10}     ({string.Join(", ", r.EventsByType.Select(e => $"{e.Key} {e.Value}"))}, onsets since start)"));
        output.WriteLine(string.Create(c, $"  CPU            {r.CpuPercent,10:0.0} % of {Environment.ProcessorCount} cores ({(r.Generator == "process" ? $"the cloud; the generator process {r.GeneratorCpuPercent:0.0} %" : "harness and cloud in one process")})"));
        output.WriteLine(string.Create(c, $"  GC             {r.Gen0Collections}/{r.Gen1Collections}/{r.Gen2Collections} collections (gen 0/1/2), {r.GcPauseMs:0.0} ms paused, {r.AllocatedMbPerS:0.0} MB/s allocated"));
        output.WriteLine(string.Create(c, $"  peak memory    {r.PeakMemoryMb,10:0} MB"));
    }

    private static int Fail(ParseResult parse, string reason) => Fail(parse, "e2e", reason);

    private static int Fail(ParseResult parse, string command, string reason)
    {
        parse.InvocationConfiguration.Error.WriteLine($"qzcc bench {command}: {reason}");
        return 1;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(E2eResult))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(LoadReport))]
internal sealed partial class BenchLoadJsonContext : JsonSerializerContext;
