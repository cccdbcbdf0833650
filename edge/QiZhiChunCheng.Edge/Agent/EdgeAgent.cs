using System.Globalization;
using System.Text;
using System.Threading.Channels;
using QiZhiChunCheng.Core;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Edge.Downlink;
using QiZhiChunCheng.Edge.Sources;
using QiZhiChunCheng.Edge.Spool;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Edge.Agent;

/// <summary>
/// The RSU or vehicle agent: takes messages from a source, gives each a <c>seq</c> and writes it to the durable
/// spool, and sends the spool to the broker in order, so that nothing is lost through outages and restarts.
/// <para>
/// Every message goes through the spool (write-through): the spool is the one ordered queue, so the backlog after
/// an outage goes out before live traffic without a hand-over, and a <c>kill -9</c> loses nothing that was
/// appended. Telemetry younger than <see cref="EdgeAgentOptions.LiveWindow"/> is published at QoS 0, everything
/// else (MAP, RSI, heartbeats, the backlog) at QoS 1. A record leaves the spool only once the broker has it: a QoS 1
/// acknowledgement, or for QoS 0 a ping answered after it (brokers handle a connection's packets in order). When
/// the connection drops, sending starts again at the first unconfirmed record: at-least-once, duplicates possible,
/// which the cloud drops by seq.
/// </para>
/// Tasks: the source, the heartbeat, the connection (connect, back-off, subscribe, status) and the pump (intake
/// and send). Only the pump touches the spool.
/// </summary>
public sealed class EdgeAgent
{
    private const int IntakeBatch = 1024;
    private const int SendBatch = 1024;

    private readonly EdgeAgentOptions _options;
    private readonly AgentLog _log;
    private readonly IMessageSource _source;
    private readonly TimeProvider _time;
    private readonly V2xTopics _topics;
    private readonly string[] _uplinkTopics = new string[6];
    private readonly string _statusTopic;
    private readonly Channel<Outgoing> _intake = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(8192) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly List<(Task<bool> Publish, UplinkKind Kind)> _inflight = [];
    private readonly long _startedUtcMs;
    private readonly long[] _lastPublished = new long[6];
    private long _lastHeartbeatUtcMs;
    private MqttDeviceClient _client = null!;
    private TaskCompletionSource _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _ready;
    private volatile bool _sourceDone;
    private volatile bool _stopping;

    public EdgeAgent(EdgeAgentOptions options, AgentLog log, IMessageSource? source = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _log = log;
        _time = time ?? TimeProvider.System;
        _topics = new V2xTopics(options.ZonePrefix);
        _source = source ?? MessageSources.Parse(options.Source, _topics);
        for (int i = 0; i < 5; i++)
        {
            _uplinkTopics[i] = _topics.Uplink(options.Kind, options.DeviceId, (MessageType)i);
        }

        _uplinkTopics[(int)UplinkKind.Heartbeat] = _topics.Heartbeat(options.Kind, options.DeviceId);
        _statusTopic = StatusTopic(_topics, options.Kind, options.DeviceId);
        _startedUtcMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        _lastHeartbeatUtcMs = _startedUtcMs;
        log.AddSecret(options.Security.Password);
        log.AddSecret(options.Security.ClientCertificatePassword);
    }

    public AgentCounters Counters { get; } = new();

    /// <summary>The spool, once <see cref="RunAsync"/> has opened it.</summary>
    public DurableSpool? Spool { get; private set; }

    /// <summary>Connected, subscribed, and sending.</summary>
    public bool IsReady => _ready;

    /// <summary><c>V2X/RSU/{id}/STATUS</c>: the retained online/offline status (the last will says offline).</summary>
    public static string StatusTopic(V2xTopics topics, SourceKind kind, DeviceId id)
    {
        ArgumentNullException.ThrowIfNull(topics);
        return $"{topics.Prefix}V2X/{(kind == SourceKind.Rsu ? "RSU" : "OBU")}/{id}/STATUS";
    }

    /// <summary>
    /// Runs until cancelled (Ctrl-C), or for a finite source until it ended and the spool is drained. Returns the exit
    /// code: 0, or 1 when the agent cannot start (the spool is in use, unreadable); the reason is logged.
    /// </summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            Spool = DurableSpool.Open(_options.SpoolPath, _options.Spool, _log.Warn);
        }
        catch (Exception ex) when (ex is InfrastructureException or IOException or UnauthorizedAccessException)
        {
            _log.Error($"cannot open the spool {_options.SpoolPath}: {ex.Message}");
            return 1;
        }

        DurableSpool spool = Spool;
        try
        {
            string kind = _options.Kind == SourceKind.Rsu ? "RSU" : "vehicle";
            _log.Info($"{kind} agent {_options.DeviceId}: source {_source.Description}; broker {_options.Mqtt} ({_options.Security}); spool {Path.GetFullPath(_options.SpoolPath)} with {spool.PendingRecords} records to send, next seq {spool.NextSeq}");
            await using MqttDeviceClient client = new(new MqttDeviceOptions(_options.Mqtt, _options.DeviceId.ToString())
            {
                Security = _options.Security,
                WillTopic = _statusTopic,
                WillPayload = StatusPayload("offline"),
            });
            _client = client;
            client.Disconnected += reason =>
            {
                _ready = false;
                if (!_stopping)
                {
                    _log.Warn($"connection to {_options.Mqtt} lost: {reason}");
                }

                _lost.TrySetResult();
            };
            await using DownlinkForwarder downlink = new(_options.ForwardUdp, _log, Counters, _time);
            client.OnDownlink = downlink.HandleAsync;

            using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            SourceContext context = new(_options.Kind, _options.DeviceId, _log, _time, Counters, _options.Sensor, _options.ReplaySpeed, _intake.Writer);
            Task source = RunSourceAsync(context, stop.Token);
            Task heartbeat = HeartbeatLoopAsync(stop.Token);
            Task connection = ConnectionLoopAsync(stop.Token);
            try
            {
                await PumpAsync(stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }

            await stop.CancelAsync();
            await Task.WhenAll(Quietly(source), Quietly(heartbeat), Quietly(connection));

            // Whatever the source made before the stop is kept for the next run.
            while (_intake.Reader.TryRead(out Outgoing message))
            {
                Append(spool, message);
            }

            spool.Flush();
            _stopping = true;
            if (client.IsConnected)
            {
                await TryPublishStatusAsync("offline");
                await client.DisconnectAsync();
            }

            _log.Info($"stopped: {Counters.PublishedTotal} messages confirmed by the broker, {spool.PendingRecords} left in the spool for the next run");
            return 0;
        }
        finally
        {
            _ready = false;
            spool.Dispose();
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunSourceAsync(SourceContext context, CancellationToken cancellationToken)
    {
        try
        {
            await _source.RunAsync(context, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
        {
            _log.Error($"source {_source.Description} failed: {ex.Message}");
        }
        finally
        {
            _sourceDone = true;
            _wake.Writer.TryWrite(true);
        }
    }

    /// <summary>The one owner of the spool: moves the intake into it, and sends it when connected.</summary>
    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        DurableSpool spool = Spool!;
        while (!cancellationToken.IsCancellationRequested)
        {
            int taken = 0;
            while (taken < IntakeBatch && _intake.Reader.TryRead(out Outgoing message))
            {
                Append(spool, message);
                taken++;
            }

            spool.Flush();
            bool sent = false;
            if (_ready && spool.HasUnsent)
            {
                sent = await SendBatchAsync(spool, cancellationToken);
            }

            if (taken > 0 || sent)
            {
                continue;
            }

            if (_source.IsFinite && _sourceDone && !spool.HasUnsent && spool.PendingRecords == 0 && _intake.Reader.Count == 0)
            {
                _log.Info("the source ended and everything was sent");
                return;
            }

            // Idle: wait for input, or for the connection to come (back).
            Task input = _intake.Reader.WaitToReadAsync(cancellationToken).AsTask();
            Task wake = _wake.Reader.WaitToReadAsync(cancellationToken).AsTask();
            await Task.WhenAny(input, wake);
            _wake.Reader.TryRead(out _);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private void Append(DurableSpool spool, Outgoing message)
    {
        if (spool.Append(message.Kind, _uplinkTopics[(int)message.Kind], message.GeneratedUtcMs, message.Payload, out long seq) == SpoolAppend.Refused)
        {
            _log.Warn($"spool full of MAP, RSI and heartbeats: {message.Kind} seq {seq} refused");
        }
    }

    /// <summary>Sends up to one batch from the spool; false when the connection failed (the spool is rewound).</summary>
    private async Task<bool> SendBatchAsync(DurableSpool spool, CancellationToken cancellationToken)
    {
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long liveMs = (long)_options.LiveWindow.TotalMilliseconds;
        int window = Math.Max(1, Math.Min(_options.MaxInflight, _client.ReceiveMaximum));
        int qos1 = 0;
        bool lastWasQos0 = false;
        _inflight.Clear();
        while (_inflight.Count < SendBatch && qos1 < window && spool.TryReadNext(out SpoolEntry entry))
        {
            bool atLeastOnce = entry.Class == SpoolClass.Critical || now - entry.GeneratedUtcMs > liveMs;
            _inflight.Add((_client.PublishAsync(entry.Topic, entry.Payload, entry.Seq, entry.GeneratedUtcMs, atLeastOnce, retain: false, cancellationToken), entry.Kind));
            if (atLeastOnce)
            {
                qos1++;
            }

            lastWasQos0 = !atLeastOnce;
        }

        SpoolMark mark = spool.SendMark;
        try
        {
            foreach ((Task<bool> publish, UplinkKind _) in _inflight)
            {
                if (!await publish)
                {
                    Counters.CountBrokerRefused();
                }
            }

            if (lastWasQos0)
            {
                await _client.PingAsync(cancellationToken);
            }
        }
        catch (Exception ex) when (ex is InfrastructureException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // A lost connection, or a stop while publishes were in flight: unconfirmed records stay in the spool.
            if (!cancellationToken.IsCancellationRequested)
            {
                _log.Warn($"sending failed ({ex.Message}); {spool.PendingRecords} records will be sent again from the first unconfirmed one");
            }

            await DrainQuietly();
            spool.Rewind();
            _ready = false;
            _lost.TrySetResult();
            return false;
        }

        spool.Acknowledge(mark);
        foreach ((Task<bool> _, UplinkKind kind) in _inflight)
        {
            Counters.CountPublished(kind);
        }

        _inflight.Clear();
        return true;
    }

    private async Task DrainQuietly()
    {
        foreach ((Task<bool> publish, UplinkKind _) in _inflight)
        {
            try
            {
                await publish;
            }
            catch (Exception ex) when (ex is InfrastructureException or OperationCanceledException)
            {
            }
        }

        _inflight.Clear();
    }

    /// <summary>Connects, and reconnects after a loss, with exponential back-off and jitter; never gives up.</summary>
    private async Task ConnectionLoopAsync(CancellationToken cancellationToken)
    {
        TimeSpan backoff = _options.InitialBackoff;
        int attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (_client.IsConnected)
            {
                await _client.DisconnectAsync();
            }

            attempt++;
            string? failure = await _client.TryConnectAsync(cancellationToken);
            if (failure is null)
            {
                try
                {
                    await _client.SubscribeAsync(_topics.Downlink(_options.Kind, _options.DeviceId), cancellationToken);
                    await _client.PublishAsync(_statusTopic, StatusPayload("online"), -1, Now(), atLeastOnce: true, retain: true, cancellationToken);
                }
                catch (InfrastructureException ex)
                {
                    failure = ex.Message;
                }
            }

            if (failure is not null)
            {
                Counters.CountConnectFailure();
                // Equal jitter: half the back-off, plus up to the other half at random, so a fleet does not reconnect in step.
                TimeSpan delay = (backoff / 2) + (backoff / 2 * Random.Shared.NextDouble());
                _log.Warn($"cannot connect to {_options.Mqtt} (attempt {attempt}): {failure}; retrying in {delay.TotalSeconds:0.0} s");
                await Task.Delay(delay, _time, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
                continue;
            }

            Counters.CountConnect();
            _log.Info($"connected to {_options.Mqtt} after {attempt} attempt(s); {Spool!.PendingRecords} records in the spool to send first");
            attempt = 0;
            backoff = _options.InitialBackoff;
            _lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _ready = true;
            _wake.Writer.TryWrite(true);
            await _lost.Task.WaitAsync(cancellationToken);
            _ready = false;
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken cancellationToken)
    {
        using PeriodicTimer timer = new(_options.HeartbeatInterval, _time);
        do
        {
            long now = Now();
            await _intake.Writer.WriteAsync(new Outgoing(UplinkKind.Heartbeat, HeartbeatPayload(now), now), cancellationToken);
            Counters.CountGenerated(UplinkKind.Heartbeat);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    /// <summary>
    /// The heartbeat, compatible with the simulation's (<c>rsuId</c>, <c>status</c>, <c>uptimeS</c>, <c>published</c>)
    /// plus rates per type since the last heartbeat, the spool's depth and the drop counters. Example:
    /// <code>
    /// {"rsuId":"RSU-DF-01","status":"online","uptimeS":35,"published":7012,"seq":7020,
    ///  "rates":{"BSM":160.2,"RSM":10,"SPAT":0,"MAP":0,"RSI":0},"spool":{"records":3,"bytes":1100,"torn":0},
    ///  "dropped":{"BSM":0,"RSM":0,"SPAT":0,"refused":0},"rejectedInput":0,"downlinks":0,"connects":1,"rssBytes":41000000}
    /// </code>
    /// </summary>
    private byte[] HeartbeatPayload(long now)
    {
        DurableSpool spool = Spool!;
        double seconds = Math.Max(0.001, (now - _lastHeartbeatUtcMs) / 1000.0);
        _lastHeartbeatUtcMs = now;
        using MemoryStream buffer = new(512);
        using (System.Text.Json.Utf8JsonWriter json = new(buffer))
        {
            json.WriteStartObject();
            json.WriteString(_options.Kind == SourceKind.Rsu ? "rsuId" : "vehId", _options.DeviceId.ToString());
            json.WriteString("status", "online");
            json.WriteNumber("uptimeS", (now - _startedUtcMs) / 1000);
            json.WriteNumber("published", Counters.PublishedTotal);
            json.WriteNumber("seq", spool.NextSeq - 1);
            json.WriteStartObject("rates");
            foreach ((string name, UplinkKind kind) in Types)
            {
                long published = Counters.Published(kind);
                json.WriteNumber(name, Math.Round((published - _lastPublished[(int)kind]) / seconds, 1));
                _lastPublished[(int)kind] = published;
            }

            json.WriteEndObject();
            json.WriteStartObject("spool");
            json.WriteNumber("records", spool.PendingRecords);
            json.WriteNumber("bytes", spool.Bytes);
            json.WriteNumber("torn", spool.TornRecords);
            json.WriteEndObject();
            json.WriteStartObject("dropped");
            json.WriteNumber("BSM", spool.Dropped(UplinkKind.Bsm));
            json.WriteNumber("RSM", spool.Dropped(UplinkKind.Rsm));
            json.WriteNumber("SPAT", spool.Dropped(UplinkKind.Spat));
            json.WriteNumber("refused", spool.Refused(UplinkKind.Bsm) + spool.Refused(UplinkKind.Rsm) + spool.Refused(UplinkKind.Spat));
            json.WriteEndObject();
            json.WriteNumber("rejectedInput", Counters.RejectedInput);
            json.WriteNumber("downlinks", Counters.Downlinks);
            json.WriteNumber("connects", Counters.Connects);
            json.WriteNumber("rssBytes", Environment.WorkingSet);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static readonly (string Name, UplinkKind Kind)[] Types =
        [("BSM", UplinkKind.Bsm), ("RSM", UplinkKind.Rsm), ("SPAT", UplinkKind.Spat), ("MAP", UplinkKind.Map), ("RSI", UplinkKind.Rsi)];

    private byte[] StatusPayload(string status) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"id\":\"{_options.DeviceId}\",\"status\":\"{status}\",\"ts\":{Now()}}}"));

    private async Task TryPublishStatusAsync(string status)
    {
        try
        {
            using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(2));
            await _client.PublishAsync(_statusTopic, StatusPayload(status), -1, Now(), atLeastOnce: true, retain: true, timeout.Token);
        }
        catch (Exception ex) when (ex is InfrastructureException or OperationCanceledException)
        {
            // The broker will not hear the clean stop; the last will is not sent either after a clean disconnect.
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
