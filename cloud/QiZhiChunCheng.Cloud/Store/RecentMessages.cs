using System.Globalization;
using System.Numerics;
using System.Text;
using QiZhiChunCheng.Cloud.Bus;
using QiZhiChunCheng.Core.Bus;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;

namespace QiZhiChunCheng.Cloud.Store;

/// <summary>
/// The last accepted messages by trace id (their bus frames), so that the store can keep the messages behind an
/// event: when an event is stored, the messages its phases name are looked up here, turned back into JER JSON and
/// written beside it. Bounded by bytes: frames are copied into one ring (<see cref="CapacityBytes"/>, 16 MB by
/// default: about 100,000 BSMs, five seconds at 20,000 messages a second and minutes at the demo's rate) and the
/// newest overwrite the oldest; an event is stored milliseconds after its message, so it is found.
/// Nothing is allocated per message: at load the last seconds of frames would otherwise be objects that every
/// garbage collection traces and promotes (they were the cloud's largest set of survivors). The index is a
/// four-way set-associative table keyed by the 128-bit trace id; a message is forgotten early only when four newer
/// ones share its set. Thread-safe (one lock; an insert is a hash, a probe and a copy of about 100 bytes).
/// </summary>
public sealed class RecentMessages
{
    private const int Ways = 4;

    private readonly Lock _gate = new();
    private readonly byte[] _ring;
    private readonly Slot[] _slots;
    private readonly int _setMask;
    private long _written;

    /// <param name="capacityBytes">Bytes of frames kept (a frame is about 160 bytes for a BSM).</param>
    public RecentMessages(int capacityBytes = 16 << 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityBytes, 4096);
        CapacityBytes = capacityBytes;
        _ring = GC.AllocateUninitializedArray<byte>(capacityBytes, pinned: false);
        int sets = (int)Math.Min(1 << 20, BitOperations.RoundUpToPowerOf2((uint)Math.Max(1024, capacityBytes / 64 / Ways)));
        _setMask = sets - 1;
        _slots = new Slot[sets * Ways];
    }

    public int CapacityBytes { get; }

    /// <summary>Frames that can still be found.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                int n = 0;
                foreach (ref readonly Slot slot in _slots.AsSpan())
                {
                    if (Live(slot))
                    {
                        n++;
                    }
                }

                return n;
            }
        }
    }

    public void Add(string traceId, ReadOnlyMemory<byte> frame)
    {
        ArgumentNullException.ThrowIfNull(traceId);
        if (!TryParse(traceId, out ulong hi, out ulong lo) || frame.Length == 0 || frame.Length > _ring.Length / 4)
        {
            return;
        }

        lock (_gate)
        {
            Span<Slot> set = _slots.AsSpan(SetOf(hi, lo) * Ways, Ways);
            int victim = 0;
            for (int i = 0; i < Ways; i++)
            {
                if (set[i].Hi == hi && set[i].Lo == lo && Live(set[i]))
                {
                    return; // the same message again (a retransmission): keep the first
                }

                if (!Live(set[i]) || set[i].Offset < set[victim].Offset)
                {
                    victim = i;
                }
            }

            // Frames never wrap: one that does not fit before the ring's end starts at its beginning.
            long at = _written;
            int position = (int)(at % _ring.Length);
            if (position + frame.Length > _ring.Length)
            {
                at += _ring.Length - position;
                position = 0;
            }

            frame.Span.CopyTo(_ring.AsSpan(position));
            _written = at + frame.Length;
            set[victim] = new Slot(hi, lo, at, frame.Length);
        }
    }

    /// <summary>The message with this trace id as JER JSON, for <paramref name="eventId"/>; null when it is no longer kept.</summary>
    public EventMessage? Find(string traceId, string eventId)
    {
        ArgumentNullException.ThrowIfNull(traceId);
        if (!TryParse(traceId, out ulong hi, out ulong lo))
        {
            return null;
        }

        byte[]? frame = null;
        lock (_gate)
        {
            foreach (ref readonly Slot slot in _slots.AsSpan(SetOf(hi, lo) * Ways, Ways))
            {
                if (slot.Hi == hi && slot.Lo == lo && Live(slot))
                {
                    frame = _ring.AsSpan((int)(slot.Offset % _ring.Length), slot.Length).ToArray();
                    break;
                }
            }
        }

        if (frame is null || !BinaryCodec.TryDecode(frame, out V2xMessage message, out Rejection _))
        {
            return null;
        }

        Envelope envelope = message.Envelope;
        return new EventMessage(traceId, eventId, envelope.Type.ToString().ToUpperInvariant(), envelope.SourceId.ToString(), envelope.GeneratedUtcMs, Encoding.UTF8.GetString(JsonCodec.Encode(message)));
    }

    // A slot is live while its bytes have not been overwritten: they start no more than a ring's length before the end.
    private bool Live(in Slot slot) => slot.Length > 0 && slot.Offset + _ring.Length >= _written;

    // Both halves mixed (the finaliser of MurmurHash3), so that ids that differ in a few bits spread over the sets.
    private int SetOf(ulong hi, ulong lo)
    {
        ulong x = hi ^ BitOperations.RotateLeft(lo, 29) ^ 0x9E3779B97F4A7C15UL;
        x ^= x >> 33;
        x *= 0xFF51AFD7ED558CCDUL;
        x ^= x >> 33;
        x *= 0xC4CEB9FE1A85EC53UL;
        x ^= x >> 33;
        return (int)x & _setMask;
    }

    private static bool TryParse(string traceId, out ulong hi, out ulong lo)
    {
        hi = lo = 0;
        return traceId.Length == 32
            && ulong.TryParse(traceId.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out hi)
            && ulong.TryParse(traceId.AsSpan(16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out lo);
    }

    private readonly record struct Slot(ulong Hi, ulong Lo, long Offset, int Length);
}

/// <summary>Puts each data record's frame into <see cref="RecentMessages"/> on its way to the bus.</summary>
public sealed class RecordingBusProducer(IBusProducer inner, RecentMessages recent) : IBusProducer
{
    public int Partitions => inner.Partitions;

    public ValueTask ProduceAsync(BusRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (BusTopics.IsData(record.Topic) && record.Header(BusHeaders.Copy) is null && record.Header(BusHeaders.TraceId) is { } trace)
        {
            recent.Add(trace, record.Value);
        }

        return inner.ProduceAsync(record, cancellationToken);
    }
}
