using System.Diagnostics;
using System.Globalization;
using QiZhiChunCheng.Cloud;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine;
using QiZhiChunCheng.Engine.Trust;
using QiZhiChunCheng.Mqtt;
using QiZhiChunCheng.NetTopologySuite;

namespace QiZhiChunCheng.Cli.Bench;

/// <summary>What <c>qzcc bench e2e</c> runs.</summary>
internal sealed record E2eOptions
{
    /// <summary>Target messages per second over all devices.</summary>
    public double Rate { get; init; } = 20_000;

    public double DurationS { get; init; } = 30;

    /// <summary>
    /// Seconds at the start not measured: connections, tiered JIT, and the burst of the first seconds, when every
    /// vehicle appears at once and every pair of neighbours raises its onset together. On this 2-core machine the
    /// backlog of that start took 5 to 10 s to drain at 20,000 msg/s, so a shorter warm-up measures the start, not the
    /// steady state (<see cref="E2eResult.Steady"/> says which one a run measured).
    /// </summary>
    public double WarmUpS { get; init; } = 15;

    public int Workers { get; init; } = 2;

    /// <summary>Partitions; 0: the cloud's default (one per worker in process, two per worker on Kafka).</summary>
    public int Partitions { get; init; }

    /// <summary>null: the in-process bus; <c>mock</c> or a bootstrap list: Kafka.</summary>
    public string? Kafka { get; init; }

    /// <summary>Send warnings down over MQTT (on by default; off to see what the downlink costs).</summary>
    public bool Downlink { get; init; } = true;

    /// <summary>MQTT connections the vehicles' BSMs are spread over (the RSUs have one each).</summary>
    public int Connections { get; init; } = 16;

    /// <summary>
    /// Run the load generator in its own process (the default), as the road's devices run on their own hardware, so
    /// that its CPU and garbage collections are not the cloud's; false: in this process.
    /// </summary>
    public bool SeparateProcess { get; init; } = true;

    /// <summary>Plausibility checks and quarantine on (the product's default); off to see what they cost.</summary>
    public bool Trust { get; init; } = true;
}

/// <summary>The harness's figures; <c>--json</c> prints this object.</summary>
internal sealed record E2eResult
{
    public double TargetMsgsPerS { get; init; }
    public double SustainedMsgsPerS { get; init; }
    public double P50Ms { get; init; }
    public double P99Ms { get; init; }
    public double MaxMs { get; init; }
    public long Lost { get; init; }

    /// <summary>Generation to ingest (broker and MQTT only), p50 and p99, ms (1 ms resolution).</summary>
    public double IngestP50Ms { get; init; }
    public double IngestP99Ms { get; init; }
    public long Published { get; init; }
    public long Accepted { get; init; }
    public long Rejected { get; init; }
    public long Measured { get; init; }
    public long Events { get; init; }
    public Dictionary<string, long> EventsByType { get; init; } = [];
    public int Vehicles { get; init; }
    public int Workers { get; init; }
    public int Partitions { get; init; }
    public string Bus { get; init; } = "";

    /// <summary><c>process</c> (its own process) or <c>in-process</c>.</summary>
    public string Generator { get; init; } = "";
    public double DurationS { get; init; }

    /// <summary>The cloud's CPU over the measured window, percent of all cores (with the generator when in process).</summary>
    public double CpuPercent { get; init; }

    /// <summary>The generator process's CPU over its whole run, percent of all cores (0 when in process).</summary>
    public double GeneratorCpuPercent { get; init; }
    public double PeakMemoryMb { get; init; }

    /// <summary>Garbage collections of the cloud's process in the measured window, their total pause and the allocation rate.</summary>
    public int Gen0Collections { get; init; }
    public int Gen1Collections { get; init; }
    public int Gen2Collections { get; init; }
    public double GcPauseMs { get; init; }
    public double AllocatedMbPerS { get; init; }

    /// <summary>Messages the generator did not send because it ran late (<see cref="LoadGenerator.Skipped"/>).</summary>
    public long GeneratorSkipped { get; init; }

    /// <summary>Records waiting on the bus when the measured window began.</summary>
    public long LagAtStart { get; init; }

    /// <summary>
    /// Whether the window measured the steady state: it began with less than 100 ms of traffic waiting on the bus and
    /// took in no more than 5 % over the target (more means it was still catching up on a backlog from before it).
    /// </summary>
    public bool Steady { get; init; }
}

/// <summary>
/// The end-to-end load harness: starts the cloud tier in this process (embedded MQTT broker, the chosen bus, fusion
/// workers, the SQLite store, the downlink), and publishes generated traffic through the real broker at the target
/// rate: vehicles on every lane of the zone sending 10 Hz BSMs over <see cref="E2eOptions.Connections"/> MQTT
/// connections, and each RSU of the zone its 10 Hz RSM of the nearest 16 vehicles in its 300 m sensor range and,
/// for the junction it stands nearest, the SPAT. Each message's <c>ts</c> is the moment it is generated; the cloud
/// records, per message, the time until a fusion worker has applied it and run the detection it completes
/// (<see cref="CloudMetrics.MessageLatency"/>). After the warm-up the histogram is cleared; at the end publishing
/// stops, the pipeline drains, and what was published but never accepted is lost.
/// </summary>
internal static class E2eHarness
{
    public static async Task<E2eResult> RunAsync(E2eOptions options, Action<string>? progress, CancellationToken cancellationToken)
    {
        string dataDir = Path.Combine(Path.GetTempPath(), $"qzcc-bench-{Environment.ProcessId}-{Guid.NewGuid():N}");
        int partitions = options.Partitions;
        try
        {
            CloudHost cloud = await CloudHost.StartAsync(
                new CloudOptions
                {
                    Mqtt = new MqttEndpoint("127.0.0.1", 0),
                    HttpUrl = null,
                    DataDir = dataDir,
                    Workers = options.Workers,
                    Partitions = partitions,
                    Kafka = options.Kafka,
                    Downlink = options.Downlink,
                    Engine = new EngineOptions { Map = ZoneMapLoader.Default.RequireLaneMap(), Trust = new TrustOptions { Enabled = options.Trust } },
                },
                cancellationToken);
            await using (cloud)
            {
                return await DriveAsync(cloud, options, progress, cancellationToken);
            }
        }
        finally
        {
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<E2eResult> DriveAsync(CloudHost cloud, E2eOptions options, Action<string>? progress, CancellationToken cancellationToken)
    {
        // The first step is due a moment from now, so that a generator process has started and connected by then.
        long startMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + (options.SeparateProcess ? 1500 : 0);
        double runS = options.WarmUpS + options.DurationS;
        using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        LoadGenerator? local = null;
        Task<LoadReport> generator;
        int vehicles;
        if (options.SeparateProcess)
        {
            LoadProcess child = LoadProcess.Start(cloud.MqttEndpoint, cloud.Topics.Prefix, options.Rate, options.Connections, startMs, runS);
            vehicles = child.Vehicles;
            generator = child.WaitAsync(runS + 30, cancellationToken);
        }
        else
        {
            local = new LoadGenerator(cloud.MqttEndpoint, cloud.Topics, options.Rate, options.Connections);
            vehicles = local.Vehicles;
            Task run = local.RunAsync(startMs, stop.Token);
            generator = run.ContinueWith(_ => new LoadReport(local.Published, 0, local.Skipped), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }

        progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"bench e2e: {vehicles} vehicles, target {options.Rate:0} msg/s for {options.DurationS:0} s after {options.WarmUpS:0} s of warm-up on {cloud.BusName} ({cloud.Partitions} partitions, {options.Workers} workers), the generator {(options.SeparateProcess ? "in its own process" : "in this process")}"));
        Process self = Process.GetCurrentProcess();
        double peakMb = 0;
        long warmUpEndsMs = startMs + (long)(options.WarmUpS * 1000);
        long endMs = warmUpEndsMs + (long)(options.DurationS * 1000);
        await DelayUntil(warmUpEndsMs, cancellationToken);
        cloud.Metrics.MessageLatency.Reset();
        cloud.Metrics.IngestLatency.Reset();
        long lagAtStart = cloud.Metrics.Partitions.Values.Sum(p => Math.Max(0, p.LagCount));
        long acceptedAtStart = cloud.Metrics.AcceptedTotal;
        long eventsAtStart = cloud.Metrics.EventsByType().Sum(e => e.Count);
        TimeSpan cpuAtStart = self.TotalProcessorTime;
        GcFigures gcAtStart = GcFigures.Now();
        Stopwatch window = Stopwatch.StartNew();
        while (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() < endMs)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(endMs - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1, 1000)), cancellationToken);
            self.Refresh();
            peakMb = Math.Max(peakMb, self.WorkingSet64 / 1048576.0);
            double elapsed = window.Elapsed.TotalSeconds;
            progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"  {elapsed,4:0} s  in {(cloud.Metrics.AcceptedTotal - acceptedAtStart) / elapsed,8:0} msg/s  p99 {cloud.Metrics.MessageLatency.PercentileMs(0.99),6:0.0} ms  lag {cloud.Metrics.Partitions.Values.Sum(p => p.LagCount)}"));
        }

        double windowS = window.Elapsed.TotalSeconds;
        long acceptedInWindow = cloud.Metrics.AcceptedTotal - acceptedAtStart;
        self.Refresh();
        TimeSpan cpu = self.TotalProcessorTime - cpuAtStart;
        GcFigures gc = GcFigures.Now() - gcAtStart;
        await stop.CancelAsync();
        LoadReport load = await generator;

        // Drain: everything published must come through ingest.
        Stopwatch drain = Stopwatch.StartNew();
        while (cloud.Metrics.AcceptedTotal + cloud.Metrics.RejectedTotal < load.Published && drain.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(50, cancellationToken);
        }

        await cloud.StopAsync();
        LatencyHistogram latency = cloud.Metrics.MessageLatency;
        return new E2eResult
        {
            TargetMsgsPerS = options.Rate,
            SustainedMsgsPerS = Math.Round(acceptedInWindow / windowS, 0),
            P50Ms = Math.Round(latency.PercentileMs(0.50), 2),
            P99Ms = Math.Round(latency.PercentileMs(0.99), 2),
            MaxMs = Math.Round(latency.MaxMs, 2),
            // Whole ms (both times are): the histogram answers with the upper edge of a 0.1 ms bucket.
            IngestP50Ms = Math.Floor(cloud.Metrics.IngestLatency.PercentileMs(0.50)),
            IngestP99Ms = Math.Floor(cloud.Metrics.IngestLatency.PercentileMs(0.99)),
            Lost = Math.Max(0, load.Published - cloud.Metrics.AcceptedTotal - cloud.Metrics.RejectedTotal),
            Published = load.Published,
            Accepted = cloud.Metrics.AcceptedTotal,
            Rejected = cloud.Metrics.RejectedTotal,
            Measured = latency.Count,
            Events = cloud.Metrics.EventsByType().Sum(e => e.Count) - eventsAtStart,
            EventsByType = cloud.Metrics.EventsByType().ToDictionary(e => V2xEvent.TypeCode(e.Type), e => e.Count),
            Vehicles = vehicles,
            Workers = options.Workers,
            Partitions = cloud.Partitions,
            Bus = cloud.BusName,
            Generator = options.SeparateProcess ? "process" : "in-process",
            DurationS = Math.Round(windowS, 1),
            CpuPercent = Math.Round(100 * cpu.TotalSeconds / (windowS * Environment.ProcessorCount), 1),
            GeneratorCpuPercent = Math.Round(100 * load.CpuSeconds / (runS * Environment.ProcessorCount), 1),
            PeakMemoryMb = Math.Round(peakMb, 0),
            Gen0Collections = gc.Gen0,
            Gen1Collections = gc.Gen1,
            Gen2Collections = gc.Gen2,
            GcPauseMs = Math.Round(gc.Pause.TotalMilliseconds, 1),
            AllocatedMbPerS = Math.Round(gc.Allocated / 1048576.0 / windowS, 1),
            GeneratorSkipped = load.Skipped,
            LagAtStart = lagAtStart,
            Steady = lagAtStart <= options.Rate / 10 && acceptedInWindow / windowS <= options.Rate * 1.05,
        };
    }

    private static async Task DelayUntil(long utcMs, CancellationToken cancellationToken)
    {
        long wait = utcMs - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken);
        }
    }

    private readonly record struct GcFigures(int Gen0, int Gen1, int Gen2, TimeSpan Pause, long Allocated)
    {
        public static GcFigures Now() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());

        public static GcFigures operator -(GcFigures a, GcFigures b) => new(a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2, a.Pause - b.Pause, a.Allocated - b.Allocated);
    }
}
