using System.Runtime.CompilerServices;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Spatial;

namespace QiZhiChunCheng.Engine.World;

/// <summary>Counters of the world model, for the summary and /metrics.</summary>
public sealed class FusionCounters
{
    public long Observations { get; internal set; }

    public long TracksCreated { get; internal set; }

    /// <summary>Tracks deleted for age (merged tracks are counted in <see cref="Merges"/>).</summary>
    public long TracksDeleted { get; internal set; }

    /// <summary>Sightings older than their track's last update: they confirm the track but cannot move it back.</summary>
    public long OutOfOrder { get; internal set; }

    /// <summary>Duplicate tracks merged into an older track of the same object.</summary>
    public long Merges { get; internal set; }

    /// <summary>Roadside-only tracks a vehicle's id (BSM, or an RSM participant with its BSM id) took over.</summary>
    public long Adoptions { get; internal set; }

    /// <summary>Sightings the track table had no room for (capacity reached).</summary>
    public long Dropped { get; internal set; }
}

/// <summary>
/// The world model of one partition: one fused track per road user from BSMs and RSMs of several RSUs. Each track
/// is a constant-velocity Kalman filter predicted to every sighting's own event time; BSMs associate by vehicle id,
/// RSM participants by the vehicle id the RSU may give, else by an optimal (Hungarian) assignment per frame
/// gated on position, speed, heading and kind, with the RSU's own participant ids as a prior. See
/// <c>docs/fusion.md</c>. Not thread-safe; allocates nothing per observation, frame or snapshot once its
/// preallocated tables are warm (capacity from <see cref="FusionOptions"/>).
/// </summary>
public sealed class WorldModel
{
    private const int MaxRows = Rsm.MaxParticipants;
    private const int MaxColumns = 64;
    private const double Forbidden = 1e9;
    private const double NewTrack = 1e6;
    private const double DegPerRad = 180 / Math.PI;

    // Sightings of one RSU less than this apart belong to one scan (an RSU sends a scan of more than 16
    // participants as several RSMs with the same time): two participant ids in one scan are two objects.
    private const long SameScanMs = 50;

    private readonly FusionOptions _options;
    private readonly Track[] _tracks;
    private readonly bool[] _live;
    private readonly int[] _free;
    private readonly Dictionary<ulong, int> _byVehicle;
    private readonly Dictionary<RoadsideKey, int> _byRoadside;
    private readonly MovingObjectIndex _index;
    private readonly double _cosHeadingGate;
    private readonly int[] _query;
    private readonly int[] _takenStamp;
    private readonly int[] _columnStamp;
    private readonly int[] _columnOf;

    // Per-frame work buffers.
    private readonly int[] _rowTrack = new int[MaxRows];
    private readonly int[] _rowPairs = new int[MaxRows];
    private readonly int[] _rowSolved = new int[MaxRows];
    private readonly int[] _columnTrack = new int[MaxColumns];
    private readonly int[] _columnPairs = new int[MaxColumns];
    private readonly int[] _pairRow = new int[MaxRows * MaxColumns];
    private readonly int[] _pairColumn = new int[MaxRows * MaxColumns];
    private readonly double[] _pairCost = new double[MaxRows * MaxColumns];
    private readonly int[] _hardRows = new int[MaxRows];
    private readonly double[] _matrix = new double[MaxRows * (MaxColumns + MaxRows)];
    private readonly int[] _solution = new int[MaxRows];
    private readonly int[] _updated = new int[MaxRows];
    private readonly Assignment _assignment = new(MaxRows, MaxColumns + MaxRows);

    private int _freeCount;
    private int _highWater;
    private int _frame;
    private long _nextTrackId = 1;

    public WorldModel(FusionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Capacity);
        _options = options;
        int capacity = options.Capacity;
        _tracks = new Track[capacity];
        _live = new bool[capacity];
        _free = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            _free[i] = capacity - 1 - i; // the lowest handle is taken first
        }

        _freeCount = capacity;
        _byVehicle = new Dictionary<ulong, int>(capacity);
        _byRoadside = new Dictionary<RoadsideKey, int>(2 * capacity);
        _index = new MovingObjectIndex(capacity);
        _cosHeadingGate = Math.Cos(options.GateHeadingDeg / DegPerRad);
        _query = new int[capacity];
        _takenStamp = new int[capacity];
        _columnStamp = new int[capacity];
        _columnOf = new int[capacity];
    }

    public FusionOptions Options => _options;

    /// <summary>
    /// Told, for each sighting applied to a track, of each other source's latest sighting of that track in the second
    /// before (its partners): the offset between the two, the partner's predicted to the sighting's time, and the
    /// speed difference (trust features, leave-one-out). Null: nothing is told.
    /// </summary>
    internal IFusionTap? Tap { get; set; }

    /// <summary>The newest roadside sighting (UTC ms) of the track a vehicle's BSM id feeds, or <see cref="long.MinValue"/>.</summary>
    public long LastRoadsideUtcMs(OctetId8 vehicleId)
    {
        if (!_byVehicle.TryGetValue(vehicleId.Value, out int h) || !_live[h])
        {
            return long.MinValue;
        }

        long newest = long.MinValue;
        for (int k = 0; k < Sources.Length; k++)
        {
            ref SourceEntry e = ref _tracks[h].Sources[k];
            if (e.Kind == ObservationSource.Rsm)
            {
                newest = Math.Max(newest, e.TimeUtcMs);
            }
        }

        return newest;
    }

    /// <summary>
    /// Drops what an untrusted source made up: the vehicle's track unless a roadside sensor saw it in the
    /// second before <paramref name="timeUtcMs"/>. Returns how many tracks were deleted.
    /// </summary>
    public int ForgetVehicle(OctetId8 vehicleId, long timeUtcMs)
    {
        long roadside = LastRoadsideUtcMs(vehicleId);
        if (!_byVehicle.TryGetValue(vehicleId.Value, out int h) || !_live[h] || roadside >= timeUtcMs - 1000)
        {
            return 0;
        }

        Delete(h);
        Counters.TracksDeleted++;
        return 1;
    }

    /// <summary>Drops the tracks only <paramref name="rsuId"/> fed (no BSM, no other RSU). A scan of the tracks: rare. Returns how many.</summary>
    public int ForgetRsu(OctetId8 rsuId)
    {
        int deleted = 0;
        for (int h = 0; h < _highWater; h++)
        {
            if (!_live[h] || _tracks[h].HasBsm)
            {
                continue;
            }

            bool only = false;
            bool other = false;
            for (int k = 0; k < Sources.Length; k++)
            {
                ref SourceEntry e = ref _tracks[h].Sources[k];
                if (e.Kind == ObservationSource.Rsm && e.Sender == rsuId.Value)
                {
                    only = true;
                }
                else if (e.Kind != 0)
                {
                    other = true;
                }
            }

            if (only && !other)
            {
                Delete(h);
                Counters.TracksDeleted++;
                deleted++;
            }
        }

        return deleted;
    }

    /// <summary>
    /// Tells the tap of a roadside sighting that feeds nothing (its RSU is quarantined): its distance from the other
    /// sources' latest sightings (in the second before) of the track its participant id still points to, as for a
    /// sighting that feeds. The track is not changed. Keeps a quarantined RSU's residual measurable, so that it is released only
    /// when it agrees with the others again, not merely because it no longer feeds anything.
    /// </summary>
    internal void ProbeRoadside(OctetId8 rsuId, in Observation o)
    {
        if (Tap is not { } tap)
        {
            return;
        }

        int h = LookupRoadside(rsuId, o.PtcId);
        if (h < 0)
        {
            return;
        }

        TellPartners(tap, _tracks[h], o, rsuId.Value);
    }

    // Leave-one-out: tells the tap of the distance between sighting o and each other source's latest sighting of the
    // same track in the second before it, predicted to o's time with that source's reported velocity. The fused
    // track is never the reference: a faulty source drags it, and its victims would look as wrong as the culprit.
    private static void TellPartners(IFusionTap tap, in Track t, in Observation o, ulong sender)
    {
        for (int k = 0; k < Sources.Length; k++)
        {
            SourceEntry e = t.Sources[k];
            if (e.Kind == 0 || (e.Kind == o.Source && e.Sender == sender) || e.SightUtcMs < o.TimeUtcMs - 1000)
            {
                continue;
            }

            double dt = (o.TimeUtcMs - e.SightUtcMs) / 1000.0;
            double dx = o.XM - (e.X + (e.Vx * dt));
            double dy = o.YM - (e.Y + (e.Vy * dt));
            double partnerSpeed = Math.Sqrt((e.Vx * e.Vx) + (e.Vy * e.Vy));
            tap.OnPartner(o, e.Sender, e.Kind, dx, dy, o.SpeedMps - partnerSpeed);
        }
    }

    public FusionCounters Counters { get; } = new();

    /// <summary>Live tracks (any status but deleted).</summary>
    public int Count => _tracks.Length - _freeCount;

    /// <summary>
    /// Applies one vehicle self-report (BSM): to the vehicle's track by id; else to the nearest compatible
    /// roadside-only track inside the gates (the vehicle was already tracked by RSUs: it takes the track over);
    /// else a new, confirmed track. An RSM observation passed here is treated as a frame of one.
    /// </summary>
    public void Observe(in Observation observation)
    {
        if (observation.Source == ObservationSource.Rsm)
        {
            ObserveFrame(observation.SenderId, new ReadOnlySpan<Observation>(in observation));
            return;
        }

        Counters.Observations++;
        _frame++;
        int h = ResolveById(observation, default, hasRoadside: false);
        if (h < 0)
        {
            return;
        }

        CheckMerge(h);
    }

    /// <summary>
    /// Applies one RSM: the participants one RSU saw in one frame, each at its own event time. Participants with
    /// a vehicle id go to that vehicle's track; the others are assigned jointly (optimal global nearest neighbour)
    /// to the tracks inside their gates, at most one participant per track; the rest start tentative tracks.
    /// Frames longer than 16 participants are processed 16 at a time.
    /// </summary>
    public void ObserveFrame(OctetId8 rsuId, ReadOnlySpan<Observation> participants)
    {
        while (participants.Length > MaxRows)
        {
            ObserveChunk(rsuId, participants[..MaxRows]);
            participants = participants[MaxRows..];
        }

        if (!participants.IsEmpty)
        {
            ObserveChunk(rsuId, participants);
        }
    }

    /// <summary>
    /// Runs track management at <paramref name="timeUtcMs"/> (coasting, deletion) and writes every confirmed or
    /// coasting track, predicted to that time, into <paramref name="destination"/> in handle order; returns how
    /// many. Allocates nothing.
    /// </summary>
    public int Snapshot(long timeUtcMs, Span<TrackState> destination)
    {
        FusionOptions o = _options;
        int n = 0;
        for (int h = 0; h < _highWater; h++)
        {
            if (!_live[h])
            {
                continue;
            }

            ref Track t = ref _tracks[h];
            long age = timeUtcMs - t.LastSeenUtcMs;
            if (t.Status == TrackStatus.Tentative)
            {
                if (age > o.TentativeDeleteAfterMs)
                {
                    Delete(h);
                    Counters.TracksDeleted++;
                }

                continue;
            }

            if (age > o.DeleteAfterMs)
            {
                Delete(h);
                Counters.TracksDeleted++;
                continue;
            }

            t.Status = age > o.CoastAfterMs ? TrackStatus.Coasting : TrackStatus.Confirmed;
            if (n == destination.Length)
            {
                continue;
            }

            Write(h, timeUtcMs, ref destination[n]);

            // Re-index the coasting and confirmed tracks where they are now, so lookups stay short-range.
            _index.Upsert(h, destination[n].XM, destination[n].YM);
            n++;
        }

        return n;
    }

    /// <summary>Deletes every track (a new session or a MAP change of frame).</summary>
    public void Clear()
    {
        for (int h = 0; h < _highWater; h++)
        {
            if (_live[h])
            {
                Delete(h);
            }
        }

        _highWater = 0;
    }

    private void ObserveChunk(OctetId8 rsuId, ReadOnlySpan<Observation> frame)
    {
        FusionOptions opt = _options;
        int stamp = ++_frame;
        int rows = frame.Length;
        int columns = 0;
        int pairs = 0;

        // 1. Participants the RSU names by vehicle id go straight to that vehicle's track.
        for (int i = 0; i < rows; i++)
        {
            ref readonly Observation o = ref frame[i];
            Counters.Observations++;
            _rowTrack[i] = -1;
            _rowPairs[i] = 0;
            if (o.HasVehicleId)
            {
                _rowTrack[i] = ResolveById(o, rsuId, hasRoadside: true);
            }
        }

        // 2. The others: gated costs against the tracks near them that no participant of this frame took.
        for (int i = 0; i < rows; i++)
        {
            ref readonly Observation o = ref frame[i];
            if (o.HasVehicleId)
            {
                continue;
            }

            int prior = LookupRoadside(rsuId, o.PtcId);
            int found = _index.QueryRadius(o.XM, o.YM, opt.SearchRadiusM, _query);
            found = Math.Min(found, _query.Length);
            for (int k = 0; k < found; k++)
            {
                int h = _query[k];
                if (_takenStamp[h] == stamp || SeenAsOther(h, rsuId.Value, o.PtcId, o.TimeUtcMs))
                {
                    continue;
                }

                double cost = GateCost(h, o);
                if (double.IsPositiveInfinity(cost))
                {
                    continue;
                }

                if (h == prior)
                {
                    cost -= opt.RoadsidePriorBonus;
                }

                int column;
                if (_columnStamp[h] == stamp)
                {
                    column = _columnOf[h];
                }
                else
                {
                    if (columns == MaxColumns)
                    {
                        continue;
                    }

                    column = columns++;
                    _columnStamp[h] = stamp;
                    _columnOf[h] = column;
                    _columnTrack[column] = h;
                    _columnPairs[column] = 0;
                }

                _pairRow[pairs] = i;
                _pairColumn[pairs] = column;
                _pairCost[pairs] = cost;
                pairs++;
                _rowPairs[i]++;
                _columnPairs[column]++;
            }
        }

        // 3. Solve. A row with a single candidate nobody else wants is its own component: take it directly.
        //    The rest go through the optimal assignment, with a private "new track" column per row.
        for (int i = 0; i < rows; i++)
        {
            _rowSolved[i] = -1;
        }

        int hard = 0;
        for (int p = 0; p < pairs; p++)
        {
            int i = _pairRow[p];
            if (_rowPairs[i] == 1 && _columnPairs[_pairColumn[p]] == 1)
            {
                _rowSolved[i] = _columnTrack[_pairColumn[p]];
            }
        }

        for (int i = 0; i < rows; i++)
        {
            if (_rowPairs[i] > 0 && _rowSolved[i] < 0)
            {
                _hardRows[hard++] = i;
            }
        }

        if (hard > 0)
        {
            Solve(hard, columns, pairs);
        }

        // 4. Apply: updates at each participant's own time, new tentative tracks for the unassigned.
        int updated = 0;
        for (int i = 0; i < rows; i++)
        {
            ref readonly Observation o = ref frame[i];
            int h = _rowTrack[i];
            if (!o.HasVehicleId)
            {
                h = _rowSolved[i];
                if (h >= 0)
                {
                    Update(h, o, rsuId);
                }
                else
                {
                    h = Create(o, rsuId);
                }
            }

            if (h >= 0)
            {
                _updated[updated++] = h;
            }
        }

        for (int k = 0; k < updated; k++)
        {
            if (_live[_updated[k]])
            {
                CheckMerge(_updated[k]);
            }
        }
    }

    private void Solve(int hard, int columns, int pairs)
    {
        int m = columns + hard;
        Span<double> matrix = _matrix.AsSpan(0, hard * m);
        matrix.Fill(Forbidden);
        Span<int> rowOf = stackalloc int[MaxRows];
        rowOf.Fill(-1);
        for (int r = 0; r < hard; r++)
        {
            rowOf[_hardRows[r]] = r;
            matrix[(r * m) + columns + r] = NewTrack;
        }

        for (int p = 0; p < pairs; p++)
        {
            int r = rowOf[_pairRow[p]];
            if (r >= 0)
            {
                matrix[(r * m) + _pairColumn[p]] = _pairCost[p];
            }
        }

        _assignment.Solve(matrix, hard, m, _solution);
        for (int r = 0; r < hard; r++)
        {
            int c = _solution[r];
            if (c < columns && matrix[(r * m) + c] < NewTrack)
            {
                _rowSolved[_hardRows[r]] = _columnTrack[c];
            }
        }
    }

    // A sighting that carries a vehicle id: the vehicle's track; else the roadside-only track the RSU's own id
    // pointed to; else the nearest gated roadside-only track (adoption); else a new track.
    private int ResolveById(in Observation o, OctetId8 rsuId, bool hasRoadside)
    {
        int h = _byVehicle.TryGetValue(o.VehicleId.Value, out int v) && _live[v] ? v : -1;
        if (h < 0)
        {
            if (hasRoadside)
            {
                int prior = LookupRoadside(rsuId, o.PtcId);
                if (prior >= 0 && !_tracks[prior].Participant.IsVehicle && _takenStamp[prior] != _frame
                    && !SeenAsOther(prior, rsuId.Value, o.PtcId, o.TimeUtcMs) && !double.IsPositiveInfinity(GateCost(prior, o)))
                {
                    h = prior;
                }
            }

            if (h < 0)
            {
                h = FindAdoptable(o, rsuId, hasRoadside);
            }

            if (h >= 0)
            {
                Adopt(h, o.VehicleId);
            }
        }

        if (h < 0)
        {
            return Create(o, rsuId);
        }

        Update(h, o, rsuId);
        return h;
    }

    private int FindAdoptable(in Observation o, OctetId8 rsuId, bool roadside)
    {
        int found = Math.Min(_index.QueryRadius(o.XM, o.YM, _options.SearchRadiusM, _query), _query.Length);
        int best = -1;
        double bestCost = double.PositiveInfinity;
        for (int k = 0; k < found; k++)
        {
            int h = _query[k];
            if (_tracks[h].Participant.IsVehicle || _takenStamp[h] == _frame
                || (roadside && SeenAsOther(h, rsuId.Value, o.PtcId, o.TimeUtcMs)))
            {
                continue;
            }

            double cost = GateCost(h, o);
            if (cost < bestCost || (cost == bestCost && h < best))
            {
                bestCost = cost;
                best = h;
            }
        }

        return best;
    }

    private void Adopt(int h, OctetId8 vehicleId)
    {
        ref Track t = ref _tracks[h];
        t.Participant = ParticipantRef.Vehicle(vehicleId);
        _byVehicle[vehicleId.Value] = h;
        Counters.Adoptions++;
    }

    // The association cost of sighting o for track h: squared Mahalanobis distance of the position plus the log
    // determinant of its innovation covariance (the negative log-likelihood up to a constant) plus a normalised
    // velocity difference; infinity outside the gates (distance, chi², speed, heading for movers, kind).
    private double GateCost(int h, in Observation o)
    {
        ref readonly Track t = ref _tracks[h];
        FusionOptions opt = _options;
        if (!Compatible(t.Kind, o.Kind))
        {
            return double.PositiveInfinity;
        }

        double dt = (o.TimeUtcMs - t.StateUtcMs) / 1000.0;
        t.Filter.PredictPosition(dt, opt.ProcessNoise, out double x, out double y, out double pxx, out double pxy, out double pyy);
        double dx = o.XM - x;
        double dy = o.YM - y;
        double d2 = (dx * dx) + (dy * dy);
        if (d2 > opt.GateDistanceM * opt.GateDistanceM)
        {
            return double.PositiveInfinity;
        }

        double r = o.PosSigmaM * o.PosSigmaM;
        double s00 = pxx + r, s01 = pxy, s11 = pyy + r;
        double det = (s00 * s11) - (s01 * s01);
        if (!(det > 0))
        {
            return double.PositiveInfinity;
        }

        double m2 = ((s11 * dx * dx) - (2 * s01 * dx * dy) + (s00 * dy * dy)) / det;
        if (m2 > opt.GateChi2)
        {
            return double.PositiveInfinity;
        }

        double vx = t.Filter.Vx, vy = t.Filter.Vy;
        double trackSpeed = Math.Sqrt((vx * vx) + (vy * vy));
        if (Math.Abs(o.SpeedMps - trackSpeed) > opt.GateSpeedMps)
        {
            return double.PositiveInfinity;
        }

        // The observation's velocity vector: its heading's sine and cosine once per observation and candidate
        // pair would be the costliest part of a gate test, so the heading gate compares directions by a dot product
        // (cos of the angle between them against cos of the gate) instead of two atan2 and a difference.
        double rad = o.HeadingDeg / DegPerRad;
        (double sin, double cos) = Math.SinCos(rad);
        double ovx = o.SpeedMps * sin, ovy = o.SpeedMps * cos;
        if (o.SpeedMps > 2 && trackSpeed > 2)
        {
            double cosAngle = ((vx * ovx) + (vy * ovy)) / (trackSpeed * o.SpeedMps);
            if (cosAngle < _cosHeadingGate)
            {
                return double.PositiveInfinity;
            }
        }

        double dvx = ovx - vx;
        double dvy = ovy - vy;
        double speedSigma = o.Source == ObservationSource.Bsm ? opt.BsmSpeedSigmaMps : opt.RsmSpeedSigmaMps;
        double vvar = t.Filter.VelocityVariance(dt, opt.ProcessNoise) + (speedSigma * speedSigma);
        return m2 + Math.Log(det) + (((dvx * dvx) + (dvy * dvy)) / vvar);
    }

    private int Create(in Observation o, OctetId8 rsuId)
    {
        if (_freeCount == 0)
        {
            Counters.Dropped++;
            return -1;
        }

        int h = _free[--_freeCount];
        _highWater = Math.Max(_highWater, h + 1);
        _live[h] = true;
        _takenStamp[h] = _frame;
        ref Track t = ref _tracks[h];
        t = default;
        t.TrackId = _nextTrackId++;
        t.Status = TrackStatus.Tentative;
        t.AccelMps2 = double.NaN;
        t.YawRateDps = double.NaN;
        t.AccelUtcMs = long.MinValue;
        t.YawUtcMs = long.MinValue;
        t.HeadingUtcMs = long.MinValue;
        t.BsmFlagsUtcMs = long.MinValue;
        t.RsmFlagsUtcMs = long.MinValue;
        if (o.HasVehicleId)
        {
            t.Participant = ParticipantRef.Vehicle(o.VehicleId);
            _byVehicle[o.VehicleId.Value] = h;
        }
        else
        {
            t.Participant = ParticipantRef.Roadside(rsuId, o.PtcId);
        }

        VelocityOf(o, out double vx, out double vy, out double rxx, out double rxy, out double ryy);
        double posVar = o.PosSigmaM * o.PosSigmaM;
        t.Filter.Init(o.XM, o.YM, vx, vy, posVar, rxx, rxy, ryy);
        t.StateUtcMs = o.TimeUtcMs;
        t.LastSeenUtcMs = o.TimeUtcMs;
        t.ReportedHeadingDeg = o.HeadingDeg;
        _index.Upsert(h, o.XM, o.YM);
        Counters.TracksCreated++;
        Sighting(h, o, rsuId);
        return h;
    }

    private void Update(int h, in Observation o, OctetId8 rsuId)
    {
        ref Track t = ref _tracks[h];
        _takenStamp[h] = _frame;
        if (Tap is { } tap)
        {
            TellPartners(tap, t, o, o.Source == ObservationSource.Rsm ? rsuId.Value : o.SenderId.Value);
        }

        if (o.TimeUtcMs < t.StateUtcMs)
        {
            // Out of order: retrodiction is out of scope, so the state stays; the sighting still counts for
            // existence, confirmation and attributes below.
            Counters.OutOfOrder++;
        }
        else
        {
            double q = _options.ProcessNoise;
            t.Filter.Predict((o.TimeUtcMs - t.StateUtcMs) / 1000.0, q);
            double r = o.PosSigmaM * o.PosSigmaM;
            t.Filter.Update(0, o.XM, o.YM, r, 0, r);
            VelocityOf(o, out double vx, out double vy, out double rxx, out double rxy, out double ryy);
            t.Filter.Update(2, vx, vy, rxx, rxy, ryy);
            t.StateUtcMs = o.TimeUtcMs;
            _index.Upsert(h, t.Filter.X, t.Filter.Y);
        }

        Sighting(h, o, rsuId);
    }

    // The measured velocity of a sighting and its noise: speed sigma along the heading, speed × heading sigma
    // across it (never below the speed sigma, so a standing pedestrian's unreliable heading does not pin it).
    private void VelocityOf(in Observation o, out double vx, out double vy, out double rxx, out double rxy, out double ryy)
    {
        bool bsm = o.Source == ObservationSource.Bsm;
        double speedSigma = bsm ? _options.BsmSpeedSigmaMps : _options.RsmSpeedSigmaMps;
        double headingSigma = (bsm ? _options.BsmHeadingSigmaDeg : _options.RsmHeadingSigmaDeg) / DegPerRad;
        double rad = o.HeadingDeg / DegPerRad;
        vx = o.SpeedMps * Math.Sin(rad);
        vy = o.SpeedMps * Math.Cos(rad);
        double cross = Math.Max(o.SpeedMps * headingSigma, speedSigma);
        KalmanCv.VelocityNoise(o.HeadingDeg, speedSigma, cross, out rxx, out rxy, out ryy);
    }

    // Everything but the kinematics: existence, confirmation, sources, kind, flags, size, reported values.
    private void Sighting(int h, in Observation o, OctetId8 rsuId)
    {
        ref Track t = ref _tracks[h];
        long time = o.TimeUtcMs;
        t.LastSeenUtcMs = Math.Max(t.LastSeenUtcMs, time);
        bool bsm = o.Source == ObservationSource.Bsm;
        if (bsm)
        {
            t.HasBsm = true;
            t.Status = TrackStatus.Confirmed;
            if (time >= t.BsmFlagsUtcMs)
            {
                t.BsmFlags = o.Flags;
                t.BsmFlagsUtcMs = time;
            }

            int slot = RecordSource(h, o.SenderId.Value, 0, ObservationSource.Bsm, time);
            if (Tap is not null)
            {
                Sight(ref t.Sources[slot], o);
            }
        }
        else
        {
            t.Hits++;
            if (t.Status == TrackStatus.Tentative && t.Hits >= _options.ConfirmHits)
            {
                t.Status = TrackStatus.Confirmed;
            }

            if (time >= t.RsmFlagsUtcMs)
            {
                t.RsmFlags = o.Flags;
                t.RsmFlagsUtcMs = time;
            }

            int slot = RecordSource(h, rsuId.Value, o.PtcId, ObservationSource.Rsm, time);
            if (Tap is not null)
            {
                Sight(ref t.Sources[slot], o);
            }
        }

        if (t.Status == TrackStatus.Coasting && time >= t.LastSeenUtcMs)
        {
            t.Status = TrackStatus.Confirmed;
        }

        if (o.Kind != ParticipantKind.Unknown && (bsm || !t.HasBsm || t.Kind == ParticipantKind.Unknown))
        {
            t.Kind = o.Kind;
        }

        if (o.LengthM > 0 && (bsm || !t.SizeFromBsm))
        {
            t.LengthM = o.LengthM;
            t.WidthM = o.WidthM;
            t.SizeFromBsm |= bsm;
        }

        if (o.VehicleClass != 0 && (bsm || !t.ClassFromBsm))
        {
            t.VehicleClass = o.VehicleClass;
            t.ClassFromBsm |= bsm;
        }

        if (!double.IsNaN(o.AccelMps2) && time >= t.AccelUtcMs)
        {
            t.AccelMps2 = o.AccelMps2;
            t.AccelUtcMs = time;
        }

        if (!double.IsNaN(o.YawRateDps) && time >= t.YawUtcMs)
        {
            t.YawRateDps = o.YawRateDps;
            t.YawUtcMs = time;
        }

        if (time >= t.HeadingUtcMs && o.SpeedMps >= _options.SlowSpeedMps)
        {
            t.ReportedHeadingDeg = o.HeadingDeg;
            t.HeadingUtcMs = time;
        }
    }

    // A source's own latest sighting of the track, as reported (the leave-one-out reference for the others). Kept only
    // with a tap: without the trust checks nobody reads it, and the fusion path does not pay for the trigonometry.
    private static void Sight(ref SourceEntry e, in Observation o)
    {
        if (o.TimeUtcMs < e.SightUtcMs)
        {
            return;
        }

        double rad = o.HeadingDeg / DegPerRad;
        double speed = double.IsFinite(o.SpeedMps) ? o.SpeedMps : 0;
        (double sin, double cos) = Math.SinCos(double.IsFinite(rad) ? rad : 0);
        (e.SightUtcMs, e.X, e.Y, e.Vx, e.Vy) = (o.TimeUtcMs, o.XM, o.YM, speed * sin, speed * cos);
    }

    // Keeps the track's last four sources (one entry per RSU, one for its BSM) and the RSU id map in step; returns
    // the source's entry.
    private int RecordSource(int h, ulong sender, ushort ptc, ObservationSource kind, long time)
    {
        ref Track t = ref _tracks[h];
        int slot = -1;
        int empty = -1;
        int oldest = 0;
        for (int k = 0; k < Sources.Length; k++)
        {
            ref SourceEntry e = ref t.Sources[k];
            if (e.Kind == kind && e.Sender == sender)
            {
                slot = k;
                break;
            }

            if (e.Kind == 0)
            {
                if (empty < 0)
                {
                    empty = k;
                }
            }
            else if (e.TimeUtcMs < t.Sources[oldest].TimeUtcMs || t.Sources[oldest].Kind == 0)
            {
                oldest = k;
            }
        }

        if (slot >= 0)
        {
            ref SourceEntry e = ref t.Sources[slot];
            if (kind == ObservationSource.Rsm && e.Ptc != ptc)
            {
                ForgetRoadside(h, e.Sender, e.Ptc);
                _byRoadside[new RoadsideKey(sender, ptc)] = h;
                e.Ptc = ptc;
            }
            else if (kind == ObservationSource.Rsm)
            {
                _byRoadside[new RoadsideKey(sender, ptc)] = h;
            }

            e.TimeUtcMs = Math.Max(e.TimeUtcMs, time);
            return slot;
        }

        slot = empty >= 0 ? empty : oldest;
        ref SourceEntry s = ref t.Sources[slot];
        if (s.Kind == ObservationSource.Rsm)
        {
            ForgetRoadside(h, s.Sender, s.Ptc);
        }

        s.Kind = kind;
        s.Sender = sender;
        s.Ptc = ptc;
        s.TimeUtcMs = time;
        s.SightUtcMs = long.MinValue;
        if (kind == ObservationSource.Rsm)
        {
            _byRoadside[new RoadsideKey(sender, ptc)] = h;
        }

        return slot;
    }

    private void ForgetRoadside(int h, ulong sender, ushort ptc)
    {
        RoadsideKey key = new(sender, ptc);
        if (_byRoadside.TryGetValue(key, out int mapped) && mapped == h)
        {
            _byRoadside.Remove(key);
        }
    }

    // The track an RSU's participant id pointed to, if that track still carries the id.
    private int LookupRoadside(OctetId8 rsuId, ushort ptc)
    {
        if (!_byRoadside.TryGetValue(new RoadsideKey(rsuId.Value, ptc), out int h) || !_live[h])
        {
            return -1;
        }

        ref Track t = ref _tracks[h];
        for (int k = 0; k < Sources.Length; k++)
        {
            ref SourceEntry e = ref t.Sources[k];
            if (e.Kind == ObservationSource.Rsm && e.Sender == rsuId.Value && e.Ptc == ptc)
            {
                return h;
            }
        }

        return -1;
    }

    // Two confirmed tracks of one object (seen by two sources that failed to associate) converge: after
    // MergeAfterUpdates consecutive updates within the merge gate with consistent velocities, the younger track
    // is merged into the older. Tracks of two different vehicle ids, or seen apart by one RSU in one frame, never merge.
    private void CheckMerge(int h)
    {
        ref Track a = ref _tracks[h];
        if (a.Status == TrackStatus.Tentative)
        {
            return;
        }

        // Once per track per 100 ms of event time: a track updated by two RSUs and its BSM in one frame needs the
        // neighbourhood search once, not three times (MergeAfterUpdates counts these checks).
        if (a.StateUtcMs - a.MergeCheckUtcMs < 100)
        {
            return;
        }

        a.MergeCheckUtcMs = a.StateUtcMs;

        FusionOptions opt = _options;
        int found = Math.Min(_index.QueryRadius(a.Filter.X, a.Filter.Y, opt.MergeGateM + opt.GateDistanceM, _query), _query.Length);
        int best = -1;
        double bestD2 = opt.MergeGateM * opt.MergeGateM;
        for (int k = 0; k < found; k++)
        {
            int g = _query[k];
            if (g == h)
            {
                continue;
            }

            ref readonly Track b = ref _tracks[g];
            if (b.Status == TrackStatus.Tentative || !Compatible(a.Kind, b.Kind)
                || (a.Participant.IsVehicle && b.Participant.IsVehicle) || SeenApart(a, b, opt.CoastAfterMs))
            {
                continue;
            }

            double dt = (a.StateUtcMs - b.StateUtcMs) / 1000.0;
            b.Filter.PredictPosition(dt, 0, out double x, out double y, out _, out _, out _);
            double dx = x - a.Filter.X, dy = y - a.Filter.Y;
            double dvx = b.Filter.Vx - a.Filter.Vx, dvy = b.Filter.Vy - a.Filter.Vy;
            double d2 = (dx * dx) + (dy * dy);
            if (d2 < bestD2 && ((dvx * dvx) + (dvy * dvy)) <= opt.MergeSpeedMps * opt.MergeSpeedMps)
            {
                bestD2 = d2;
                best = g;
            }
        }

        if (best < 0)
        {
            a.MergeHits = 0;
            return;
        }

        long other = _tracks[best].TrackId;
        if (a.MergeWith == other)
        {
            a.MergeHits++;
        }
        else
        {
            a.MergeWith = other;
            a.MergeHits = 1;
        }

        if (a.MergeHits >= opt.MergeAfterUpdates)
        {
            if (a.TrackId < other)
            {
                Merge(h, best);
            }
            else
            {
                Merge(best, h);
            }
        }
    }

    // This RSU reported track h as another of its participants in the same scan: it sees two objects, so the
    // track is no candidate for this participant (a scan split over several RSMs must not fold objects together).
    private bool SeenAsOther(int h, ulong rsu, ushort ptc, long timeUtcMs)
    {
        ref readonly Track t = ref _tracks[h];
        for (int k = 0; k < Sources.Length; k++)
        {
            ref readonly SourceEntry e = ref t.Sources[k];
            if (e.Kind == ObservationSource.Rsm && e.Sender == rsu && e.Ptc != ptc && Math.Abs(e.TimeUtcMs - timeUtcMs) < SameScanMs)
            {
                return true;
            }
        }

        return false;
    }

    // One RSU reports both tracks, under two participant ids, within the coasting time of each other: it is
    // tracking two objects. (Not only within one scan: when a scan comes as several RSMs, one track already has
    // this scan's sighting while the other still has the previous scan's, 100 ms older.)
    private static bool SeenApart(in Track a, in Track b, long windowMs)
    {
        for (int i = 0; i < Sources.Length; i++)
        {
            ref readonly SourceEntry x = ref a.Sources[i];
            if (x.Kind != ObservationSource.Rsm)
            {
                continue;
            }

            for (int j = 0; j < Sources.Length; j++)
            {
                ref readonly SourceEntry y = ref b.Sources[j];
                if (y.Kind == ObservationSource.Rsm && y.Sender == x.Sender && y.Ptc != x.Ptc
                    && Math.Abs(y.TimeUtcMs - x.TimeUtcMs) <= windowMs)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private void Merge(int keep, int drop)
    {
        ref Track k = ref _tracks[keep];
        ref Track d = ref _tracks[drop];
        if (!k.Participant.IsVehicle && d.Participant.IsVehicle)
        {
            k.Participant = d.Participant;
            _byVehicle[d.Participant.VehicleId.Value] = keep;
        }

        // The kinematics: keep the filter with the newer state, predicted with the older's identity.
        if (d.StateUtcMs > k.StateUtcMs)
        {
            k.Filter = d.Filter;
            k.StateUtcMs = d.StateUtcMs;
            _index.Upsert(keep, k.Filter.X, k.Filter.Y);
        }

        if (d.HasBsm && (!k.HasBsm || d.BsmFlagsUtcMs > k.BsmFlagsUtcMs))
        {
            k.BsmFlags = d.BsmFlags;
            k.BsmFlagsUtcMs = d.BsmFlagsUtcMs;
        }

        k.HasBsm |= d.HasBsm;
        if (k.Kind == ParticipantKind.Unknown)
        {
            k.Kind = d.Kind;
        }

        if (d.SizeFromBsm && !k.SizeFromBsm)
        {
            k.LengthM = d.LengthM;
            k.WidthM = d.WidthM;
            k.SizeFromBsm = true;
        }

        if (d.ClassFromBsm && !k.ClassFromBsm)
        {
            k.VehicleClass = d.VehicleClass;
            k.ClassFromBsm = true;
        }

        k.LastSeenUtcMs = Math.Max(k.LastSeenUtcMs, d.LastSeenUtcMs);
        k.Hits += d.Hits;
        k.MergeHits = 0;
        k.MergeWith = 0;
        for (int i = 0; i < Sources.Length; i++)
        {
            SourceEntry e = d.Sources[i];
            if (e.Kind != 0)
            {
                ref SourceEntry kept = ref _tracks[keep].Sources[RecordSource(keep, e.Sender, e.Ptc, e.Kind, e.TimeUtcMs)];
                if (e.SightUtcMs > kept.SightUtcMs)
                {
                    (kept.SightUtcMs, kept.X, kept.Y, kept.Vx, kept.Vy) = (e.SightUtcMs, e.X, e.Y, e.Vx, e.Vy);
                }
            }
        }

        Delete(drop);
        Counters.Merges++;
    }

    private void Delete(int h)
    {
        ref Track t = ref _tracks[h];
        if (t.Participant.IsVehicle && _byVehicle.TryGetValue(t.Participant.VehicleId.Value, out int mapped) && mapped == h)
        {
            _byVehicle.Remove(t.Participant.VehicleId.Value);
        }

        for (int k = 0; k < Sources.Length; k++)
        {
            ref SourceEntry e = ref t.Sources[k];
            if (e.Kind == ObservationSource.Rsm)
            {
                ForgetRoadside(h, e.Sender, e.Ptc);
            }
        }

        _index.Remove(h);
        _live[h] = false;
        t.Status = TrackStatus.Deleted;
        _free[_freeCount++] = h;
    }

    private void Write(int h, long timeUtcMs, ref TrackState s)
    {
        ref readonly Track t = ref _tracks[h];
        FusionOptions opt = _options;
        double dt = (timeUtcMs - t.StateUtcMs) / 1000.0;
        t.Filter.PredictPosition(dt, opt.ProcessNoise, out double x, out double y, out double pxx, out _, out double pyy);
        double vx = t.Filter.Vx, vy = t.Filter.Vy;
        double speed = Math.Sqrt((vx * vx) + (vy * vy));
        double heading = t.ReportedHeadingDeg;
        if (speed >= opt.SlowSpeedMps)
        {
            heading = Math.Atan2(vx, vy) * DegPerRad;
            if (heading < 0)
            {
                heading += 360;
            }
        }

        int sources = 0;
        for (int k = 0; k < Sources.Length; k++)
        {
            ref readonly SourceEntry e = ref t.Sources[k];
            if (e.Kind != 0 && timeUtcMs - e.TimeUtcMs <= opt.CoastAfterMs)
            {
                sources++;
            }
        }

        s = new TrackState
        {
            Handle = h,
            TrackId = t.TrackId,
            Status = t.Status,
            Kind = t.Kind,
            Participant = t.Participant,
            XM = x,
            YM = y,
            VxMps = vx,
            VyMps = vy,
            SpeedMps = speed,
            HeadingDeg = heading,
            AccelMps2 = t.AccelMps2,
            YawRateDps = t.YawRateDps,
            LengthM = t.LengthM,
            WidthM = t.WidthM,
            VehicleClass = t.VehicleClass,
            Flags = t.BsmFlags | t.RsmFlags,
            PosSigmaM = Math.Sqrt(Math.Max(0, (pxx + pyy) / 2)),
            LastUpdateUtcMs = t.LastSeenUtcMs,
            HasBsm = t.HasBsm,
            SourceCount = (byte)sources,
        };
    }

    private static bool Compatible(ParticipantKind a, ParticipantKind b) =>
        a == b || a == ParticipantKind.Unknown || b == ParticipantKind.Unknown;

    private static double AngleDiff(double a, double b)
    {
        double d = Math.Abs(a - b) % 360;
        return d > 180 ? 360 - d : d;
    }

    private readonly record struct RoadsideKey(ulong Rsu, ushort Ptc);

    private struct SourceEntry
    {
        public ulong Sender;
        public long TimeUtcMs;

        // The source's own latest sighting of the track (as reported, not fused): leave-one-out residuals.
        public long SightUtcMs;
        public double X;
        public double Y;
        public double Vx;
        public double Vy;
        public ushort Ptc;
        public ObservationSource Kind; // 0: empty
    }

    [InlineArray(Length)]
    private struct Sources
    {
        public const int Length = 4;
        private SourceEntry _entry;
    }

    private struct Track
    {
        public KalmanCv Filter;
        public long TrackId;
        public long StateUtcMs; // time of the filter state
        public long LastSeenUtcMs; // newest sighting, in order or not
        public ParticipantRef Participant;
        public Sources Sources;
        public double ReportedHeadingDeg;
        public long HeadingUtcMs;
        public double AccelMps2;
        public long AccelUtcMs;
        public double YawRateDps;
        public long YawUtcMs;
        public double LengthM;
        public double WidthM;
        public long BsmFlagsUtcMs;
        public long RsmFlagsUtcMs;
        public long MergeWith;
        public long MergeCheckUtcMs;
        public int Hits;
        public int MergeHits;
        public ParticipantFlags BsmFlags;
        public ParticipantFlags RsmFlags;
        public TrackStatus Status;
        public ParticipantKind Kind;
        public byte VehicleClass;
        public bool HasBsm;
        public bool SizeFromBsm;
        public bool ClassFromBsm;
    }
}
