using System.IO.Compression;
using System.Text;
using System.Text.Json;
using QiZhiChunCheng.Edge.Spool;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Edge.Sources;

/// <summary>
/// <c>replay:FILE</c>: a recording (<c>messages.jsonl</c>, or <c>.jsonl.gz</c>), one line per message:
/// <c>{"t": offset ms, "topic": "V2X/RSU/RSU-DF-01/BSM/UP", "payload": {...}}</c>. The lines whose topic is this
/// device's uplink are published at their recorded pace (times shifted to now), the others skipped; a bad line
/// is rejected with its line number and the replay goes on. It ends with the file.
/// </summary>
public sealed class ReplaySource : IMessageSource
{
    private readonly string _path;
    private readonly V2xTopics _topics;

    public ReplaySource(string path, V2xTopics topics)
    {
        _path = path;
        _topics = topics;
    }

    public string Description => $"replay of {_path}";

    public bool IsFinite => true;

    public async Task RunAsync(SourceContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await using Stream file = File.OpenRead(_path);
        await using Stream input = _path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using StreamReader reader = new(input);
        long start = context.NowUtcMs;
        long published = 0;
        long skipped = 0;
        int lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            long offset;
            string topic;
            byte[] payload;
            try
            {
                using JsonDocument doc = JsonDocument.Parse(line);
                JsonElement root = doc.RootElement;
                offset = root.GetProperty("t").GetInt64();
                topic = root.GetProperty("topic").GetString() ?? "";
                JsonElement body = root.GetProperty("payload");
                payload = body.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetBytes(body.GetString()!) : Encoding.UTF8.GetBytes(body.GetRawText());
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                context.Reject($"{_path}:{lineNumber}: not a message line ({ex.Message})");
                continue;
            }

            if (!_topics.TryParse(topic, out TopicInfo info) || !info.Uplink || info.Kind != context.Kind || !info.DeviceId.Equals(context.DeviceId)
                || info.Channel == TopicChannel.Warning)
            {
                skipped++;
                continue;
            }

            if (!double.IsPositiveInfinity(context.ReplaySpeed))
            {
                long due = start + (long)(offset / context.ReplaySpeed);
                long wait = due - context.NowUtcMs;
                if (wait > 0)
                {
                    // Pacing to the recording's clock, not synchronisation.
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), context.Time, cancellationToken);
                }
            }

            UplinkKind kind = info.Channel == TopicChannel.Heartbeat ? UplinkKind.Heartbeat : (UplinkKind)info.MessageType;
            await context.EmitAsync(kind, payload, context.NowUtcMs, cancellationToken);
            published++;
        }

        context.Log.Info($"replay of {_path} ended: {published} messages of this device, {skipped} lines of other topics skipped");
    }
}
