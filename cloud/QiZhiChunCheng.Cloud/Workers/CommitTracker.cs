using QiZhiChunCheng.Core.Bus;

namespace QiZhiChunCheng.Cloud.Workers;

/// <summary>
/// Which bus positions a worker may commit: everything it has processed, except from the first record whose events
/// some sink has not confirmed yet. Workers do not wait for the store or the downlink on every event; they hand the
/// batch over, note the pending write here and go on, and the committed offsets trail behind by what is still in
/// flight. So after a crash every record whose events were not confirmed is read again (its events are re-sent,
/// and every sink is idempotent by event id), and no record whose events were lost is skipped. One per worker, one
/// thread; the same for the in-process bus and Kafka.
/// </summary>
public sealed class CommitTracker
{
    private readonly Dictionary<(string Topic, int Partition), long> _processed = [];
    private readonly Queue<Pending> _pending = new();

    /// <summary>Writes handed to sinks and not yet confirmed.</summary>
    public int InFlight => _pending.Count;

    /// <summary>The oldest unconfirmed write, to wait on when too many are in flight; null when none.</summary>
    public Task? Oldest => _pending.Count > 0 ? _pending.Peek().Write : null;

    /// <summary>A record was processed and raised no event (or only events for other partitions).</summary>
    public void Processed(BusPosition position) => _processed[(position.Topic, position.Partition)] = position.Offset;

    /// <summary>A record was processed and its events were handed to the sinks: <paramref name="write"/> completes when all have them.</summary>
    public void Processed(BusPosition position, Task write)
    {
        if (write.IsCompletedSuccessfully && _pending.Count == 0)
        {
            Processed(position);
            return;
        }

        // What may be committed while this write is pending: everything before it.
        _pending.Enqueue(new Pending(write, new Dictionary<(string, int), long>(_processed)));
        Processed(position);
    }

    /// <summary>The positions that are safe to commit now (the last safe offset of each topic-partition).</summary>
    public List<BusPosition> Committable()
    {
        while (_pending.Count > 0 && _pending.Peek().Write.IsCompleted)
        {
            _pending.Dequeue();
        }

        Dictionary<(string Topic, int Partition), long> safe = _pending.Count == 0 ? _processed : _pending.Peek().Before;
        List<BusPosition> positions = new(safe.Count);
        foreach (((string topic, int partition), long offset) in safe)
        {
            positions.Add(new BusPosition(topic, partition, offset));
        }

        return positions;
    }

    /// <summary>Forgets a partition taken away from the worker (after its final commit).</summary>
    public void Forget(int partition)
    {
        foreach ((string Topic, int Partition) key in _processed.Keys.Where(k => k.Partition == partition).ToList())
        {
            _processed.Remove(key);
        }
    }

    /// <summary>Waits for every write in flight (before a final commit). The worker's writes never fault: failures are logged and counted.</summary>
    public void Drain()
    {
        while (_pending.Count > 0)
        {
            _pending.Dequeue().Write.Wait();
        }
    }

    private sealed record Pending(Task Write, Dictionary<(string, int), long> Before);
}
