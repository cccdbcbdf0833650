using System.Threading.Channels;
using QiZhiChunCheng.Core.Events;

namespace QiZhiChunCheng.Cloud.Api;

/// <summary>
/// Fans stored events out to live subscribers (<c>GET /api/events/stream</c>). Each subscriber has a bounded
/// channel; a subscriber that falls <see cref="SubscriberCapacity"/> events behind is dropped (its stream ends), so
/// a slow client never holds up the pipeline. Publishing never waits. Thread-safe.
/// </summary>
public sealed class EventBroadcaster
{
    public const int SubscriberCapacity = 1000;

    private readonly Lock _gate = new();
    private readonly List<Channel<StoredEvent>> _subscribers = [];
    private long _dropped;

    public int Subscribers
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>Subscribers dropped for being too slow, since start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Raised when a subscriber joins (tests wait on it instead of sleeping).</summary>
    public event Action? Subscribed;

    public Subscription Subscribe()
    {
        Channel<StoredEvent> channel = Channel.CreateBounded<StoredEvent>(new BoundedChannelOptions(SubscriberCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        lock (_gate)
        {
            _subscribers.Add(channel);
        }

        Subscribed?.Invoke();
        return new Subscription(this, channel);
    }

    public void Publish(IReadOnlyList<StoredEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        lock (_gate)
        {
            for (int s = _subscribers.Count - 1; s >= 0; s--)
            {
                Channel<StoredEvent> channel = _subscribers[s];
                foreach (StoredEvent e in events)
                {
                    if (!channel.Writer.TryWrite(e))
                    {
                        channel.Writer.TryComplete(new TimeoutException($"the client fell {SubscriberCapacity} events behind and was dropped"));
                        _subscribers.RemoveAt(s);
                        Interlocked.Increment(ref _dropped);
                        break;
                    }
                }
            }
        }
    }

    /// <summary>Ends every stream (at shutdown).</summary>
    public void CompleteAll()
    {
        lock (_gate)
        {
            foreach (Channel<StoredEvent> channel in _subscribers)
            {
                channel.Writer.TryComplete();
            }

            _subscribers.Clear();
        }
    }

    private void Remove(Channel<StoredEvent> channel)
    {
        lock (_gate)
        {
            _subscribers.Remove(channel);
        }

        channel.Writer.TryComplete();
    }

    /// <summary>One live subscriber; dispose to leave.</summary>
    public sealed class Subscription(EventBroadcaster owner, Channel<StoredEvent> channel) : IDisposable
    {
        public ChannelReader<StoredEvent> Reader => channel.Reader;

        public void Dispose() => owner.Remove(channel);
    }
}
