using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QiZhiChunCheng.Cloud.Api;
using QiZhiChunCheng.Cloud.Bus;
using QiZhiChunCheng.Cloud.Downlink;
using QiZhiChunCheng.Cloud.Ingest;
using QiZhiChunCheng.Cloud.Status;
using QiZhiChunCheng.Cloud.Store;
using QiZhiChunCheng.Cloud.Workers;
using QiZhiChunCheng.Core.Bus;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine;
using QiZhiChunCheng.Mqtt;
using QiZhiChunCheng.Mqtt.Auth;
using QiZhiChunCheng.NetTopologySuite;

namespace QiZhiChunCheng.Cloud;

/// <summary>Configuration of the cloud tier; the defaults are the embedded ones of ARCHITECTURE.md.</summary>
public sealed record CloudOptions
{
    private EngineOptions? _engine;

    /// <summary>Where the embedded broker listens (port 0: a free port). Unused with <see cref="ExternalMqtt"/>.</summary>
    public MqttEndpoint Mqtt { get; init; } = new("127.0.0.1", MqttEndpoint.DefaultPort);

    /// <summary>
    /// An external MQTT 5 broker to ingest from and send the downlink through, instead of the embedded one; ingest
    /// then subscribes with the shared subscription group <see cref="IngestGroup"/>.
    /// </summary>
    public MqttEndpoint? ExternalMqtt { get; init; }

    /// <summary>
    /// A device registry file (<c>qzcc device add</c>): the embedded broker then admits only registered devices and
    /// enforces their topic rights (an RSU publishes only under its own <c>V2X/RSU/{id}/</c>, and so on). Null: open.
    /// </summary>
    public string? DevicesPath { get; init; }

    /// <summary>
    /// <c>/healthz</c> reports a partition's worker as stalled when it has not gone round its loop for this long (a
    /// worker stuck on a record, or held by sinks that confirm nothing). 10 s.
    /// </summary>
    public TimeSpan HealthStallAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often the registry file is read for changes (<see cref="DeviceRegistryWatcher"/>): a device added with
    /// <c>qzcc device add</c> may connect, and a removed one is refused, within this time. 2 s.
    /// </summary>
    public TimeSpan DevicesReloadInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The shared subscription group of ingest instances on an external broker.</summary>
    public string IngestGroup { get; init; } = "qzcc-ingest";

    /// <summary>Credentials of this cloud instance on an external broker, if it needs them.</summary>
    public string? MqttUsername { get; init; }

    public string? MqttPassword { get; init; }

    /// <summary>
    /// The bus: null for the in-process bus (the default), <c>mock</c> for librdkafka's mock cluster started in this
    /// process, or a Kafka bootstrap list (<c>host:port[,host:port]</c>).
    /// </summary>
    public string? Kafka { get; init; }

    /// <summary>The HTTP API's address; null to run without HTTP.</summary>
    public string? HttpUrl { get; init; } = "http://127.0.0.1:5080";

    /// <summary>The folder for the SQLite event store and the dead letter log.</summary>
    public string DataDir { get; init; } = "qzcc-data";

    /// <summary>The SQLite event store's file; null: <c>events.db</c> under <see cref="DataDir"/>.</summary>
    public string? StorePath { get; init; }

    /// <summary>How long events are kept after their last phase; older ones are pruned in the background.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>How often the retention pruning runs (first at start).</summary>
    public TimeSpan PruneEvery { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The zone shown by <c>/api/map</c>, whose intersections name where events happen and whose RSUs <c>/api/rsus</c>
    /// lists; the embedded default zone unless told otherwise.
    /// </summary>
    public ZoneMap Zone { get; init; } = ZoneMapLoader.Default;

    /// <summary>A tile URL template for the map page's background; null (the default): no tiles, works offline.</summary>
    public string? TileUrl { get; init; }

    /// <summary>Fusion workers: each owns some of the bus's partitions and runs one engine per partition.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>
    /// The nice value each fusion worker's thread asks for (Linux; -10 by default, 0 leaves it alone): the workers are
    /// the latency-critical path and share the cores with everything else. Needs <c>CAP_SYS_NICE</c>; without it
    /// the workers run at the default priority and say so once in the log (<see cref="Workers.WorkerPriority"/>).
    /// </summary>
    public int WorkerNice { get; init; } = -10;

    /// <summary>Partitions of the data topics; 0: one per worker in process, two per worker on Kafka. With an existing Kafka cluster, the topics' partition count.</summary>
    public int Partitions { get; init; }

    /// <summary>How far around a tile its worker sees (halo copies); the detectors' longest range plus a margin.</summary>
    public double HaloM { get; init; } = TileRouter.DefaultHaloM;

    /// <summary>Send warnings down over MQTT (RSI to covering RSUs, WARN to vehicles).</summary>
    public bool Downlink { get; init; } = true;

    public string? ZonePrefix { get; init; }

    /// <summary>
    /// The engine's options. The default runs on the embedded default zone's lane map
    /// (scenarios/maps/qizhi-dongfeng.json), loaded on first use.
    /// </summary>
    public EngineOptions Engine
    {
        get => _engine ??= new EngineOptions { Map = ZoneMapLoader.Default.RequireLaneMap() };
        init => _engine = value;
    }

    /// <summary>More event sinks besides the store (the demo's console printer, test probes).</summary>
    public IReadOnlyList<IEventSink> ExtraSinks { get; init; } = [];

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ILoggerFactory? LoggerFactory { get; init; }
}

/// <summary>
/// The cloud tier in one process: embedded MQTT broker, ingest, in-process bus, partition workers running the
/// engine, the SQLite event store, the dead letter log and the HTTP API. Start once, stop once; stopping drains
/// what was accepted before it returns, so nothing accepted is lost.
/// </summary>
public sealed class CloudHost : IAsyncDisposable
{
    /// <summary>
    /// The commands' default number of fusion workers: one per core but one, at least one. Ingest (the broker's
    /// connections, decoding, validation) needs a core of its own: on two cores at 20,000 msg/s one worker took 54 % of
    /// the machine with a p99 of 37 to 43 ms, two workers 62 % with 47 to 67 ms and 19,000 msg/s sustained.
    /// </summary>
    public static int DefaultWorkers => Math.Max(1, Environment.ProcessorCount - 1);

    private readonly CloudOptions _options;
    private readonly List<Task> _tasks = [];
    private readonly List<WorkerRun> _workers = [];
    private readonly CancellationTokenSource _stopping = new();
    private EmbeddedBroker? _broker;
    private MqttIngestClient? _ingestClient;
    private CloudBus? _bus;
    private WebApplication? _web;
    private DeadLetterLog? _deadLetters;
    private bool _stopped;
    private Task? _retention;
    private ILoggerFactory _loggers = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
    private IEventSink[] _sinks = [];
    private readonly List<BackgroundSink> _backgroundSinks = [];
    private DeviceRegistryWatcher? _registryWatcher;
    private int _nextWorkerId;
    private WorkerRun?[] _slots = [];

    private CloudHost(CloudOptions options) => _options = options;

    public CloudMetrics Metrics { get; } = new();

    public IEventStore Store { get; private set; } = null!;

    /// <summary>
    /// The store's sink: what workers write to. Group-commits their batches, keeps the messages behind each event,
    /// and feeds the live stream. Writing here is how a test puts events through the real path.
    /// </summary>
    public StoreWriter StoreWriter { get; private set; } = null!;

    /// <summary>The live stream's fan-out (<c>/api/events/stream</c>).</summary>
    public EventBroadcaster Live { get; } = new();

    /// <summary>RSU status, fed by every uplink publish.</summary>
    public RsuRegistry Rsus { get; private set; } = null!;

    /// <summary>The last accepted messages by trace id (the messages behind events).</summary>
    public RecentMessages RecentMessages { get; } = new();

    /// <summary>Test vehicles by BSM id, learned from their uplinks (where WARN/DOWN goes).</summary>
    public VehicleDirectory Vehicles { get; } = new();

    /// <summary>The downlink sink, or null when the downlink is off.</summary>
    public DownlinkSink? Downlink { get; private set; }

    /// <summary>The broker devices publish to: the embedded one's address, or the external broker.</summary>
    public MqttEndpoint MqttEndpoint => _options.ExternalMqtt ?? _broker!.Endpoint;

    public V2xTopics Topics { get; private set; } = null!;

    /// <summary>The HTTP address actually bound (with the real port when 0 was asked for), or null.</summary>
    public Uri? HttpAddress { get; private set; }

    public DeadLetterLog DeadLetters => _deadLetters!;

    /// <summary>The fusion workers running now.</summary>
    public IReadOnlyList<FusionWorker> Workers
    {
        get
        {
            lock (_workers)
            {
                return [.. _workers.Where(w => !w.Task.IsCompleted).Select(w => w.Worker)];
            }
        }
    }

    /// <summary>Partitions of the data topics.</summary>
    public int Partitions => _bus!.Producer.Partitions;

    /// <summary>The bus's description for logs: <c>in-process</c>, <c>kafka mock</c> or the bootstrap list.</summary>
    public string BusName => _bus!.Name;

    /// <summary>The lane map in use, updated by MAP messages from the field.</summary>
    public ZoneMapState ZoneMap { get; private set; } = null!;

    public static async Task<CloudHost> StartAsync(CloudOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        CloudHost host = new(options);
        try
        {
            await host.StartCoreAsync(cancellationToken);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        _loggers = _options.LoggerFactory ?? _loggers;
        Directory.CreateDirectory(_options.DataDir);
        IntersectionLocator intersections = new(_options.Zone.Intersections);
        string storePath = _options.StorePath ?? Path.Combine(_options.DataDir, "events.db");
        if (Path.GetDirectoryName(Path.GetFullPath(storePath)) is { } storeDir)
        {
            Directory.CreateDirectory(storeDir);
        }

        Store = await SqliteEventStore.OpenAsync(storePath, intersections.Locate, cancellationToken);
        StoreWriter = new StoreWriter(Store, RecentMessages, Live, intersections.Locate, _loggers.CreateLogger<StoreWriter>());
        _deadLetters = new DeadLetterLog(Path.Combine(_options.DataDir, "deadletter.jsonl"));
        Topics = new V2xTopics(_options.ZonePrefix);
        Rsus = new RsuRegistry(Topics, _options.Time, _options.Zone.Rsus);
        _retention = Task.Run(() => PruneLoopAsync(_loggers.CreateLogger<CloudHost>()), CancellationToken.None);

        int workers = Math.Max(1, _options.Workers);
        // In process, one partition per worker: every further partition costs halo copies (in a zone of a few kilometres
        // nearly every message is near a tile edge) and another engine to evaluate; measured at 20,000 msg/s with one
        // worker, two partitions doubled each tick's work and p99 went from 22 to 33 ms. Kafka keeps two per worker,
        // room for a consumer group to spread over more processes.
        int partitions = _options.Partitions > 0 ? _options.Partitions : _options.Kafka is null ? workers : workers * 2;
        _bus = CloudBus.Create(_options.Kafka, partitions, workers, _loggers);
        ZoneMap = new ZoneMapState(_options.Engine.Map, ZoneMapLoader.Default.SignalPlans, _loggers.CreateLogger<ZoneMapState>());

        // v2x.events is for consumers outside the process; the in-process bus has none, so events are not serialised for it.
        // The store has its own writer task; the event topic and the downlink get one each (BackgroundSink), so their
        // encoding and publishing never hold a fusion worker's thread.
        List<IEventSink> sinks = [StoreWriter];
        if (_bus is KafkaCloudBus)
        {
            sinks.Add(Background(new BusEventSink(_bus.Producer)));
        }

        if (_options.Downlink)
        {
            Downlink = new DownlinkSink(PublishDownlinkAsync, Topics, _options.Zone.Rsus, Vehicles);
            sinks.Add(Background(Downlink));
        }

        _sinks = [.. sinks, .. _options.ExtraSinks];
        _slots = new WorkerRun?[Math.Min(workers, partitions)];
        for (int w = 0; w < _slots.Length; w++)
        {
            StartWorker();
        }

        // On Kafka, take no traffic before every worker's consumer has its partitions and their committed offsets
        // (the warm-up lookups): records produced earlier would wait on the bus and start with a backlog.
        await WaitForAssignmentAsync(workers, cancellationToken);

        TileRouter router = new(_bus.Producer.Partitions, _options.HaloM);
        IngestService ingest = new(Topics, new DeadLetterTap(new RecordingBusProducer(_bus.Producer, RecentMessages), _deadLetters), Metrics, _options.Time, router: router, vehicles: Vehicles);
        Func<InboundPublish, CancellationToken, ValueTask> onPublish = (publish, ct) =>
        {
            Rsus.Observe(publish.Topic);
            return ingest.HandleAsync(publish, ct);
        };
        if (_options.ExternalMqtt is { } external)
        {
            _ingestClient = new MqttIngestClient(external, $"qzcc-cloud-{Guid.NewGuid():N}"[..24], Topics.UplinkFilters, _options.IngestGroup, onPublish, _options.MqttUsername, _options.MqttPassword);
            await _ingestClient.StartAsync(cancellationToken);
        }
        else
        {
            BrokerSecurity? security = null;
            byte[]? registryContent = null;
            if (_options.DevicesPath is { } devices)
            {
                ILogger brokerLog = _loggers.CreateLogger<EmbeddedBroker>();
                registryContent = DeviceRegistry.ReadFile(devices);
                security = new BrokerSecurity(DeviceRegistry.Parse(registryContent, devices))
                {
                    Topics = Topics,
                    Log = line =>
                    {
                        if (brokerLog.IsEnabled(LogLevel.Warning))
                        {
                            brokerLog.LogWarning("{Refusal}", line);
                        }
                    },
                };
            }

            _broker = new EmbeddedBroker(_options.Mqtt, onPublish, security);
            await _broker.StartAsync();
            if (_options.DevicesPath is { } watched && registryContent is not null)
            {
                EmbeddedBroker broker = _broker;
                ILogger registryLog = _loggers.CreateLogger<DeviceRegistryWatcher>();
                _registryWatcher = new DeviceRegistryWatcher(watched, registryContent, registry => broker.Devices = registry, _options.DevicesReloadInterval, line =>
                {
                    if (registryLog.IsEnabled(LogLevel.Warning))
                    {
                        registryLog.LogWarning("{Reload}", line);
                    }
                });
            }
        }

        if (_options.HttpUrl is not null)
        {
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls(_options.HttpUrl);
            builder.Services.AddProblemDetails();
            _web = builder.Build();
            HttpApi.Map(_web, new HttpApiServices
            {
                Store = Store,
                Metrics = Metrics,
                Live = Live,
                Rsus = Rsus,
                ZoneGeoJson = () => GeoJsonExport.ToGeoJson(_options.Zone),
                TileUrl = _options.TileUrl,
                StoreWrites = () => StoreWriter.Written,
                DownlinkSent = () => Downlink is { } d ? (d.SentToRsus, d.SentToVehicles) : null,
                HealthProblems = HealthProblems,
                SinkQueues = () => _backgroundSinks.Select(s => (s.Inner is DownlinkSink ? "downlink" : "events-topic", s.Queued)),
                MqttRefusals = () => _broker?.Refusals?.Snapshot() ?? [],
                DeviceRegistryStatus = () => _registryWatcher is { } w && _broker?.Devices is { } d ? (d.Devices.Count, w.Applied, w.Refused) : null,
            });
            await _web.StartAsync(cancellationToken);
            string address = _web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? _options.HttpUrl;
            HttpAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        }
    }

    private async Task WaitForAssignmentAsync(int workers, CancellationToken cancellationToken)
    {
        if (_bus is not KafkaCloudBus)
        {
            return;
        }

        int partitions = _bus.Producer.Partitions;
        int sharing = Math.Min(workers, partitions);
        System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            int[] owners = [.. Enumerable.Range(0, partitions).Select(p => Metrics.Partitions.TryGetValue(p, out PartitionProgress? progress) ? progress.OwnerWorker : -1)];
            if (owners.All(o => o >= 0) && owners.Distinct().Count() == sharing)
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        _loggers.CreateLogger<CloudHost>().LogWarning("the Kafka consumer group did not settle within 30 s; taking traffic anyway");
    }

    /// <summary>
    /// Starts a fusion worker in a free slot with its own bus consumer: slot s of n owns the partitions p with
    /// p mod n == s. At start every slot is filled; after <see cref="KillWorkerAsync"/> a new worker takes the dead one's
    /// slot and, on Kafka, resumes its partitions from the last commit, rebuilding the engines' state by replaying the
    /// warm-up window first.
    /// </summary>
    public FusionWorker StartWorker()
    {
        int slot;
        lock (_workers)
        {
            slot = Array.FindIndex(_slots, r => r is null || r.Task.IsCompleted);
        }

        if (slot < 0)
        {
            throw new InvalidOperationException($"all {_slots.Length} worker slots are running; each owns its share of the {Partitions} partitions");
        }

        int id = Interlocked.Increment(ref _nextWorkerId) - 1;
        int[] owned = [.. Enumerable.Range(0, _bus!.Producer.Partitions).Where(p => p % _slots.Length == slot)];
        IBusConsumer consumer = _bus.NewConsumer(slot, owned);
        CancellationTokenSource abort = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        FusionWorker worker = new(id, consumer, () => new DetectionEngine(_options.Engine), new TileRouter(_bus.Producer.Partitions, _options.HaloM), _sinks, Metrics, _options.Time, _loggers.CreateLogger<FusionWorker>(), ZoneMap, nice: _options.WorkerNice);
        Task run = worker.RunAsync(abort.Token).ContinueWith(
            t =>
            {
                consumer.Dispose();
                abort.Dispose();
                if (t.Exception is { } ex)
                {
                    _loggers.CreateLogger<CloudHost>().LogError(ex, "worker {Worker} failed", id);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
        lock (_workers)
        {
            WorkerRun entry = new(worker, consumer, abort, run);
            _workers.Add(entry);
            _slots[slot] = entry;
        }

        return worker;
    }

    /// <summary>
    /// Stops a worker the way a crash would: at once, without waiting for its sinks and without a last commit. Its
    /// partitions go to the other workers (Kafka) after the group notices; whatever it had not committed is read again.
    /// </summary>
    public async Task KillWorkerAsync(FusionWorker worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        WorkerRun run;
        lock (_workers)
        {
            run = _workers.Single(w => w.Worker == worker);
        }

        await run.Abort.CancelAsync();
        await run.Task;
    }

    private Task PublishDownlinkAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        _ingestClient is not null ? _ingestClient.PublishAsync(topic, payload, cancellationToken)
        : _broker is not null ? _broker.PublishAsync(topic, payload, atLeastOnce: true, cancellationToken)
        : Task.CompletedTask;

    /// <summary>
    /// What keeps the cloud from doing its job now, one line each; empty when healthy (<c>/healthz</c>): stopping; ingest
    /// not connected to the external broker; a partition no worker owns (between a worker's crash and its
    /// replacement, or before the workers have started); a partition whose worker has stalled.
    /// </summary>
    public IReadOnlyList<string> HealthProblems()
    {
        List<string> problems = [];
        if (_stopped)
        {
            problems.Add("stopping");
            return problems;
        }

        if (_ingestClient is { IsConnected: false })
        {
            problems.Add($"ingest: not connected to the MQTT broker {_options.ExternalMqtt}");
        }

        if (_bus is null)
        {
            problems.Add("starting");
            return problems;
        }

        long now = _options.Time.GetUtcNow().ToUnixTimeMilliseconds();
        for (int p = 0; p < _bus.Producer.Partitions; p++)
        {
            if (!Metrics.Partitions.TryGetValue(p, out PartitionProgress? progress) || progress.OwnerWorker < 0)
            {
                problems.Add($"partition {p}: no worker owns it");
                continue;
            }

            long silentMs = now - progress.LastBeatUtcMs;
            if (silentMs > _options.HealthStallAfter.TotalMilliseconds)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"partition {p}: worker {progress.OwnerWorker} has not gone round its loop for {silentMs / 1000.0:0.0} s (stuck on a record, or held by sinks that confirm nothing); {Math.Max(0, progress.LagCount)} records waiting"));
            }
        }

        return problems;
    }

    private BackgroundSink Background(IEventSink sink)
    {
        BackgroundSink background = new(sink);
        _backgroundSinks.Add(background);
        return background;
    }

    /// <summary>Stops taking messages, drains the bus through the workers and sinks, then stops HTTP.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        if (_registryWatcher is not null)
        {
            await _registryWatcher.DisposeAsync();
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        if (_ingestClient is not null)
        {
            await _ingestClient.DisposeAsync();
        }

        List<WorkerRun> runs;
        lock (_workers)
        {
            runs = [.. _workers];
        }

        if (_bus is not null)
        {
            // In-process: complete the bus, the workers finish when drained. Kafka: flush, wait for the workers to
            // reach the end of every partition, then ask them to stop (they commit on the way out).
            await _bus.FinishAsync(Metrics, [.. runs.Select(r => r.Worker)]);
        }

        await Task.WhenAll(runs.Select(r => r.Task));
        await Task.WhenAll(_tasks);
        foreach (BackgroundSink sink in _backgroundSinks)
        {
            await sink.DisposeAsync();
        }

        if (StoreWriter is not null)
        {
            await StoreWriter.DisposeAsync();
        }

        await _stopping.CancelAsync();
        if (_retention is not null)
        {
            await _retention;
        }

        Live.CompleteAll();
        if (_web is not null)
        {
            await _web.StopAsync();
            await _web.DisposeAsync();
        }

        if (_bus is not null)
        {
            await _bus.DisposeAsync();
        }
    }

    private sealed record WorkerRun(FusionWorker Worker, IBusConsumer Consumer, CancellationTokenSource Abort, Task Task);

    private async Task PruneLoopAsync(ILogger logger)
    {
        using PeriodicTimer timer = new(_options.PruneEvery, _options.Time);
        do
        {
            try
            {
                long cutoff = _options.Time.GetUtcNow().ToUnixTimeMilliseconds() - (long)_options.Retention.TotalMilliseconds;
                long pruned = await Store.PruneAsync(cutoff, _stopping.Token);
                if (pruned > 0 && logger.IsEnabled(LogLevel.Information))
                {
                    logger.LogInformation("retention: pruned {Count} events older than {Retention}", pruned, _options.Retention);
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException)
            {
                logger.LogError(ex, "retention: pruning failed; next try in {Period}", _options.PruneEvery);
            }
        }
        while (await WaitAsync(timer));
    }

    private async Task<bool> WaitAsync(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stopping.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            if (Store is not null)
            {
                await Store.DisposeAsync();
            }

            if (_deadLetters is not null)
            {
                await _deadLetters.DisposeAsync();
            }

            _stopping.Dispose();
        }
    }
}
