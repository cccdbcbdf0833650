using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>SLW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record SlwOptions
{
    /// <summary>Speed above the limit by more than this share counts as speeding (5 %).</summary>
    public double Tolerance { get; init; } = 0.05;

    /// <summary>How long (event time) the speed must stay above the limit before the event is raised (1 s).</summary>
    public long MinDurationMs { get; init; } = 1000;

    /// <summary>Updates of an active event are emitted at most this often (event time), with the figures then.</summary>
    public long UpdateIntervalMs { get; init; } = 5000;
}

/// <summary>
/// SLW, speed limit warning: a vehicle above its lane's limit plus the tolerance for more than the minimum
/// duration raises one onset; it is updated at most every <see cref="SlwOptions.UpdateIntervalMs"/> and cleared
/// when the vehicle is back at or under the limit plus tolerance. Works on event time only, so replays at any
/// speed give the same events. The id is <c>SLW-{vehicle}-{onset event time}</c>, stable over the event's life.
/// The limit is the <c>vehicleMaxSpeed</c> of the lane the BSM matches on the <see cref="LaneMap"/> (inside an
/// intersection, of the connection being driven), with the vehicle's previous match as the hint. Off the map there
/// is no limit and an active event clears; inside an intersection's area but on no connection the state holds.
/// Not thread-safe: one instance per partition. Events are <see cref="DetectedEvent"/> values (the engine
/// materialises them); allocates only when it meets a new vehicle.
/// </summary>
public sealed class SpeedLimitWarning
{
    private readonly SlwOptions _options;
    private LaneMap _map;
    private readonly Dictionary<OctetId8, State> _states = [];
    private int _sinceSweep;

    public SpeedLimitWarning(SlwOptions options, LaneMap map)
    {
        _options = options;
        _map = map;
    }

    public int TrackedVehicles => _states.Count;

    /// <summary>A vehicle not heard for this long (event time) is forgotten, so the table does not grow with every id ever seen (30 s).</summary>
    public const long ForgetAfterMs = 30_000;

    /// <summary>
    /// Switches to a new lane map (a MAP update). Lane and connection indexes of the old map mean nothing in the
    /// new one, so every vehicle's previous match is forgotten; timers and active events carry on.
    /// </summary>
    public void UseMap(LaneMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        _map = map;
        foreach (OctetId8 id in _states.Keys)
        {
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_states, id).LastMatch = default;
        }
    }

    /// <summary>Feeds one BSM at its event time; appends any event it raises to <paramref name="output"/>.</summary>
    public void Process(in Bsm bsm, long eventTimeUtcMs, List<DetectedEvent> output)
    {
        if (++_sinceSweep >= 4096)
        {
            Sweep(eventTimeUtcMs);
        }

        ref State state = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_states, bsm.Id, out _);
        if (eventTimeUtcMs < state.LastTimeUtcMs)
        {
            return; // Older than what this vehicle already reported: it cannot change the past here.
        }

        state.LastTimeUtcMs = eventTimeUtcMs;
        double speed = bsm.SpeedAvailable ? bsm.SpeedMps : double.NaN;
        MapMatch match = _map.MatchWgs84(bsm.Pos.LatitudeDeg, bsm.Pos.LongitudeDeg, bsm.HeadingDeg, speed, state.LastMatch);
        state.LastMatch = match;
        if (match.Status == MatchStatus.InIntersectionArea)
        {
            return; // in the junction but on no known path: no limit to judge by, and no reason to end an event
        }

        bool over = false;
        Where road = default;
        if (bsm.SpeedAvailable && match.HasLane && !double.IsNaN(match.SpeedLimitMps))
        {
            road = new Where(match.Connection >= 0 ? EventLocation.AtNode(match.Node) : EventLocation.OnLane(match.Link, match.Lane), match.SpeedLimitMps);
            over = bsm.SpeedMps > road.LimitMps * (1 + _options.Tolerance);
        }

        if (over)
        {
            if (state.OverSinceUtcMs == 0)
            {
                state.OverSinceUtcMs = eventTimeUtcMs;
                state.MaxSpeedMps = 0;
            }

            state.MaxSpeedMps = Math.Max(state.MaxSpeedMps, bsm.SpeedMps);
            long overMs = eventTimeUtcMs - state.OverSinceUtcMs;
            if (!state.Active && overMs >= _options.MinDurationMs)
            {
                state.Active = true;
                state.LastEmitUtcMs = eventTimeUtcMs;
                output.Add(Create(EventPhase.Onset, bsm, road, state.OverSinceUtcMs, eventTimeUtcMs, overMs, state.MaxSpeedMps));
            }
            else if (state.Active && eventTimeUtcMs - state.LastEmitUtcMs >= _options.UpdateIntervalMs)
            {
                state.LastEmitUtcMs = eventTimeUtcMs;
                output.Add(Create(EventPhase.Update, bsm, road, state.OverSinceUtcMs, eventTimeUtcMs, overMs, state.MaxSpeedMps));
            }

            state.LastRoad = road;
        }
        else
        {
            if (state.Active)
            {
                output.Add(Create(EventPhase.Clear, bsm, road.LimitMps > 0 ? road : state.LastRoad, state.OverSinceUtcMs, eventTimeUtcMs, eventTimeUtcMs - state.OverSinceUtcMs, state.MaxSpeedMps));
            }

            state.OverSinceUtcMs = 0;
            state.Active = false;
        }
    }

    // Forgets vehicles gone quiet: removal frees the dictionary's entries for new vehicles, so a steady stream
    // with churn (vehicles leaving, new ones arriving) stops allocating once the table has reached its size.
    private void Sweep(long nowUtcMs)
    {
        _sinceSweep = 0;
        foreach (KeyValuePair<OctetId8, State> entry in _states)
        {
            if (nowUtcMs - entry.Value.LastTimeUtcMs > ForgetAfterMs)
            {
                _states.Remove(entry.Key);
            }
        }
    }

    private DetectedEvent Create(EventPhase phase, in Bsm bsm, Where road, long onsetUtcMs, long eventTimeUtcMs, long overMs, double maxSpeedMps)
    {
        double excess = (bsm.SpeedMps / road.LimitMps) - 1;
        (double x, double y) = _map.Frame.ToLocal(bsm.Pos.LatitudeDeg, bsm.Pos.LongitudeDeg);
        DetectedEvent e = new()
        {
            Type = EventType.Slw,
            Phase = phase,
            Severity = (byte)(excess > 0.5 ? 3 : excess > 0.2 ? 2 : 1),
            Subject = ParticipantRef.Vehicle(bsm.Id),
            OnsetUtcMs = onsetUtcMs,
            EventTimeUtcMs = eventTimeUtcMs,
            XM = x,
            YM = y,
            Location = road.Location,
        };
        e.Figures.Set(Figure.SpeedMps, bsm.SpeedMps);
        e.Figures.Set(Figure.LimitMps, road.LimitMps);
        e.Figures.Set(Figure.MaxSpeedMps, maxSpeedMps);
        e.Figures.Set(Figure.OverS, overMs / 1000.0);
        return e;
    }

    private struct State
    {
        public long LastTimeUtcMs;
        public long OverSinceUtcMs;
        public long LastEmitUtcMs;
        public double MaxSpeedMps;
        public bool Active;
        public Where LastRoad;
        public MapMatch LastMatch;
    }

    /// <summary>The link and lane (or intersection) and the limit that applied.</summary>
    private readonly record struct Where(EventLocation Location, double LimitMps);
}
