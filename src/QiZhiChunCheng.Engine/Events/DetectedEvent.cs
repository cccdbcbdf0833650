using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Events;

/// <summary>
/// Where an event happened on the map: an intersection (node index), else a link, else nowhere named. Indexes into
/// the engine's current <see cref="Map.LaneMap"/>; names are looked up when the event is materialised.
/// </summary>
public readonly record struct EventLocation(int Node, int Link, int Lane)
{
    public static EventLocation None { get; } = new(-1, -1, -1);

    public static EventLocation AtNode(int node) => new(node, -1, -1);

    public static EventLocation OnLane(int link, int lane) => new(-1, link, lane);
}

/// <summary>
/// One phase (onset, update, clear) of a detected event as the hot path produces it: a value with no references
/// but the participants' ids, so that raising and updating events allocates nothing. <see cref="EventMaterializer"/>
/// turns it into the platform's <see cref="V2xEvent"/>.
/// </summary>
public struct DetectedEvent
{
    public EventType Type;

    public EventPhase Phase;

    /// <summary>1 (advice) .. 3 (imminent).</summary>
    public byte Severity;

    /// <summary>The participant the event is about (the host vehicle: the one to warn).</summary>
    public ParticipantRef Subject;

    /// <summary>The other participant (the remote vehicle, the pedestrian), if any.</summary>
    public ParticipantRef Other;

    /// <summary>When the condition first held (UTC ms, event time): part of the stable id.</summary>
    public long OnsetUtcMs;

    /// <summary>Event time of this phase (UTC ms).</summary>
    public long EventTimeUtcMs;

    /// <summary>Position of the event in the map's local frame (m).</summary>
    public double XM;

    public double YM;

    public EventLocation Location;

    /// <summary>A key for events not about a participant (a jammed lane, an RSI event): part of the id when set.</summary>
    public long Key;

    public EventFigures Figures;
}
