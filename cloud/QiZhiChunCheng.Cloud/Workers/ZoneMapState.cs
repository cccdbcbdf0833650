using Microsoft.Extensions.Logging;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.NetTopologySuite;

namespace QiZhiChunCheng.Cloud.Workers;

/// <summary>
/// The lane map the workers run on, and its updates from MAP messages arriving on the bus. An RSU broadcasts its
/// MAP at 1 Hz: a MAP equal to the one last seen is ignored at the cost of a comparison; a new one is validated
/// and compiled (NetTopologySuite, tens of milliseconds, on the worker that received it) with the zone's signal
/// plans, and, when valid, published as a new version that every worker picks up before its next message. An
/// invalid MAP is logged with its problems and counted; the workers keep the map they have. Thread-safe.
/// </summary>
public sealed class ZoneMapState
{
    private readonly IReadOnlyList<IntersectionSignalPlan> _signalPlans;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Queue<MapData> _recent = new();
    private volatile Snapshot _current;
    private long _refused;

    public ZoneMapState(LaneMap initial, IReadOnlyList<IntersectionSignalPlan> signalPlans, ILogger logger)
    {
        _current = new Snapshot(initial, 0);
        _signalPlans = signalPlans;
        _logger = logger;
    }

    /// <summary>Raised (on the worker thread that compiled it) when a MAP message has replaced the map.</summary>
    public event Action<ZoneMap>? Applied;

    public LaneMap Current => _current.Map;

    /// <summary>Increases by one with each applied MAP; workers compare it with the version they run.</summary>
    public int Version => _current.Version;

    /// <summary>MAP messages refused because they did not make a valid map.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>
    /// Takes a MAP message from the bus; compiles it when it differs from the last few seen. Every partition gets
    /// each MAP (the tile router sends MAPs everywhere), at different moments, so one MAP is compiled once however
    /// many workers see it, and an older one seen late by another partition does not undo a newer one.
    /// </summary>
    public void Offer(in V2xMessage message)
    {
        MapData map = message.Map;
        ZoneMap zone;

        // Compiled under the lock: a MAP is compiled once, and MAPs are applied in the order the first partition saw them.
        lock (_gate)
        {
            foreach (MapData seen in _recent)
            {
                if (map.Equals(seen))
                {
                    return;
                }
            }

            _recent.Enqueue(map);
            if (_recent.Count > 8)
            {
                _recent.Dequeue();
            }

            zone = ZoneMapLoader.Load(message, _signalPlans);
            if (!zone.IsValid)
            {
                Interlocked.Increment(ref _refused);
                if (_logger.IsEnabled(LogLevel.Warning))
                {
                    _logger.LogWarning("MAP from {Source} refused, keeping the current map: {Problems}", message.Envelope.SourceId, string.Join("; ", zone.Problems.Select(p => p.ToString())));
                }

                return;
            }

            _current = new Snapshot(zone.LaneMap!, _current.Version + 1);
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation("MAP from {Source} applied: {Lanes} lanes", message.Envelope.SourceId, zone.Counts.Lanes);
        }

        Applied?.Invoke(zone);
    }

    private sealed record Snapshot(LaneMap Map, int Version);
}
