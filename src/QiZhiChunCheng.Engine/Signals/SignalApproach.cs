using QiZhiChunCheng.Engine.Detectors;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Signals;

/// <summary>
/// A vehicle on a signalised ingress lane approaching its stop line, and the facts GLOSA and RLVW judge it by: the
/// intersection, the lane's phase, the distance to the stop line and the speed. Stateless, allocation-free,
/// thread-safe.
/// </summary>
internal readonly struct SignalApproach
{
    private SignalApproach(int node, int phaseId, double distanceM, double speedMps)
    {
        Node = node;
        PhaseId = phaseId;
        DistanceM = distanceM;
        SpeedMps = speedMps;
    }

    /// <summary>The intersection (map node) whose stop line the vehicle approaches.</summary>
    public int Node { get; }

    /// <summary>The signal phase of the vehicle's lane (above 0).</summary>
    public int PhaseId { get; }

    /// <summary>The distance to the stop line (above 0, m).</summary>
    public double DistanceM { get; }

    /// <summary>The vehicle's speed (m/s).</summary>
    public double SpeedMps { get; }

    /// <summary>The event location: the intersection.</summary>
    public EventLocation Location => EventLocation.AtNode(Node);

    /// <summary>
    /// True when track <paramref name="t"/> is a vehicle on a lane (not a connection) that has a stop line and a phase,
    /// before the stop line by at most <paramref name="maxDistanceM"/>, at <paramref name="minSpeedMps"/> or faster.
    /// </summary>
    public static bool TryGet(TickContext context, in TrackState t, double maxDistanceM, double minSpeedMps, out SignalApproach approach)
    {
        ref readonly MapMatch m = ref t.Match;
        double d = m.ToStopLineM;
        double v = t.SpeedMps;
        if (t.Kind != ParticipantKind.Vehicle || m.Status != MatchStatus.OnLane || m.PhaseId <= 0
            || !(d > 0) || d > maxDistanceM || !(v >= minSpeedMps) || !context.Map.Lanes[m.Lane].HasStopLine)
        {
            approach = default;
            return false;
        }

        approach = new SignalApproach(m.Node, m.PhaseId, d, v);
        return true;
    }

    /// <summary>The phase's intervals from the SPAT (<see cref="SignalState.Intervals"/>); empty when there is no fresh SPAT.</summary>
    public ReadOnlySpan<PhaseInterval> Intervals(SignalState signals, long nowUtcMs) => signals.Intervals(Node, PhaseId, nowUtcMs);

    /// <summary>The phase's light at <paramref name="atUtcMs"/> (<see cref="SignalState.TryGetLight(int, int, long, long, out PhaseInterval)"/>).</summary>
    public bool TryGetLight(SignalState signals, long nowUtcMs, long atUtcMs, out PhaseInterval light) =>
        signals.TryGetLight(Node, PhaseId, nowUtcMs, atUtcMs, out light);

    /// <summary>Sets lightState (the current light, the SPAT enum) and timeToChangeS (until its likely end; left out when the SPAT gives none).</summary>
    public static void SetLight(ref EventFigures figures, in PhaseInterval current, long nowUtcMs)
    {
        figures.Set(Figure.LightState, (double)current.Light);
        if (current.LikelyEndUtcMs != long.MaxValue)
        {
            figures.Set(Figure.TimeToChangeS, (current.LikelyEndUtcMs - nowUtcMs) / 1000.0);
        }
    }
}
