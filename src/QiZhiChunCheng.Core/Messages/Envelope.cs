using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace QiZhiChunCheng.Core.Messages;

/// <summary>Which Day-1 message a payload is. The values are the MessageFrame CHOICE indexes.</summary>
public enum MessageType : byte
{
    Bsm = 0,
    Map = 1,
    Rsm = 2,
    Spat = 3,
    Rsi = 4,
}

/// <summary>Who sent a message: a roadside unit, an on-board unit (test vehicle), or the cloud itself.</summary>
public enum SourceKind : byte
{
    Unknown = 0,
    Rsu = 1,
    Obu = 2,
    Cloud = 3,
}

/// <summary>
/// A device id as used in MQTT topics (<c>V2X/RSU/{id}/...</c>): 1..16 characters of <c>[A-Za-z0-9_.-]</c>,
/// held inline as ASCII so that envelopes carry no references. Allocation-free to compare and copy.
/// </summary>
public readonly struct DeviceId : IEquatable<DeviceId>
{
    public const int MaxLength = 16;

    private readonly ulong _hi;
    private readonly ulong _lo;

    private DeviceId(ulong hi, ulong lo)
    {
        _hi = hi;
        _lo = lo;
    }

    public bool IsEmpty => _hi == 0 && _lo == 0;

    public static bool IsValidChar(char c) =>
        c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-' or '.';

    public static bool TryParse(ReadOnlySpan<char> text, out DeviceId id)
    {
        id = default;
        if (text.IsEmpty || text.Length > MaxLength)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[MaxLength];
        bytes.Clear();
        for (int i = 0; i < text.Length; i++)
        {
            if (!IsValidChar(text[i]))
            {
                return false;
            }

            bytes[i] = (byte)text[i];
        }

        id = FromBytes(bytes);
        return true;
    }

    public static DeviceId Parse(string text) =>
        TryParse(text, out DeviceId id)
            ? id
            : throw new FormatException($"'{text}' is not a device id (1..{MaxLength} characters of A-Z a-z 0-9 _ - .)");

    /// <summary>Reads the 16-byte wire form (ASCII, zero padded).</summary>
    public static DeviceId FromBytes(ReadOnlySpan<byte> sixteen) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(sixteen), BinaryPrimitives.ReadUInt64BigEndian(sixteen[8..]));

    /// <summary>Writes the 16-byte wire form.</summary>
    public void WriteBytes(Span<byte> sixteen)
    {
        BinaryPrimitives.WriteUInt64BigEndian(sixteen, _hi);
        BinaryPrimitives.WriteUInt64BigEndian(sixteen[8..], _lo);
    }

    public bool Equals(DeviceId other) => _hi == other._hi && _lo == other._lo;

    public override bool Equals(object? obj) => obj is DeviceId other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_hi, _lo);

    public static bool operator ==(DeviceId left, DeviceId right) => left.Equals(right);

    public static bool operator !=(DeviceId left, DeviceId right) => !left.Equals(right);

    /// <summary>The text form; allocates.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[MaxLength];
        WriteBytes(bytes);
        int length = bytes.IndexOf((byte)0);
        return Encoding.ASCII.GetString(length < 0 ? bytes : bytes[..length]);
    }
}

/// <summary>A W3C trace id (16 bytes), carried from ingest through the bus to events. Value type.</summary>
public readonly record struct TraceId(ulong Hi, ulong Lo)
{
    public bool IsEmpty => Hi == 0 && Lo == 0;

    /// <summary>
    /// A new random id. Trace ids must be unique, not secret: a fast generator, not the cryptographic one (a system
    /// call per message at ingest).
    /// </summary>
    public static TraceId NewRandom()
    {
        ulong hi, lo;
        do
        {
            hi = (ulong)Random.Shared.NextInt64() ^ ((ulong)Random.Shared.Next() << 63);
            lo = (ulong)Random.Shared.NextInt64() ^ ((ulong)Random.Shared.Next() << 63);
        }
        while (hi == 0 && lo == 0); // all zero means "no trace id"

        return new TraceId(hi, lo);
    }

    public override string ToString() => string.Create(32, this, static (chars, id) =>
    {
        id.Hi.TryFormat(chars, out _, "x16", CultureInfo.InvariantCulture);
        id.Lo.TryFormat(chars[16..], out _, "x16", CultureInfo.InvariantCulture);
    });
}

/// <summary>
/// What the platform knows about a message besides its content: who sent it, what it is, when it was
/// generated (UTC ms, from the device) and ingested (UTC ms, by the cloud), the device's sequence number,
/// and the trace id. Reference-free value type.
/// </summary>
public readonly record struct Envelope
{
    public SourceKind SourceKind { get; init; }

    public DeviceId SourceId { get; init; }

    public MessageType Type { get; init; }

    public long GeneratedUtcMs { get; init; }

    public long IngestUtcMs { get; init; }

    /// <summary>The device's own counter (MQTT user property <c>seq</c>); 0 when the device sent none.</summary>
    public long Sequence { get; init; }

    public TraceId TraceId { get; init; }
}

/// <summary>
/// A decoded message: its envelope and its body. A BSM body is held inline (no allocation, no boxing);
/// the other types are immutable records. Read the body with the accessor matching <see cref="Type"/>.
/// </summary>
public readonly struct V2xMessage
{
    private readonly Envelope _envelope;
    private readonly Bsm _bsm;
    private readonly object? _body;

    public V2xMessage(in Envelope envelope, in Bsm bsm)
    {
        _envelope = envelope with { Type = MessageType.Bsm };
        _bsm = bsm;
        _body = null;
    }

    public V2xMessage(in Envelope envelope, Rsm rsm)
        : this(envelope with { Type = MessageType.Rsm }, (object)rsm)
    {
    }

    public V2xMessage(in Envelope envelope, Spat spat)
        : this(envelope with { Type = MessageType.Spat }, (object)spat)
    {
    }

    public V2xMessage(in Envelope envelope, MapData map)
        : this(envelope with { Type = MessageType.Map }, (object)map)
    {
    }

    public V2xMessage(in Envelope envelope, Rsi rsi)
        : this(envelope with { Type = MessageType.Rsi }, (object)rsi)
    {
    }

    private V2xMessage(in Envelope envelope, object body)
    {
        ArgumentNullException.ThrowIfNull(body);
        _envelope = envelope;
        _bsm = default;
        _body = body;
    }

    public Envelope Envelope => _envelope;

    public MessageType Type => Envelope.Type;

    /// <summary>
    /// For the decoders only: makes <paramref name="message"/> a BSM message with a default body and returns the
    /// body's storage, so that a decoder writes the half-kilobyte BSM once instead of copying it in.
    /// </summary>
    internal static ref Bsm InitBsm(ref V2xMessage message, in Envelope envelope)
    {
        message = default;
        Unsafe.AsRef(in message._envelope) = envelope with { Type = MessageType.Bsm };
        return ref Unsafe.AsRef(in message._bsm);
    }

    [UnscopedRef]
    public ref readonly Bsm Bsm
    {
        get
        {
            if (Type != MessageType.Bsm)
            {
                ThrowWrongType(MessageType.Bsm);
            }

            return ref _bsm;
        }
    }

    public Rsm Rsm => _body as Rsm ?? ThrowWrongType<Rsm>(MessageType.Rsm);

    public Spat Spat => _body as Spat ?? ThrowWrongType<Spat>(MessageType.Spat);

    public MapData Map => _body as MapData ?? ThrowWrongType<MapData>(MessageType.Map);

    public Rsi Rsi => _body as Rsi ?? ThrowWrongType<Rsi>(MessageType.Rsi);

    /// <summary>The body as an object (a boxed copy for a BSM); for diagnostics and generic sinks, not the hot path.</summary>
    public object Body => Type == MessageType.Bsm ? _bsm : _body!;

    public V2xMessage WithEnvelope(in Envelope envelope) =>
        Type == MessageType.Bsm ? new V2xMessage(envelope, _bsm) : new V2xMessage(envelope with { Type = Type }, _body!);

    /// <summary>Body equality, for tests and idempotence checks.</summary>
    public bool BodyEquals(in V2xMessage other) =>
        Type == other.Type && (Type == MessageType.Bsm ? _bsm.Equals(other._bsm) : Equals(_body, other._body));

    [DoesNotReturn]
    private void ThrowWrongType(MessageType wanted) =>
        throw new InvalidOperationException($"the message is a {Type}, not a {wanted}");

    [DoesNotReturn]
    private T ThrowWrongType<T>(MessageType wanted) =>
        throw new InvalidOperationException($"the message is a {Type}, not a {wanted}");
}
