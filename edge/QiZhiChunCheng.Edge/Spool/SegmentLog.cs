using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace QiZhiChunCheng.Edge.Spool;

/// <summary>
/// A place in one log: the segment, the byte offset in it, and the record's ordinal (its number since the log's
/// oldest kept record was written; ordinals only grow, so positions compare by ordinal).
/// </summary>
internal readonly record struct LogPosition(long Segment, long Offset, long Ordinal);

/// <summary>One segment file of a log.</summary>
internal sealed class Segment
{
    public Segment(long index, string path)
    {
        Index = index;
        Path = path;
    }

    public long Index { get; }

    public string Path { get; }

    /// <summary>Bytes of whole, valid records in the file.</summary>
    public long Length { get; set; }

    public long StartOrdinal { get; set; }

    public long Records { get; set; }

    public long EndOrdinal => StartOrdinal + Records;
}

/// <summary>
/// The record layout, little-endian. A record is a header and a body:
/// <code>
/// u32 body length L | u32 CRC-32 of the body | body: u8 class | u8 kind | u16 topic length T | i64 seq | i64 ts | topic (T bytes, UTF-8) | payload (L - 20 - T bytes)
/// </code>
/// Worked example: a 300-byte BSM on <c>V2X/RSU/RSU-DF-01/BSM/UP</c> (25 bytes) is 8 + 20 + 25 + 300 = 353 bytes.
/// A record is valid when its whole body is in the file and its CRC matches; the first invalid record ends a
/// segment (a torn write at the tail after a crash).
/// </summary>
internal static class SpoolRecord
{
    public const int HeaderBytes = 8;
    public const int FixedBodyBytes = 20;
    public const int MaxBodyBytes = (1 << 20) + 1024;

    public static int Size(int topicBytes, int payloadBytes) => HeaderBytes + FixedBodyBytes + topicBytes + payloadBytes;

    public static void Write(Span<byte> destination, SpoolClass spoolClass, UplinkKind kind, long seq, long ts, ReadOnlySpan<byte> topic, ReadOnlySpan<byte> payload)
    {
        int body = FixedBodyBytes + topic.Length + payload.Length;
        Span<byte> b = destination.Slice(HeaderBytes, body);
        b[0] = (byte)spoolClass;
        b[1] = (byte)kind;
        BinaryPrimitives.WriteUInt16LittleEndian(b[2..], (ushort)topic.Length);
        BinaryPrimitives.WriteInt64LittleEndian(b[4..], seq);
        BinaryPrimitives.WriteInt64LittleEndian(b[12..], ts);
        topic.CopyTo(b[FixedBodyBytes..]);
        payload.CopyTo(b[(FixedBodyBytes + topic.Length)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)body);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Crc32.HashToUInt32(b));
    }

    /// <summary>Checks a header; the body length when plausible, otherwise -1.</summary>
    public static int BodyLength(ReadOnlySpan<byte> header)
    {
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        return length is < FixedBodyBytes or > MaxBodyBytes ? -1 : (int)length;
    }

    public static bool CrcMatches(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body) =>
        BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) == Crc32.HashToUInt32(body);

    public static SpoolEntry Decode(ReadOnlySpan<byte> body)
    {
        int topicLength = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
        return new SpoolEntry(
            (SpoolClass)body[0],
            (UplinkKind)body[1],
            BinaryPrimitives.ReadInt64LittleEndian(body[4..]),
            BinaryPrimitives.ReadInt64LittleEndian(body[12..]),
            Encoding.UTF8.GetString(body.Slice(FixedBodyBytes, topicLength)),
            body[(FixedBodyBytes + topicLength)..].ToArray());
    }
}

/// <summary>
/// An append-only log of records in numbered segment files (<c>00000000000000000001.seg</c>, ...). The newest
/// segment is the active one; it is never deleted, so the log always knows its last record. Single-threaded:
/// the agent's pump owns it.
/// </summary>
internal sealed class SegmentLog : IDisposable
{
    private const string Extension = ".seg";

    private readonly string _dir;
    private readonly long _segmentBytes;
    private readonly Action<string> _log;
    private readonly List<Segment> _segments = [];
    private readonly byte[] _header = new byte[SpoolRecord.HeaderBytes];
    private byte[] _body = new byte[4096];
    private FileStream _writer = null!;
    private long _writerFlushed;
    private bool _dirty;
    private FileStream? _reader;
    private long _readerSegment = -1;

    private SegmentLog(string dir, long segmentBytes, Action<string> log)
    {
        _dir = dir;
        _segmentBytes = segmentBytes;
        _log = log;
    }

    public string Name => System.IO.Path.GetFileName(_dir);

    /// <summary>Invalid records found when the log was opened (a torn tail after a crash, or corruption).</summary>
    public long TornRecords { get; private set; }

    /// <summary>The seq of the newest record kept, or -1.</summary>
    public long LastSeq { get; private set; } = -1;

    public long Bytes { get; private set; }

    public int SegmentCount => _segments.Count;

    public LogPosition Start => new(_segments[0].Index, 0, _segments[0].StartOrdinal);

    public LogPosition End => new(Active.Index, Active.Length, Active.EndOrdinal);

    public Segment Oldest => _segments[0];

    private Segment Active => _segments[^1];

    /// <summary>Opens or creates the log, checking every record; the first invalid record of a segment and all after it are cut off.</summary>
    public static SegmentLog Open(string dir, long segmentBytes, Action<string> log)
    {
        Directory.CreateDirectory(dir);
        SegmentLog result = new(dir, segmentBytes, log);
        result.Recover();
        return result;
    }

    /// <summary>Finds the position of the record with the given ordinal at or after <paramref name="segment"/>/<paramref name="offset"/>, clamped into the log.</summary>
    public LogPosition Locate(long segment, long offset)
    {
        if (segment < _segments[0].Index)
        {
            return Start;
        }

        if (segment > Active.Index)
        {
            return End;
        }

        Segment seg = _segments[(int)(segment - _segments[0].Index)];
        // Walk the records of the segment to learn the ordinal (and to land on a record boundary).
        long position = 0;
        long ordinal = seg.StartOrdinal;
        while (position < offset && position < seg.Length)
        {
            if (!ReadAt(seg, position, out int body))
            {
                break;
            }

            position += SpoolRecord.HeaderBytes + body;
            ordinal++;
        }

        return new LogPosition(seg.Index, position, ordinal);
    }

    public void Append(ReadOnlySpan<byte> record, long seq)
    {
        if (Active.Length > 0 && Active.Length + record.Length > _segmentBytes)
        {
            Roll();
        }

        _writer.Write(record);
        Active.Length += record.Length;
        Active.Records++;
        Bytes += record.Length;
        LastSeq = seq;
        _dirty = true;
    }

    /// <summary>Hands buffered records to the operating system: after this they survive the process being killed.</summary>
    public void Flush()
    {
        if (_writerFlushed != Active.Length)
        {
            _writer.Flush(flushToDisk: false);
            _writerFlushed = Active.Length;
        }
    }

    /// <summary>Flushes and asks the disk to persist (fsync): after this records survive a power cut.</summary>
    public void Sync()
    {
        Flush();
        if (_dirty)
        {
            _writer.Flush(flushToDisk: true);
            _dirty = false;
        }
    }

    /// <summary>Reads the record at <paramref name="position"/> and moves past it; false at the end of the log.</summary>
    public bool TryRead(ref LogPosition position, out SpoolEntry entry)
    {
        entry = default;
        while (true)
        {
            int i = (int)(position.Segment - _segments[0].Index);
            if (i < 0)
            {
                position = Start;
                continue;
            }

            Segment seg = _segments[i];
            if (position.Offset >= seg.Length)
            {
                if (seg == Active)
                {
                    return false;
                }

                Segment next = _segments[i + 1];
                position = new LogPosition(next.Index, 0, next.StartOrdinal);
                continue;
            }

            if (seg == Active && position.Offset >= _writerFlushed)
            {
                Flush();
            }

            if (!ReadAt(seg, position.Offset, out int body) || !SpoolRecord.CrcMatches(_header, _body.AsSpan(0, body)))
            {
                // Checked on open and written by us since: only damage behind our back gets here. Skip the segment's rest.
                _log($"spool {Name}: segment {seg.Index} is damaged at offset {position.Offset}; skipping the rest of it");
                seg.Length = position.Offset;
                continue;
            }

            entry = SpoolRecord.Decode(_body.AsSpan(0, body));
            position = new LogPosition(seg.Index, position.Offset + SpoolRecord.HeaderBytes + body, position.Ordinal + 1);
            return true;
        }
    }

    /// <summary>Deletes the segments wholly before <paramref name="acknowledged"/> (never the active one).</summary>
    public int DeleteBefore(LogPosition acknowledged)
    {
        int deleted = 0;
        while (_segments.Count > 1 && (_segments[0].Index < acknowledged.Segment || acknowledged.Ordinal >= _segments[0].EndOrdinal))
        {
            DeleteOldest();
            deleted++;
        }

        return deleted;
    }

    /// <summary>
    /// Drops the oldest segment (rolling first when it is the active one) and counts, by kind, its records at or
    /// after <paramref name="from"/> (those not yet acknowledged). Returns the start of what is left.
    /// </summary>
    public LogPosition DropOldest(LogPosition from, Span<long> droppedByKind)
    {
        Segment oldest = _segments[0];
        long offset = from.Segment == oldest.Index ? from.Offset : from.Segment > oldest.Index ? oldest.Length : 0;
        Flush();
        while (offset < oldest.Length && ReadAt(oldest, offset, out int body))
        {
            droppedByKind[_body[1]]++;
            offset += SpoolRecord.HeaderBytes + body;
        }

        if (oldest == Active)
        {
            Roll();
        }

        DeleteOldest();
        return Start;
    }

    public void Dispose()
    {
        _reader?.Dispose();
        if (_writer is not null)
        {
            Sync();
            _writer.Dispose();
        }
    }

    private void DeleteOldest()
    {
        Segment oldest = _segments[0];
        if (_readerSegment == oldest.Index)
        {
            _reader?.Dispose();
            _reader = null;
            _readerSegment = -1;
        }

        File.Delete(oldest.Path);
        Bytes -= oldest.Length;
        _segments.RemoveAt(0);
    }

    private void Roll()
    {
        // fsync per segment roll: a sealed segment is on disk before the next one starts.
        Sync();
        _writer.Dispose();
        Segment next = new(Active.Index + 1, PathOf(Active.Index + 1)) { StartOrdinal = Active.EndOrdinal };
        _segments.Add(next);
        _writer = OpenWriter(next.Path, 0);
        _writerFlushed = 0;
    }

    private bool ReadAt(Segment seg, long offset, out int body)
    {
        body = 0;
        if (_readerSegment != seg.Index)
        {
            _reader?.Dispose();
            _reader = new FileStream(seg.Path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete, BufferSize = 64 * 1024 });
            _readerSegment = seg.Index;
        }

        if (offset + SpoolRecord.HeaderBytes > seg.Length)
        {
            return false;
        }

        _reader!.Position = offset;
        _reader.ReadExactly(_header);
        body = SpoolRecord.BodyLength(_header);
        if (body < 0 || offset + SpoolRecord.HeaderBytes + body > seg.Length)
        {
            return false;
        }

        if (_body.Length < body)
        {
            _body = new byte[Math.Max(body, _body.Length * 2)];
        }

        _reader.ReadExactly(_body, 0, body);
        return true;
    }

    private void Recover()
    {
        List<long> indexes = [];
        foreach (string file in Directory.EnumerateFiles(_dir, "*" + Extension))
        {
            if (long.TryParse(System.IO.Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out long index))
            {
                indexes.Add(index);
            }
        }

        indexes.Sort();
        long ordinal = 0;
        foreach (long index in indexes)
        {
            Segment seg = new(index, PathOf(index)) { StartOrdinal = ordinal };
            seg.Length = new FileInfo(seg.Path).Length;
            long fileLength = seg.Length;
            long offset = 0;
            while (offset < fileLength)
            {
                if (!ReadAt(seg, offset, out int body) || !SpoolRecord.CrcMatches(_header, _body.AsSpan(0, body)))
                {
                    break;
                }

                LastSeq = Math.Max(LastSeq, BinaryPrimitives.ReadInt64LittleEndian(_body.AsSpan(4)));
                offset += SpoolRecord.HeaderBytes + body;
                seg.Records++;
            }

            if (offset < fileLength)
            {
                TornRecords++;
                _log(index == indexes[^1]
                    ? $"spool {Name}: torn record at the end of segment {index} (offset {offset}, {fileLength - offset} bytes): skipped, not replayed"
                    : $"spool {Name}: invalid record in segment {index} at offset {offset}: the {fileLength - offset} bytes after it are skipped");
                _reader?.Dispose();
                _reader = null;
                _readerSegment = -1;
                using (FileStream truncate = new(seg.Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
                {
                    truncate.SetLength(offset);
                    truncate.Flush(flushToDisk: true);
                }
            }

            seg.Length = offset;
            ordinal = seg.EndOrdinal;
            Bytes += seg.Length;
            _segments.Add(seg);
        }

        if (_segments.Count == 0)
        {
            _segments.Add(new Segment(1, PathOf(1)));
        }

        _writer = OpenWriter(Active.Path, Active.Length);
        _writerFlushed = Active.Length;
    }

    private static FileStream OpenWriter(string path, long length)
    {
        FileStream stream = new(path, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, Share = FileShare.Read | FileShare.Delete, BufferSize = 64 * 1024 });
        stream.Position = length;
        return stream;
    }

    private string PathOf(long index) => System.IO.Path.Combine(_dir, index.ToString("D20", CultureInfo.InvariantCulture) + Extension);
}
