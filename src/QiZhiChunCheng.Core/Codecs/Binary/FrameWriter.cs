using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Core.Codecs.Binary;

/// <summary>
/// Writes the primitives of the binary frame (see FrameFormat.cs) into an <see cref="IBufferWriter{T}"/>. Holds
/// the span it was last given and asks the buffer writer again only when that span is full, so most writes are a
/// bounds check and a store. Call <see cref="Flush"/> once at the end. Allocates nothing itself.
/// </summary>
internal ref struct FrameWriter
{
    private const int ChunkSize = 256;

    // Strict: a string with a lone surrogate cannot round-trip, so encoding it is refused (an ArgumentException).
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly IBufferWriter<byte> _output;
    private Span<byte> _span;
    private int _pos;

    public FrameWriter(IBufferWriter<byte> output)
    {
        _output = output;
        _span = output.GetSpan(ChunkSize);
        _pos = 0;
    }

    /// <summary>True when the list is a default <see cref="ValueArray{T}"/> (absent), not an empty one.</summary>
    public static bool IsAbsent<T>(ValueArray<T> list) =>
        Unsafe.IsNullRef(ref MemoryMarshal.GetReference(list.AsSpan()));

    public void WriteU8(byte value)
    {
        if (_pos >= _span.Length)
        {
            Grow(1);
        }

        _span[_pos++] = value;
    }

    public void WriteI8(sbyte value) => WriteU8(unchecked((byte)value));

    public void WriteVarU32(uint value)
    {
        if (_span.Length - _pos < 5)
        {
            Grow(5);
        }

        Span<byte> span = _span;
        int pos = _pos;
        while (value >= 0x80)
        {
            span[pos++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[pos++] = (byte)value;
        _pos = pos;
    }

    public void WriteVarS32(int value) => WriteVarU32((uint)((value << 1) ^ (value >> 31)));

    public void WriteVarU64(ulong value)
    {
        if (_span.Length - _pos < 10)
        {
            Grow(10);
        }

        Span<byte> span = _span;
        int pos = _pos;
        while (value >= 0x80)
        {
            span[pos++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[pos++] = (byte)value;
        _pos = pos;
    }

    public void WriteVarS64(long value) => WriteVarU64((ulong)((value << 1) ^ (value >> 63)));

    public void WriteBE64(ulong value)
    {
        if (_span.Length - _pos < 8)
        {
            Grow(8);
        }

        BinaryPrimitives.WriteUInt64BigEndian(_span[_pos..], value);
        _pos += 8;
    }

    public void WriteDeviceId(DeviceId id)
    {
        if (_span.Length - _pos < 16)
        {
            Grow(16);
        }

        id.WriteBytes(_span.Slice(_pos, 16));
        _pos += 16;
    }

    /// <summary>Writes the count prefix of a list: 0 when absent, count + 1 otherwise.</summary>
    public void WriteListCount<T>(ValueArray<T> list) =>
        WriteVarU32(IsAbsent(list) ? 0u : (uint)list.Count + 1);

    /// <exception cref="ArgumentException">The string holds a lone surrogate, which UTF-8 cannot carry.</exception>
    public void WriteString(string value)
    {
        int length = StrictUtf8.GetByteCount(value);
        WriteVarU32((uint)length);
        if (_span.Length - _pos < length)
        {
            Grow(length);
        }

        _pos += StrictUtf8.GetBytes(value, _span[_pos..]);
    }

    /// <summary>Hands the bytes written so far to the buffer writer.</summary>
    public void Flush()
    {
        _output.Advance(_pos);
        _pos = 0;
        _span = default;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int bytes)
    {
        _output.Advance(_pos);
        _pos = 0;
        _span = _output.GetSpan(Math.Max(bytes, ChunkSize));
    }
}
