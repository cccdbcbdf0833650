using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using QiZhiChunCheng.Cloud.Api;
using QiZhiChunCheng.Core.Events;

namespace QiZhiChunCheng.Cloud.Store;

/// <summary>
/// The event sink in front of the store: group commit. Each worker's batch waits in a channel; one writer task
/// takes every batch waiting (up to <see cref="MaxBatchEvents"/> events), adds the messages behind them from
/// <see cref="RecentMessages"/>, writes them in one transaction, then completes every waiting worker and publishes
/// the stored events to the live stream. A worker's <see cref="WriteAsync(IReadOnlyList{V2xEvent}, CancellationToken)"/>
/// returns when its events are committed, so the next sink (and a client reading the API) sees them stored.
/// Thread-safe.
/// </summary>
public sealed class StoreWriter : IEventSink, IAsyncDisposable
{
    public const int MaxBatchEvents = 5000;

    private readonly IEventStore _store;
    private readonly RecentMessages? _messages;
    private readonly EventBroadcaster? _live;
    private readonly Func<double, double, string?>? _intersectionOf;
    private readonly ILogger _logger;
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(10_000) { SingleReader = true });
    private readonly Task _loop;
    private long _written;

    public StoreWriter(IEventStore store, RecentMessages? messages, EventBroadcaster? live, Func<double, double, string?>? intersectionOf, ILogger logger)
    {
        _store = store;
        _messages = messages;
        _live = live;
        _intersectionOf = intersectionOf;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Events committed through this writer since start.</summary>
    public long Written => Interlocked.Read(ref _written);

    public async ValueTask WriteAsync(IReadOnlyList<V2xEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        Pending pending = new(events, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        await pending.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Writes what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private async Task RunAsync()
    {
        List<Pending> batch = [];
        List<V2xEvent> events = [];
        List<EventMessage> messages = [];
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            events.Clear();
            messages.Clear();
            while (events.Count < MaxBatchEvents && _queue.Reader.TryRead(out Pending? pending))
            {
                batch.Add(pending);
                events.AddRange(pending.Events);
            }

            if (_messages is not null)
            {
                foreach (V2xEvent e in events)
                {
                    if (e.TraceId is { } trace && _messages.Find(trace, e.Id) is { } message)
                    {
                        messages.Add(message);
                    }
                }
            }

            try
            {
                await _store.WriteAsync(events, messages, CancellationToken.None);
                Interlocked.Add(ref _written, events.Count);
                foreach (Pending p in batch)
                {
                    p.Done.TrySetResult();
                }
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "the event store refused a batch of {Count} events", events.Count);
                foreach (Pending p in batch)
                {
                    p.Done.TrySetException(ex);
                }

                continue;
            }

            if (_live is not null)
            {
                StoredEvent[] stored = new StoredEvent[events.Count];
                for (int i = 0; i < events.Count; i++)
                {
                    V2xEvent e = events[i];
                    stored[i] = new StoredEvent(e, e.EventTimeUtcMs, _intersectionOf?.Invoke(e.LatitudeDeg, e.LongitudeDeg));
                }

                _live.Publish(stored);
            }
        }
    }

    private sealed record Pending(IReadOnlyList<V2xEvent> Events, TaskCompletionSource Done);
}
