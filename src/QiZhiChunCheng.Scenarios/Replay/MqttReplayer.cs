using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using QiZhiChunCheng.Core;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Mqtt;
using QiZhiChunCheng.Scenarios.Format;

namespace QiZhiChunCheng.Scenarios.Replay;

/// <summary>Options of a replay over MQTT.</summary>
public sealed record MqttReplayOptions
{
    public required MqttEndpoint Endpoint { get; init; }

    /// <summary>Scenario time per wall time: 1 real time, 10 ten times faster, <see cref="double.PositiveInfinity"/> as fast as the broker takes them.</summary>
    public double Speed { get; init; } = 1;

    /// <summary>Topics are republished under this zone prefix (the recording's own topics have none).</summary>
    public string? ZonePrefix { get; init; }

    public MqttSecurity Security { get; init; } = new();

    /// <summary>The MQTT client id (default <c>qzcc-replay-{process id}</c>).</summary>
    public string? ClientId { get; init; }

    /// <summary>
    /// The time the scenario's start is moved to (UTC ms); null: now, rounded up so that the move is a whole number of
    /// 100 ms detection ticks (the first message waits for it, up to 0.1 s, except at max speed). Generation
    /// times (<c>ts</c>) are this + the line's offset, and the payloads' time markers move by the same amount.
    /// </summary>
    public long? StartUtcMs { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>What a replay over MQTT did.</summary>
public sealed record MqttReplayResult
{
    /// <summary>The shifted start: generation time of a line = this + its offset.</summary>
    public long StartUtcMs { get; init; }

    public long Published { get; init; }

    /// <summary>Lines not published: not a topic of the scheme, not an uplink, or not readable.</summary>
    public long Skipped { get; init; }

    /// <summary>Publishes the broker refused (QoS 1 with a reason code).</summary>
    public long Refused { get; init; }

    /// <summary>True when cancellation stopped the replay before the end of the file.</summary>
    public bool Stopped { get; init; }

    public TimeSpan Elapsed { get; init; }

    /// <summary>The first few problems, one line each.</summary>
    public required IReadOnlyList<string> Problems { get; init; }
}

/// <summary>
/// Publishes a scenario's messages to a broker as the RSUs and vehicles did, moved to the current time: each line on
/// its topic (with the zone prefix, if any), with the MQTT 5 user properties <c>ts</c> (the moved generation time,
/// UTC ms) and <c>seq</c> (a counter per device, from 1), QoS 0 for the 10 Hz BSM, RSM and SPAT, QoS 1 for MAP, RSI
/// and heartbeats, and the payload's own time markers moved by the same amount (<see cref="PayloadTimeShift"/>).
/// At speed 1 a line goes out at its offset; at 10 ten times sooner; at max with no pause, generation times still
/// those of speed 1 (so the cloud, detecting on event time, raises the same events).
/// </summary>
/// <remarks>
/// One MQTT connection publishes every device's topics. One per device would be closer to the field, but messages of
/// different connections reach a broker in no defined order, and at max speed that would reorder a scenario by whole
/// seconds of its time (the engine counts anything 200 ms behind as late); one connection keeps the file's order from
/// end to end. It needs a broker that lets the replaying client publish on every device's topics: the embedded
/// broker does, a production broker with per-device rights needs a replay account allowed on <c>V2X/#</c>.
/// </remarks>
public static class MqttReplayer
{
    public static async Task<MqttReplayResult> RunAsync(ScenarioFolder folder, MqttReplayOptions options, ProgressBar? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.Speed > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Speed, "the speed must be positive");
        }

        V2xTopics source = new();
        V2xTopics target = new(options.ZonePrefix);
        List<string> problems = [];
        void Problem(string p)
        {
            if (problems.Count < 20)
            {
                problems.Add(p);
            }
        }

        await using MqttDeviceClient client = new(new MqttDeviceOptions(options.Endpoint, options.ClientId ?? $"qzcc-replay-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}") { Security = options.Security });
        if (await client.TryConnectAsync(cancellationToken) is { } refused)
        {
            throw new InfrastructureException($"cannot connect to {options.Endpoint}: {refused}", retryable: true);
        }

        ScenarioManifest manifest = folder.Manifest;
        // Moved by whole ticks (100 ms), so every message falls at the same place between detection ticks as in the
        // original, and the cloud raises the events an in-process replay raises, at the same offsets.
        long now = options.Time.GetUtcNow().ToUnixTimeMilliseconds();
        long shift = options.StartUtcMs is { } given ? given - manifest.StartUtcMs : CeilTo(now - manifest.StartUtcMs, TickMs);
        long start = manifest.StartUtcMs + shift;
        long total = manifest.DurationMs;
        Dictionary<DeviceId, long> sequences = [];
        Stopwatch clock = Stopwatch.StartNew();
        long published = 0, skipped = 0, brokerRefused = 0, lastT = 0;
        bool stopped = false;
        try
        {
            if (!double.IsPositiveInfinity(options.Speed) && start > now)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(start - now), options.Time, cancellationToken); // t = 0 goes out at its ts
            }

            clock.Restart();
            foreach (ScenarioMessage m in folder.ReadMessages(p =>
            {
                skipped++;
                Problem(p);
            }))
            {
                cancellationToken.ThrowIfCancellationRequested();
                lastT = m.T;
                if (!source.TryParse(m.Topic, out TopicInfo topic) || !topic.Uplink)
                {
                    skipped++;
                    Problem($"t {m.T}: '{m.Topic}' is not an uplink topic of the scheme; not published");
                    continue;
                }

                if (!double.IsPositiveInfinity(options.Speed))
                {
                    double due = m.T / options.Speed;
                    double wait = due - clock.Elapsed.TotalMilliseconds;
                    if (wait >= 1)
                    {
                        // Pacing to the scenario's clock, not synchronisation.
                        await Task.Delay(TimeSpan.FromMilliseconds(wait), options.Time, cancellationToken);
                    }
                }

                long generated = manifest.StartUtcMs + (m.GeneratedT ?? m.T); // a wrong device clock keeps its stamp
                byte[] payload = ShiftedPayload(m.Payload, topic, generated, shift);
                long sequence = sequences.TryGetValue(topic.DeviceId, out long s) ? s + 1 : 1;
                sequences[topic.DeviceId] = sequence;
                string topicOut = topic.Channel == TopicChannel.Heartbeat
                    ? target.Heartbeat(topic.Kind, topic.DeviceId)
                    : target.Uplink(topic.Kind, topic.DeviceId, topic.MessageType);
                bool atLeastOnce = topic.Channel == TopicChannel.Heartbeat || topic.MessageType is MessageType.Map or MessageType.Rsi;
                if (!await client.PublishAsync(topicOut, payload, sequence, generated + shift, atLeastOnce, retain: false, cancellationToken))
                {
                    brokerRefused++;
                    Problem($"t {m.T}: the broker refused the publish on {topicOut}");
                }

                published++;
                progress?.Report(m.T, total, published);
            }

            // Every QoS 0 publish before the ping's answer has reached the broker.
            await client.PingAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stopped = true;
        }

        progress?.Finish(lastT, total, published);
        await client.DisconnectAsync();
        return new MqttReplayResult
        {
            StartUtcMs = start,
            Published = published,
            Skipped = skipped,
            Refused = brokerRefused,
            Stopped = stopped,
            Elapsed = clock.Elapsed,
            Problems = problems,
        };
    }

    private const long TickMs = 100;

    private static long CeilTo(long value, long unit) => value >= 0 ? (value + unit - 1) / unit * unit : -(-value / unit * unit);

    /// <summary>The payload as published: its JSON text with the time markers moved by <paramref name="shiftMs"/>.</summary>
    public static byte[] ShiftedPayload(JsonElement payload, TopicInfo topic, long generatedUtcMs, long shiftMs)
    {
        byte[] original = InProcessReplay.PayloadBytes(payload);
        if (topic.Channel != TopicChannel.Message || shiftMs == 0)
        {
            return original;
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(original);
        }
        catch (JsonException)
        {
            return original; // not JSON: sent as it is, for the cloud to refuse as it would in the field
        }

        if (node is null)
        {
            return original;
        }

        PayloadTimeShift.Shift(node, topic.MessageType, generatedUtcMs, shiftMs);
        System.Buffers.ArrayBufferWriter<byte> buffer = new(original.Length + 16);
        using (Utf8JsonWriter writer = new(buffer, WriterOptions))
        {
            node.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    // Descriptions and names are often Chinese: kept as UTF-8, as the devices send them.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
