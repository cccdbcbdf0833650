namespace QiZhiChunCheng.Core.Messages;

/// <summary>SPAT: signal phase and timing of 1..32 intersections, 10 Hz. Immutable.</summary>
public sealed record Spat
{
    public byte MsgCnt { get; init; }

    /// <summary>MinuteOfTheYear, 0..527039 (527040 invalid).</summary>
    public uint? Moy { get; init; }

    /// <summary>DSecond within the minute.</summary>
    public ushort? TimeStamp { get; init; }

    public string? Name { get; init; }

    public ValueArray<IntersectionState> Intersections { get; init; }
}

/// <summary>IntersectionState: the phases of one intersection; <c>intersectionId</c> equals the MAP node id.</summary>
public sealed record IntersectionState
{
    public NodeReferenceId IntersectionId { get; init; }

    /// <summary>IntersectionStatusObject, BIT STRING SIZE(16): bit n of the ASN.1 string is <c>1 &lt;&lt; n</c>.</summary>
    public ushort Status { get; init; }

    public uint? Moy { get; init; }

    public ushort? TimeStamp { get; init; }

    public ValueArray<Phase> Phases { get; init; }
}

/// <summary>Phase: a signal group (phase id 0..255) and its current and coming states.</summary>
public sealed record Phase
{
    public byte Id { get; init; }

    public ValueArray<PhaseState> PhaseStates { get; init; }
}

/// <summary>LightState (ENUMERATED).</summary>
public enum LightState : byte
{
    Unavailable = 0,
    Dark = 1,
    FlashingRed = 2,
    Red = 3,
    FlashingGreen = 4,
    PermissiveGreen = 5,
    ProtectedGreen = 6,
    Yellow = 7,
    FlashingYellow = 8,
}

/// <summary>PhaseState: a light and, optionally, when it starts and ends.</summary>
public readonly record struct PhaseState(LightState Light, TimeChangeDetails? Timing = null);

/// <summary>Which alternative of the TimeChangeDetails CHOICE is carried.</summary>
public enum TimingKind : byte
{
    /// <summary><c>counting</c>: times in 0.1 s relative to now.</summary>
    Counting = 0,

    /// <summary><c>utcTiming</c>: TimeMark within the UTC hour, 0.1 s (36001 invalid).</summary>
    UtcTiming = 1,
}

/// <summary>TimeChangeDetails: both alternatives share the member names; the units are 0.1 s.</summary>
public readonly record struct TimeChangeDetails
{
    public TimingKind Kind { get; init; }

    public ushort StartTime { get; init; }

    public ushort? MinEndTime { get; init; }

    public ushort? MaxEndTime { get; init; }

    public ushort LikelyEndTime { get; init; }

    /// <summary>Confidence, 0.5 %, 0..200.</summary>
    public byte? TimeConfidence { get; init; }

    public ushort? NextStartTime { get; init; }

    public ushort? NextDuration { get; init; }
}
