using System.Globalization;
using System.Text;

namespace QiZhiChunCheng.Edge.Spool;

/// <summary>What an uplink record carries. The first five values are the <c>MessageType</c> values.</summary>
public enum UplinkKind : byte
{
    Bsm = 0,
    Map = 1,
    Rsm = 2,
    Spat = 3,
    Rsi = 4,
    Heartbeat = 5,
}

/// <summary>The spool's two classes: 10 Hz telemetry may be dropped when the spool is full, critical records never.</summary>
public enum SpoolClass : byte
{
    /// <summary>BSM, RSM, SPAT: the 10 Hz streams, sent at QoS 0 when live; the oldest are dropped first when full.</summary>
    Telemetry = 0,

    /// <summary>MAP, RSI, heartbeats: sent at QoS 1; never dropped by the policy.</summary>
    Critical = 1,
}

/// <summary>One spooled uplink message.</summary>
public readonly record struct SpoolEntry(SpoolClass Class, UplinkKind Kind, long Seq, long GeneratedUtcMs, string Topic, byte[] Payload);

/// <summary>The spool's limits and its durability policy.</summary>
public sealed record SpoolOptions
{
    /// <summary>Size of one segment file; a segment is the unit of deletion and of dropping.</summary>
    public long SegmentBytes { get; init; } = 4L << 20;

    /// <summary>The bound on the spool's size on disk; past it the oldest telemetry segments are dropped.</summary>
    public long MaxBytes { get; init; } = 256L << 20;

    /// <summary>How often written records are fsynced (besides every segment roll and a clean stop).</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the acknowledged position is written to the cursor file.</summary>
    public TimeSpan CursorInterval { get; init; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>The outcome of an append.</summary>
public enum SpoolAppend : byte
{
    Appended = 0,

    /// <summary>The spool was full of critical records only: this telemetry record was refused (and counted).</summary>
    Refused = 1,
}

/// <summary>Where the sender stands: everything before it was handed to the broker. Compared by record ordinals.</summary>
public readonly struct SpoolMark
{
    internal SpoolMark(LogPosition telemetry, LogPosition critical)
    {
        Telemetry = telemetry;
        Critical = critical;
    }

    internal LogPosition Telemetry { get; }

    internal LogPosition Critical { get; }
}

/// <summary>
/// The agent's durable spool: two segmented logs on disk (<c>telemetry/</c> for BSM, RSM and SPAT; <c>critical/</c>
/// for MAP, RSI and heartbeats) read back merged by <c>seq</c>, so the backlog goes out in the order it was made; and
/// a <c>cursor</c> file with the first unacknowledged record of each log and the next <c>seq</c>. The spool assigns
/// each record its <c>seq</c>, so seqs survive restarts: the next one is one past the newest record kept.
/// <para>
/// Durability: records are written to the OS when the agent's intake goes idle (at least every 1,024 records) and
/// before the sender reads them, so a <c>kill -9</c> loses nothing that was appended; they are fsynced every
/// <see cref="SpoolOptions.SyncInterval"/> and at every segment roll, so a power cut loses at most that interval.
/// The cursor is written every <see cref="SpoolOptions.CursorInterval"/>: after a crash, up to that much already
/// acknowledged traffic is sent again (at-least-once; the cloud drops duplicates by seq).
/// </para>
/// <para>
/// Drop policy: when an append would take the spool past <see cref="SpoolOptions.MaxBytes"/>, whole telemetry
/// segments are dropped, oldest first, and their unsent records counted by kind. Critical records are never
/// dropped; when only they remain, a new telemetry record is refused (and counted), a critical one is kept even
/// past the bound. A dropped or refused record still used its seq, so the cloud sees every loss as a gap.
/// </para>
/// Single-threaded (the agent's pump), except the counters, which any thread may read.
/// </summary>
public sealed class DurableSpool : IDisposable
{
    private const string CursorFile = "cursor";

    private readonly string _dir;
    private readonly SpoolOptions _options;
    private readonly Action<string> _log;
    private readonly SegmentLog _telemetry;
    private readonly SegmentLog _critical;
    private readonly FileStream _lock;
    private readonly long[] _dropped = new long[6];
    private readonly long[] _refused = new long[6];
    private readonly long[] _scratchDrops = new long[256];
    private byte[] _recordBuffer = new byte[4096];
    private LogPosition _tAck;
    private LogPosition _cAck;
    private LogPosition _tSend;
    private LogPosition _cSend;
    private (bool Has, SpoolEntry Entry, LogPosition After) _tPeek;
    private (bool Has, SpoolEntry Entry, LogPosition After) _cPeek;
    private long _nextSeq;
    private long _lastSyncTicks;
    private long _lastCursorTicks;
    private bool _cursorDirty;
    private long _pendingRecords;
    private long _bytes;

    private DurableSpool(string dir, SpoolOptions options, Action<string> log)
    {
        _dir = dir;
        _options = options;
        _log = log;
        Directory.CreateDirectory(dir);
        try
        {
            _lock = new FileStream(Path.Combine(dir, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new Core.InfrastructureException($"the spool {dir} is in use by another agent ({ex.Message})", retryable: false, ex);
        }

        _telemetry = SegmentLog.Open(Path.Combine(dir, "telemetry"), options.SegmentBytes, log);
        _critical = SegmentLog.Open(Path.Combine(dir, "critical"), options.SegmentBytes, log);
        (long nextSeq, long tSeg, long tOff, long cSeg, long cOff) = ReadCursor();
        _tAck = _tSend = _telemetry.Locate(tSeg, tOff);
        _cAck = _cSend = _critical.Locate(cSeg, cOff);
        _nextSeq = Math.Max(Math.Max(nextSeq, 1), Math.Max(_telemetry.LastSeq, _critical.LastSeq) + 1);
        UpdateDepth();
    }

    /// <summary>The seq the next appended record gets.</summary>
    public long NextSeq => _nextSeq;

    /// <summary>Records not yet acknowledged by the broker.</summary>
    public long PendingRecords => Volatile.Read(ref _pendingRecords);

    /// <summary>Bytes of the spool's segment files.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Invalid records cut off when the spool was opened (a torn write after a crash).</summary>
    public long TornRecords => _telemetry.TornRecords + _critical.TornRecords;

    /// <summary>Unsent records dropped by the policy, of one kind.</summary>
    public long Dropped(UplinkKind kind) => Interlocked.Read(ref _dropped[(int)kind]);

    /// <summary>Telemetry records refused because the spool held only critical records.</summary>
    public long Refused(UplinkKind kind) => Interlocked.Read(ref _refused[(int)kind]);

    public bool HasUnsent => _tPeek.Has || _cPeek.Has || _tSend.Ordinal < _telemetry.End.Ordinal || _cSend.Ordinal < _critical.End.Ordinal;

    /// <summary>Where the sender stands now (for acknowledging up to here later).</summary>
    public SpoolMark SendMark => new(_tSend, _cSend);

    public static SpoolClass ClassOf(UplinkKind kind) => kind is UplinkKind.Bsm or UplinkKind.Rsm or UplinkKind.Spat ? SpoolClass.Telemetry : SpoolClass.Critical;

    /// <summary>Opens (recovering after a crash) or creates the spool in <paramref name="dir"/>; one agent per folder.</summary>
    public static DurableSpool Open(string dir, SpoolOptions? options = null, Action<string>? log = null) =>
        new(dir, options ?? new SpoolOptions(), log ?? (_ => { }));

    /// <summary>Appends a record with the next seq, applying the drop policy; returns the outcome and the seq used.</summary>
    public SpoolAppend Append(UplinkKind kind, string topic, long generatedUtcMs, ReadOnlySpan<byte> payload, out long seq)
    {
        seq = _nextSeq++;
        SpoolClass spoolClass = ClassOf(kind);
        int topicBytes = Encoding.UTF8.GetByteCount(topic);
        int size = SpoolRecord.Size(topicBytes, payload.Length);
        if (size - SpoolRecord.HeaderBytes > SpoolRecord.MaxBodyBytes)
        {
            throw new ArgumentException($"a record of {payload.Length} bytes is over the spool's limit", nameof(payload));
        }

        if (_telemetry.Bytes + _critical.Bytes + size > _options.MaxBytes && !MakeRoom(size) && spoolClass == SpoolClass.Telemetry)
        {
            Interlocked.Increment(ref _refused[(int)kind]);
            _cursorDirty = true;
            return SpoolAppend.Refused;
        }

        if (_recordBuffer.Length < size)
        {
            _recordBuffer = new byte[Math.Max(size, _recordBuffer.Length * 2)];
        }

        Span<byte> record = _recordBuffer.AsSpan(0, size);
        Encoding.UTF8.GetBytes(topic, record.Slice(SpoolRecord.HeaderBytes + SpoolRecord.FixedBodyBytes, topicBytes));
        SpoolRecord.Write(record, spoolClass, kind, seq, generatedUtcMs, record.Slice(SpoolRecord.HeaderBytes + SpoolRecord.FixedBodyBytes, topicBytes), payload);
        (spoolClass == SpoolClass.Telemetry ? _telemetry : _critical).Append(record, seq);
        UpdateDepth();
        return SpoolAppend.Appended;
    }

    /// <summary>Hands appended records to the OS (they then survive a kill), and fsyncs when the interval is due.</summary>
    public void Flush()
    {
        _telemetry.Flush();
        _critical.Flush();
        long now = Environment.TickCount64;
        if (now - _lastSyncTicks >= _options.SyncInterval.TotalMilliseconds)
        {
            _telemetry.Sync();
            _critical.Sync();
            _lastSyncTicks = now;
        }

        if (_cursorDirty && now - _lastCursorTicks >= _options.CursorInterval.TotalMilliseconds)
        {
            WriteCursor();
        }
    }

    /// <summary>The next unsent record, oldest seq first across both logs; moves the send position past it.</summary>
    public bool TryReadNext(out SpoolEntry entry)
    {
        if (!_tPeek.Has)
        {
            LogPosition p = _tSend;
            if (_telemetry.TryRead(ref p, out SpoolEntry e))
            {
                _tPeek = (true, e, p);
            }
        }

        if (!_cPeek.Has)
        {
            LogPosition p = _cSend;
            if (_critical.TryRead(ref p, out SpoolEntry e))
            {
                _cPeek = (true, e, p);
            }
        }

        if (_tPeek.Has && (!_cPeek.Has || _tPeek.Entry.Seq < _cPeek.Entry.Seq))
        {
            entry = _tPeek.Entry;
            _tSend = _tPeek.After;
            _tPeek = default;
            return true;
        }

        if (_cPeek.Has)
        {
            entry = _cPeek.Entry;
            _cSend = _cPeek.After;
            _cPeek = default;
            return true;
        }

        entry = default;
        return false;
    }

    /// <summary>Everything before <paramref name="mark"/> reached the broker: fully acknowledged segments are deleted.</summary>
    public void Acknowledge(SpoolMark mark)
    {
        if (mark.Telemetry.Ordinal > _tAck.Ordinal)
        {
            _tAck = mark.Telemetry;
            _telemetry.DeleteBefore(_tAck);
            _cursorDirty = true;
        }

        if (mark.Critical.Ordinal > _cAck.Ordinal)
        {
            _cAck = mark.Critical;
            _critical.DeleteBefore(_cAck);
            _cursorDirty = true;
        }

        UpdateDepth();
    }

    /// <summary>The connection was lost: send again from the first unacknowledged record.</summary>
    public void Rewind()
    {
        _tSend = _tAck;
        _cSend = _cAck;
        _tPeek = default;
        _cPeek = default;
    }

    public void Dispose()
    {
        WriteCursor();
        _telemetry.Dispose();
        _critical.Dispose();
        _lock.Dispose();
    }

    /// <summary>Drops oldest telemetry segments until <paramref name="size"/> more bytes fit; false when they still do not.</summary>
    private bool MakeRoom(int size)
    {
        while (_telemetry.Bytes + _critical.Bytes + size > _options.MaxBytes)
        {
            if (_telemetry.Bytes == 0)
            {
                return false;
            }

            Span<long> counts = _scratchDrops;
            counts.Clear();
            LogPosition from = _tAck.Ordinal > _telemetry.Start.Ordinal ? _tAck : _telemetry.Start;
            LogPosition start = _telemetry.DropOldest(from, counts);
            long total = 0;
            for (int i = 0; i < _dropped.Length; i++)
            {
                Interlocked.Add(ref _dropped[i], counts[i]);
                total += counts[i];
            }

            _log($"spool full ({_options.MaxBytes} bytes): dropped the oldest telemetry segment, {total} unsent records (BSM {counts[(int)UplinkKind.Bsm]}, RSM {counts[(int)UplinkKind.Rsm]}, SPAT {counts[(int)UplinkKind.Spat]})");
            if (_tAck.Ordinal < start.Ordinal)
            {
                _tAck = start;
            }

            if (_tSend.Ordinal < start.Ordinal)
            {
                _tSend = start;
                _tPeek = default;
            }

            _cursorDirty = true;
            WriteCursor();
        }

        return true;
    }

    private void UpdateDepth()
    {
        Volatile.Write(ref _pendingRecords, _telemetry.End.Ordinal - _tAck.Ordinal + (_critical.End.Ordinal - _cAck.Ordinal));
        Volatile.Write(ref _bytes, _telemetry.Bytes + _critical.Bytes);
    }

    private (long NextSeq, long TSeg, long TOff, long CSeg, long COff) ReadCursor()
    {
        string path = Path.Combine(_dir, CursorFile);
        if (!File.Exists(path))
        {
            return (1, 0, 0, 0, 0);
        }

        // qzcc-spool 1 | nextSeq N | telemetry SEG OFFSET | critical SEG OFFSET
        string[] lines = File.ReadAllLines(path);
        try
        {
            return (
                Field(lines, "nextSeq", 1),
                Field(lines, "telemetry", 1),
                Field(lines, "telemetry", 2),
                Field(lines, "critical", 1),
                Field(lines, "critical", 2));
        }
        catch (FormatException)
        {
            _log($"spool: the cursor file {path} is unreadable; sending the whole spool again");
            return (1, 0, 0, 0, 0);
        }

        static long Field(string[] lines, string key, int index)
        {
            foreach (string line in lines)
            {
                string[] parts = line.Split(' ');
                if (parts.Length > index && parts[0] == key)
                {
                    return long.Parse(parts[index], NumberStyles.Integer, CultureInfo.InvariantCulture);
                }
            }

            throw new FormatException($"no {key}");
        }
    }

    private void WriteCursor()
    {
        // Records first: the cursor must never name a seq or position the logs do not hold yet.
        _telemetry.Flush();
        _critical.Flush();
        string path = Path.Combine(_dir, CursorFile);
        string temp = path + ".tmp";
        string text = string.Create(
            CultureInfo.InvariantCulture,
            $"qzcc-spool 1\nnextSeq {_nextSeq}\ntelemetry {_tAck.Segment} {_tAck.Offset}\ncritical {_cAck.Segment} {_cAck.Offset}\n");
        using (FileStream stream = new(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.ASCII.GetBytes(text));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        _cursorDirty = false;
        _lastCursorTicks = Environment.TickCount64;
    }
}
