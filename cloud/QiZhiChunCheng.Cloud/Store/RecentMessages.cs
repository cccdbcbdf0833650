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
/// written beside it. Bounded: the oldest frame goes when <see cref="Capacity"/> is reached (20,000 by default,
/// about 20 s at the demo's rate and a few MB); an event is stored milliseconds after its message, so it is found.
/// Thread-safe (one lock; an insert costs a dictionary add and a queue step).
/// </summary>
public sealed class RecentMessages
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ReadOnlyMemory<byte>> _frames = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public RecentMessages(int capacity = 20_000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _frames.Count;
            }
        }
    }

    public void Add(string traceId, ReadOnlyMemory<byte> frame)
    {
        lock (_gate)
        {
            if (!_frames.TryAdd(traceId, frame))
            {
                return;
            }

            _order.Enqueue(traceId);
            while (_order.Count > Capacity)
            {
                _frames.Remove(_order.Dequeue());
            }
        }
    }

    /// <summary>The message with this trace id as JER JSON, for <paramref name="eventId"/>; null when it is no longer kept.</summary>
    public EventMessage? Find(string traceId, string eventId)
    {
        ReadOnlyMemory<byte> frame;
        lock (_gate)
        {
            if (!_frames.TryGetValue(traceId, out frame))
            {
                return null;
            }
        }

        if (!BinaryCodec.TryDecode(frame.Span, out V2xMessage message, out Rejection _))
        {
            return null;
        }

        Envelope envelope = message.Envelope;
        return new EventMessage(traceId, eventId, envelope.Type.ToString().ToUpperInvariant(), envelope.SourceId.ToString(), envelope.GeneratedUtcMs, Encoding.UTF8.GetString(JsonCodec.Encode(message)));
    }
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
