using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Mqtt;

/// <summary>What a topic carries besides the Day-1 messages.</summary>
public enum TopicChannel : byte
{
    Message = 0,
    Heartbeat = 1,
    Warning = 2,
}

/// <summary>The meaning of one MQTT topic of the zone's scheme.</summary>
public readonly record struct TopicInfo(SourceKind Kind, DeviceId DeviceId, TopicChannel Channel, MessageType MessageType, bool Uplink);

/// <summary>
/// The topic scheme deployed with Chinese RSUs (slash style, V2X-REFERENCE section 3), with an optional zone prefix
/// so one broker can serve several zones. Worked examples (no prefix):
/// <code>
/// V2X/RSU/RSU-DF-01/BSM/UP    an RSU forwarding the BSMs it hears (also RSM, SPAT, MAP, RSI)
/// V2X/RSU/RSU-DF-01/HB/UP     the RSU's heartbeat (JSON status)
/// V2X/RSU/RSU-DF-01/RSI/DOWN  warnings from the cloud to the RSU
/// V2X/OBU/VEH-0004/BSM/UP     a test vehicle's own uplink
/// V2X/OBU/VEH-0004/WARN/DOWN  warnings from the cloud to that vehicle
/// </code>
/// With prefix <c>qizhi</c> every topic starts <c>qizhi/V2X/...</c>. Thread-safe; parsing allocates nothing.
/// </summary>
public sealed class V2xTopics
{
    public V2xTopics(string? zonePrefix = null)
    {
        if (zonePrefix is { Length: > 0 } && (zonePrefix.Contains('+', StringComparison.Ordinal) || zonePrefix.Contains('#', StringComparison.Ordinal)))
        {
            throw new ArgumentException("a zone prefix cannot contain MQTT wildcards", nameof(zonePrefix));
        }

        Prefix = string.IsNullOrEmpty(zonePrefix) ? "" : zonePrefix.TrimEnd('/') + "/";
    }

    /// <summary>The zone prefix with its trailing slash, or empty.</summary>
    public string Prefix { get; }

    /// <summary>Filters that match every uplink topic of the scheme (for a subscribing ingest).</summary>
    public IReadOnlyList<string> UplinkFilters => [$"{Prefix}V2X/RSU/+/+/UP", $"{Prefix}V2X/OBU/+/+/UP"];

    public static string TypeSegment(MessageType type) => type switch
    {
        MessageType.Bsm => "BSM",
        MessageType.Rsm => "RSM",
        MessageType.Spat => "SPAT",
        MessageType.Map => "MAP",
        MessageType.Rsi => "RSI",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public string Uplink(SourceKind kind, DeviceId device, MessageType type) =>
        $"{Prefix}V2X/{KindSegment(kind)}/{device}/{TypeSegment(type)}/UP";

    public string Heartbeat(SourceKind kind, DeviceId device) => $"{Prefix}V2X/{KindSegment(kind)}/{device}/HB/UP";

    /// <summary><c>V2X/RSU/{id}/RSI/DOWN</c> for an RSU, <c>V2X/OBU/{id}/WARN/DOWN</c> for a vehicle.</summary>
    public string Downlink(SourceKind kind, DeviceId device) => kind switch
    {
        SourceKind.Rsu => $"{Prefix}V2X/RSU/{device}/RSI/DOWN",
        SourceKind.Obu => $"{Prefix}V2X/OBU/{device}/WARN/DOWN",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "only RSUs and vehicles have a downlink"),
    };

    /// <summary>Parses a topic of the scheme; false for anything else (another zone, a malformed id, an unknown type).</summary>
    public bool TryParse(ReadOnlySpan<char> topic, out TopicInfo info)
    {
        info = default;
        if (!topic.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        topic = topic[Prefix.Length..];
        Span<Range> parts = stackalloc Range[6];
        if (topic.Split(parts, '/') != 5 || !topic[parts[0]].SequenceEqual("V2X"))
        {
            return false;
        }

        ReadOnlySpan<char> kindText = topic[parts[1]];
        SourceKind kind = kindText.SequenceEqual("RSU") ? SourceKind.Rsu : kindText.SequenceEqual("OBU") ? SourceKind.Obu : SourceKind.Unknown;
        if (kind == SourceKind.Unknown || !DeviceId.TryParse(topic[parts[2]], out DeviceId device))
        {
            return false;
        }

        ReadOnlySpan<char> direction = topic[parts[4]];
        bool uplink = direction.SequenceEqual("UP");
        if (!uplink && !direction.SequenceEqual("DOWN"))
        {
            return false;
        }

        ReadOnlySpan<char> channel = topic[parts[3]];
        MessageType type = default;
        TopicChannel topicChannel = TopicChannel.Message;
        switch (channel)
        {
            case "BSM": type = MessageType.Bsm; break;
            case "RSM": type = MessageType.Rsm; break;
            case "SPAT": type = MessageType.Spat; break;
            case "MAP": type = MessageType.Map; break;
            case "RSI": type = MessageType.Rsi; break;
            case "HB": topicChannel = TopicChannel.Heartbeat; break;
            case "WARN": topicChannel = TopicChannel.Warning; break;
            default: return false;
        }

        info = new TopicInfo(kind, device, topicChannel, type, uplink);
        return true;
    }

    private static string KindSegment(SourceKind kind) => kind switch
    {
        SourceKind.Rsu => "RSU",
        SourceKind.Obu => "OBU",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "topics exist for RSUs and vehicles"),
    };
}
