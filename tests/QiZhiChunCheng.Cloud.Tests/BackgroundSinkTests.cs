using QiZhiChunCheng.Cloud.Workers;
using QiZhiChunCheng.Core.Events;

namespace QiZhiChunCheng.Cloud.Tests;

/// <summary>
/// The sinks the workers hand events to without doing the sinks' work on their own thread (the downlink, the Kafka
/// event topic): the worker goes on at once, the batches arrive in order, and a batch counts as delivered only when
/// the sink has it.
/// </summary>
public sealed class BackgroundSinkTests
{
    [Fact]
    public async Task A_sink_that_holds_its_thread_does_not_hold_the_worker()
    {
        using ManualResetEventSlim gate = new(false);
        RecordingSink inner = new(gate: gate);
        await using BackgroundSink sink = new(inner);

        ValueTask write = sink.WriteAsync(Batch(1), TestContext.Current.CancellationToken);

        // Returned while the sink is still busy with the batch on its own thread: the worker was not held.
        Assert.False(write.IsCompleted);
        Assert.True(inner.Entered.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.False(write.IsCompleted);

        gate.Set();
        await write.AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(["e1"], inner.Seen);
    }

    [Fact]
    public async Task Batches_reach_the_sink_in_the_order_handed_over_even_when_acknowledgements_overlap()
    {
        RecordingSink inner = new(acknowledgeAfter: i => TimeSpan.FromMilliseconds(i % 3 == 0 ? 20 : 1));
        await using BackgroundSink sink = new(inner);

        List<Task> writes = [];
        for (int i = 0; i < 200; i++)
        {
            writes.Add(sink.WriteAsync(Batch(i), TestContext.Current.CancellationToken).AsTask());
        }

        await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"e{i}"), inner.Seen);
        Assert.Equal(200, inner.Acknowledged);
    }

    [Fact]
    public async Task A_failed_write_fails_its_own_batch_only()
    {
        RecordingSink inner = new(failOn: "e2");
        await using BackgroundSink sink = new(inner);

        Task first = sink.WriteAsync(Batch(1), TestContext.Current.CancellationToken).AsTask();
        Task second = sink.WriteAsync(Batch(2), TestContext.Current.CancellationToken).AsTask();
        Task third = sink.WriteAsync(Batch(3), TestContext.Current.CancellationToken).AsTask();

        await first.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => second.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Contains("e2", error.Message, StringComparison.Ordinal);
        await third.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(["e1", "e2", "e3"], inner.Seen);
    }

    [Fact]
    public async Task Stopping_writes_everything_already_handed_over()
    {
        using ManualResetEventSlim gate = new(false);
        RecordingSink inner = new(gate: gate, acknowledgeAfter: _ => TimeSpan.FromMilliseconds(5));
        BackgroundSink sink = new(inner);
        List<Task> writes = [];
        for (int i = 0; i < 50; i++)
        {
            writes.Add(sink.WriteAsync(Batch(i), TestContext.Current.CancellationToken).AsTask());
        }

        Assert.Equal(0, inner.Acknowledged);
        ValueTask stopping = sink.DisposeAsync();
        gate.Set();
        await stopping.AsTask().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.All(writes, w => Assert.True(w.IsCompletedSuccessfully));
        Assert.Equal(50, inner.Acknowledged);
        Assert.Equal(50, inner.Seen.Count);
    }

    private static V2xEvent[] Batch(int i) =>
    [
        new V2xEvent { Id = $"e{i}", Type = EventType.Fcw, Participants = ["A1"], EventTimeUtcMs = 1_800_000_000_000 + i },
    ];

    /// <summary>A sink that notes the order it is called in; it can hold its caller's thread, answer later, or fail.</summary>
    private sealed class RecordingSink(ManualResetEventSlim? gate = null, Func<int, TimeSpan>? acknowledgeAfter = null, string? failOn = null) : IEventSink
    {
        private readonly Lock _lock = new();
        private readonly List<string> _seen = [];
        private int _acknowledged;

        public ManualResetEventSlim Entered { get; } = new(false);

        public List<string> Seen
        {
            get
            {
                lock (_lock)
                {
                    return [.. _seen];
                }
            }
        }

        public int Acknowledged => Volatile.Read(ref _acknowledged);

        public ValueTask WriteAsync(IReadOnlyList<V2xEvent> events, CancellationToken cancellationToken)
        {
            Entered.Set();
            gate?.Wait(TimeSpan.FromSeconds(5), cancellationToken); // work on the caller's thread, as encoding and dispatching are
            string id = events[0].Id;
            int index;
            lock (_lock)
            {
                index = _seen.Count;
                _seen.Add(id);
            }

            if (id == failOn)
            {
                throw new InvalidOperationException($"cannot write {id}");
            }

            return acknowledgeAfter is null ? Acknowledge() : AcknowledgeLaterAsync(acknowledgeAfter(index));
        }

        private ValueTask Acknowledge()
        {
            Interlocked.Increment(ref _acknowledged);
            return ValueTask.CompletedTask;
        }

        private async ValueTask AcknowledgeLaterAsync(TimeSpan delay)
        {
            await Task.Delay(delay);
            Interlocked.Increment(ref _acknowledged);
        }
    }
}
