using QiZhiChunCheng.Core.Bus;
using System.Collections.Concurrent;
using System.Threading.Channels;

namespace QiZhiChunCheng.Cloud.Bus;

/// <summary>
/// The embedded bus: the data topics (v2x.bsm, .rsm, .spat, .map, .rsi) are partitioned by tile key like Kafka and
/// merged per partition into one bounded channel that one worker owns; a full partition makes producers wait
/// (back-pressure, nothing dropped). Other topics (events, dead letters) fan out to their subscribers, each with
/// its own bounded channel; a record on a topic nobody subscribes to is counted in <see cref="Unrouted"/>.
/// Thread-safe.
/// </summary>
public sealed class InProcessBus : IBusProducer
{
    private readonly Channel<BusRecord>[] _partitions;
    private readonly ConcurrentDictionary<string, ImmutableSubscribers> _subscribers = new();
    private long _unrouted;

    public InProcessBus(int partitions, int capacityPerPartition = 10_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        _partitions = new Channel<BusRecord>[partitions];
        for (int i = 0; i < partitions; i++)
        {
            _partitions[i] = Channel.CreateBounded<BusRecord>(new BoundedChannelOptions(capacityPerPartition)
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
        }
    }

    public int Partitions => _partitions.Length;

    public long Unrouted => Interlocked.Read(ref _unrouted);

    /// <summary>Depth of each partition's queue, for metrics.</summary>
    public int Depth(int partition) => _partitions[partition].Reader.Count;

    public ChannelReader<BusRecord> DataPartition(int partition) => _partitions[partition].Reader;

    /// <summary>Subscribes to a non-data topic; the reader sees every record produced after this call.</summary>
    public ChannelReader<BusRecord> Subscribe(string topic, int capacity = 10_000)
    {
        if (BusTopics.IsData(topic))
        {
            throw new ArgumentException("data topics are consumed by partition (DataPartition)", nameof(topic));
        }

        Channel<BusRecord> channel = Channel.CreateBounded<BusRecord>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait });
        _subscribers.AddOrUpdate(topic, _ => new ImmutableSubscribers([channel]), (_, s) => new ImmutableSubscribers([.. s.Channels, channel]));
        return channel.Reader;
    }

    public async ValueTask ProduceAsync(BusRecord record, CancellationToken cancellationToken)
    {
        if (BusTopics.IsData(record.Topic))
        {
            await _partitions[TileKey.Partition(record.Key, _partitions.Length)].Writer.WriteAsync(record, cancellationToken);
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

    /// <summary>No more records: readers finish after draining what is queued.</summary>
    public void Complete()
    {
        foreach (Channel<BusRecord> partition in _partitions)
        {
            partition.Writer.TryComplete();
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
}
