using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Time;
using QiZhiChunCheng.Engine.Map;

namespace QiZhiChunCheng.Engine.Signals;

/// <summary>
/// One state of a signal phase placed in absolute time: the light, and when it started and is likely to end (UTC ms,
/// event time). A SPAT that gives no minimum or maximum end puts the likely end in both; a state whose end the SPAT
/// does not give ends at <see cref="long.MaxValue"/>.
/// </summary>
public readonly record struct PhaseInterval(LightState Light, long StartUtcMs, long LikelyEndUtcMs, long MinEndUtcMs, long MaxEndUtcMs)
{
    /// <summary>Whether <paramref name="atUtcMs"/> falls in the state: start inclusive, likely end exclusive.</summary>
    public bool Contains(long atUtcMs) => atUtcMs >= StartUtcMs && atUtcMs < LikelyEndUtcMs;

    /// <summary>Green of either kind (permissive, protected): vehicles may pass the stop line.</summary>
    public bool IsGreen => Light is LightState.PermissiveGreen or LightState.ProtectedGreen;

    /// <summary>Steady red, or flashing red (stop, then go when clear; the detectors treat it as red).</summary>
    public bool IsRed => Light is LightState.Red or LightState.FlashingRed;
}

/// <summary>How the signal state is read; every value has its documented default.</summary>
public sealed record SignalOptions
{
    /// <summary>
    /// A phase whose last SPAT is older than this behind the query's "now" is unknown (1,000 ms: SPAT comes at 10 Hz,
    /// so ten lost messages in a row; provisional). Signal timing must not be extrapolated from an RSU that went quiet.
    /// </summary>
    public long StaleAfterMs { get; init; } = 1000;
}

/// <summary>
/// The signal state of every intersection of the lane map, from SPAT messages: for each (map node, phase id) the
/// current light and the states that follow, up to <see cref="MaxIntervals"/>, in absolute event time.
/// <para>
/// How a SPAT is placed in time. The SPAT's time <c>t</c> (its moy + timeStamp, else the envelope; an
/// intersection's own moy + timeStamp wins when valid) anchors the relative <c>counting</c> timing: a phase state
/// with <c>startTime</c> 0 and <c>likelyEndTime</c> 125 means "since <c>t</c>, until <c>t</c> + 12.5 s". The
/// <c>utcTiming</c> alternative gives TimeMarks within the UTC hour (0.1 s), resolved to the instant nearest to
/// <c>t</c>, across the hour roll-over both ways (a TimeMark of 20 at 08:59:58 means 09:00:02). Each phase state of
/// the message is one interval; <c>nextStartTime</c>/<c>nextDuration</c> add the next occurrence of the same
/// light. The intervals are ordered by start and the first <see cref="MaxIntervals"/> kept.
/// </para>
/// Storage is preallocated per map (nodes × <see cref="MaxPhases"/> phases × <see cref="MaxIntervals"/>); applying a
/// SPAT allocates nothing. Not thread-safe: one per engine.
/// </summary>
public sealed class SignalState
{
    /// <summary>How many consecutive states of one phase are kept (current and the next ones; 4).</summary>
    public const int MaxIntervals = 4;

    /// <summary>Phases kept per intersection (16, the SPAT's limit).</summary>
    public const int MaxPhases = 16;

    // Candidates while placing one phase: every phase state (16 at most) and its next occurrence.
    private const int MaxCandidates = 32;

    private readonly SignalOptions _options;
    private readonly PhaseInterval[] _candidates = new PhaseInterval[MaxCandidates];
    private LaneMap _map;

    // Per slot (node * MaxPhases + k): the phase id (-1 free), how many intervals, the SPAT time of the last update.
    private short[] _phaseIds = [];
    private byte[] _counts = [];
    private long[] _updatedUtcMs = [];
    private PhaseInterval[] _intervals = [];

    public SignalState(LaneMap map, SignalOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        _options = options ?? new SignalOptions();
        _map = LaneMap.Empty;
        UseMap(map);
    }

    public SignalOptions Options => _options;

    /// <summary>SPAT messages applied.</summary>
    public long Applied { get; private set; }

    /// <summary>SPAT intersections that are not on the lane map (counted, ignored).</summary>
    public long UnknownIntersections { get; private set; }

    /// <summary>SPAT phases that found no free slot at their intersection (more than 16 phase ids seen; counted, ignored).</summary>
    public long DroppedPhases { get; private set; }

    /// <summary>Switches to a new lane map; phase states carry on by intersection id. Allocates (once per map).</summary>
    public void UseMap(LaneMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        int nodes = map.Nodes.Length;
        short[] ids = new short[nodes * MaxPhases];
        byte[] counts = new byte[nodes * MaxPhases];
        long[] updated = new long[nodes * MaxPhases];
        PhaseInterval[] intervals = new PhaseInterval[nodes * MaxPhases * MaxIntervals];
        ids.AsSpan().Fill(-1);
        for (int oldNode = 0; oldNode < _map.Nodes.Length; oldNode++)
        {
            int node = map.FindNode(_map.Nodes[oldNode].Id);
            if (node < 0)
            {
                continue;
            }

            Array.Copy(_phaseIds, oldNode * MaxPhases, ids, node * MaxPhases, MaxPhases);
            Array.Copy(_counts, oldNode * MaxPhases, counts, node * MaxPhases, MaxPhases);
            Array.Copy(_updatedUtcMs, oldNode * MaxPhases, updated, node * MaxPhases, MaxPhases);
            Array.Copy(_intervals, oldNode * MaxPhases * MaxIntervals, intervals, node * MaxPhases * MaxIntervals, MaxPhases * MaxIntervals);
        }

        _map = map;
        _phaseIds = ids;
        _counts = counts;
        _updatedUtcMs = updated;
        _intervals = intervals;
    }

    /// <summary>Applies one SPAT whose time (its moy/timeStamp, or the envelope) is <paramref name="eventTimeUtcMs"/>. Allocates nothing.</summary>
    public void Apply(Spat spat, long eventTimeUtcMs)
    {
        ArgumentNullException.ThrowIfNull(spat);
        Applied++;
        foreach (IntersectionState intersection in spat.Intersections)
        {
            int node = _map.FindNode(intersection.IntersectionId);
            if (node < 0)
            {
                UnknownIntersections++;
                continue;
            }

            long t = eventTimeUtcMs;
            if (intersection.Moy is { } moy && V2xTime.IsValidMoy(moy) && V2xTime.IsValidSecMark(intersection.TimeStamp ?? 0)
                && V2xTime.TryResolveMoy(moy, intersection.TimeStamp ?? 0, eventTimeUtcMs, out long own, out _))
            {
                t = own;
            }

            foreach (Phase phase in intersection.Phases)
            {
                ApplyPhase(node, phase, t);
            }
        }
    }

    /// <summary>
    /// The state of a phase at <paramref name="atUtcMs"/> (now or the predicted future), if known, where now is
    /// <paramref name="atUtcMs"/> itself; see the overload with an explicit now for future queries.
    /// </summary>
    public bool TryGetLight(int node, int phaseId, long atUtcMs, out PhaseInterval interval) =>
        TryGetLight(node, phaseId, atUtcMs, atUtcMs, out interval);

    /// <summary>
    /// The state of a phase at <paramref name="atUtcMs"/>, asked at <paramref name="nowUtcMs"/>: false when the map
    /// node or the phase has no SPAT, when its last SPAT is older than <see cref="SignalOptions.StaleAfterMs"/> before
    /// now, or when <paramref name="atUtcMs"/> lies outside the states the SPAT gave. Allocates nothing.
    /// </summary>
    public bool TryGetLight(int node, int phaseId, long nowUtcMs, long atUtcMs, out PhaseInterval interval)
    {
        ReadOnlySpan<PhaseInterval> states = Intervals(node, phaseId, nowUtcMs);
        foreach (ref readonly PhaseInterval s in states)
        {
            if (s.Contains(atUtcMs))
            {
                interval = s;
                return true;
            }
        }

        interval = default;
        return false;
    }

    /// <summary>
    /// The known states of a phase in order of start (empty when unknown or stale at <paramref name="nowUtcMs"/>).
    /// The span points into the state's storage: valid until the next SPAT is applied.
    /// </summary>
    public ReadOnlySpan<PhaseInterval> Intervals(int node, int phaseId, long nowUtcMs)
    {
        int slot = FindSlot(node, phaseId);
        if (slot < 0 || nowUtcMs - _updatedUtcMs[slot] > _options.StaleAfterMs)
        {
            return [];
        }

        return _intervals.AsSpan(slot * MaxIntervals, _counts[slot]);
    }

    private int FindSlot(int node, int phaseId)
    {
        if ((uint)node >= (uint)_map.Nodes.Length || phaseId < 0)
        {
            return -1;
        }

        int first = node * MaxPhases;
        for (int k = first; k < first + MaxPhases; k++)
        {
            if (_phaseIds[k] == phaseId)
            {
                return k;
            }
        }

        return -1;
    }

    private void ApplyPhase(int node, Phase phase, long t)
    {
        int slot = FindSlot(node, phase.Id);
        if (slot < 0)
        {
            int first = node * MaxPhases;
            for (int k = first; k < first + MaxPhases; k++)
            {
                if (_phaseIds[k] < 0)
                {
                    slot = k;
                    _phaseIds[k] = phase.Id;
                    _counts[k] = 0;
                    _updatedUtcMs[k] = long.MinValue;
                    break;
                }
            }

            if (slot < 0)
            {
                DroppedPhases++;
                return;
            }
        }

        if (t < _updatedUtcMs[slot])
        {
            return; // an older SPAT than the one applied: the newer timing stands
        }

        int n = 0;
        long previousEnd = t;
        foreach (ref readonly PhaseState state in phase.PhaseStates.AsSpan())
        {
            if (n >= MaxCandidates)
            {
                break;
            }

            if (state.Timing is not { } timing)
            {
                // No timing: the first state holds from now, a later one follows the previous; the end is unknown.
                _candidates[n++] = new PhaseInterval(state.Light, previousEnd, long.MaxValue, long.MaxValue, long.MaxValue);
                previousEnd = long.MaxValue;
                continue;
            }

            long start = Resolve(timing.Kind, timing.StartTime, t);
            long likely = Resolve(timing.Kind, timing.LikelyEndTime, t);
            if (start == long.MinValue)
            {
                start = previousEnd == long.MaxValue ? t : previousEnd;
            }

            if (likely == long.MinValue)
            {
                likely = long.MaxValue;
            }

            long min = timing.MinEndTime is { } mn ? Resolve(timing.Kind, mn, t) : likely;
            long max = timing.MaxEndTime is { } mx ? Resolve(timing.Kind, mx, t) : likely;
            _candidates[n++] = new PhaseInterval(state.Light, start, likely, min == long.MinValue ? likely : min, max == long.MinValue ? likely : max);
            previousEnd = likely;

            if (timing.NextStartTime is { } nextStart && n < MaxCandidates)
            {
                long ns = Resolve(timing.Kind, nextStart, t);
                if (ns != long.MinValue && ns >= likely)
                {
                    long ne = timing.NextDuration is { } d ? ns + (d * 100L) : long.MaxValue;
                    _candidates[n++] = new PhaseInterval(state.Light, ns, ne, ne, ne);
                }
            }
        }

        // Order by start (insertion sort: a handful of states), keep the first MaxIntervals.
        Span<PhaseInterval> c = _candidates.AsSpan(0, n);
        for (int i = 1; i < c.Length; i++)
        {
            PhaseInterval x = c[i];
            int j = i - 1;
            while (j >= 0 && c[j].StartUtcMs > x.StartUtcMs)
            {
                c[j + 1] = c[j];
                j--;
            }

            c[j + 1] = x;
        }

        int keep = Math.Min(n, MaxIntervals);
        c[..keep].CopyTo(_intervals.AsSpan(slot * MaxIntervals, MaxIntervals));
        _counts[slot] = (byte)keep;
        _updatedUtcMs[slot] = t;
    }

    // A timing value in absolute UTC ms, or long.MinValue when invalid. Counting: 0.1 s after t. UTC timing: the
    // TimeMark (0.1 s within the UTC hour) nearest to t. 36001 is invalid in both alternatives.
    private static long Resolve(TimingKind kind, ushort value, long t)
    {
        if (!V2xTime.IsValidTimeMark(value))
        {
            return long.MinValue;
        }

        if (kind == TimingKind.Counting)
        {
            return t + (value * 100L);
        }

        return V2xTime.TryResolveTimeMark(value, t, out long utc, out _) ? utc : long.MinValue;
    }
}
