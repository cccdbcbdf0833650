using QiZhiChunCheng.Core.Bus;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using QiZhiChunCheng.Cloud.Bus;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;
using QiZhiChunCheng.Engine;

namespace QiZhiChunCheng.Cloud.Workers;

/// <summary>
/// Owns one partition of the data topics: decodes each frame, runs the detection engine, stamps detection time
/// and hands the events to the sinks. One task, one engine: no locks on the hot path. A sink that fails is logged
/// and retried with the next batch's events; the worker itself never stops on bad data.
/// </summary>
public sealed class PartitionWorker
{
    private readonly int _partition;
    private readonly ChannelReader<BusRecord> _input;
    private readonly DetectionEngine _engine;
    private readonly IReadOnlyList<IEventSink> _sinks;
    private readonly CloudMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ZoneMapState? _zoneMap;
    private int _mapVersion;

    public PartitionWorker(int partition, ChannelReader<BusRecord> input, DetectionEngine engine, IReadOnlyList<IEventSink> sinks, CloudMetrics metrics, TimeProvider time, ILogger logger, ZoneMapState? zoneMap = null)
    {
        _zoneMap = zoneMap;
        _partition = partition;
        _input = input;
        _engine = engine;
        _sinks = sinks;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    public DetectionEngine Engine => _engine;

    /// <summary>Runs until the partition is completed and drained, or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        List<V2xEvent> raised = [];
        await foreach (BusRecord record in _input.ReadAllAsync(cancellationToken))
        {
            if (!BinaryCodec.TryDecode(record.Value.Span, out V2xMessage message, out Rejection rejection))
            {
                _metrics.CountRejected(rejection.Kind);
                _logger.LogError("partition {Partition}: undecodable bus frame on {Topic}: {Reason}", _partition, record.Topic, rejection.Reason);
                continue;
            }

            if (_zoneMap is not null)
            {
                if (message.Type == MessageType.Map)
                {
                    _zoneMap.Offer(message);
                }

                if (_zoneMap.Version != _mapVersion)
                {
                    _mapVersion = _zoneMap.Version;
                    _engine.UseMap(_zoneMap.Current);
                }
            }

            raised.Clear();
            _engine.Process(message, raised);
            if (raised.Count == 0)
            {
                continue;
            }

            long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            V2xEvent[] batch = new V2xEvent[raised.Count];
            for (int i = 0; i < raised.Count; i++)
            {
                batch[i] = raised[i] with { DetectedUtcMs = now };
                _metrics.CountEvent(batch[i]);
            }

            foreach (IEventSink sink in _sinks)
            {
                try
                {
                    await sink.WriteAsync(batch, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _logger.LogError(ex, "partition {Partition}: event sink {Sink} failed", _partition, sink.GetType().Name);
                }
            }
        }
    }
}
