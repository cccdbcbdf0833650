using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Time;
using QiZhiChunCheng.Core.Validation;
using QiZhiChunCheng.Engine.Detectors;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Engine.Signals;
using QiZhiChunCheng.Engine.Trust;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine;

/// <summary>What the engine has seen, for the summary and /metrics.</summary>
public sealed class EngineCounters
{
    public long Messages { get; internal set; }

    public long Bsms { get; internal set; }

    public long Rsms { get; internal set; }

    public long Spats { get; internal set; }

    public long Rsis { get; internal set; }

    /// <summary>Messages whose time markers could not be placed in time (counted, not used for detection).</summary>
    public long Untimed { get; internal set; }

    /// <summary>Messages later than the lateness tolerance behind the newest event time (counted, applied as far as meaningful).</summary>
    public long Late { get; internal set; }

    /// <summary>Detection ticks evaluated.</summary>
    public long Ticks { get; internal set; }

    /// <summary>Ticks skipped over a gap in event time longer than the catch-up limit.</summary>
    public long SkippedTicks { get; internal set; }

    /// <summary>Event phases raised (onsets, updates and clears).</summary>
    public long Events { get; internal set; }

    /// <summary>Plausibility-rule failures, quarantines and windows (zero while trust is off).</summary>
    public TrustCounters Trust { get; internal set; } = new();
}

/// <summary>
/// The fusion and detection engine for one partition. Messages go in in arrival order; each updates the world
/// model at its own event time. Detection runs on ticks of event time (every <see cref="EngineOptions.TickMs"/>):
/// a tick at T is evaluated when the first message at or after T arrives, on every track predicted to T, so
/// results depend only on the messages and their order, never on the wall clock or the replay speed.
/// Not thread-safe: one engine per partition worker. The per-message and per-tick paths allocate nothing in
/// steady state; materialising an event phase as a <see cref="V2xEvent"/> allocates (a few hundred bytes).
/// </summary>
public sealed class DetectionEngine
{
    private readonly EngineOptions _options;
    private readonly SpeedLimitWarning _slw;
    private readonly WorldModel _world;
    private readonly SignalState _signals;
    private readonly RsiState _rsi;
    private readonly Detector[] _detectors;
    private readonly EventLifecycle _lifecycle;
    private readonly TickContext _context;
    private readonly Observation[] _frame = new Observation[Rsm.MaxParticipants];
    private readonly MapMatch[] _hints;
    private long _nextTickUtcMs = long.MinValue;
    private long _clockUtcMs = long.MinValue;
    private RoadSurface _baseSurface;
    private readonly TrustMonitor? _trust;
    private readonly Func<OctetId8, string?> _rsuName;

    public DetectionEngine(EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        Map = options.Map;
        _slw = new SpeedLimitWarning(options.Slw, options.Map);
        _world = new WorldModel(options.Fusion);
        _signals = new SignalState(options.Map, options.Signals);
        _rsi = new RsiState(options.Map, options.Rsi);
        _baseSurface = options.Surface.Surface;
        _lifecycle = new EventLifecycle(options.Lifecycle);
        _context = new TickContext(options.Fusion.Capacity, options.Map, _signals, _rsi, options.Surface);
        _hints = new MapMatch[options.Fusion.Capacity];
        if (options.Trust.Enabled)
        {
            _trust = new TrustMonitor(options.Trust, _world, options.Map);
            _world.Tap = _trust;
            _context.Trust = _trust;
            Counters.Trust = _trust.Counters;
        }

        _rsuName = RsuName;
        List<Detector> detectors = [];
        Add(detectors, EventType.Fcw, () => new ForwardCollisionWarning(options.Fcw));
        Add(detectors, EventType.Icw, () => new IntersectionCollisionWarning(options.Icw));
        Add(detectors, EventType.Lta, () => new LeftTurnAssist(options.Lta));
        if (options.IsEnabled(EventType.Bsw) || options.IsEnabled(EventType.Lcw))
        {
            detectors.Add(new BlindSpotWarning(options.Bsw, options.IsEnabled(EventType.Bsw), options.IsEnabled(EventType.Lcw)));
        }

        Add(detectors, EventType.Dnpw, () => new DoNotPassWarning(options.Dnpw));
        Add(detectors, EventType.Ebw, () => new EmergencyBrakeWarning(options.Ebw));
        Add(detectors, EventType.Avw, () => new AbnormalVehicleWarning(options.Avw));
        Add(detectors, EventType.Clw, () => new ControlLossWarning(options.Clw));
        Add(detectors, EventType.Hlw, () => new HazardousLocationWarning(options.Hlw));
        Add(detectors, EventType.Rlvw, () => new RedLightViolationWarning(options.Rlvw));
        Add(detectors, EventType.Vrucw, () => new VulnerableRoadUserWarning(options.Vrucw));
        Add(detectors, EventType.Glosa, () => new GreenLightSpeedAdvice(options.Glosa));
        Add(detectors, EventType.Ivs, () => new InVehicleSignage(options.Ivs));
        Add(detectors, EventType.Tjw, () => new TrafficJamWarning(options.Tjw));
        Add(detectors, EventType.Evw, () => new EmergencyVehicleWarning(options.Evw));
        _detectors = [.. detectors];

        void Add(List<Detector> list, EventType type, Func<Detector> create)
        {
            if (options.IsEnabled(type))
            {
                list.Add(create());
            }
        }
    }

    /// <summary>The lane map the detectors use now.</summary>
    public LaneMap Map { get; private set; }

    public EngineCounters Counters { get; } = new();

    public WorldModel World => _world;

    public SignalState Signals => _signals;

    public RsiState Rsi => _rsi;

    /// <summary>The vehicle lanes of the current map cut into segments (traffic state is per segment).</summary>
    public LaneSegments Segments => LaneSegments.For(Map);

    /// <summary>The latest traffic-state model level of a segment; null without a model or without vehicles in its last window.</summary>
    public TrafficLevel? SegmentLevel(int segment) => _trust?.SegmentLevel(segment);

    /// <summary>The trust state (plausibility, quarantine, windows); null when <see cref="TrustOptions.Enabled"/> is off.</summary>
    public TrustMonitor? Trust => _trust;

    /// <summary>An RSU's name as in its MQTT topic (<c>RSU-DF-01</c>) when known (zone list or its RSMs' envelopes), else null.</summary>
    public string? RsuName(OctetId8 rsu) => _trust is not null && _trust.TryGetRsuName(rsu, out DeviceId name) ? name.ToString() : null;

    /// <summary>The tracks of the last evaluated tick.</summary>
    public ReadOnlySpan<TrackState> LastTickTracks => _context.Tracks;

    /// <summary>The event time of the last evaluated tick (UTC ms): the time <see cref="LastTickTracks"/> are predicted to.</summary>
    public long LastTickUtcMs => _context.TimeUtcMs;

    /// <summary>Event phases raised and not yet taken by <see cref="DrainEvents"/> or <see cref="DiscardEvents"/>.</summary>
    public IReadOnlyList<DetectedEvent> PendingEvents => _lifecycle.Output;

    /// <summary>
    /// The road surface the detectors assume now: the configured one (set here), or worse while an active RSI
    /// weather event says so (<see cref="RsiState.SurfaceOverride"/>, applied at every tick).
    /// </summary>
    public RoadSurface Surface
    {
        get => _context.Surface;
        set
        {
            _baseSurface = value;
            _context.Surface = value;
        }
    }

    /// <summary>Switches every detector to a new lane map, between two messages (a MAP update).</summary>
    public void UseMap(LaneMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        Map = map;
        _slw.UseMap(map);
        _signals.UseMap(map);
        _rsi.UseMap(map);
        _context.Map = map;
        _trust?.UseMap(map);
        Array.Clear(_hints);
        foreach (Detector d in _detectors)
        {
            d.UseMap(map);
        }
    }

    /// <summary>Processes one message and appends the event phases it raised (materialised) to <paramref name="output"/>.</summary>
    public void Process(in V2xMessage message, List<V2xEvent> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Process(message);
        if (_lifecycle.Output.Count > 0)
        {
            DrainEvents(output, message.Envelope.TraceId.IsEmpty ? null : message.Envelope.TraceId.ToString());
        }
    }

    /// <summary>
    /// Processes one message; raised event phases stay in <see cref="PendingEvents"/> until drained. The
    /// allocation-free path the benchmarks measure.
    /// </summary>
    public void Process(in V2xMessage message)
    {
        Counters.Messages++;
        switch (message.Type)
        {
            case MessageType.Bsm:
                ProcessBsm(message);
                break;
            case MessageType.Rsm:
                ProcessRsm(message);
                break;
            case MessageType.Spat:
                Counters.Spats++;
                long spatTime = TimeOf(message.Spat, message.Envelope);
                AdvanceTo(spatTime);
                _signals.Apply(message.Spat, spatTime);
                break;
            case MessageType.Rsi:
                Counters.Rsis++;
                long rsiTime = Reference(message.Envelope);
                AdvanceTo(rsiTime);
                _rsi.Apply(message.Rsi, rsiTime);
                break;
            default:
                break; // MAP: the worker compiles it and calls UseMap
        }
    }

    /// <summary>Applies one observation directly (tests and benchmarks that bypass the message model).</summary>
    public void Observe(in Observation observation)
    {
        AdvanceTo(observation.TimeUtcMs);
        _world.Observe(observation);
    }

    /// <summary>Applies one roadside frame directly (tests and benchmarks that bypass the message model).</summary>
    public void ObserveFrame(OctetId8 rsuId, ReadOnlySpan<Observation> participants)
    {
        if (participants.IsEmpty)
        {
            return;
        }

        AdvanceTo(participants[0].TimeUtcMs);
        _world.ObserveFrame(rsuId, participants);
    }

    /// <summary>Advances event time to <paramref name="timeUtcMs"/>, evaluating every tick due on the way.</summary>
    public void AdvanceTo(long timeUtcMs)
    {
        long tick = _options.TickMs;
        if (_nextTickUtcMs == long.MinValue)
        {
            _nextTickUtcMs = FloorDiv(timeUtcMs, tick) * tick + tick;
            _clockUtcMs = timeUtcMs;
            return;
        }

        if (timeUtcMs < _clockUtcMs - _options.LateToleranceMs)
        {
            Counters.Late++;
        }

        if (timeUtcMs <= _clockUtcMs)
        {
            return;
        }

        _clockUtcMs = timeUtcMs;
        if (timeUtcMs - _nextTickUtcMs > _options.MaxCatchUpMs)
        {
            long resume = FloorDiv(timeUtcMs, tick) * tick;
            Counters.SkippedTicks += (resume - _nextTickUtcMs) / tick;
            _nextTickUtcMs = resume;
        }

        while (_nextTickUtcMs <= timeUtcMs)
        {
            RunTick(_nextTickUtcMs);
            _nextTickUtcMs += tick;
        }
    }

    /// <summary>Materialises the pending event phases into <paramref name="output"/> and forgets them.</summary>
    public void DrainEvents(List<V2xEvent> output, string? traceId = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        List<DetectedEvent> pending = _lifecycle.Output;
        for (int i = 0; i < pending.Count; i++)
        {
            output.Add(EventMaterializer.ToV2xEvent(pending[i], Map, traceId, _rsuName));
        }

        pending.Clear();
    }

    /// <summary>Forgets the pending event phases (benchmarks).</summary>
    public void DiscardEvents() => _lifecycle.ClearOutput();

    private void ProcessBsm(in V2xMessage message)
    {
        Counters.Bsms++;
        ref readonly Bsm bsm = ref message.Bsm;
        if (!V2xTime.TryResolveSecMark(bsm.SecMark, Reference(message.Envelope), out long eventTime, out Rejection _))
        {
            Counters.Untimed++;
            return;
        }

        Observations.FromBsm(bsm, eventTime, Map.Frame, _options.Fusion.BsmSigmaM, out Observation o);
        if (_trust is not null)
        {
            // A time ahead of the message's own stamp must not move the clock every other source is judged by.
            long clock = _clockUtcMs;
            if (!_trust.IsFuture(eventTime, message.Envelope))
            {
                AdvanceTo(eventTime);
            }

            bool feed = _trust.OnBsm(bsm, message.Envelope, o, clock);
            if (feed)
            {
                _world.Observe(o);
            }

            _trust.EndMessage();
            if (!feed)
            {
                return;
            }
        }
        else
        {
            AdvanceTo(eventTime);
            _world.Observe(o);
        }

        if (_options.IsEnabled(EventType.Slw))
        {
            int before = _lifecycle.Output.Count;
            _slw.Process(bsm, eventTime, _lifecycle.Output);
            Counters.Events += _lifecycle.Output.Count - before;
        }
    }

    private void ProcessRsm(in V2xMessage message)
    {
        Counters.Rsms++;
        Rsm rsm = message.Rsm;
        long reference = Reference(message.Envelope);
        ReadOnlySpan<ParticipantData> participants = rsm.Participants.AsSpan();

        // The frame's time is its newest participant's: ticks due before it run first, then the whole frame is
        // associated at once. Validated RSMs carry at most 16 participants; a longer list (a message built in
        // process) is taken in frames of 16 rather than refused.
        long frameTime = long.MinValue;
        foreach (ref readonly ParticipantData p in participants)
        {
            if (V2xTime.TryResolveSecMark(p.SecMark, reference, out long t, out Rejection _))
            {
                frameTime = Math.Max(frameTime, t);
            }
        }

        if (frameTime == long.MinValue)
        {
            Counters.Untimed += participants.Length;
            return;
        }

        long clock = _clockUtcMs;
        int rsu = -1;
        if (_trust is null || !_trust.IsFuture(frameTime, message.Envelope))
        {
            AdvanceTo(frameTime);
        }

        if (_trust is not null)
        {
            rsu = _trust.OnRsm(rsm, message.Envelope, frameTime);
        }

        int n = 0;
        foreach (ref readonly ParticipantData p in participants)
        {
            if (!V2xTime.TryResolveSecMark(p.SecMark, reference, out long t, out Rejection _))
            {
                Counters.Untimed++;
                continue;
            }

            Observations.FromParticipant(rsm, p, t, Map.Frame, _options.Fusion.RsmSigmaM, out _frame[n]);
            if (_trust is not null && !_trust.OnParticipant(rsu, p, _frame[n], message.Envelope, clock))
            {
                continue;
            }

            n++;
            if (n == _frame.Length)
            {
                _world.ObserveFrame(rsm.Id, _frame);
                n = 0;
            }
        }

        if (n > 0)
        {
            _world.ObserveFrame(rsm.Id, _frame.AsSpan(0, n));
        }

        _trust?.EndMessage();
    }

    private void RunTick(long tickUtcMs)
    {
        Counters.Ticks++;
        _trust?.CloseWindows(tickUtcMs);
        Span<TrackState> tracks = _context.Writable;
        int n = _world.Snapshot(tickUtcMs, tracks);
        LaneMap map = Map;
        for (int i = 0; i < n; i++)
        {
            ref TrackState t = ref tracks[i];
            t.Match = map.MatchLocal(t.XM, t.YM, t.HeadingDeg, t.SpeedMps, _hints[t.Handle]);
            _hints[t.Handle] = t.Match;
        }

        _context.Count = n;
        _context.BuildGrid();
        _context.TimeUtcMs = tickUtcMs;
        _rsi.Advance(tickUtcMs);
        _context.Surface = _rsi.SurfaceOverride is { } weather && weather > _baseSurface ? weather : _baseSurface;
        int before = _lifecycle.Output.Count;
        _lifecycle.BeginTick(tickUtcMs);
        _trust?.OnTick(tickUtcMs, _context.Tracks, _lifecycle);
        foreach (Detector d in _detectors)
        {
            d.Evaluate(_context, _lifecycle);
        }

        _lifecycle.EndTick();
        Counters.Events += _lifecycle.Output.Count - before;
    }

    private static long Reference(in Envelope e) => e.GeneratedUtcMs != 0 ? e.GeneratedUtcMs : e.IngestUtcMs;

    // A SPAT's own moy and timeStamp when it has them and they resolve, else its envelope's time.
    private static long TimeOf(Spat spat, in Envelope envelope)
    {
        long reference = Reference(envelope);
        return spat.Moy is { } moy && V2xTime.TryResolveMoy(moy, spat.TimeStamp ?? 0, reference, out long utcMs, out Rejection _)
            ? utcMs
            : reference;
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : ((a + 1) / b) - 1;
}
