using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Trust;

/// <summary>
/// The engine's trust state: plausibility rules on every BSM and RSM participant, per-source accounting in
/// one-second buckets of event time, per-source and per-segment windows closed at each second of event time on the
/// engine's thread (features, anomaly score, traffic level), quarantine and its MISBEHAVIOR events. Every table is
/// sized at construction (a bounded source table, a bounded roadside-participant table), so checking a message
/// allocates nothing. Not thread-safe: one per engine. See <c>docs/trust.md</c>.
/// </summary>
public sealed class TrustMonitor : IFusionTap
{
    private const int Buckets = 10; // one-second buckets: the 10 s source window
    private const int ParticipantCapacity = 8192;
    private const int PairCapacity = 16384;
    private const int MaxRsus = 256;
    private const long ParticipantTimeoutMs = 5_000;
    private const long TrackTimeoutMs = 2_000;
    private const int SegmentWindowBuckets = (int)(SegmentFeatures.WindowMs / 1000);
    private const byte NoLevel = byte.MaxValue;

    private readonly TrustOptions _options;
    private readonly WorldModel _world;
    private readonly int _capacity;
    private readonly Dictionary<SourceKey, int> _bySource;
    private readonly Source[] _sources;
    private readonly Kin[] _sourceKin;
    private readonly Bucket[] _buckets;
    private readonly int[] _ruleBuckets;
    private readonly int[] _ruleTotals;
    private readonly float[] _residualHistory;
    private readonly long[] _residualHistorySecond;
    private readonly int[] _freeSources;
    private readonly int[] _quarantined;
    private readonly int[] _ruleScratch = new int[TrustRules.Count];
    private readonly float[] _windowFeatures;
    private readonly float[] _segmentFeatures = new float[SegmentFeatures.Count];

    // Partner pairs (a source, another source whose sightings of shared tracks it was compared with): one-second
    // buckets of the distances, for the partners and disagreement features and for explaining away.
    private readonly Dictionary<PairKey, int> _byPair = new(PairCapacity);
    private readonly PairKey[] _pairKey = new PairKey[PairCapacity];
    private readonly long[] _pairSecond = new long[PairCapacity * Buckets];
    private readonly float[] _pairSum = new float[PairCapacity * Buckets];
    private readonly float[] _pairDx = new float[PairCapacity * Buckets];
    private readonly float[] _pairDy = new float[PairCapacity * Buckets];
    private readonly int[] _pairN = new int[PairCapacity * Buckets];
    private readonly bool[] _pairActive = new bool[PairCapacity];
    private readonly int[] _pairList = new int[PairCapacity];
    private readonly int[] _freePairs = new int[PairCapacity];
    private readonly int[] _generation;
    private readonly int[] _partners;
    private readonly int[] _disagreeing;
    private readonly double[] _partnerDx; // a source's median offset from its partners (east, north)
    private readonly double[] _partnerDy;
    private readonly int[] _partnerStart;
    private readonly int[] _partnerFill;
    private readonly int[] _keptPartners;
    private readonly int[] _keptDisagreeing;
    private readonly int[] _shareOf; // the partners the disagreement share is of
    private readonly bool[] _pairDisagrees = new bool[PairCapacity];
    private readonly bool[] _pairKept = new bool[PairCapacity];
    private readonly int[] _pairPartner = new int[PairCapacity];
    private readonly double[] _pairMeanDx = new double[PairCapacity];
    private readonly double[] _pairMeanDy = new double[PairCapacity];
    private readonly double[] _offsetsX = new double[PairCapacity];
    private readonly double[] _offsetsY = new double[PairCapacity];
    private int _pairCount;
    private int _freePairCount;

    private readonly Dictionary<ParticipantKey, int> _byParticipant = new(ParticipantCapacity);
    private readonly Kin[] _participantKin = new Kin[ParticipantCapacity];
    private readonly ParticipantKey[] _participantKey = new ParticipantKey[ParticipantCapacity];
    private readonly int[] _freeParticipants = new int[ParticipantCapacity];
    private int _freeParticipantCount;

    // RSU geometry in the map's frame: position, and a coverage polygon (from TrustOptions.Rsus) or a circle.
    private readonly ulong[] _rsuId = new ulong[MaxRsus];
    private readonly double[] _rsuX = new double[MaxRsus];
    private readonly double[] _rsuY = new double[MaxRsus];
    private readonly double[] _rsuRadius = new double[MaxRsus];
    private readonly int[] _rsuPolyStart = new int[MaxRsus];
    private readonly int[] _rsuPolyCount = new int[MaxRsus];
    private readonly int[] _rsuSource = new int[MaxRsus]; // the source slot of each RSU (-1: none tracked)
    private readonly Dictionary<ulong, DeviceId> _rsuNames = new(MaxRsus);
    private double[] _polyX = [];
    private double[] _polyY = [];
    private int _rsuCount;

    private LaneMap _map;
    private LaneSegments _segments;
    private SegmentBucket[] _segmentBuckets = [];
    private int[] _segmentTickCount = [];
    private int[] _touched = [];
    private byte[] _levels = [];
    private float[] _levelVehicles = [];
    private float[] _levelSpeed = [];
    private readonly int[] _tickBuckets = new int[Buckets];
    private readonly long[] _tickBucketSecond = new long[Buckets];

    private int _freeSourceCount;
    private int _quarantinedCount;
    private int _current = -1;
    private long _startUtcMs = long.MaxValue; // the first sighting's event time: the stream's start

    internal TrustMonitor(TrustOptions options, WorldModel world, LaneMap map)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.SourceCapacity);
        _options = options;
        _world = world;
        _capacity = options.SourceCapacity;
        _bySource = new Dictionary<SourceKey, int>(_capacity);
        _sources = new Source[_capacity];
        _sourceKin = new Kin[_capacity];
        _buckets = new Bucket[_capacity * Buckets];
        _ruleBuckets = new int[_capacity * Buckets * TrustRules.Count];
        _ruleTotals = new int[_capacity * TrustRules.Count];
        _residualHistory = new float[_capacity * Buckets];
        _residualHistorySecond = new long[_capacity * Buckets];
        _freeSources = new int[_capacity];
        _quarantined = new int[_capacity];
        _windowFeatures = new float[_capacity * SourceFeatures.Count];
        _generation = new int[_capacity];
        _partners = new int[_capacity];
        _disagreeing = new int[_capacity];
        _partnerDx = new double[_capacity];
        _partnerDy = new double[_capacity];
        _partnerStart = new int[_capacity + 1];
        _partnerFill = new int[_capacity];
        _keptPartners = new int[_capacity];
        _keptDisagreeing = new int[_capacity];
        _shareOf = new int[_capacity];
        for (int i = 0; i < PairCapacity; i++)
        {
            _freePairs[i] = PairCapacity - 1 - i;
        }

        _freePairCount = PairCapacity;
        for (int i = 0; i < _capacity; i++)
        {
            _freeSources[i] = _capacity - 1 - i;
        }

        _freeSourceCount = _capacity;
        for (int i = 0; i < ParticipantCapacity; i++)
        {
            _freeParticipants[i] = ParticipantCapacity - 1 - i;
        }

        _freeParticipantCount = ParticipantCapacity;
        Array.Fill(_tickBucketSecond, long.MinValue);
        _map = map;
        _segments = LaneSegments.For(map);
        UseMap(map);
    }

    public TrustOptions Options => _options;

    public TrustCounters Counters { get; } = new();

    /// <summary>Sources tracked now (seen in the last window, or quarantined).</summary>
    public int SourceCount => _bySource.Count;

    /// <summary>The latest model level of a segment (null without a model or without vehicles in its last window).</summary>
    public TrafficLevel? SegmentLevel(int segment) =>
        (uint)segment < (uint)_levels.Length && _levels[segment] != NoLevel ? (TrafficLevel)_levels[segment] : null;

    /// <summary>The lane segments of the current map.</summary>
    public LaneSegments Segments => _segments;

    /// <summary>The mean vehicle speed on a segment over its last window, m/s (NaN when none).</summary>
    public double SegmentMeanSpeed(int segment) => (uint)segment < (uint)_levelSpeed.Length && _levelVehicles[segment] > 0 ? _levelSpeed[segment] : double.NaN;

    /// <summary>The most vehicles seen on a segment at one tick of its last window (0 when none).</summary>
    public int SegmentVehicles(int segment) => (uint)segment < (uint)_levelVehicles.Length ? (int)_levelVehicles[segment] : 0;

    /// <summary>Whether a source is quarantined now.</summary>
    public bool IsQuarantined(SourceKind kind, OctetId8 id) =>
        _bySource.TryGetValue(new SourceKey(id.Value, kind), out int s) && _sources[s].Quarantined;

    /// <summary>The status of a source (default when not tracked): its counts, its dominant rule, its last score.</summary>
    public SourceStatus Status(SourceKind kind, OctetId8 id)
    {
        if (!_bySource.TryGetValue(new SourceKey(id.Value, kind), out int s))
        {
            return default;
        }

        ref readonly Source src = ref _sources[s];
        return new SourceStatus(kind, id, true, src.Quarantined, src.Messages, src.FailedSightings, src.Dominant, src.WindowFailures, src.Score);
    }

    /// <summary>Failures of one rule by one source since it was first tracked.</summary>
    public int Failures(SourceKind kind, OctetId8 id, TrustRule rule) =>
        _bySource.TryGetValue(new SourceKey(id.Value, kind), out int s) ? _ruleTotals[(s * TrustRules.Count) + (int)rule] : 0;

    /// <summary>Calls <paramref name="visit"/> for every tracked source (for /metrics; allocates the statuses' enumeration only).</summary>
    public void ForEachSource(Action<SourceStatus> visit)
    {
        ArgumentNullException.ThrowIfNull(visit);
        foreach (KeyValuePair<SourceKey, int> e in _bySource)
        {
            visit(Status(e.Key.Kind, new OctetId8(e.Key.Id)));
        }
    }

    /// <summary>The RSU's device id as in its MQTT topic (<c>RSU-DF-01</c>), when known from the zone or its envelopes.</summary>
    public bool TryGetRsuName(OctetId8 rsu, out DeviceId name) => _rsuNames.TryGetValue(rsu.Value, out name);

    internal void UseMap(LaneMap map)
    {
        _map = map;
        _segments = LaneSegments.For(map);
        int n = _segments.Count;
        _segmentBuckets = new SegmentBucket[n * Buckets];
        _segmentTickCount = new int[n];
        _touched = new int[n];
        _levels = new byte[n];
        _levelVehicles = new float[n];
        _levelSpeed = new float[n];
        Array.Fill(_levels, NoLevel);
        for (int i = 0; i < _segmentBuckets.Length; i++)
        {
            _segmentBuckets[i].Second = long.MinValue;
        }

        // RSU geometry is in the map's frame: rebuild it (positions learned from RSMs are learned again).
        _rsuCount = 0;
        Array.Fill(_rsuSource, -1);
        IReadOnlyList<Core.Zone.RsuSite>? sites = _options.Rsus;
        if (sites is null)
        {
            return;
        }

        List<double> px = [];
        List<double> py = [];
        foreach (Core.Zone.RsuSite site in sites)
        {
            if (_rsuCount == MaxRsus)
            {
                break;
            }

            int r = _rsuCount++;
            (double x, double y) = map.Frame.ToLocal(site.Pos.LatitudeDeg, site.Pos.LongitudeDeg);
            _rsuId[r] = site.RsuId.Value;
            _rsuX[r] = x;
            _rsuY[r] = y;
            _rsuRadius[r] = site.SensorRangeM;
            _rsuPolyStart[r] = px.Count;
            _rsuPolyCount[r] = site.Coverage.Count >= 3 ? site.Coverage.Count : 0;
            if (_rsuPolyCount[r] > 0)
            {
                double radius = 0;
                foreach (Position3D p in site.Coverage)
                {
                    (double cx, double cy) = map.Frame.ToLocal(p.LatitudeDeg, p.LongitudeDeg);
                    px.Add(cx);
                    py.Add(cy);
                    radius = Math.Max(radius, Math.Sqrt(((cx - x) * (cx - x)) + ((cy - y) * (cy - y))));
                }

                _rsuRadius[r] = radius;
            }

            _rsuNames.TryAdd(site.RsuId.Value, site.Id);
        }

        _polyX = [.. px];
        _polyY = [.. py];
    }

    // ---- per message ----

    /// <summary>
    /// Whether a message's event time is ahead of both its own envelope stamp and the engine's clock (then it must not
    /// move the clock). Never for the first message, which sets the clock.
    /// </summary>
    internal bool IsFuture(long eventUtcMs, in Envelope envelope, long clockUtcMs) =>
        IsFuture(eventUtcMs, Reference(envelope), clockUtcMs);

    private bool IsFuture(long eventUtcMs, long reference, long clockUtcMs) =>
        clockUtcMs != long.MinValue && eventUtcMs > Math.Max(reference, clockUtcMs) + _options.FutureToleranceMs;

    /// <summary>Checks a BSM (as its observation); returns whether it may feed fusion and detection.</summary>
    internal bool OnBsm(in Bsm bsm, in Envelope envelope, in Observation o, long clockUtcMs)
    {
        int s = SourceOf(SourceKind.Obu, bsm.Id.Value, o.TimeUtcMs);
        _current = s;
        ref Source src = ref _sources[s];
        ref Bucket b = ref BucketOf(s, o.TimeUtcMs);
        b.Messages++;
        b.Frames++;
        Latency(ref b, envelope);
        bool vehicle = o.Kind == ParticipantKind.Vehicle;
        uint mask = Check(ref _sourceKin[s], o, bsm.SpeedAvailable, bsm.Transmission == TransmissionState.ReverseGears, Reference(envelope), clockUtcMs, vehicle);
        src.LastArrivalUtcMs = Math.Max(src.LastArrivalUtcMs, clockUtcMs);
        src.X = o.XM;
        src.Y = o.YM;

        // Coverage of the vehicle's report by the roadside: a covered report a roadside sensor did not confirm in
        // the second before it (a feature, not a rule: a sensor misses vehicles now and then).
        if (Covering(o.XM, o.YM, out ulong rsus))
        {
            b.Covered++;
            b.Rsus |= rsus;
            if (_world.LastRoadsideUtcMs(bsm.Id) < o.TimeUtcMs - 1000)
            {
                b.Unseen++;
            }
        }

        return Account(s, ref b, mask);
    }

    /// <summary>Starts an RSM: its source, frame accounting and the RSU's position; returns the source slot.</summary>
    internal int OnRsm(Rsm rsm, in Envelope envelope, long frameUtcMs)
    {
        int s = SourceOf(SourceKind.Rsu, rsm.Id.Value, frameUtcMs);
        _current = s;
        ref Source src = ref _sources[s];
        ref Bucket b = ref BucketOf(s, frameUtcMs);
        b.Messages++;
        if (!src.HasFrame || Math.Abs(frameUtcMs - src.LastFrameUtcMs) >= 50)
        {
            b.Frames++;
            src.LastFrameUtcMs = frameUtcMs;
            src.HasFrame = true;
        }

        Latency(ref b, envelope);
        if (envelope.SourceKind == SourceKind.Rsu && !envelope.SourceId.IsEmpty && !_rsuNames.ContainsKey(rsm.Id.Value) && _rsuNames.Count < MaxRsus)
        {
            _rsuNames[rsm.Id.Value] = envelope.SourceId;
        }

        if (src.Rsu < 0 || _rsuId[src.Rsu] != rsm.Id.Value)
        {
            src.Rsu = RsuOf(rsm);
        }

        if (src.Rsu >= 0)
        {
            src.X = _rsuX[src.Rsu];
            src.Y = _rsuY[src.Rsu];
            _rsuSource[src.Rsu] = s;
        }

        return s;
    }

    /// <summary>Whether the RSU of slot <paramref name="rsu"/> is quarantined.</summary>
    internal bool IsQuarantined(int rsu) => _sources[rsu].Quarantined;

    /// <summary>Checks one participant of an RSM; returns whether it may feed fusion.</summary>
    internal bool OnParticipant(int rsu, in ParticipantData p, in Observation o, in Envelope envelope, long clockUtcMs)
    {
        _current = rsu;
        _sources[rsu].LastArrivalUtcMs = Math.Max(_sources[rsu].LastArrivalUtcMs, clockUtcMs);
        ref Bucket b = ref BucketOf(rsu, o.TimeUtcMs);
        ParticipantKey key = new(_sources[rsu].Id, p.PtcId);
        int k = ParticipantOf(key, o.TimeUtcMs);
        uint mask = 0;
        if (k >= 0)
        {
            mask = Check(ref _participantKin[k], o, p.Speed != Bsm.SpeedUnavailable, false, Reference(envelope), clockUtcMs, o.Kind == ParticipantKind.Vehicle);
        }

        int r = _sources[rsu].Rsu;
        if (r >= 0 && !InCoverage(r, o.XM, o.YM, _options.CoverageMarginM))
        {
            mask |= TrustRules.Bit(TrustRule.Coverage);
        }

        bool feed = Account(rsu, ref b, mask);
        if (!feed && _sources[rsu].Quarantined && (mask & (TrustRules.DropMask | Redelivered)) == 0)
        {
            // Fed nothing because its RSU is quarantined: still measured against the track its id points to.
            _world.ProbeRoadside(new OctetId8(_sources[rsu].Id), o);
        }

        return feed;
    }

    void IFusionTap.OnPartner(in Observation o, ulong partner, ObservationSource partnerKind, double dxM, double dyM, double speedErrorMps)
    {
        if (_current < 0)
        {
            return;
        }

        ref Bucket b = ref BucketOf(_current, o.TimeUtcMs);
        if (b.Second == long.MinValue)
        {
            return; // too late to account
        }

        double residualM = Math.Sqrt((dxM * dxM) + (dyM * dyM));
        b.ResidualSum += residualM;
        b.ResidualN++;
        b.SpeedErrorSquares += speedErrorMps * speedErrorMps;
        int p = PairOf(_current, partner, partnerKind);
        if (p < 0)
        {
            return;
        }

        int bi = (p * Buckets) + Slot(b.Second);
        if (_pairSecond[bi] != b.Second)
        {
            if (_pairSecond[bi] > b.Second)
            {
                return;
            }

            (_pairSecond[bi], _pairSum[bi], _pairDx[bi], _pairDy[bi], _pairN[bi]) = (b.Second, 0, 0, 0, 0);
        }

        _pairSum[bi] += (float)residualM;
        _pairDx[bi] += (float)dxM;
        _pairDy[bi] += (float)dyM;
        _pairN[bi]++;
    }

    private int PairOf(int s, ulong partner, ObservationSource kind)
    {
        PairKey key = new(s, _generation[s], partner, kind);
        if (_byPair.TryGetValue(key, out int p))
        {
            return p;
        }

        if (_freePairCount == 0)
        {
            return -1; // full: this pair goes uncounted until pairs expire
        }

        p = _freePairs[--_freePairCount];
        _byPair.Add(key, p);
        _pairKey[p] = key;
        _pairActive[p] = false;
        for (int k = 0; k < Buckets; k++)
        {
            _pairSecond[(p * Buckets) + k] = long.MinValue;
        }

        _pairList[_pairCount++] = p;
        return p;
    }

    // Each pair's window [first, second): a partner with MinPartnerTerms comparisons counts for its source, and as
    // disagreeing when their mean distance is above DisagreeM. A source's offset is the median, east and north, of its
    // partners' mean offsets: one wrong partner does not move it, a shift against every partner does. A partner that
    // disagrees with most of its own partners is left out of both (it explains the disagreement). Pairs with nothing in
    // the window (or whose source's slot went to another source) are freed.
    private void ClosePairs(long first, long second)
    {
        Array.Clear(_partners);
        Array.Clear(_disagreeing);
        Array.Clear(_partnerDx);
        Array.Clear(_partnerDy);
        for (int i = _pairCount - 1; i >= 0; i--)
        {
            int p = _pairList[i];
            PairKey key = _pairKey[p];
            double sum = 0, dx = 0, dy = 0;
            int n = 0;
            bool recent = false;
            for (int k = 0; k < Buckets; k++)
            {
                int bi = (p * Buckets) + k;
                long at = _pairSecond[bi];
                if (at >= first)
                {
                    recent = true;
                    if (at < second)
                    {
                        sum += _pairSum[bi];
                        dx += _pairDx[bi];
                        dy += _pairDy[bi];
                        n += _pairN[bi];
                    }
                }
            }

            if (!recent || _generation[key.Source] != key.Generation || !_sources[key.Source].Used)
            {
                _byPair.Remove(key);
                int last = _pairList[--_pairCount];
                _pairList[i] = last;
                _freePairs[_freePairCount++] = p;
                continue;
            }

            _pairActive[p] = n >= SourceFeatures.MinPartnerTerms;
            if (_pairActive[p])
            {
                _partners[key.Source]++;
                _pairMeanDx[p] = dx / n;
                _pairMeanDy[p] = dy / n;
                _pairDisagrees[p] = sum / n > SourceFeatures.DisagreeM;
                if (_pairDisagrees[p])
                {
                    _disagreeing[key.Source]++;
                }

                _pairPartner[p] = _bySource.TryGetValue(new SourceKey(key.Partner, key.Kind == ObservationSource.Bsm ? SourceKind.Obu : SourceKind.Rsu), out int q) ? q : -1;
            }
        }

        // A partner that itself disagrees with most of its partners explains its disagreement with this source: the
        // disagreement share and the median offset count the other partners only (all of them when none is left).
        Array.Clear(_keptPartners);
        Array.Clear(_keptDisagreeing);
        for (int i = 0; i < _pairCount; i++)
        {
            int p = _pairList[i];
            _pairKept[p] = _pairActive[p] && !WidelyDisagreeing(_pairPartner[p]);
            if (_pairKept[p])
            {
                int s = _pairKey[p].Source;
                _keptPartners[s]++;
                _keptDisagreeing[s] += _pairDisagrees[p] ? 1 : 0;
            }
        }

        // The medians: the counted pairs' offsets grouped by source (a counting sort), each group sorted in place.
        _partnerStart[0] = 0;
        for (int s = 0; s < _capacity; s++)
        {
            _partnerStart[s + 1] = _partnerStart[s] + _partners[s];
        }

        Array.Clear(_partnerFill);
        for (int i = 0; i < _pairCount; i++)
        {
            int p = _pairList[i];
            int s = _pairKey[p].Source;
            if (_pairActive[p] && (_pairKept[p] || _keptPartners[s] == 0))
            {
                int at = _partnerStart[s] + _partnerFill[s]++;
                _offsetsX[at] = _pairMeanDx[p];
                _offsetsY[at] = _pairMeanDy[p];
            }
        }

        for (int s = 0; s < _capacity; s++)
        {
            int n = _partnerFill[s];
            if (n > 0)
            {
                _partnerDx[s] = Median(_offsetsX.AsSpan(_partnerStart[s], n));
                _partnerDy[s] = Median(_offsetsY.AsSpan(_partnerStart[s], n));
            }

            if (_keptPartners[s] > 0)
            {
                _disagreeing[s] = _keptDisagreeing[s];
                _shareOf[s] = _keptPartners[s];
            }
            else
            {
                _shareOf[s] = _partners[s];
            }
        }
    }

    private bool WidelyDisagreeing(int q) =>
        q >= 0 && _partners[q] >= SourceFeatures.WidePartners && _disagreeing[q] >= SourceFeatures.WideShare * _partners[q];

    private static double Median(Span<double> values)
    {
        values.Sort();
        int n = values.Length;
        return (n & 1) == 1 ? values[n / 2] : (values[(n / 2) - 1] + values[n / 2]) / 2;
    }

    internal void EndMessage() => _current = -1;

    // Not a rule: the message is an exact repeat of the source's previous one (a redelivery); it is not fed again.
    private const uint Redelivered = 1u << 31;


    private bool Account(int s, ref Bucket b, uint mask)
    {
        bool redelivered = (mask & Redelivered) != 0;
        mask &= ~Redelivered;
        ref Source src = ref _sources[s];
        Counters.Sightings++;
        b.Sightings++;
        src.Messages++;
        if (mask != 0)
        {
            Counters.FailedSightings++;
            Counters.Count(mask);
            b.Failed++;
            src.FailedSightings++;
            int bucket = (s * Buckets) + Slot(b.Second);
            bool inWindow = b.Second != long.MinValue;
            for (int r = 1; r < TrustRules.Count; r++)
            {
                if ((mask & (1u << r)) != 0)
                {
                    if (inWindow)
                    {
                        _ruleBuckets[(bucket * TrustRules.Count) + r]++;
                    }

                    _ruleTotals[(s * TrustRules.Count) + r]++;
                }
            }
        }

        bool feed = !src.Quarantined && !redelivered && (mask & TrustRules.DropMask) == 0;
        if (!feed)
        {
            Counters.Dropped++;
        }

        return feed;
    }

    private uint Check(ref Kin k, in Observation o, bool speedKnown, bool reversing, long reference, long clockUtcMs, bool vehicle)
    {
        TrustOptions opt = _options;
        uint mask = 0;
        long t = o.TimeUtcMs;
        double v = speedKnown ? o.SpeedMps : double.NaN;
        if (v > opt.MaxSpeedMps)
        {
            mask |= TrustRules.Bit(TrustRule.Speed);
        }

        if (Math.Abs(o.AccelMps2) > opt.MaxAccelMps2)
        {
            mask |= TrustRules.Bit(TrustRule.Accel);
        }

        if (IsFuture(t, reference, clockUtcMs))
        {
            mask |= TrustRules.Bit(TrustRule.Future);
        }
        else if (clockUtcMs != long.MinValue && t < clockUtcMs - opt.StaleToleranceMs)
        {
            mask |= TrustRules.Bit(TrustRule.Stale);
        }

        double dx = 0;
        double dy = 0;
        if (k.HasLast)
        {
            long dtMs = t - k.LastUtcMs;
            dx = o.XM - k.LastX;
            dy = o.YM - k.LastY;
            double d = Math.Sqrt((dx * dx) + (dy * dy));
            if (dtMs < 0)
            {
                // Time going backwards: beyond the reordering a network may cause, a replay; either way not a newer state.
                return dtMs < -opt.ReorderToleranceMs ? mask | TrustRules.Bit(TrustRule.Replay) : mask;
            }

            if (dtMs == 0 && d < 0.05 && (v == k.LastV || (double.IsNaN(v) && double.IsNaN(k.LastV))))
            {
                return mask | Redelivered; // the same report again: at-least-once delivery, not evidence; not fed twice
            }

            double dt = dtMs / 1000.0;
            double lastV = double.IsNaN(k.LastV) ? 0 : k.LastV;
            if (dtMs > 0 && speedKnown && !double.IsNaN(k.LastV) && (Math.Abs(v - k.LastV) - 1.0) / dt > opt.MaxAccelMps2)
            {
                mask |= TrustRules.Bit(TrustRule.Accel);
            }

            double vmax = Math.Max(lastV, double.IsNaN(v) ? 0 : v);
            if (d > Allowance(vmax, dt))
            {
                bool twin = false;
                if (k.HasAlt && t >= k.AltUtcMs)
                {
                    double ax = o.XM - k.AltX;
                    double ay = o.YM - k.AltY;
                    double altV = Math.Max(double.IsNaN(k.AltV) ? 0 : k.AltV, double.IsNaN(v) ? 0 : v);
                    twin = Math.Sqrt((ax * ax) + (ay * ay)) <= Allowance(altV, (t - k.AltUtcMs) / 1000.0);
                }

                mask |= TrustRules.Bit(twin || dtMs == 0 ? TrustRule.DuplicateId : TrustRule.Jump);
                (k.AltX, k.AltY, k.AltV, k.AltUtcMs, k.HasAlt) = (k.LastX, k.LastY, k.LastV, k.LastUtcMs, true);
                k.HasAnchor = false;
            }
        }

        // Heading against the motion: the direction from an anchor at least MinHeadingMoveM behind.
        if (!reversing && speedKnown && v >= opt.MinHeadingSpeedMps && double.IsFinite(o.HeadingDeg))
        {
            if (k.HasAnchor)
            {
                double ax = o.XM - k.AnchorX;
                double ay = o.YM - k.AnchorY;
                double moved = Math.Sqrt((ax * ax) + (ay * ay));
                if (moved >= opt.MinHeadingMoveM)
                {
                    double direction = double.RadiansToDegrees(Math.Atan2(ax, ay));
                    if (AngleDiff(direction, o.HeadingDeg) > opt.HeadingToleranceDeg)
                    {
                        mask |= TrustRules.Bit(TrustRule.Heading);
                    }

                    (k.AnchorX, k.AnchorY) = (o.XM, o.YM);
                }
            }
            else
            {
                (k.AnchorX, k.AnchorY, k.HasAnchor) = (o.XM, o.YM, true);
            }
        }
        else
        {
            k.HasAnchor = false;
        }

        // Off every lane: matched at most every OffLaneCheckMs per source (the verdict holds in between).
        if (vehicle && _map.Lanes.Length > 0)
        {
            if (!k.LaneChecked || t - k.LaneCheckUtcMs >= opt.OffLaneCheckMs || t < k.LaneCheckUtcMs)
            {
                k.OffLane = _map.MatchLocal(o.XM, o.YM, double.NaN, double.NaN).Status == MatchStatus.OffMap;
                k.LaneCheckUtcMs = t;
                k.LaneChecked = true;
            }

            if (k.OffLane)
            {
                mask |= TrustRules.Bit(TrustRule.OffLane);
            }
        }

        (k.LastX, k.LastY, k.LastV, k.LastUtcMs, k.HasLast) = (o.XM, o.YM, v, t, true);
        return mask;
    }

    private double Allowance(double speedMps, double dtS) =>
        (speedMps * dtS) + (0.5 * _options.MaxAccelMps2 * dtS * dtS) + _options.JumpToleranceM;

    // ---- per tick ----

    /// <summary>
    /// At a tick that is a multiple of a second: closes the source windows (features, score, quarantine) and the
    /// segment windows (features, traffic level). Runs before the tick's snapshot, so a source quarantined now
    /// feeds nothing to this tick.
    /// </summary>
    internal void CloseWindows(long tickUtcMs)
    {
        if (FloorDiv(tickUtcMs, 1000) * 1000 != tickUtcMs)
        {
            return;
        }

        long second = tickUtcMs / 1000;
        CloseSourceWindows(tickUtcMs, second);
        CloseSegmentWindows(tickUtcMs, second);
        ExpireParticipants(tickUtcMs);
    }

    /// <summary>Every tick, after the snapshot: segment statistics, and MISBEHAVIOR for each quarantined source.</summary>
    internal void OnTick(long tickUtcMs, ReadOnlySpan<TrackState> tracks, EventLifecycle events)
    {
        AccumulateSegments(tickUtcMs, tracks);
        for (int i = 0; i < _quarantinedCount; i++)
        {
            int s = _quarantined[i];
            ref Source src = ref _sources[s];
            EventFigures figures = default;
            figures.Set(Figure.RuleCode, (int)src.Dominant);
            figures.Set(Figure.FailureCount, src.WindowFailures);
            figures.Set(Figure.FailureShare, src.WindowShare);
            if (_options.AnomalyScorer is not null)
            {
                figures.Set(Figure.AnomalyScore, src.Score);
            }

            OctetId8 id = new(src.Id);
            ParticipantRef subject = src.Kind == SourceKind.Rsu ? ParticipantRef.Rsu(id) : ParticipantRef.Vehicle(id);
            events.ReportSource(EventType.Misbehavior, subject, (long)src.Id, (int)src.Kind, 2, figures, src.X, src.Y, EventLocation.None);
        }
    }

    // Two passes: first every source's window and its own verdict (failing, anomalous), then the decisions, so that
    // explaining away compares sources on the same second whatever the order of the table.
    private void CloseSourceWindows(long endUtcMs, long second)
    {
        long first = second - Buckets; // buckets first .. second-1
        ISourceAnomalyScorer? scorer = _options.AnomalyScorer;
        ITrustObserver? observer = _options.Observer;
        ClosePairs(first, second);
        foreach (KeyValuePair<SourceKey, int> entry in _bySource)
        {
            int s = entry.Value;
            ref Source src = ref _sources[s];
            src.Judged = false;
            int messages = 0, frames = 0, sightings = 0, failed = 0, latencyN = 0, residualN = 0, covered = 0, unseen = 0;
            double latency = 0, residual = 0, speedSquares = 0;
            long firstSeen = long.MaxValue, lastSeen = long.MinValue;
            ulong rsus = 0;
            Array.Clear(_ruleScratch);
            for (int k = 0; k < Buckets; k++)
            {
                int bi = (s * Buckets) + k;
                ref Bucket b = ref _buckets[bi];
                if (b.Second < first || b.Second >= second)
                {
                    continue;
                }

                messages += b.Messages;
                frames += b.Frames;
                sightings += b.Sightings;
                failed += b.Failed;
                latency += b.LatencySum;
                latencyN += b.LatencyN;
                residual += b.ResidualSum;
                residualN += b.ResidualN;
                speedSquares += b.SpeedErrorSquares;
                covered += b.Covered;
                unseen += b.Unseen;
                rsus |= b.Rsus;
                firstSeen = Math.Min(firstSeen, b.FirstUtcMs);
                lastSeen = Math.Max(lastSeen, b.LastUtcMs);
                for (int r = 1; r < TrustRules.Count; r++)
                {
                    _ruleScratch[r] += _ruleBuckets[(bi * TrustRules.Count) + r];
                }
            }

            if (messages == 0)
            {
                if (!src.Quarantined)
                {
                    continue; // nothing from it in the window: not scored (and forgotten below once stale)
                }
            }

            Counters.SourceWindows++;
            double meanResidual = residualN > 0 ? residual / residualN : 0;
            int h = (s * Buckets) + Slot(second);
            int ago = (s * Buckets) + Slot(second - Buckets);
            double trend = _residualHistorySecond[ago] == second - Buckets && residualN > 0 ? meanResidual - _residualHistory[ago] : 0;
            _residualHistory[h] = (float)meanResidual;
            _residualHistorySecond[h] = second;

            Span<float> f = _windowFeatures.AsSpan(s * SourceFeatures.Count, SourceFeatures.Count);
            double span = messages > 0 ? Math.Clamp((endUtcMs - firstSeen) / 1000.0, 1, Buckets) : Buckets;
            f[SourceFeatures.MessageRateHz] = (float)(messages / span);
            f[SourceFeatures.MeanLatencyMs] = latencyN > 0 ? (float)(latency / latencyN) : 0;
            f[SourceFeatures.MeanResidualM] = (float)meanResidual;
            f[SourceFeatures.ResidualTrendM] = (float)trend;
            f[SourceFeatures.SpeedNoiseMps] = residualN > 0 ? (float)Math.Sqrt(speedSquares / residualN) : 0;
            double expected = messages > 0 ? ((lastSeen - firstSeen) / 100.0) + 1 : 0;
            f[SourceFeatures.DropoutShare] = expected > 0 ? (float)Math.Clamp(1 - (frames / expected), 0, 1) : 0;
            f[SourceFeatures.UnseenCoveredShare] = covered > 0 ? (float)unseen / covered : 0;
            f[SourceFeatures.RuleFailureRate] = sightings > 0 ? (float)failed / sightings : 0;
            f[SourceFeatures.IsRsu] = src.Kind == SourceKind.Rsu ? 1 : 0;
            f[SourceFeatures.Partners] = _partners[s];
            f[SourceFeatures.DisagreeShare] = _shareOf[s] > 0 ? (float)_disagreeing[s] / _shareOf[s] : 0;
            f[SourceFeatures.MedianOffsetM] = _partners[s] > 0 ? (float)Math.Sqrt((_partnerDx[s] * _partnerDx[s]) + (_partnerDy[s] * _partnerDy[s])) : 0;

            float score = float.NaN;
            bool anomalous = false;
            if (scorer is not null && messages > 0)
            {
                score = scorer.Score(f);
                anomalous = score >= scorer.Threshold;
                if (anomalous)
                {
                    Counters.AnomalousWindows++;
                }
            }

            bool failing = failed >= _options.QuarantineMinFailures && failed >= _options.QuarantineFailureShare * sightings;
            src.Judged = true;
            src.ScoreNow = score;
            src.AnomalousNow = anomalous;
            src.FailingNow = failing;
            src.FailuresNow = failed;
            src.ShareNow = sightings > 0 ? (float)failed / sightings : 0;
            src.DominantNow = Dominant();
            src.RsusNow = rsus;

            // A window that cannot judge a quarantined source does not clear it: one that keeps sending but whose
            // event times all fall outside the window (a frozen clock), or an RSU the model convicted with nothing
            // to measure its residual against.
            src.UnjudgedNow = src.Quarantined
                && ((messages == 0 && src.LastArrivalUtcMs >= endUtcMs - SourceFeatures.WindowMs)
                    || (src.Kind == SourceKind.Rsu && src.ModelConvicted && residualN == 0));
            if (src.Quarantined)
            {
                src.LastQuarantinedUtcMs = endUtcMs;
            }

            if (anomalous || failing || src.Quarantined)
            {
                src.LastSuspectUtcMs = endUtcMs;
            }
        }

        foreach (KeyValuePair<SourceKey, int> entry in _bySource)
        {
            int s = entry.Value;
            ref Source src = ref _sources[s];
            if (!src.Judged)
            {
                continue;
            }

            bool anomalous = src.AnomalousNow;
            if (anomalous && endUtcMs - _startUtcMs < _options.ModelWarmUpMs)
            {
                // The stream does not hold a whole window yet: every source's window is partial, its partners too.
                anomalous = false;
                Counters.WarmUpWindows++;
            }
            else if (anomalous && _options.ExplainAway && ExplainedAway(s, endUtcMs))
            {
                anomalous = false;
                Counters.ExplainedWindows++;
            }

            src.AnomalousRun = anomalous ? src.AnomalousRun + 1 : 0;
            bool failing = src.FailingNow;
            bool bad = failing || src.AnomalousRun >= _options.QuarantineAnomalousWindows;
            if (!src.Quarantined || bad)
            {
                // The evidence an event shows: the window that (still) convicts the source.
                src.Score = src.ScoreNow;
                src.WindowFailures = src.FailuresNow;
                src.WindowShare = src.ShareNow;
                src.Dominant = src.DominantNow;
            }

            if (bad)
            {
                src.LastBadUtcMs = endUtcMs;
                if (!src.Quarantined)
                {
                    src.ModelConvicted = !failing;
                    Quarantine(s);
                }
            }
            else if (src.Quarantined && src.UnjudgedNow)
            {
                src.LastBadUtcMs = endUtcMs; // no evidence either way: the release clock starts again
            }
            else if (src.Quarantined && endUtcMs - src.LastBadUtcMs >= _options.ReleaseCleanMs)
            {
                Release(s);
            }

            ReadOnlySpan<float> f = _windowFeatures.AsSpan(s * SourceFeatures.Count, SourceFeatures.Count);
            observer?.OnSourceWindow(new SourceWindowSample(src.Kind, new OctetId8(src.Id), endUtcMs, f, src.ScoreNow, src.Quarantined));
        }

        // Forget sources silent for a whole window (not quarantined): their slots serve new ones.
        long stale = endUtcMs - SourceFeatures.WindowMs - 1000;
        for (int s = 0; s < _capacity; s++)
        {
            ref Source src = ref _sources[s];
            if (src.Used && !src.Quarantined && src.LastSeenUtcMs < stale)
            {
                Free(s);
            }
        }
    }

    // Explaining away: whether a suspect RSU overlapping source s is the likelier cause of its anomalous window. The
    // features of a source are measured against fused tracks and roadside sightings, which a faulty RSU corrupts for
    // every source it shares tracks with: a car whose track a drifting radar drags shows a larger residual than the
    // radar; a car a frozen RSU no longer confirms looks unseen. One RSU at fault explains the anomalies of all the
    // sources around it; so
    // - a vehicle's anomalous window does not count while an RSU that covered it during the window (or covers its
    //   last position) is suspect: quarantined, failing its rules or anomalous, now or less than a window ago (its
    //   influence is still in the windows);
    // - an RSU's anomalous window does not count while an RSU whose coverage overlaps its own is quarantined (or
    //   was less than a window ago), fails its rules now, or is anomalous now with a higher score: the most anomalous
    //   of overlapping RSUs is judged first, and the others again on windows it no longer feeds.
    // Only the pass-one verdicts of this second are read, so the order of the table does not matter. Rule failures
    // are a source's own and are never explained away.
    private bool ExplainedAway(int s, long endUtcMs)
    {
        ref Source src = ref _sources[s];
        long recent = endUtcMs - SourceFeatures.WindowMs;
        if (src.Kind != SourceKind.Rsu)
        {
            for (int r = 0; r < _rsuCount; r++)
            {
                int a = _rsuSource[r];
                if (a < 0 || a == s || _sources[a].LastSuspectUtcMs < recent)
                {
                    continue;
                }

                if ((r < 64 && (src.RsusNow & (1UL << r)) != 0) || InCoverage(r, src.X, src.Y, _options.CoverageMarginM))
                {
                    return true;
                }
            }

            return false;
        }

        int me = src.Rsu;
        if (me < 0)
        {
            return false;
        }

        for (int r = 0; r < _rsuCount; r++)
        {
            int a = _rsuSource[r];
            if (r == me || a < 0 || a == s)
            {
                continue;
            }

            ref Source other = ref _sources[a];
            bool likelier = other.LastQuarantinedUtcMs >= recent
                || (other.Judged && other.FailingNow)
                || (other.Judged && other.AnomalousNow && (other.ScoreNow > src.ScoreNow || (other.ScoreNow == src.ScoreNow && other.Id < src.Id)));
            if (likelier && Overlap(me, r))
            {
                return true;
            }
        }

        return false;
    }

    // Two RSUs' coverages overlap (each taken as the circle around its site that holds its polygon).
    private bool Overlap(int a, int b)
    {
        double dx = _rsuX[a] - _rsuX[b];
        double dy = _rsuY[a] - _rsuY[b];
        double reach = _rsuRadius[a] + _rsuRadius[b];
        return (dx * dx) + (dy * dy) < reach * reach;
    }

    private TrustRule Dominant()
    {
        int best = 0;
        for (int r = 1; r < TrustRules.Count; r++)
        {
            if (_ruleScratch[r] > _ruleScratch[best])
            {
                best = r;
            }
        }

        return _ruleScratch[best] > 0 ? (TrustRule)best : TrustRule.None;
    }

    private void Quarantine(int s)
    {
        ref Source src = ref _sources[s];
        src.Quarantined = true;
        src.QuarantineIndex = _quarantinedCount;
        _quarantined[_quarantinedCount++] = s;
        Counters.Quarantines++;
        Counters.Quarantined = _quarantinedCount;
        OctetId8 id = new(src.Id);
        _ = src.Kind == SourceKind.Rsu ? _world.ForgetRsu(id) : _world.ForgetVehicle(id, src.LastSeenUtcMs);
    }

    private void Release(int s)
    {
        ref Source src = ref _sources[s];
        src.Quarantined = false;
        int i = src.QuarantineIndex;
        int last = _quarantined[--_quarantinedCount];
        _quarantined[i] = last;
        _sources[last].QuarantineIndex = i;
        Counters.Releases++;
        Counters.Quarantined = _quarantinedCount;
    }

    // ---- segments ----

    private void AccumulateSegments(long tickUtcMs, ReadOnlySpan<TrackState> tracks)
    {
        if (_segments.Count == 0)
        {
            return;
        }

        long second = FloorDiv(tickUtcMs, 1000);
        int tb = Slot(second);
        if (_tickBucketSecond[tb] != second)
        {
            _tickBucketSecond[tb] = second;
            _tickBuckets[tb] = 0;
        }

        _tickBuckets[tb]++;
        int touched = 0;
        for (int i = 0; i < tracks.Length; i++)
        {
            ref readonly TrackState t = ref tracks[i];
            if (t.Kind != ParticipantKind.Vehicle || t.Match.Status != MatchStatus.OnLane || tickUtcMs - t.LastUpdateUtcMs > TrackTimeoutMs)
            {
                continue;
            }

            int seg = _segments.Of(t.Match.Lane, t.Match.AlongM);
            if (seg < 0)
            {
                continue;
            }

            ref SegmentBucket b = ref _segmentBuckets[(seg * Buckets) + tb];
            if (b.Second != second)
            {
                b = default;
                b.Second = second;
            }

            double v = double.IsFinite(t.SpeedMps) ? t.SpeedMps : 0;
            b.VehicleTicks++;
            b.SpeedSum += v;
            b.SpeedSquares += v * v;
            if (v < 1.0)
            {
                b.Stopped++;
            }

            if (_segmentTickCount[seg]++ == 0)
            {
                _touched[touched++] = seg;
            }
        }

        for (int i = 0; i < touched; i++)
        {
            int seg = _touched[i];
            ref SegmentBucket b = ref _segmentBuckets[(seg * Buckets) + tb];
            b.MaxCount = Math.Max(b.MaxCount, _segmentTickCount[seg]);
            _segmentTickCount[seg] = 0;
        }
    }

    private void CloseSegmentWindows(long endUtcMs, long second)
    {
        ITrafficStateModel? model = _options.TrafficModel;
        ITrustObserver? observer = _options.Observer;
        int ticks = 0;
        for (int k = 1; k <= SegmentWindowBuckets; k++)
        {
            int tb = Slot(second - k);
            if (_tickBucketSecond[tb] == second - k)
            {
                ticks += _tickBuckets[tb];
            }
        }

        Span<float> f = _segmentFeatures;
        for (int seg = 0; seg < _segments.Count; seg++)
        {
            Window(seg, second, 1, out int n, out double sum, out double squares, out int stopped, out int max);
            if (n == 0)
            {
                _levels[seg] = NoLevel;
                _levelVehicles[seg] = 0;
                continue;
            }

            Window(seg, second, 1 + SegmentWindowBuckets, out int n0, out double sum0, out _, out _, out _);
            double mean = sum / n;
            double length = _segments.LengthM(seg);
            double limit = _segments.LimitMps(seg);
            f[SegmentFeatures.VehicleCount] = max;
            f[SegmentFeatures.DensityPerKm] = (float)(n / (double)Math.Max(1, ticks) / (length / 1000));
            f[SegmentFeatures.MeanSpeedRatio] = (float)(mean / limit);
            f[SegmentFeatures.SpeedStdMps] = (float)Math.Sqrt(Math.Max(0, (squares / n) - (mean * mean)));
            f[SegmentFeatures.StoppedShare] = (float)stopped / n;
            f[SegmentFeatures.SpeedTrendMps] = n0 > 0 ? (float)(mean - (sum0 / n0)) : 0;
            f[SegmentFeatures.LengthM] = (float)length;
            f[SegmentFeatures.LimitMps] = (float)limit;
            Counters.SegmentWindows++;
            TrafficLevel? level = model?.Classify(f);
            _levels[seg] = level is { } l ? (byte)l : NoLevel;
            _levelVehicles[seg] = max;
            _levelSpeed[seg] = (float)mean;
            observer?.OnSegmentWindow(new SegmentWindowSample(seg, endUtcMs, f, level));
        }
    }

    // Sums a segment's buckets second-from-count .. second-from (count 5 buckets ending `from` seconds back).
    private void Window(int seg, long second, int from, out int n, out double sum, out double squares, out int stopped, out int max)
    {
        (n, sum, squares, stopped, max) = (0, 0, 0, 0, 0);
        for (int k = from; k < from + SegmentWindowBuckets; k++)
        {
            long want = second - k;
            ref SegmentBucket b = ref _segmentBuckets[(seg * Buckets) + Slot(want)];
            if (b.Second != want)
            {
                continue;
            }

            n += b.VehicleTicks;
            sum += b.SpeedSum;
            squares += b.SpeedSquares;
            stopped += b.Stopped;
            max = Math.Max(max, b.MaxCount);
        }
    }

    // ---- tables ----

    private int SourceOf(SourceKind kind, ulong id, long timeUtcMs)
    {
        _startUtcMs = Math.Min(_startUtcMs, timeUtcMs);
        SourceKey key = new(id, kind);
        if (!_bySource.TryGetValue(key, out int s))
        {
            if (_freeSourceCount == 0)
            {
                Evict();
            }

            s = _freeSources[--_freeSourceCount];
            _bySource.Add(key, s);
            _generation[s]++; // the slot's old pairs are not this source's
            _sources[s] = new Source
            {
                Used = true,
                Kind = kind,
                Id = id,
                Rsu = -1,
                FirstSeenUtcMs = timeUtcMs,
                LastSeenUtcMs = timeUtcMs,
                LastSuspectUtcMs = long.MinValue,
                LastQuarantinedUtcMs = long.MinValue,
                LastArrivalUtcMs = long.MinValue,
            };
            _sourceKin[s] = default;
            for (int k = 0; k < Buckets; k++)
            {
                _buckets[(s * Buckets) + k] = new Bucket { Second = long.MinValue };
                _residualHistorySecond[(s * Buckets) + k] = long.MinValue;
            }

            Array.Clear(_ruleBuckets, s * Buckets * TrustRules.Count, Buckets * TrustRules.Count);
            Array.Clear(_ruleTotals, s * TrustRules.Count, TrustRules.Count);
        }

        ref Source src = ref _sources[s];
        src.LastSeenUtcMs = Math.Max(src.LastSeenUtcMs, timeUtcMs);
        return s;
    }

    // The table is full: the source seen longest ago (not quarantined) makes room.
    private void Evict()
    {
        int oldest = -1;
        for (int s = 0; s < _capacity; s++)
        {
            if (_sources[s].Used && !_sources[s].Quarantined && (oldest < 0 || _sources[s].LastSeenUtcMs < _sources[oldest].LastSeenUtcMs))
            {
                oldest = s;
            }
        }

        if (oldest < 0)
        {
            oldest = 0; // every source quarantined: the first goes (its event clears)
            Release(oldest);
        }

        Counters.Evictions++;
        Free(oldest);
    }

    private void Free(int s)
    {
        ref Source src = ref _sources[s];
        _bySource.Remove(new SourceKey(src.Id, src.Kind));
        if (src.Kind == SourceKind.Rsu && src.Rsu >= 0 && _rsuSource[src.Rsu] == s)
        {
            _rsuSource[src.Rsu] = -1;
        }

        src.Used = false;
        _freeSources[_freeSourceCount++] = s;
    }

    private int ParticipantOf(ParticipantKey key, long timeUtcMs)
    {
        if (!_byParticipant.TryGetValue(key, out int k))
        {
            if (_freeParticipantCount == 0)
            {
                return -1; // full: this participant goes unchecked until entries expire
            }

            k = _freeParticipants[--_freeParticipantCount];
            _byParticipant.Add(key, k);
            _participantKey[k] = key;
            _participantKin[k] = default;
        }

        _participantKin[k].SeenUtcMs = timeUtcMs;
        return k;
    }

    private void ExpireParticipants(long nowUtcMs)
    {
        if (_byParticipant.Count == 0)
        {
            return;
        }

        for (int k = 0; k < ParticipantCapacity; k++)
        {
            ref Kin kin = ref _participantKin[k];
            if (kin.SeenUtcMs != 0 && kin.SeenUtcMs < nowUtcMs - ParticipantTimeoutMs)
            {
                _byParticipant.Remove(_participantKey[k]);
                kin = default;
                _freeParticipants[_freeParticipantCount++] = k;
            }
        }
    }

    private ref Bucket BucketOf(int s, long timeUtcMs)
    {
        long second = FloorDiv(timeUtcMs, 1000);
        int bi = (s * Buckets) + Slot(second);
        ref Bucket b = ref _buckets[bi];
        if (b.Second != second)
        {
            if (b.Second > second)
            {
                // Older than the bucket's second by a whole window or more: too late to account; a scratch bucket.
                _scratch = default;
                _scratch.Second = long.MinValue;
                return ref _scratch;
            }

            b = default;
            b.Second = second;
            b.FirstUtcMs = timeUtcMs;
            b.LastUtcMs = timeUtcMs;
            Array.Clear(_ruleBuckets, bi * TrustRules.Count, TrustRules.Count);
        }

        b.FirstUtcMs = Math.Min(b.FirstUtcMs, timeUtcMs);
        b.LastUtcMs = Math.Max(b.LastUtcMs, timeUtcMs);
        return ref b;
    }

    private Bucket _scratch;

    private static void Latency(ref Bucket b, in Envelope envelope)
    {
        if (envelope.GeneratedUtcMs != 0 && envelope.IngestUtcMs != 0)
        {
            b.LatencySum += envelope.IngestUtcMs - envelope.GeneratedUtcMs;
            b.LatencyN++;
        }
    }

    private static long Reference(in Envelope e) => e.GeneratedUtcMs != 0 ? e.GeneratedUtcMs : e.IngestUtcMs;

    private int RsuOf(Rsm rsm)
    {
        for (int r = 0; r < _rsuCount; r++)
        {
            if (_rsuId[r] == rsm.Id.Value)
            {
                return r;
            }
        }

        if (_rsuCount == MaxRsus || !(rsm.RefPos.LatitudeDeg != 0 || rsm.RefPos.LongitudeDeg != 0))
        {
            return -1;
        }

        // Not in the zone's list: its RSM's reference position, and a circle of the sensor range.
        int n = _rsuCount++;
        (double x, double y) = _map.Frame.ToLocal(rsm.RefPos.LatitudeDeg, rsm.RefPos.LongitudeDeg);
        (_rsuId[n], _rsuX[n], _rsuY[n], _rsuRadius[n], _rsuPolyStart[n], _rsuPolyCount[n]) = (rsm.Id.Value, x, y, _options.SensorRangeM, 0, 0);
        return n;
    }

    // Whether any RSU covers (x, y); which of the first 64 do, as a mask (explaining away).
    private bool Covering(double x, double y, out ulong mask)
    {
        mask = 0;
        bool covered = false;
        for (int r = 0; r < _rsuCount; r++)
        {
            if (InCoverage(r, x, y, 0))
            {
                covered = true;
                if (r < 64)
                {
                    mask |= 1UL << r;
                }
            }
        }

        return covered;
    }

    private bool InCoverage(int r, double x, double y, double margin)
    {
        double dx = x - _rsuX[r];
        double dy = y - _rsuY[r];
        double d2 = (dx * dx) + (dy * dy);
        double reach = _rsuRadius[r] + margin;
        if (d2 > reach * reach)
        {
            return false;
        }

        int count = _rsuPolyCount[r];
        if (count == 0)
        {
            return true;
        }

        int start = _rsuPolyStart[r];
        bool inside = false;
        double nearest = double.MaxValue;
        for (int i = start, j = start + count - 1; i < start + count; j = i++)
        {
            double xi = _polyX[i], yi = _polyY[i], xj = _polyX[j], yj = _polyY[j];
            if ((yi > y) != (yj > y) && x < ((xj - xi) * (y - yi) / (yj - yi)) + xi)
            {
                inside = !inside;
            }

            if (margin > 0)
            {
                nearest = Math.Min(nearest, SegmentDistance(x, y, xj, yj, xi, yi));
            }
        }

        return inside || nearest <= margin;
    }

    private static double SegmentDistance(double x, double y, double ax, double ay, double bx, double by)
    {
        double ux = bx - ax;
        double uy = by - ay;
        double l2 = (ux * ux) + (uy * uy);
        double t = l2 > 0 ? Math.Clamp((((x - ax) * ux) + ((y - ay) * uy)) / l2, 0, 1) : 0;
        double px = x - (ax + (t * ux));
        double py = y - (ay + (t * uy));
        return Math.Sqrt((px * px) + (py * py));
    }

    private static double AngleDiff(double a, double b)
    {
        double d = Math.Abs(a - b) % 360;
        return d > 180 ? 360 - d : d;
    }

    private static int Slot(long second) => (int)(((second % Buckets) + Buckets) % Buckets);

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : ((a + 1) / b) - 1;

    private readonly record struct SourceKey(ulong Id, SourceKind Kind);

    private readonly record struct ParticipantKey(ulong Rsu, ushort Ptc);

    private readonly record struct PairKey(int Source, int Generation, ulong Partner, ObservationSource Kind);

    // Kinematic memory of one reporter (a vehicle's BSMs, or one RSU participant).
    private struct Kin
    {
        public long LastUtcMs;
        public double LastX;
        public double LastY;
        public double LastV;
        public long AltUtcMs;
        public double AltX;
        public double AltY;
        public double AltV;
        public double AnchorX;
        public double AnchorY;
        public long LaneCheckUtcMs;
        public long SeenUtcMs;
        public bool HasLast;
        public bool HasAlt;
        public bool HasAnchor;
        public bool LaneChecked;
        public bool OffLane;
    }

    private struct Source
    {
        public ulong Id;
        public long FirstSeenUtcMs;
        public long LastSeenUtcMs;
        public long LastFrameUtcMs;
        public long LastBadUtcMs;
        public long LastSuspectUtcMs; // the last window that was failing, anomalous or quarantined
        public long LastQuarantinedUtcMs; // the last window closed while quarantined
        public long Messages;
        public long FailedSightings;
        public double X;
        public double Y;
        public float Score;
        public float WindowShare;
        public int WindowFailures;
        public int AnomalousRun;
        public int Rsu;
        public int QuarantineIndex;
        public SourceKind Kind;
        public TrustRule Dominant;
        public bool Used;
        public bool HasFrame;
        public bool Quarantined;
        public bool ModelConvicted; // quarantined on anomalous windows, no failing one
        public long LastArrivalUtcMs; // the engine's clock at its newest message

        // This second's window, before the decisions (pass one of CloseSourceWindows).
        public bool Judged;
        public bool UnjudgedNow;
        public bool AnomalousNow;
        public bool FailingNow;
        public float ScoreNow;
        public float ShareNow;
        public int FailuresNow;
        public TrustRule DominantNow;
        public ulong RsusNow; // a vehicle: the RSUs whose coverage held its reports in the window
    }

    private struct Bucket
    {
        public long Second;
        public long FirstUtcMs;
        public long LastUtcMs;
        public double LatencySum;
        public double ResidualSum;
        public double SpeedErrorSquares;
        public int Messages;
        public int Frames;
        public int Sightings;
        public int Failed;
        public int LatencyN;
        public int ResidualN;
        public int Covered;
        public int Unseen;
        public ulong Rsus; // the RSUs (first 64) whose coverage held a report of the second
    }

    private struct SegmentBucket
    {
        public long Second;
        public double SpeedSum;
        public double SpeedSquares;
        public int VehicleTicks;
        public int Stopped;
        public int MaxCount;
    }
}

/// <summary>A tracked source's state, for tools and /metrics.</summary>
public readonly record struct SourceStatus(
    SourceKind Kind,
    OctetId8 Id,
    bool Tracked,
    bool Quarantined,
    long Sightings,
    long FailedSightings,
    TrustRule DominantRule,
    int WindowFailures,
    float Score);
