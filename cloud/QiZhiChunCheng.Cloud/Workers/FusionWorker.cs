using System.Diagnostics;
using Microsoft.Extensions.Logging;
using QiZhiChunCheng.Cloud.Bus;
using QiZhiChunCheng.Core.Bus;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;
using QiZhiChunCheng.Engine;

namespace QiZhiChunCheng.Cloud.Workers;

/// <summary>
/// A fusion worker: takes the records of the partitions it owns from one bus consumer (in-process or Kafka), runs one
/// detection engine per partition, keeps the events anchored in its own tiles (the tile router's ownership; halo
/// copies let it see its neighbours, never speak for them), hands them to the sinks without waiting, and commits bus
/// positions once the sinks have them (<see cref="CommitTracker"/>). Records replayed to rebuild state after a restart
/// update the engine and raise nothing. One dedicated thread: no locks on the hot path. Bad frames are counted and
/// skipped; a failing sink is retried, then logged and counted; the worker never stops on bad data.
/// </summary>
public sealed class FusionWorker
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan[] SinkRetryDelays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)];

    private readonly IBusConsumer _consumer;
    private readonly Func<DetectionEngine> _newEngine;
    private readonly TileRouter _router;
    private readonly IReadOnlyList<IEventSink> _sinks;
    private readonly CloudMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ZoneMapState? _zoneMap;
    private readonly Dictionary<int, PartitionEngine> _owned = [];
    private readonly CommitTracker _commits = new();
    private readonly List<V2xEvent> _raised = [];
    private readonly TimeSpan _commitEvery;
    private readonly int _maxInFlight;
    private readonly int _nice;
    private volatile bool _stopRequested;

    public FusionWorker(int id, IBusConsumer consumer, Func<DetectionEngine> newEngine, TileRouter router, IReadOnlyList<IEventSink> sinks, CloudMetrics metrics, TimeProvider time, ILogger logger, ZoneMapState? zoneMap = null, TimeSpan? commitEvery = null, int maxInFlight = 512, int nice = 0)
    {
        Id = id;
        _consumer = consumer;
        _newEngine = newEngine;
        _router = router;
        _sinks = sinks;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _zoneMap = zoneMap;
        _commitEvery = commitEvery ?? TimeSpan.FromMilliseconds(200);
        _maxInFlight = maxInFlight;
        _nice = nice;
        _consumer.PartitionsAssigned += OnAssigned;
        _consumer.PartitionsRevoked += OnRevoked;
    }

    public int Id { get; }

    /// <summary>The partitions this worker owns now.</summary>
    public IReadOnlyCollection<int> OwnedPartitions => _owned.Keys;

    /// <summary>The engine of an owned partition (tests and the demo's summary); null when not owned.</summary>
    public DetectionEngine? EngineOf(int partition) => _owned.TryGetValue(partition, out PartitionEngine? p) ? p.Engine : null;

    /// <summary>
    /// Runs on its own thread until the bus is finished (everything drained, sinks confirmed, committed), or
    /// <see cref="RequestStop"/> (the same, without waiting for the bus), or <paramref name="cancellationToken"/>
    /// (an abrupt stop, as a crash would be: nothing more is committed).
    /// </summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Run(cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Asks the worker to finish what it has, commit and return.</summary>
    public void RequestStop() => _stopRequested = true;

    private void Run(CancellationToken cancellationToken)
    {
        if (WorkerPriority.TryRaise(_nice) is { } refused && _logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation("worker {Worker}: runs at the default priority: {Reason}", Id, refused);
        }

        long lastCommit = Stopwatch.GetTimestamp();
        try
        {
            while (!_stopRequested)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (_consumer.TryConsume(PollTimeout, out ConsumedRecord record, cancellationToken))
                {
                    Handle(record);
                }
                else if (_consumer.Finished)
                {
                    break;
                }

                if (Stopwatch.GetElapsedTime(lastCommit) >= _commitEvery)
                {
                    lastCommit = Stopwatch.GetTimestamp();
                    Commit();
                    UpdateLag();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Abrupt, as a crash: nothing more is committed, not even when the consumer is closed and gives up its
            // partitions (Kafka runs the revoke handler on close).
            _consumer.PartitionsRevoked -= OnRevoked;
            _consumer.PartitionsAssigned -= OnAssigned;
            Disown();
            return;
        }

        _commits.Drain();
        Commit();
        UpdateLag();
        Disown();
    }

    private void Disown()
    {
        foreach (PartitionEngine owned in _owned.Values)
        {
            Interlocked.CompareExchange(ref owned.Progress.Owner, -1, Id);
        }
    }

    private void Handle(in ConsumedRecord record)
    {
        int partition = record.Position.Partition;
        if (!_owned.TryGetValue(partition, out PartitionEngine? owned))
        {
            // A record of a partition the worker was not told about (the in-process bus before its first poll).
            owned = Own(partition);
        }

        PartitionProgress progress = owned.Progress;
        if (!BinaryCodec.TryDecode(record.Record.Value.Span, out V2xMessage message, out Rejection rejection))
        {
            _metrics.CountRejected(rejection.Kind);
            _logger.LogError("partition {Partition}: undecodable bus frame on {Topic} at {Offset}: {Reason}", partition, record.Record.Topic, record.Position.Offset, rejection.Reason);
            _commits.Processed(record.Position);
            return;
        }

        if (_zoneMap is not null)
        {
            if (message.Type == MessageType.Map)
            {
                _zoneMap.Offer(message);
            }

            if (_zoneMap.Version != owned.MapVersion)
            {
                owned.MapVersion = _zoneMap.Version;
                owned.Engine.UseMap(_zoneMap.Current);
            }
        }

        DetectionEngine engine = owned.Engine;
        engine.Process(message);
        if (record.Replay)
        {
            engine.DiscardEvents();
            Interlocked.Increment(ref progress.Replayed);
            _commits.Processed(record.Position);
            return;
        }

        Interlocked.Increment(ref progress.Processed);
        List<V2xEvent>? batch = null;
        if (engine.PendingEvents.Count > 0)
        {
            _raised.Clear();
            engine.DrainEvents(_raised, message.Envelope.TraceId.IsEmpty ? null : message.Envelope.TraceId.ToString());
            batch = Owned(partition, progress);
        }

        if (record.Record.Header(BusHeaders.Copy) is null)
        {
            // Once per message: at its home partition (a halo copy is the same message seen by a neighbour).
            long nowMicros = (_time.GetUtcNow().Ticks - DateTimeOffset.UnixEpoch.Ticks) / 10;
            _metrics.MessageLatency.RecordMicros(nowMicros - (message.Envelope.GeneratedUtcMs * 1000));
        }
        if (batch is null)
        {
            _commits.Processed(record.Position);
            return;
        }

        _commits.Processed(record.Position, WriteAsync(partition, batch));
        while (_commits.InFlight > _maxInFlight && _commits.Oldest is { } oldest)
        {
            oldest.Wait(); // the sinks are behind: hold the bus rather than pile up events in memory
            _commits.Committable();
        }
    }

    private List<V2xEvent>? Owned(int partition, PartitionProgress progress)
    {
        List<V2xEvent>? batch = null;
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (V2xEvent e in _raised)
        {
            if (!_router.Owns(partition, e.LatitudeDeg, e.LongitudeDeg))
            {
                Interlocked.Increment(ref progress.EventsNotOwned);
                continue;
            }

            V2xEvent stamped = e with { DetectedUtcMs = now };
            (batch ??= []).Add(stamped);
            _metrics.CountEvent(stamped);
            Interlocked.Increment(ref progress.EventsEmitted);
        }

        return batch;
    }

    private async Task WriteAsync(int partition, List<V2xEvent> batch)
    {
        if (_sinks.Count == 1)
        {
            await WriteWithRetryAsync(_sinks[0], partition, batch);
            return;
        }

        Task[] writes = new Task[_sinks.Count];
        for (int i = 0; i < writes.Length; i++)
        {
            writes[i] = WriteWithRetryAsync(_sinks[i], partition, batch);
        }

        await Task.WhenAll(writes);
    }

    private async Task WriteWithRetryAsync(IEventSink sink, int partition, List<V2xEvent> batch)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await sink.WriteAsync(batch, CancellationToken.None);
                return;
            }
            catch (Exception ex) when (attempt < SinkRetryDelays.Length && ex is not OperationCanceledException)
            {
                _logger.LogWarning(ex, "partition {Partition}: event sink {Sink} failed; retrying in {Delay}", partition, sink.GetType().Name, SinkRetryDelays[attempt]);
                await Task.Delay(SinkRetryDelays[attempt], _time);
            }
            catch (Exception ex)
            {
                _metrics.CountSinkFailure();
                _logger.LogError(ex, "partition {Partition}: event sink {Sink} failed {Count} times; {Events} event phases not delivered to it", partition, sink.GetType().Name, attempt + 1, batch.Count);
                return;
            }
        }
    }

    private void Commit()
    {
        List<BusPosition> positions = _commits.Committable();
        if (positions.Count == 0)
        {
            return;
        }

        try
        {
            _consumer.Commit(positions);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A failed commit only means more records are read again after a restart; the next commit retries.
            _logger.LogWarning(ex, "worker {Worker}: commit failed", Id);
        }
    }

    private void UpdateLag()
    {
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        IBusLag? lag = _consumer as IBusLag;
        foreach ((int partition, PartitionEngine owned) in _owned)
        {
            Interlocked.Exchange(ref owned.Progress.Beat, now);
            if (lag is not null)
            {
                Interlocked.Exchange(ref owned.Progress.Lag, lag.Lag(partition));
            }
        }
    }

    private PartitionEngine Own(int partition)
    {
        PartitionEngine owned = new(_newEngine(), _metrics.Partition(partition));
        Volatile.Write(ref owned.Progress.Engine, owned.Engine.Counters);
        Volatile.Write(ref owned.Progress.Owner, Id);
        Interlocked.Exchange(ref owned.Progress.Lag, -1);
        Interlocked.Exchange(ref owned.Progress.Beat, _time.GetUtcNow().ToUnixTimeMilliseconds());
        _owned[partition] = owned;
        return owned;
    }

    private void OnAssigned(IReadOnlyList<int> partitions)
    {
        foreach (int partition in partitions)
        {
            if (!_owned.ContainsKey(partition))
            {
                Own(partition);
            }
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation("worker {Worker}: owns partitions {Partitions}", Id, string.Join(",", _owned.Keys.Order()));
        }
    }

    private void OnRevoked(IReadOnlyList<int> partitions)
    {
        // Everything handed over must be confirmed and committed before another worker takes the partitions.
        _commits.Drain();
        Commit();
        foreach (int partition in partitions)
        {
            if (_owned.Remove(partition, out PartitionEngine? owned))
            {
                Interlocked.CompareExchange(ref owned.Progress.Owner, -1, Id);
            }

            _commits.Forget(partition);
        }
    }

    private sealed class PartitionEngine(DetectionEngine engine, PartitionProgress progress)
    {
        public DetectionEngine Engine { get; } = engine;

        public PartitionProgress Progress { get; } = progress;

        public int MapVersion { get; set; }
    }
}
