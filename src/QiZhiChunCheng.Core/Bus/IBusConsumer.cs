namespace QiZhiChunCheng.Core.Bus;

/// <summary>Where a record sits on the bus: topic, partition and offset, as Kafka counts them.</summary>
public readonly record struct BusPosition(string Topic, int Partition, long Offset);

/// <summary>
/// A record taken from the bus by a fusion worker. <see cref="Replay"/> is true for a record that was already
/// processed and committed before this worker got the partition: it is read again only to rebuild the engine's
/// state (tracks, timers, active events), and the events it raises are not sent again.
/// </summary>
public readonly record struct ConsumedRecord(BusRecord Record, BusPosition Position, bool Replay);

/// <summary>
/// The consuming side of the bus for one fusion worker: the in-process bus, or a Kafka consumer in a group. Records
/// of one partition come in the order they were produced, across the five data topics. Single-threaded: one worker
/// calls it.
/// </summary>
public interface IBusConsumer : IDisposable
{
    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the next record of any owned partition. False on time-out, and
    /// when the bus is finished (<see cref="Finished"/>). Assignment changes are reported through
    /// <see cref="PartitionsAssigned"/> and <see cref="PartitionsRevoked"/> from inside this call.
    /// </summary>
    bool TryConsume(TimeSpan timeout, out ConsumedRecord record, CancellationToken cancellationToken);

    /// <summary>True when no record will ever come again (the in-process bus was completed and drained).</summary>
    bool Finished { get; }

    /// <summary>
    /// Marks everything up to and including these positions as done (their events are with every sink); a
    /// restarted worker resumes after them. The in-process bus keeps no offsets and ignores it.
    /// </summary>
    void Commit(IReadOnlyList<BusPosition> positions);

    /// <summary>Partitions this worker now owns (before their first record).</summary>
    event Action<IReadOnlyList<int>>? PartitionsAssigned;

    /// <summary>Partitions taken away (after the last record the worker got of them; commit before returning).</summary>
    event Action<IReadOnlyList<int>>? PartitionsRevoked;
}

/// <summary>A consumer that can tell how far behind it is, for <c>/metrics</c>.</summary>
public interface IBusLag
{
    /// <summary>Records of the partition (over the five data topics) on the bus and not yet taken; -1 when unknown.</summary>
    long Lag(int partition);
}
