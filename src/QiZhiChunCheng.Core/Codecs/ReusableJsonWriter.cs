using System.Buffers;
using System.Text.Json;

namespace QiZhiChunCheng.Core.Codecs;

/// <summary>
/// A <see cref="Utf8JsonWriter"/> and its buffer, kept by one thread (hold it in a <c>[ThreadStatic]</c> field) to write
/// small JSON documents into arrays of their exact length. A fresh writer asks its output for 4 KB at the first
/// write, so writing a 200-byte document into a new buffer makes about 4.5 KB of garbage; kept, only the returned
/// array is allocated. A buffer grown past 64 KB (a large MAP) is let go after the document rather than kept. Not
/// thread-safe; not re-entrant. A thread-static holder need not dispose it.
/// </summary>
public sealed class ReusableJsonWriter : IDisposable
{
    private const int KeptBufferBytes = 64 * 1024;
    private readonly Utf8JsonWriter _writer;
    private ArrayBufferWriter<byte> _buffer = new(1024);

    public ReusableJsonWriter(JsonWriterOptions options = default) => _writer = new Utf8JsonWriter(_buffer, options);

    /// <summary>The writer, emptied and ready for a new document.</summary>
    public Utf8JsonWriter Begin()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        return _writer;
    }

    /// <summary>The document written since <see cref="Begin"/>, as a new array.</summary>
    public byte[] End()
    {
        _writer.Flush();
        byte[] document = _buffer.WrittenSpan.ToArray();
        if (_buffer.Capacity > KeptBufferBytes)
        {
            _buffer = new ArrayBufferWriter<byte>(1024);
        }

        return document;
    }

    /// <summary>Lets the writer go (it holds no native resource; the buffer is managed memory).</summary>
    public void Dispose() => _writer.Dispose();
}
