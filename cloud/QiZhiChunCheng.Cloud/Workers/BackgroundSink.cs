using System.Collections.Concurrent;
using System.Threading.Channels;
using QiZhiChunCheng.Core.Events;

namespace QiZhiChunCheng.Cloud.Workers;

/// <summary>
/// Runs an event sink on a thread of its own, batch after batch in the order the workers hand them over, so that what
/// the sink does with the calling thread (the downlink encodes an RSI for every covering RSU and dispatches it through
/// the broker; the Kafka producer serialises and enqueues every phase) is done neither on a fusion worker's thread nor
/// on the thread pool, where the broker's connections run ingest. Measured at 20,000 msg/s: once a second a tick
/// raises about a thousand update phases. On the worker's thread the downlink took up to 87 ms of it while every
/// message behind waited (p99 18.9 ms with one partition); on a thread-pool task it held back ingest instead, once a
/// second, by 25 to 54 ms (p99 18 to 19 ms); on its own thread, p99 12 to 14 ms.
/// <para>
/// <see cref="WriteAsync"/> returns at once with a task that completes when the inner sink has the batch (or failed
/// it), so the worker's commits still wait for the sink. A full queue (of the capacity given, in batches) makes that
/// task wait too, and the worker holds the bus when too many writes are in flight: nothing is dropped. Thread-safe.
/// The inner sink is called from the one thread, batch after batch, but may be called with the next batch while an
/// earlier one still waits for its acknowledgements: the downlink and the Kafka event sink allow that; a sink that
/// does not should not be run here.
/// </para>
/// </summary>
public sealed class BackgroundSink : IEventSink, IAsyncDisposable
{
    private readonly IEventSink _inner;
    private readonly Channel<Pending> _queue;
    private readonly Task _loop;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();

    public BackgroundSink(IEventSink inner, int capacity = 4096)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _inner = inner;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        Thread thread = new(Run) { IsBackground = true, Name = $"sink {inner.GetType().Name}" };
        thread.Start();
        _loop = _stopped.Task;
    }

    /// <summary>The sink this one runs.</summary>
    public IEventSink Inner => _inner;

    /// <summary>Batches handed over and not yet written.</summary>
    public int Queued => _queue.Reader.Count;

    public ValueTask WriteAsync(IReadOnlyList<V2xEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        Pending pending = new(events, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), cancellationToken);
        if (_queue.Writer.TryWrite(pending))
        {
            return new ValueTask(pending.Done.Task);
        }

        return EnqueueAsync(pending);
    }

    /// <summary>Writes what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private async ValueTask EnqueueAsync(Pending pending)
    {
        try
        {
            await _queue.Writer.WriteAsync(pending, pending.CancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(BackgroundSink), "the sink was stopped; the batch was not written");
        }

        await pending.Done.Task;
    }

    private void Run()
    {
        try
        {
            ChannelReader<Pending> reader = _queue.Reader;
            while (reader.TryRead(out Pending? pending) || WaitToRead(reader))
            {
                if (pending is not null)
                {
                    Write(pending);
                }
            }

            try
            {
                Task.WhenAll(_inFlight.Keys).Wait();
            }
            catch (AggregateException)
            {
                // Each failure went to its own batch's task, where the worker sees it.
            }

            _stopped.TrySetResult();
        }
        catch (Exception ex)
        {
            _stopped.TrySetException(ex);
        }
    }

    private static bool WaitToRead(ChannelReader<Pending> reader)
    {
        ValueTask<bool> wait = reader.WaitToReadAsync();
        return wait.IsCompleted ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    private void Write(Pending pending)
    {
        if (pending.CancellationToken.IsCancellationRequested)
        {
            pending.Done.TrySetCanceled(pending.CancellationToken);
            return;
        }

        ValueTask write;
        try
        {
            // The part that runs on this thread (encoding, handing to the broker or producer) is in order, batch
            // after batch; waiting for acknowledgements overlaps with the next batches.
            write = _inner.WriteAsync(pending.Events, pending.CancellationToken);
        }
        catch (Exception ex)
        {
            pending.Done.TrySetException(ex); // the worker retries the batch, then logs and counts what still fails
            return;
        }

        if (write.IsCompletedSuccessfully)
        {
            write.GetAwaiter().GetResult();
            pending.Done.TrySetResult();
        }
        else
        {
            _ = CompleteAsync(write, pending.Done);
        }
    }

    private async Task CompleteAsync(ValueTask write, TaskCompletionSource done)
    {
        Task task = write.AsTask();
        _inFlight.TryAdd(task, 0);
        try
        {
            await task;
            done.TrySetResult();
        }
        catch (Exception ex)
        {
            done.TrySetException(ex);
        }
        finally
        {
            _inFlight.TryRemove(task, out _);
        }
    }

    private sealed record Pending(IReadOnlyList<V2xEvent> Events, TaskCompletionSource Done, CancellationToken CancellationToken);
}
