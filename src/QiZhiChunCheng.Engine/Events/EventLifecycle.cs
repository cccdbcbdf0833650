using System.Runtime.InteropServices;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Events;

/// <summary>How conditions become events; every value has its documented default.</summary>
public sealed record LifecycleOptions
{
    /// <summary>An active event is updated at most this often (event time) unless its severity rises (1,000 ms).</summary>
    public long UpdateIntervalMs { get; init; } = 1000;

    /// <summary>
    /// An active event clears once its condition has not held for this long (event time; 500 ms). The hysteresis keeps a
    /// condition that flickers with sensor noise one event, not a burst of onsets.
    /// </summary>
    public long ClearAfterMs { get; init; } = 500;
}

/// <summary>
/// Turns conditions that detectors report every tick into events with a life: one onset when a condition starts
/// to hold for a pair (or a subject, or a keyed thing such as a lane), updates when its severity rises or at most
/// every <see cref="LifecycleOptions.UpdateIntervalMs"/>, one clear when it has not held for
/// <see cref="LifecycleOptions.ClearAfterMs"/>. So a pair in conflict for three seconds at 10 Hz yields one onset,
/// a few updates and one clear, not thirty onsets.
/// Keys are track ids (stable for a track's life), so a track's name changing when a BSM joins it later does not
/// start a new event; the names are frozen at onset. Not thread-safe; allocates only when the table of active
/// events grows past its initial capacity.
/// </summary>
public sealed class EventLifecycle
{
    private readonly LifecycleOptions _options;
    private readonly Dictionary<ActiveKey, Active> _active;
    private readonly List<DetectedEvent> _output;
    private long _tickUtcMs;

    public EventLifecycle(LifecycleOptions options, int capacity = 1024)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _active = new Dictionary<ActiveKey, Active>(capacity);
        _output = new List<DetectedEvent>(capacity);
    }

    /// <summary>Events raised since the last the engine drains it or <see cref="ClearOutput"/>.</summary>
    public List<DetectedEvent> Output => _output;

    /// <summary>Active events (onset raised, not yet cleared).</summary>
    public int ActiveCount => _active.Count;

    /// <summary>The tick being evaluated (UTC ms, event time).</summary>
    public long TickUtcMs => _tickUtcMs;

    public void BeginTick(long tickUtcMs) => _tickUtcMs = tickUtcMs;

    /// <summary>A condition about one participant holds at this tick (positioned at the participant).</summary>
    public void Report(EventType type, in TrackState subject, byte severity, in EventFigures figures, EventLocation location) =>
        Report(new ActiveKey(type, subject.TrackId, 0, 0), subject.Participant, default, severity, figures, subject.XM, subject.YM, location);

    /// <summary>A condition between two participants holds at this tick (subject is the one to warn).</summary>
    public void Report(EventType type, in TrackState subject, in TrackState other, byte severity, in EventFigures figures, double xM, double yM, EventLocation location) =>
        Report(new ActiveKey(type, subject.TrackId, other.TrackId, 0), subject.Participant, other.Participant, severity, figures, xM, yM, location);

    /// <summary>A condition about a participant and a keyed thing (an RSI event, a sign) holds at this tick.</summary>
    public void Report(EventType type, in TrackState subject, long key, byte severity, in EventFigures figures, EventLocation location) =>
        Report(new ActiveKey(type, subject.TrackId, 0, key), subject.Participant, default, severity, figures, subject.XM, subject.YM, location, key);

    /// <summary>A condition about a keyed thing with no participant (a jammed lane) holds at this tick.</summary>
    public void Report(EventType type, long key, byte severity, in EventFigures figures, double xM, double yM, EventLocation location) =>
        Report(new ActiveKey(type, 0, 0, key), default, default, severity, figures, xM, yM, location, key);

    /// <summary>
    /// A condition about a message source (a vehicle, an RSU) holds at this tick: keyed by the source's id and kind,
    /// not a track, so the event outlives the source's tracks (MISBEHAVIOR).
    /// </summary>
    public void ReportSource(EventType type, ParticipantRef subject, long sourceKey, int sourceKind, byte severity, in EventFigures figures, double xM, double yM, EventLocation location) =>
        Report(new ActiveKey(type, sourceKey, -1 - sourceKind, 0), subject, default, severity, figures, xM, yM, location);

    /// <summary>Ends the tick: clears events whose condition has not held for the clear time.</summary>
    public void EndTick()
    {
        foreach (KeyValuePair<ActiveKey, Active> entry in _active)
        {
            if (_tickUtcMs - entry.Value.LastSeenUtcMs >= _options.ClearAfterMs)
            {
                DetectedEvent clear = entry.Value.Last;
                clear.Phase = EventPhase.Clear;
                clear.EventTimeUtcMs = _tickUtcMs;
                _output.Add(clear);
                _active.Remove(entry.Key);
            }
        }
    }

    /// <summary>Clears every active event now (the engine is reset or its partition handed over).</summary>
    public void ClearAll(long tickUtcMs)
    {
        _tickUtcMs = tickUtcMs;
        foreach (KeyValuePair<ActiveKey, Active> entry in _active)
        {
            DetectedEvent clear = entry.Value.Last;
            clear.Phase = EventPhase.Clear;
            clear.EventTimeUtcMs = tickUtcMs;
            _output.Add(clear);
        }

        _active.Clear();
    }

    public void ClearOutput() => _output.Clear();

    private void Report(ActiveKey key, ParticipantRef subject, ParticipantRef other, byte severity, in EventFigures figures, double xM, double yM, EventLocation location, long eventKey = 0)
    {
        ref Active a = ref CollectionsMarshal.GetValueRefOrAddDefault(_active, key, out bool exists);
        if (!exists)
        {
            a.Last = new DetectedEvent
            {
                Type = key.Type,
                Phase = EventPhase.Onset,
                Severity = severity,
                Subject = subject,
                Other = other,
                OnsetUtcMs = _tickUtcMs,
                EventTimeUtcMs = _tickUtcMs,
                XM = xM,
                YM = yM,
                Location = location,
                Key = eventKey,
                Figures = figures,
            };
            a.LastSeenUtcMs = _tickUtcMs;
            a.LastEmitUtcMs = _tickUtcMs;
            _output.Add(a.Last);
            return;
        }

        if (a.LastSeenUtcMs == _tickUtcMs && severity <= a.Last.Severity)
        {
            return; // reported twice in one tick (two detectors, two conflict areas): the first, more severe, stands
        }

        bool escalated = severity > a.Last.Severity;
        a.LastSeenUtcMs = _tickUtcMs;
        a.Last.Severity = Math.Max(severity, a.Last.Severity);
        a.Last.EventTimeUtcMs = _tickUtcMs;
        a.Last.XM = xM;
        a.Last.YM = yM;
        a.Last.Location = location;
        a.Last.Figures = figures;
        if (escalated || _tickUtcMs - a.LastEmitUtcMs >= _options.UpdateIntervalMs)
        {
            a.LastEmitUtcMs = _tickUtcMs;
            DetectedEvent update = a.Last;
            update.Phase = EventPhase.Update;
            _output.Add(update);
        }
    }

    private readonly record struct ActiveKey(EventType Type, long A, long B, long K);

    private struct Active
    {
        public DetectedEvent Last;
        public long LastSeenUtcMs;
        public long LastEmitUtcMs;
    }
}
