using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;
using Confluent.Kafka;

namespace QiZhiChunCheng.Kafka;

/// <summary>
/// How bus records look on Kafka, shared by the producer, the consumer and the reader: the key is the tile as 8
/// bytes big-endian; header values are UTF-8; data records carry <c>ingest-id</c> (16 hex digits, one per producer
/// instance) and <c>seq</c> (decimal, per partition number, from 0). Pure functions, thread-safe.
/// </summary>
public static class KafkaWire
{
    /// <summary>The header naming the producer instance that stamped <see cref="SeqHeader"/>.</summary>
    public const string IngestIdHeader = "ingest-id";

    /// <summary>The header with the record's place in its producer's order for its partition number.</summary>
    public const string SeqHeader = "seq";

    /// <summary>
    /// The partition of a key when the record names none: the 64-bit finaliser of MurmurHash3, modulo the count, the
    /// same mix as the cloud's tile router uses, and stable across processes (never string or object hash codes).
    /// </summary>
    public static int PartitionOf(ulong key, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ulong x = key;
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        return (int)(x % (ulong)partitions);
    }

    internal static byte[] EncodeKey(ulong key)
    {
        byte[] bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, key);
        return bytes;
    }

    internal static ulong DecodeKey(byte[]? bytes) => bytes is { Length: 8 } ? BinaryPrimitives.ReadUInt64BigEndian(bytes) : 0;

    internal static byte[] EncodeSeq(long seq)
    {
        Span<byte> buffer = stackalloc byte[20];
        Utf8Formatter.TryFormat(seq, buffer, out int written);
        return buffer[..written].ToArray();
    }

    /// <summary>The (ingest-id, seq) stamp of a consumed record; (null, -1) when it has none.</summary>
    internal static (string? IngestId, long Seq) ReadStamp(Headers? headers)
    {
        if (headers is null)
        {
            return (null, -1);
        }

        string? ingest = null;
        long seq = -1;
        for (int i = 0; i < headers.Count; i++)
        {
            IHeader header = headers[i];
            if (header.Key == IngestIdHeader)
            {
                ingest = Encoding.UTF8.GetString(header.GetValueBytes());
            }
            else if (header.Key == SeqHeader && Utf8Parser.TryParse(header.GetValueBytes(), out long value, out int consumed) && consumed == header.GetValueBytes().Length)
            {
                seq = value;
            }
        }

        return ingest is null || seq < 0 ? (null, -1) : (ingest, seq);
    }

    internal static IReadOnlyList<KeyValuePair<string, string>>? ToBusHeaders(Headers? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            return null;
        }

        var list = new KeyValuePair<string, string>[headers.Count];
        for (int i = 0; i < headers.Count; i++)
        {
            IHeader header = headers[i];
            byte[]? value = header.GetValueBytes();
            list[i] = new(header.Key, value is null ? string.Empty : Encoding.UTF8.GetString(value));
        }

        return list;
    }

    /// <summary>The common librdkafka settings, then the caller's extras (which win).</summary>
    internal static Dictionary<string, string> Config(KafkaBusOptions options, IReadOnlyDictionary<string, string>? specific)
    {
        ArgumentException.ThrowIfNullOrEmpty(options.BootstrapServers);
        Dictionary<string, string> config = new(StringComparer.Ordinal)
        {
            ["bootstrap.servers"] = options.BootstrapServers,
            ["client.id"] = options.ClientId,

            // Latency over batching: no Nagle delay on the sockets, and a fetch the broker answers within 10 ms when
            // it has nothing (librdkafka's 500 ms default held records on the five-topic merge).
            ["socket.nagle.disable"] = "true",
            ["fetch.wait.max.ms"] = "10",
        };
        Merge(config, options.Properties);
        Merge(config, specific);
        return config;
    }

    internal static void Merge(Dictionary<string, string> config, IReadOnlyDictionary<string, string>? extra)
    {
        if (extra is null)
        {
            return;
        }

        foreach (KeyValuePair<string, string> pair in extra)
        {
            config[pair.Key] = pair.Value;
        }
    }

    internal static void Log(KafkaBusOptions options, LogMessage message)
    {
        string line = $"kafka {message.Level} {message.Facility} {message.Name}: {message.Message}";
        if (options.Log is not null)
        {
            options.Log(line);
        }
        else if (message.Level <= SyslogLevel.Warning)
        {
            Console.Error.WriteLine(line);
        }
    }
}
