using System.Collections.Concurrent;
using System.Threading.Channels;
using QiZhiChunCheng.Core.Bus;

namespace QiZhiChunCheng.Cloud.Bus;

/// <summary>
/// The embedded bus: the data topics (v2x.bsm, .rsm, .spat, .map, .rsi) are partitioned like Kafka's (the tile
/// router chooses the partition; <see cref="BusRecord.Partition"/>) and partition p belongs to worker p mod workers.
/// Each worker has one bounded channel holding its partitions' records in produce order, so no re-ordering is needed
/// across topics; a full channel makes producers wait (back-pressure, nothing dropped). Other topics (events, dead
/// letters) fan out to their subscribers, each with its own bounded channel; a record on a topic nobody subscribes to
/// is counted in <see cref="Unrouted"/>. It keeps no offsets: a restart of the process starts empty. Thread-safe.
/// </summary>
public sealed class InProcessBus : IBusProducer
{
    private readonly Channel<BusRecord>[] _workers;
    private readonly long[] _produced;
    private readonly ConcurrentDictionary<string, ImmutableSubscribers> _subscribers = new();
    private long _unrouted;

    public InProcessBus(int partitions, int workers = 1, int capacityPerWorker = 20_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        Partitions = partitions;
        _produced = new long[partitions];
        _workers = new Channel<BusRecord>[Math.Min(workers, partitions)];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = Channel.CreateBounded<BusRecord>(new BoundedChannelOptions(capacityPerWorker)
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
        }
    }

    public int Partitions { get; }

    /// <summary>Workers actually used: never more than partitions.</summary>
    public int Workers => _workers.Length;

    public long Unrouted => Interlocked.Read(ref _unrouted);

    /// <summary>Records produced to a partition so far.</summary>
    public long Produced(int partition) => Interlocked.Read(ref _produced[partition]);

    /// <summary>The consumer of one worker: its partitions are those with <c>p % Workers == worker</c>.</summary>
    public IBusConsumer Consumer(int worker)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(worker, _workers.Length);
        return new InProcessConsumer(this, worker);
    }

    /// <summary>Subscribes to a non-data topic; the reader sees every record produced after this call.</summary>
    public ChannelReader<BusRecord> Subscribe(string topic, int capacity = 10_000)
    {
        if (BusTopics.IsData(topic))
        {
            throw new ArgumentException("data topics are consumed by partition (Consumer)", nameof(topic));
        }

        Channel<BusRecord> channel = Channel.CreateBounded<BusRecord>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait });
        _subscribers.AddOrUpdate(topic, _ => new ImmutableSubscribers([channel]), (_, s) => new ImmutableSubscribers([.. s.Channels, channel]));
        return channel.Reader;
    }

    public async ValueTask ProduceAsync(BusRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (BusTopics.IsData(record.Topic))
        {
            int partition = record.Partition >= 0 ? record.Partition % Partitions : TileKey.Partition(record.Key, Partitions);
            if (record.Partition != partition)
            {
                record = record with { Partition = partition };
            }

            await _workers[partition % _workers.Length].Writer.WriteAsync(record, cancellationToken);
            Interlocked.Increment(ref _produced[partition]);
            return;
        }

        if (!_subscribers.TryGetValue(record.Topic, out ImmutableSubscribers? subscribers))
        {
            Interlocked.Increment(ref _unrouted);
            return;
        }

        foreach (Channel<BusRecord> channel in subscribers.Channels)
        {
            await channel.Writer.WriteAsync(record, cancellationToken);
        }
    }

    /// <summary>No more records: consumers finish after draining what is queued.</summary>
    public void Complete()
    {
        foreach (Channel<BusRecord> worker in _workers)
        {
            worker.Writer.TryComplete();
        }

        foreach (ImmutableSubscribers subscribers in _subscribers.Values)
        {
            foreach (Channel<BusRecord> channel in subscribers.Channels)
            {
                channel.Writer.TryComplete();
            }
        }
    }

    private sealed record ImmutableSubscribers(Channel<BusRecord>[] Channels);

    private sealed class InProcessConsumer(InProcessBus bus, int worker) : IBusConsumer, IBusLag
    {
        private readonly ChannelReader<BusRecord> _reader = bus._workers[worker].Reader;
        private readonly long[] _consumed = new long[bus.Partitions];
        private bool _announced;

        public bool Finished => _reader.Completion.IsCompleted;

        public event Action<IReadOnlyList<int>>? PartitionsAssigned;

        public event Action<IReadOnlyList<int>>? PartitionsRevoked;

        public bool TryConsume(TimeSpan timeout, out ConsumedRecord record, CancellationToken cancellationToken)
        {
            if (!_announced)
            {
                _announced = true;
                PartitionsAssigned?.Invoke([.. Enumerable.Range(0, bus.Partitions).Where(p => p % bus.Workers == worker)]);
            }

            if (!_reader.TryRead(out BusRecord? next))
            {
                ValueTask<bool> wait = _reader.WaitToReadAsync(cancellationToken);
                if (!wait.IsCompleted && !wait.AsTask().Wait(timeout, cancellationToken))
                {
                    record = default;
                    return false;
                }

                if (!_reader.TryRead(out next))
                {
                    record = default;
                    return false;
                }
            }

            int partition = next.Partition;
            long offset = _consumed[partition]++;
            record = new ConsumedRecord(next, new BusPosition(next.Topic, partition, offset), Replay: false);
            return true;
        }

        /// <summary>Records produced to the partition and not yet taken.</summary>
        public long Lag(int partition) => bus.Produced(partition) - _consumed[partition];

        public void Commit(IReadOnlyList<BusPosition> positions)
        {
            // Nothing survives the process, so there is nothing to remember.
        }

        public void Dispose()
        {
            if (_announced)
            {
                PartitionsRevoked?.Invoke([.. Enumerable.Range(0, bus.Partitions).Where(p => p % bus.Workers == worker)]);
            }
        }
    }
}
