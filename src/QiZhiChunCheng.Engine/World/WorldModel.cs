using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Engine.World;

/// <summary>Counters of the world model, for the summary and /metrics.</summary>
public sealed class FusionCounters
{
    public long Observations { get; internal set; }

    public long TracksCreated { get; internal set; }

    public long TracksDeleted { get; internal set; }

    /// <summary>Sightings older than their track's last update: they confirm the track but cannot move it back.</summary>
    public long OutOfOrder { get; internal set; }
}

/// <summary>
/// The world model of one partition: one fused track per road user from BSMs and RSMs. Not thread-safe; allocates
/// nothing per observation once its preallocated tables are warm (capacity from <see cref="FusionOptions"/>).
/// </summary>
public sealed class WorldModel
{
    private readonly FusionOptions _options;
    private readonly Slot[] _slots;
    private readonly Stack<int> _free;
    private readonly Dictionary<ulong, int> _byVehicle;
    private readonly Dictionary<(ulong Rsu, ushort Ptc), int> _byRoadside;
    private long _nextTrackId = 1;

    public WorldModel(FusionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _slots = new Slot[options.Capacity];
        _free = new Stack<int>(options.Capacity);
        for (int i = options.Capacity - 1; i >= 0; i--)
        {
            _free.Push(i);
        }

        _byVehicle = new Dictionary<ulong, int>(options.Capacity);
        _byRoadside = new Dictionary<(ulong, ushort), int>(options.Capacity);
    }

    public FusionOptions Options => _options;

    public FusionCounters Counters { get; } = new();

    /// <summary>Live tracks (any status but deleted).</summary>
    public int Count => _slots.Length - _free.Count;

    /// <summary>Applies one vehicle self-report (BSM).</summary>
    public void Observe(in Observation observation)
    {
        Counters.Observations++;
        int handle = Find(observation);
        if (handle < 0)
        {
            handle = Create(observation);
            if (handle < 0)
            {
                return;
            }
        }

        Update(handle, observation);
    }

    /// <summary>Applies one RSM: the participants one RSU saw in one frame.</summary>
    public void ObserveFrame(OctetId8 rsuId, ReadOnlySpan<Observation> participants)
    {
        _ = rsuId;
        foreach (ref readonly Observation o in participants)
        {
            Observe(o);
        }
    }

    /// <summary>
    /// Runs track management at <paramref name="timeUtcMs"/> (coasting, deletion) and writes every confirmed or
    /// coasting track, predicted to that time, into <paramref name="destination"/>; returns how many.
    /// </summary>
    public int Snapshot(long timeUtcMs, Span<TrackState> destination)
    {
        int n = 0;
        for (int h = 0; h < _slots.Length; h++)
        {
            ref Slot s = ref _slots[h];
            if (!s.Live)
            {
                continue;
            }

            long age = timeUtcMs - s.State.LastUpdateUtcMs;
            if (age > _options.DeleteAfterMs)
            {
                Delete(h);
                continue;
            }

            if (s.State.Status == TrackStatus.Tentative)
            {
                continue;
            }

            s.State.Status = age > _options.CoastAfterMs ? TrackStatus.Coasting : TrackStatus.Confirmed;
            if (n == destination.Length)
            {
                continue;
            }

            ref TrackState t = ref destination[n++];
            t = s.State;
            double dt = Math.Max(0, age) / 1000.0;
            t.XM += t.VxMps * dt;
            t.YM += t.VyMps * dt;
        }

        return n;
    }

    public void Clear()
    {
        for (int h = 0; h < _slots.Length; h++)
        {
            if (_slots[h].Live)
            {
                Delete(h);
            }
        }
    }

    private int Find(in Observation o)
    {
        if (o.HasVehicleId && _byVehicle.TryGetValue(o.VehicleId.Value, out int h))
        {
            return h;
        }

        if (o.Source == ObservationSource.Rsm && _byRoadside.TryGetValue((o.SenderId.Value, o.PtcId), out h))
        {
            return h;
        }

        return -1;
    }

    private int Create(in Observation o)
    {
        if (_free.Count == 0)
        {
            return -1;
        }

        int h = _free.Pop();
        ref Slot s = ref _slots[h];
        s = default;
        s.Live = true;
        s.State.Handle = h;
        s.State.TrackId = _nextTrackId++;
        s.State.Status = TrackStatus.Tentative;
        s.State.Participant = o.Source == ObservationSource.Bsm || o.HasVehicleId
            ? ParticipantRef.Vehicle(o.VehicleId)
            : ParticipantRef.Roadside(o.SenderId, o.PtcId);
        s.State.LastUpdateUtcMs = long.MinValue / 2;
        if (o.HasVehicleId)
        {
            _byVehicle[o.VehicleId.Value] = h;
        }

        if (o.Source == ObservationSource.Rsm)
        {
            _byRoadside[(o.SenderId.Value, o.PtcId)] = h;
        }

        Counters.TracksCreated++;
        return h;
    }

    private void Update(int h, in Observation o)
    {
        ref Slot s = ref _slots[h];
        ref TrackState t = ref s.State;
        if (o.TimeUtcMs < t.LastUpdateUtcMs)
        {
            Counters.OutOfOrder++;
            return;
        }

        t.Kind = o.Kind;
        t.XM = o.XM;
        t.YM = o.YM;
        t.SpeedMps = o.SpeedMps;
        t.HeadingDeg = o.HeadingDeg;
        double rad = o.HeadingDeg * Math.PI / 180.0;
        t.VxMps = o.SpeedMps * Math.Sin(rad);
        t.VyMps = o.SpeedMps * Math.Cos(rad);
        t.AccelMps2 = o.AccelMps2;
        t.YawRateDps = o.YawRateDps;
        t.LengthM = o.LengthM;
        t.WidthM = o.WidthM;
        t.VehicleClass = o.VehicleClass;
        t.Flags = o.Flags;
        t.PosSigmaM = o.PosSigmaM;
        t.LastUpdateUtcMs = o.TimeUtcMs;
        t.SourceCount = 1;
        if (o.Source == ObservationSource.Bsm)
        {
            t.HasBsm = true;
            t.Status = TrackStatus.Confirmed;
        }
        else if (++s.Hits >= _options.ConfirmHits && t.Status == TrackStatus.Tentative)
        {
            t.Status = TrackStatus.Confirmed;
        }
    }

    private void Delete(int h)
    {
        ref Slot s = ref _slots[h];
        if (s.State.Participant.IsVehicle)
        {
            _byVehicle.Remove(s.State.Participant.VehicleId.Value);
        }
        else
        {
            _byRoadside.Remove((s.State.Participant.RsuId.Value, s.State.Participant.PtcId));
        }

        s.Live = false;
        s.State.Status = TrackStatus.Deleted;
        _free.Push(h);
        Counters.TracksDeleted++;
    }

    private struct Slot
    {
        public bool Live;
        public int Hits;
        public TrackState State;
    }
}
