using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;
using QiZhiChunCheng.Core.Validation;

namespace QiZhiChunCheng.Core.Codecs.Binary;

/// <summary>What went wrong in a frame; turned into a <see cref="Rejection"/> only on the failure path.</summary>
internal enum FrameError : byte
{
    None = 0,
    Truncated,
    VarintOverflow,
    NonCanonicalVarint,
    ValueOutOfRange,
    UndefinedEnumValue,
    UndefinedFlags,
    UndefinedPresenceBits,
    CountTooLarge,
    InvalidUtf8,
    TrailingBytes,
    BadMagic,
    BadVersion,
    UnknownMessageType,
    WrongMessageType,
}

/// <summary>
/// Reads the primitives of the binary frame (see FrameFormat.cs) from a span. The error is sticky: the first
/// failure is recorded with its offset and field, the position jumps to the end, and every later read returns
/// zero without advancing, so decoders check <see cref="Failed"/> once per list element and once at the end
/// instead of after every field. Never throws, never allocates until <see cref="ToRejection"/>.
/// </summary>
internal ref struct FrameReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _pos;
    private FrameError _error;
    private int _errorOffset;
    private string? _errorField;
    private long _errorValue;
    private long _errorLimit;
    private long _errorMin;

    public FrameReader(ReadOnlySpan<byte> data)
    {
        _data = data;
    }

    public readonly bool Failed => _error != FrameError.None;

    public readonly int Position => _pos;

    public readonly int Remaining => _data.Length - _pos;

    public byte ReadU8(string field)
    {
        int pos = _pos;
        ReadOnlySpan<byte> data = _data;
        if ((uint)pos < (uint)data.Length)
        {
            _pos = pos + 1;
            return data[pos];
        }

        Fail(FrameError.Truncated, pos, field);
        return 0;
    }

    public sbyte ReadI8(string field) => unchecked((sbyte)ReadU8(field));

    /// <summary>A byte enum whose defined values are 0..<paramref name="max"/>.</summary>
    public byte ReadEnum8(byte max, string field)
    {
        int start = _pos;
        byte value = ReadU8(field);
        if (value > max)
        {
            Fail(FrameError.UndefinedEnumValue, start, field, value, max);
            return 0;
        }

        return value;
    }

    /// <summary>A 16-bit flags enum whose defined bits are <paramref name="defined"/>.</summary>
    public ushort ReadFlags16(ushort defined, string field)
    {
        int start = _pos;
        uint value = ReadVarU32(field);
        if ((value & ~(uint)defined) != 0)
        {
            Fail(FrameError.UndefinedFlags, start, field, value, defined);
            return 0;
        }

        return (ushort)value;
    }

    /// <summary>A presence bitmap whose defined bits are <paramref name="defined"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadBits(uint defined, string field)
    {
        int start = _pos;
        uint value = ReadVarU32(field);
        if ((value & ~defined) != 0)
        {
            Fail(FrameError.UndefinedPresenceBits, start, field, value, defined);
            return 0;
        }

        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadVarU32(string field)
    {
        int pos = _pos;
        ReadOnlySpan<byte> data = _data;
        if ((uint)pos < (uint)data.Length)
        {
            uint b = data[pos];
            if (b < 0x80)
            {
                _pos = pos + 1;
                return b;
            }
        }

        return ReadVarU32Slow(field);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort ReadVarU16(string field)
    {
        int start = _pos;
        uint value = ReadVarU32(field);
        if (value > ushort.MaxValue)
        {
            Fail(FrameError.ValueOutOfRange, start, field, value, ushort.MaxValue);
            return 0;
        }

        return (ushort)value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadVarS32(string field)
    {
        uint value = ReadVarU32(field);
        return (int)(value >> 1) ^ -(int)(value & 1);
    }

    public short ReadVarS16(string field)
    {
        int start = _pos;
        int value = ReadVarS32(field);
        if (value is < short.MinValue or > short.MaxValue)
        {
            Fail(FrameError.ValueOutOfRange, start, field, value, short.MaxValue, short.MinValue);
            return 0;
        }

        return (short)value;
    }

    public ulong ReadVarU64(string field)
    {
        int start = _pos;
        ReadOnlySpan<byte> data = _data;
        ulong result = 0;
        for (int i = 0; i < 10; i++)
        {
            int pos = start + i;
            if ((uint)pos >= (uint)data.Length)
            {
                Fail(FrameError.Truncated, start, field);
                return 0;
            }

            ulong b = data[pos];
            if (i == 9 && b > 0x01)
            {
                Fail(FrameError.VarintOverflow, start, field, 0, 64);
                return 0;
            }

            result |= (b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                if (b == 0 && i > 0)
                {
                    Fail(FrameError.NonCanonicalVarint, start, field);
                    return 0;
                }

                _pos = pos + 1;
                return result;
            }
        }

        // Not reached: the tenth byte either ends the varint or overflows.
        Fail(FrameError.VarintOverflow, start, field, 0, 64);
        return 0;
    }

    public long ReadVarS64(string field)
    {
        ulong value = ReadVarU64(field);
        return (long)(value >> 1) ^ -(long)(value & 1);
    }

    public ulong ReadBE64(string field)
    {
        int pos = _pos;
        if (_data.Length - pos >= 8)
        {
            _pos = pos + 8;
            return BinaryPrimitives.ReadUInt64BigEndian(_data[pos..]);
        }

        Fail(FrameError.Truncated, pos, field);
        return 0;
    }

    /// <summary>16 bytes as a slice of the input; zeros after a failure.</summary>
    public ReadOnlySpan<byte> ReadBytes16(string field)
    {
        int pos = _pos;
        if (_data.Length - pos >= 16)
        {
            _pos = pos + 16;
            return _data.Slice(pos, 16);
        }

        Fail(FrameError.Truncated, pos, field);
        return Zero16;
    }

    /// <summary>The count of a list, or -1 when the list is absent (or the frame has failed).</summary>
    public int ReadListCount(int minElementSize, string field)
    {
        int start = _pos;
        uint value = ReadVarU32(field);
        if (value == 0)
        {
            return -1;
        }

        uint count = value - 1;
        int remaining = Remaining;
        if (count > (uint)(remaining / minElementSize))
        {
            Fail(FrameError.CountTooLarge, start, field, count, remaining);
            return -1;
        }

        return (int)count;
    }

    /// <summary>A plain count with a fixed upper bound (the path history's 23 points).</summary>
    public int ReadBoundedCount(int max, string field)
    {
        int start = _pos;
        uint value = ReadVarU32(field);
        if (value > (uint)max)
        {
            Fail(FrameError.ValueOutOfRange, start, field, value, max);
            return 0;
        }

        return (int)value;
    }

    public string? ReadString(string field)
    {
        int start = _pos;
        uint length = ReadVarU32(field);
        if (Failed)
        {
            return null;
        }

        int remaining = Remaining;
        if (length > (uint)remaining)
        {
            Fail(FrameError.CountTooLarge, start, field, length, remaining);
            return null;
        }

        ReadOnlySpan<byte> bytes = _data.Slice(_pos, (int)length);
        if (!Utf8.IsValid(bytes))
        {
            Fail(FrameError.InvalidUtf8, _pos + FirstInvalidUtf8(bytes), field);
            return null;
        }

        _pos += (int)length;
        return length == 0 ? string.Empty : Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Fails unless the whole input has been read.</summary>
    public void ExpectEnd(string body)
    {
        if (!Failed && _pos != _data.Length)
        {
            Fail(FrameError.TrailingBytes, _pos, body, Remaining);
        }
    }

    /// <summary>Records the first failure and stops reading.</summary>
    public void Fail(FrameError error, int offset, string field, long value = 0, long limit = 0, long min = 0)
    {
        if (_error == FrameError.None)
        {
            _error = error;
            _errorOffset = offset;
            _errorField = field;
            _errorValue = value;
            _errorLimit = limit;
            _errorMin = min;
        }

        _pos = _data.Length;
    }

    /// <summary>The recorded failure as a rejection; allocates the reason text.</summary>
    public readonly Rejection ToRejection()
    {
        string field = _errorField ?? "frame";
        int o = _errorOffset;
        long v = _errorValue;
        long limit = _errorLimit;
        CultureInfo inv = CultureInfo.InvariantCulture;
        return _error switch
        {
            FrameError.Truncated => new(RejectionKind.BadFrame,
                string.Create(inv, $"binary frame is truncated: {field} at offset {o} runs past the end ({_data.Length} bytes)")),
            FrameError.VarintOverflow => new(RejectionKind.BadFrame,
                string.Create(inv, $"binary frame: {field} at offset {o} is a varint that overflows {limit} bits")),
            FrameError.NonCanonicalVarint => new(RejectionKind.BadFrame,
                string.Create(inv, $"binary frame: {field} at offset {o} is a varint with a redundant trailing zero byte")),
            FrameError.ValueOutOfRange => new(RejectionKind.BadFrame,
                string.Create(inv, $"binary frame: {field} at offset {o} is {v}, outside what the field holds ({_errorMin}..{limit})")),
            FrameError.UndefinedEnumValue => new(RejectionKind.BadFrame,
                string.Create(inv, $"binary frame: {field} at offset {o} is {v}, not a defined value (0..{limit})")),
            FrameError.UndefinedFlags => new(RejectionKind.BadFrame,
                string.Create(inv, $"binary frame: {field} at offset {o} is 0x{v:X}, with bits outside the defined 0x{limit:X}")),
            FrameError.UndefinedPresenceBits => new(RejectionKind.BadFrame,
                string.Create(inv, $"binary frame: {field} presence bitmap at offset {o} is 0x{v:X}, with bits outside the defined 0x{limit:X}")),
            FrameError.CountTooLarge => new(RejectionKind.BadFrame,
                string.Create(inv, $"binary frame: {field} at offset {o} announces {v} items or bytes, more than the {limit} bytes left can hold")),
            FrameError.InvalidUtf8 => new(RejectionKind.InvalidUtf8,
                string.Create(inv, $"binary frame: {field} is not valid UTF-8 at offset {o}")),
            FrameError.TrailingBytes => new(RejectionKind.BadFrame,
                string.Create(inv, $"binary frame: {v} trailing bytes after the {field} body at offset {o}")),
            FrameError.BadMagic => new(RejectionKind.BadFrame,
                string.Create(inv, $"binary frame starts with 0x{v:X2}, not the magic byte 0x{FrameFormat.Magic:X2} (offset 0){(v == '{' ? ": this looks like JSON" : "")}")),
            FrameError.BadVersion => new(RejectionKind.BadFrame,
                string.Create(inv, $"binary frame version {v} is not supported ({FrameFormat.Version})")),
            FrameError.UnknownMessageType => new(RejectionKind.UnknownMessageType,
                string.Create(inv, $"binary frame: message type {v} at offset {o} is not a Day-1 message type (0..{FrameFormat.MaxMessageType})")),
            FrameError.WrongMessageType => new(RejectionKind.BadFrame,
                string.Create(inv, $"binary frame holds a {(Messages.MessageType)v} at offset {o}, not a {field}")),
            _ => new(RejectionKind.BadFrame, "binary frame: no error recorded"),
        };
    }

    private static ReadOnlySpan<byte> Zero16 => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        int index = 0;
        while (index < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[index..], out _, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                return index;
            }

            index += consumed;
        }

        return index;
    }

    private uint ReadVarU32Slow(string field)
    {
        int start = _pos;
        ReadOnlySpan<byte> data = _data;
        uint result = 0;
        for (int i = 0; i < 5; i++)
        {
            int pos = start + i;
            if ((uint)pos >= (uint)data.Length)
            {
                Fail(FrameError.Truncated, start, field);
                return 0;
            }

            uint b = data[pos];
            if (i == 4 && b > 0x0F)
            {
                Fail(FrameError.VarintOverflow, start, field, 0, 32);
                return 0;
            }

            result |= (b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                if (b == 0 && i > 0)
                {
                    Fail(FrameError.NonCanonicalVarint, start, field);
                    return 0;
                }

                _pos = pos + 1;
                return result;
            }
        }

        // Not reached: the fifth byte either ends the varint or overflows.
        Fail(FrameError.VarintOverflow, start, field, 0, 32);
        return 0;
    }
}
