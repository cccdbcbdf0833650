using QiZhiChunCheng.Core.Bus;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QiZhiChunCheng.Cloud.Api;
using QiZhiChunCheng.Cloud.Bus;
using QiZhiChunCheng.Cloud.Ingest;
using QiZhiChunCheng.Cloud.Status;
using QiZhiChunCheng.Cloud.Store;
using QiZhiChunCheng.Cloud.Workers;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine;
using QiZhiChunCheng.Mqtt;
using QiZhiChunCheng.NetTopologySuite;

namespace QiZhiChunCheng.Cloud;

/// <summary>Configuration of the cloud tier; the defaults are the embedded ones of ARCHITECTURE.md.</summary>
public sealed record CloudOptions
{
    private EngineOptions? _engine;

    /// <summary>Where the embedded broker listens (port 0: a free port).</summary>
    public MqttEndpoint Mqtt { get; init; } = new("127.0.0.1", MqttEndpoint.DefaultPort);

    /// <summary>The HTTP API's address; null to run without HTTP.</summary>
    public string? HttpUrl { get; init; } = "http://127.0.0.1:5080";

    /// <summary>The folder for the SQLite event store and the dead letter log.</summary>
    public string DataDir { get; init; } = "qzcc-data";

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

    /// <summary>Detection workers; each owns <see cref="PartitionsPerWorker"/> partitions of the bus.</summary>
    public int Workers { get; init; } = 2;

    public int PartitionsPerWorker { get; init; } = 2;

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
    private readonly CloudOptions _options;
    private readonly List<Task> _tasks = [];
    private readonly CancellationTokenSource _stopping = new();
    private EmbeddedBroker? _broker;
    private InProcessBus? _bus;
    private WebApplication? _web;
    private DeadLetterLog? _deadLetters;
    private bool _stopped;
    private Task? _retention;

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

    public MqttEndpoint MqttEndpoint => _broker!.Endpoint;

    public V2xTopics Topics { get; private set; } = null!;

    /// <summary>The HTTP address actually bound (with the real port when 0 was asked for), or null.</summary>
    public Uri? HttpAddress { get; private set; }

    public DeadLetterLog DeadLetters => _deadLetters!;

    public IReadOnlyList<PartitionWorker> Workers { get; private set; } = [];

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
        ILoggerFactory loggers = _options.LoggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        Directory.CreateDirectory(_options.DataDir);
        IntersectionLocator intersections = new(_options.Zone.Intersections);
        Store = await SqliteEventStore.OpenAsync(Path.Combine(_options.DataDir, "events.db"), intersections.Locate, cancellationToken);
        StoreWriter = new StoreWriter(Store, RecentMessages, Live, intersections.Locate, loggers.CreateLogger<StoreWriter>());
        _deadLetters = new DeadLetterLog(Path.Combine(_options.DataDir, "deadletter.jsonl"));
        Topics = new V2xTopics(_options.ZonePrefix);
        Rsus = new RsuRegistry(Topics, _options.Time, _options.Zone.Rsus);
        _retention = Task.Run(() => PruneLoopAsync(loggers.CreateLogger<CloudHost>()), CancellationToken.None);

        int partitions = Math.Max(1, _options.Workers) * Math.Max(1, _options.PartitionsPerWorker);
        _bus = new InProcessBus(partitions);
        var deadLetterReader = _bus.Subscribe(BusTopics.DeadLetter);
        _tasks.Add(Task.Run(async () =>
        {
            await foreach (BusRecord record in deadLetterReader.ReadAllAsync(CancellationToken.None))
            {
                _deadLetters.Add(record);
            }
        }, CancellationToken.None));

        IEventSink[] sinks = [StoreWriter, .. _options.ExtraSinks];
        ZoneMap = new ZoneMapState(_options.Engine.Map, ZoneMapLoader.Default.SignalPlans, loggers.CreateLogger<ZoneMapState>());
        List<PartitionWorker> workers = [];
        for (int p = 0; p < partitions; p++)
        {
            PartitionWorker worker = new(p, _bus.DataPartition(p), new DetectionEngine(_options.Engine), sinks, Metrics, _options.Time, loggers.CreateLogger<PartitionWorker>(), ZoneMap);
            workers.Add(worker);
            _tasks.Add(Task.Run(() => worker.RunAsync(_stopping.Token), CancellationToken.None));
        }

        Workers = workers;
        IngestService ingest = new(Topics, new RecordingBusProducer(_bus, RecentMessages), Metrics, _options.Time);
        _broker = new EmbeddedBroker(_options.Mqtt, (publish, ct) =>
        {
            Rsus.Observe(publish.Topic);
            return ingest.HandleAsync(publish, ct);
        });
        await _broker.StartAsync();

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
            });
            await _web.StartAsync(cancellationToken);
            string address = _web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? _options.HttpUrl;
            HttpAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        }
    }

    /// <summary>Stops taking messages, drains the bus through the workers and sinks, then stops HTTP.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        _bus?.Complete();
        await Task.WhenAll(_tasks);
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
    }

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
