using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using QiZhiChunCheng.Core;
using QiZhiChunCheng.Mqtt;
using QiZhiChunCheng.Scenarios.Format;
using QiZhiChunCheng.Scenarios.Replay;

namespace QiZhiChunCheng.Scenarios.Record;

/// <summary>Options of a recording.</summary>
public sealed record MqttRecordOptions
{
    public required MqttEndpoint Endpoint { get; init; }

    /// <summary>The zone prefix of the topics to tap; it is removed from the recorded topics.</summary>
    public string? ZonePrefix { get; init; }

    public MqttSecurity Security { get; init; } = new();

    public string? ClientId { get; init; }

    /// <summary>Stop after this long; null: until cancelled.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Write <c>messages.jsonl.gz</c> instead of <c>messages.jsonl</c>.</summary>
    public bool Compress { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Called once the subscription is in place: from then on nothing published is missed.</summary>
    public Action? Started { get; init; }
}

/// <summary>What a recording kept.</summary>
public sealed record MqttRecordResult
{
    public long Recorded { get; init; }

    /// <summary>Messages seen but not kept: downlinks and topics outside the scheme.</summary>
    public long Ignored { get; init; }

    public long DurationMs { get; init; }

    public required string Folder { get; init; }
}

/// <summary>
/// Taps a live broker into a scenario folder: subscribes to <c>V2X/#</c> (under the zone prefix), and writes every
/// uplink of the topic scheme (messages and heartbeats) to <c>messages.jsonl</c> as it arrives, its offset <c>t</c>
/// counted from the first message's arrival, its publisher's generation time (<c>ts</c>) as <c>generatedT</c> when it
/// differs, and its payload kept as JSON (or as a string when it is not JSON).
/// <c>scenario.json</c> (kind <c>MIXED</c>, start = the first arrival) is written when the first message arrives and
/// again at the end with the duration; lines are flushed every second, so an interrupted recording keeps what it
/// had. Truth and expectations are added by hand afterwards.
/// </summary>
public static class MqttRecorder
{
    public static async Task<MqttRecordResult> RunAsync(string outDir, MqttRecordOptions options, ProgressBar? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(outDir);
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(outDir);
        if (ScenarioFolder.IsScenarioFolder(outDir))
        {
            throw new IOException($"{outDir} already holds a scenario; record into a new folder");
        }

        V2xTopics topics = new(options.ZonePrefix);
        string name = NameFor(outDir, options.Time);
        Lock gate = new();
        StreamWriter writer = ScenarioFolder.CreateLineWriter(outDir, ScenarioFolder.MessagesFileName, options.Compress);
        long first = -1, last = 0, recorded = 0, ignored = 0;
        Stopwatch sinceFlush = Stopwatch.StartNew();
        ScenarioManifest Manifest() => new()
        {
            Name = name,
            Description = string.Create(CultureInfo.InvariantCulture, $"Recorded from {options.Endpoint} at {DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(first, 0)):yyyy-MM-dd'T'HH:mm:ss'Z'}."),
            Kind = "MIXED",
            StartUtcMs = first,
            DurationMs = last,
        };

        await using MqttDeviceClient client = new(new MqttDeviceOptions(options.Endpoint, options.ClientId ?? $"qzcc-record-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}") { Security = options.Security });
        client.OnDownlink = message =>
        {
            string topic = message.Topic.StartsWith(topics.Prefix, StringComparison.Ordinal) ? message.Topic[topics.Prefix.Length..] : message.Topic;
            long now = options.Time.GetUtcNow().ToUnixTimeMilliseconds();
            lock (gate)
            {
                if (!topics.TryParse(message.Topic, out TopicInfo info) || !info.Uplink)
                {
                    ignored++;
                    return ValueTask.CompletedTask;
                }

                if (first < 0)
                {
                    first = now;
                    ScenarioFolder.WriteManifest(outDir, Manifest());
                }

                last = now - first;
                // The publisher's generation time (its ts property) is kept as generatedT when it is not the arrival:
                // a replay at max speed or a slow link would otherwise replay with generation = arrival, out of step
                // with the payloads' own time markers.
                long? generatedT = message.GeneratedUtcMs is { } ts && ts != now ? ts - first : null;
                writer.WriteLine(ScenarioFolder.ToLine(new ScenarioMessage { T = last, Topic = topic, GeneratedT = generatedT, Payload = PayloadElement(message.Payload) }));
                recorded++;
                if (sinceFlush.ElapsedMilliseconds >= 1000)
                {
                    writer.Flush();
                    sinceFlush.Restart();
                }
            }

            return ValueTask.CompletedTask;
        };

        if (await client.TryConnectAsync(cancellationToken) is { } refused)
        {
            await writer.DisposeAsync();
            throw new InfrastructureException($"cannot connect to {options.Endpoint}: {refused}", retryable: true);
        }

        await client.SubscribeAsync($"{topics.Prefix}V2X/#", cancellationToken);
        options.Started?.Invoke();
        Stopwatch clock = Stopwatch.StartNew();
        try
        {
            using CancellationTokenSource limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (options.Duration is { } duration)
            {
                limit.CancelAfter(duration);
            }

            try
            {
                while (true)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), options.Time, limit.Token);
                    lock (gate)
                    {
                        if (sinceFlush.ElapsedMilliseconds >= 1000)
                        {
                            writer.Flush();
                            sinceFlush.Restart();
                        }

                        progress?.Report(clock.ElapsedMilliseconds, (long?)options.Duration?.TotalMilliseconds ?? 0, recorded);
                    }
                }
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested)
            {
                // The duration is up, or Ctrl-C: both end the recording normally.
            }
        }
        finally
        {
            await client.DisconnectAsync();
            lock (gate)
            {
                client.OnDownlink = null;
                writer.Flush();
            }

            await writer.DisposeAsync();
            if (first >= 0)
            {
                ScenarioFolder.WriteManifest(outDir, Manifest());
            }
        }

        progress?.Finish(clock.ElapsedMilliseconds, (long?)options.Duration?.TotalMilliseconds ?? 0, recorded);
        if (first < 0)
        {
            // Nothing arrived: still a valid (empty) scenario, so the folder is not left half-made.
            first = options.Time.GetUtcNow().ToUnixTimeMilliseconds();
            ScenarioFolder.WriteManifest(outDir, Manifest());
        }

        return new MqttRecordResult { Recorded = recorded, Ignored = ignored, DurationMs = last, Folder = outDir };
    }

    // A payload that is JSON is kept as JSON; anything else as a string, so nothing is lost.
    private static JsonElement PayloadElement(byte[] payload)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(payload);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                return doc.RootElement.Clone();
            }
        }
        catch (JsonException)
        {
            // Not JSON: kept as text below.
        }

        using JsonDocument text = JsonDocument.Parse(JsonSerializer.Serialize(Encoding.UTF8.GetString(payload), ScenarioJsonText.Default.String));
        return text.RootElement.Clone();
    }

    private static string NameFor(string outDir, TimeProvider time)
    {
        string folder = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(outDir))).ToLowerInvariant();
        StringBuilder sb = new();
        foreach (char c in folder)
        {
            sb.Append(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) ? c : '-');
        }

        string name = sb.ToString().Trim('-');
        while (name.Contains("--", StringComparison.Ordinal))
        {
            name = name.Replace("--", "-", StringComparison.Ordinal);
        }

        return name.Length > 0 ? name : "recording-" + time.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class ScenarioJsonText : System.Text.Json.Serialization.JsonSerializerContext;
