using QiZhiChunCheng.Engine.Map;

namespace QiZhiChunCheng.Engine.World;

/// <summary>Where a track is in its life.</summary>
public enum TrackStatus : byte
{
    /// <summary>Seen, not yet confirmed (one roadside sighting may be a false target).</summary>
    Tentative = 0,

    /// <summary>Confirmed by repeated sightings or by the vehicle's own BSM.</summary>
    Confirmed = 1,

    /// <summary>Confirmed, but no source has seen it lately: predicted forward, still reported.</summary>
    Coasting = 2,

    /// <summary>Gone: not seen for longer than the deletion time; its handle is free again.</summary>
    Deleted = 3,
}

/// <summary>
/// One fused road user predicted to a tick's event time: what the detectors read. Filled by the world model's
/// snapshot (kinematics) and the engine (the map match). A plain struct in a preallocated array; detectors take it
/// by <c>in</c>/<c>ref readonly</c>.
/// </summary>
public struct TrackState
{
    /// <summary>The world model's slot for the track; reused after deletion.</summary>
    public int Handle;

    /// <summary>Stable id of the track for its whole life (never reused; deterministic for a given input).</summary>
    public long TrackId;

    public TrackStatus Status;

    public ParticipantKind Kind;

    /// <summary>How events name the participant.</summary>
    public ParticipantRef Participant;

    public double XM;

    public double YM;

    public double VxMps;

    public double VyMps;

    public double SpeedMps;

    /// <summary>Clockwise from true north, 0..360; for a stopped participant, the last heading it moved with.</summary>
    public double HeadingDeg;

    /// <summary>Longitudinal acceleration (m/s²); NaN when no source reports it.</summary>
    public double AccelMps2;

    /// <summary>Yaw rate (deg/s); NaN when unknown.</summary>
    public double YawRateDps;

    public double LengthM;

    public double WidthM;

    public byte VehicleClass;

    public ParticipantFlags Flags;

    /// <summary>Position standard deviation per axis after fusion (m).</summary>
    public double PosSigmaM;

    /// <summary>Event time of the last sighting that updated the track (UTC ms).</summary>
    public long LastUpdateUtcMs;

    /// <summary>Whether the participant reports itself by BSM (a connected vehicle that can receive warnings).</summary>
    public bool HasBsm;

    /// <summary>How many RSUs and BSMs currently see it (sources updated within the coasting time).</summary>
    public byte SourceCount;

    /// <summary>The lane (or intersection connection) the track is on at the tick, from the lane map.</summary>
    public MapMatch Match;
}
