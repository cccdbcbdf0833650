using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QiZhiChunCheng.Cloud.Api;
using QiZhiChunCheng.Cloud.Bus;
using QiZhiChunCheng.Cloud.Ingest;
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

    private CloudHost(CloudOptions options) => _options = options;

    public CloudMetrics Metrics { get; } = new();

    public IEventStore Store { get; private set; } = null!;

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
        Store = await SqliteEventStore.OpenAsync(Path.Combine(_options.DataDir, "events.db"), cancellationToken);
        _deadLetters = new DeadLetterLog(Path.Combine(_options.DataDir, "deadletter.jsonl"));
        Topics = new V2xTopics(_options.ZonePrefix);

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

        IEventSink[] sinks = [Store, .. _options.ExtraSinks];
        ZoneMap = new ZoneMapState(_options.Engine.Map, ZoneMapLoader.Default.SignalPlans, loggers.CreateLogger<ZoneMapState>());
        List<PartitionWorker> workers = [];
        for (int p = 0; p < partitions; p++)
        {
            PartitionWorker worker = new(p, _bus.DataPartition(p), new DetectionEngine(_options.Engine), sinks, Metrics, _options.Time, loggers.CreateLogger<PartitionWorker>(), ZoneMap);
            workers.Add(worker);
            _tasks.Add(Task.Run(() => worker.RunAsync(_stopping.Token), CancellationToken.None));
        }

        Workers = workers;
        IngestService ingest = new(Topics, _bus, Metrics, _options.Time);
        _broker = new EmbeddedBroker(_options.Mqtt, ingest.HandleAsync);
        await _broker.StartAsync();

        if (_options.HttpUrl is not null)
        {
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls(_options.HttpUrl);
            builder.Services.AddProblemDetails();
            _web = builder.Build();
            HttpApi.Map(_web, Store, Metrics);
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
        if (_web is not null)
        {
            await _web.StopAsync();
            await _web.DisposeAsync();
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
