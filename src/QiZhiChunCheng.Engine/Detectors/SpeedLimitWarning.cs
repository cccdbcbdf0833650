using System.Globalization;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Map;

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
/// Not thread-safe: one instance per partition. Allocates only when it emits an event or meets a new vehicle.
/// </summary>
public sealed class SpeedLimitWarning
{
    private readonly SlwOptions _options;
    private LaneMap _map;
    private readonly Dictionary<OctetId8, State> _states = [];

    public SpeedLimitWarning(SlwOptions options, LaneMap map)
    {
        _options = options;
        _map = map;
    }

    public int TrackedVehicles => _states.Count;

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
    public void Process(in Bsm bsm, long eventTimeUtcMs, string? traceId, List<V2xEvent> output)
    {
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
            road = new Where(match.Connection >= 0 ? _map.NodeName(match.Node) : _map.LinkName(match.Link), match.SpeedLimitMps);
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
            if (state.ActiveId is null && overMs >= _options.MinDurationMs)
            {
                state.ActiveId = string.Create(CultureInfo.InvariantCulture, $"SLW-{bsm.Id}-{state.OverSinceUtcMs}");
                state.LastEmitUtcMs = eventTimeUtcMs;
                output.Add(Create(state.ActiveId, EventPhase.Onset, bsm, road, eventTimeUtcMs, overMs, state.MaxSpeedMps, traceId));
            }
            else if (state.ActiveId is not null && eventTimeUtcMs - state.LastEmitUtcMs >= _options.UpdateIntervalMs)
            {
                state.LastEmitUtcMs = eventTimeUtcMs;
                output.Add(Create(state.ActiveId, EventPhase.Update, bsm, road, eventTimeUtcMs, overMs, state.MaxSpeedMps, traceId));
            }

            state.LastRoad = road;
        }
        else
        {
            if (state.ActiveId is not null)
            {
                output.Add(Create(state.ActiveId, EventPhase.Clear, bsm, road.Name is null ? state.LastRoad : road, eventTimeUtcMs, eventTimeUtcMs - state.OverSinceUtcMs, state.MaxSpeedMps, traceId));
            }

            state.OverSinceUtcMs = 0;
            state.ActiveId = null;
        }
    }

    private static V2xEvent Create(string id, EventPhase phase, in Bsm bsm, Where road, long eventTimeUtcMs, long overMs, double maxSpeedMps, string? traceId)
    {
        double excess = (bsm.SpeedMps / road.LimitMps) - 1;
        return new V2xEvent
        {
            Id = id,
            Type = EventType.Slw,
            Phase = phase,
            Severity = (byte)(excess > 0.5 ? 3 : excess > 0.2 ? 2 : 1),
            Participants = [bsm.Id.ToString()],
            LatitudeDeg = bsm.Pos.LatitudeDeg,
            LongitudeDeg = bsm.Pos.LongitudeDeg,
            Location = road.Name,
            Figures = new Dictionary<string, double>
            {
                ["speedMps"] = Math.Round(bsm.SpeedMps, 2),
                ["limitMps"] = Math.Round(road.LimitMps, 2),
                ["maxSpeedMps"] = Math.Round(maxSpeedMps, 2),
                ["overS"] = overMs / 1000.0,
            },
            EventTimeUtcMs = eventTimeUtcMs,
            DetectedUtcMs = 0,
            TraceId = traceId,
        };
    }

    private struct State
    {
        public long LastTimeUtcMs;
        public long OverSinceUtcMs;
        public long LastEmitUtcMs;
        public double MaxSpeedMps;
        public string? ActiveId;
        public Where LastRoad;
        public MapMatch LastMatch;
    }

    /// <summary>The name of the link (or intersection) and the limit that applied; names come from the map, not allocated here.</summary>
    private readonly record struct Where(string Name, double LimitMps);
}
