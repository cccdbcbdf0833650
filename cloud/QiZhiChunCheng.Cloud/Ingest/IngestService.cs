using System.Buffers;
using System.Globalization;
using System.Text;
using QiZhiChunCheng.Cloud.Bus;
using QiZhiChunCheng.Cloud.Downlink;
using QiZhiChunCheng.Core.Bus;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Cloud.Ingest;

/// <summary>
/// The door of the cloud tier: takes each uplink publish, decodes and validates it, stamps ingest time and a
/// trace id, and writes the compact binary frame to the bus keyed by tile. Anything refused goes to the dead
/// letter topic with its reason and the original bytes, and is counted; the stream goes on.
/// Thread-safe: the broker calls it from many client connections at once.
/// </summary>
public sealed class IngestService
{
    private readonly V2xTopics _topics;
    private readonly IBusProducer _bus;
    private readonly CloudMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly Action<DeviceId, SourceKind, long>? _onHeartbeat;
    private readonly TileRouter _router;
    private readonly VehicleDirectory? _vehicles;

    public IngestService(V2xTopics topics, IBusProducer bus, CloudMetrics metrics, TimeProvider time, Action<DeviceId, SourceKind, long>? onHeartbeat = null, TileRouter? router = null, VehicleDirectory? vehicles = null)
    {
        ArgumentNullException.ThrowIfNull(bus);
        _topics = topics;
        _bus = bus;
        _metrics = metrics;
        _time = time;
        _onHeartbeat = onHeartbeat;
        _router = router ?? new TileRouter(bus.Partitions);
        _vehicles = vehicles;
    }

    /// <summary>Handles one publish. Never throws for bad input; only cancellation escapes.</summary>
    public async ValueTask HandleAsync(InboundPublish publish, CancellationToken cancellationToken)
    {
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (!_topics.TryParse(publish.Topic, out TopicInfo topic))
        {
            // Not the scheme's: another application's topic on a shared broker. Uplink-looking topics are refused.
            if (publish.Topic.EndsWith("/UP", StringComparison.Ordinal))
            {
                await RejectAsync(publish, new Rejection(RejectionKind.UnknownMessageType, $"topic '{publish.Topic}' is not a V2X uplink topic"), now, cancellationToken);
            }

            return;
        }

        if (!topic.Uplink)
        {
            return;
        }

        // Transport bookkeeping for every uplink of a device, whatever its payload: gaps and duplicates by seq,
        // latency from the device's generation time.
        if (ParseLong(publish.Seq) is { } seq)
        {
            _metrics.CountSequence(topic.Kind, topic.DeviceId, seq);
        }

        if (ParseLong(publish.Ts) is { } ts)
        {
            _metrics.CountIngestLatency(now - ts);
        }

        if (topic.Channel == TopicChannel.Heartbeat)
        {
            _metrics.CountHeartbeat();
            _onHeartbeat?.Invoke(topic.DeviceId, topic.Kind, now);
            return;
        }

        if (topic.Channel != TopicChannel.Message)
        {
            return;
        }

        if (publish.Payload.Length > JsonCodec.MaxPayloadBytes)
        {
            await RejectAsync(publish, new Rejection(RejectionKind.TooLarge, $"payload of {publish.Payload.Length} bytes is over the {JsonCodec.MaxPayloadBytes}-byte limit"), now, cancellationToken);
            return;
        }

        Envelope envelope = new()
        {
            SourceKind = topic.Kind,
            SourceId = topic.DeviceId,
            Type = topic.MessageType,
            GeneratedUtcMs = ParseLong(publish.Ts) ?? now,
            IngestUtcMs = now,
            Sequence = ParseLong(publish.Seq) ?? 0,
            TraceId = TraceId.NewRandom(),
        };

        byte[]? rented = null;
        try
        {
            ReadOnlySpan<byte> payload;
            if (publish.Payload.IsSingleSegment)
            {
                payload = publish.Payload.FirstSpan;
            }
            else
            {
                rented = ArrayPool<byte>.Shared.Rent((int)publish.Payload.Length);
                publish.Payload.CopyTo(rented);
                payload = rented.AsSpan(0, (int)publish.Payload.Length);
            }

            if (!JsonCodec.TryDecode(topic.MessageType, payload, envelope, out V2xMessage message, out Rejection rejection)
                || !MessageValidator.TryValidate(message, out rejection))
            {
                await RejectAsync(publish, rejection, now, cancellationToken);
                return;
            }

            byte[] frame = BinaryCodec.Encode(message);
            _metrics.CountAccepted(topic.MessageType);
            if (topic.Kind == SourceKind.Obu && message.Type == MessageType.Bsm)
            {
                _vehicles?.See(message.Bsm.Id, topic.DeviceId);
            }

            await ProduceAsync(message, frame, envelope.TraceId, cancellationToken);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Writes the frame to its home partition and, as halo copies, to every other partition the router names. MAP and
    /// RSI (QoS 1 on the uplink, rare and not to be lost) wait for the bus to confirm the write; the 10 Hz streams only
    /// for it to be queued.
    /// </summary>
    private async ValueTask ProduceAsync(V2xMessage message, byte[] frame, TraceId traceId, CancellationToken cancellationToken)
    {
        Span<int> routes = _router.MaxRoutes <= 64 ? stackalloc int[_router.MaxRoutes] : new int[_router.MaxRoutes];
        int count = _router.Route(message, routes);
        int[]? targets = count == 1 ? null : routes[..count].ToArray();
        string topicName = BusTopics.For(message.Type);
        ulong key = TileRouter.KeyOf(message);
        bool awaitDelivery = message.Type is MessageType.Map or MessageType.Rsi;
        KeyValuePair<string, string>[] headers = [new("trace-id", traceId.ToString()), new("content-type", "application/json")];
        BusRecord home = new(topicName, key, frame, headers) { Partition = routes[0], AwaitDelivery = awaitDelivery };
        await _bus.ProduceAsync(home, cancellationToken);
        if (targets is null)
        {
            return;
        }

        KeyValuePair<string, string>[] haloHeaders = [.. headers, new(BusHeaders.Copy, BusHeaders.Halo)];
        for (int i = 1; i < targets.Length; i++)
        {
            await _bus.ProduceAsync(new BusRecord(topicName, key, frame, haloHeaders) { Partition = targets[i], AwaitDelivery = awaitDelivery }, cancellationToken);
        }
    }

    private async ValueTask RejectAsync(InboundPublish publish, Rejection rejection, long now, CancellationToken cancellationToken)
    {
        _metrics.CountRejected(rejection.Kind);
        await _bus.ProduceAsync(
            new BusRecord(
                BusTopics.DeadLetter,
                0,
                publish.Payload.ToArray(),
                [
                    new("reason", rejection.Reason),
                    new("kind", rejection.Kind.ToString()),
                    new("topic", publish.Topic),
                    new("client-id", publish.ClientId),
                    new("ingest-utc-ms", now.ToString(CultureInfo.InvariantCulture)),
                ]),
            cancellationToken);
    }

    private static long? ParseLong(string? text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) ? value : null;
}

/// <summary>
/// Keeps the dead letter topic's records: appends each to <c>deadletter.jsonl</c> (reason, kind, topic, client,
/// time, and the original bytes in base64) and keeps the latest few in memory for the API and tests.
/// </summary>
public sealed class DeadLetterLog : IAsyncDisposable
{
    private readonly StreamWriter? _writer;
    private readonly Lock _gate = new();
    private readonly Queue<DeadLetter> _recent = new();

    public DeadLetterLog(string? path)
    {
        if (path is not null)
        {
            _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false)) { AutoFlush = true };
        }
    }

    public IReadOnlyList<DeadLetter> Recent
    {
        get
        {
            lock (_gate)
            {
                return [.. _recent];
            }
        }
    }

    public void Add(BusRecord record)
    {
        DeadLetter letter = new(
            record.Header("reason") ?? "",
            record.Header("kind") ?? "",
            record.Header("topic") ?? "",
            record.Header("client-id") ?? "",
            long.TryParse(record.Header("ingest-utc-ms"), CultureInfo.InvariantCulture, out long t) ? t : 0,
            record.Value.Length);
        lock (_gate)
        {
            _recent.Enqueue(letter);
            while (_recent.Count > 1000)
            {
                _recent.Dequeue();
            }

            _writer?.WriteLine(
                $"{{\"ingestUtcMs\":{letter.IngestUtcMs},\"kind\":\"{letter.Kind}\",\"reason\":{System.Text.Json.JsonSerializer.Serialize(letter.Reason, CloudJsonContext.Default.String)},\"topic\":{System.Text.Json.JsonSerializer.Serialize(letter.Topic, CloudJsonContext.Default.String)},\"clientId\":{System.Text.Json.JsonSerializer.Serialize(letter.ClientId, CloudJsonContext.Default.String)},\"payloadBase64\":\"{Convert.ToBase64String(record.Value.Span)}\"}}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }
    }
}

/// <summary>One refused input as the dead letter log keeps it.</summary>
public sealed record DeadLetter(string Reason, string Kind, string Topic, string ClientId, long IngestUtcMs, int PayloadBytes);
