namespace QiZhiChunCheng.Core.Events;

/// <summary>The scenario events the platform raises: the Day-1 applications a data platform can detect, and misbehaviour.</summary>
public enum EventType : byte
{
    Fcw = 1,
    Icw = 2,
    Lta = 3,
    Bsw = 4,
    Lcw = 5,
    Dnpw = 6,
    Ebw = 7,
    Avw = 8,
    Clw = 9,
    Hlw = 10,
    Slw = 11,
    Rlvw = 12,
    Vrucw = 13,
    Glosa = 14,
    Ivs = 15,
    Tjw = 16,
    Evw = 17,
    Misbehavior = 30,
}

/// <summary>Where an event is in its life: raised, updated with new figures, cleared.</summary>
public enum EventPhase : byte
{
    Onset = 0,
    Update = 1,
    Clear = 2,
}

/// <summary>
/// A detected event. <see cref="Id"/> is stable over the event's life (onset, updates, clear) and is derived
/// from its content, so that replays and restarts produce the same id (the store is idempotent by id).
/// </summary>
public sealed record V2xEvent
{
    public required string Id { get; init; }

    public required EventType Type { get; init; }

    public EventPhase Phase { get; init; }

    /// <summary>1 (advice) .. 3 (imminent).</summary>
    public byte Severity { get; init; } = 1;

    /// <summary>Participant ids: the BSM id in hex, or <c>{rsuId}:{ptcId}</c> for roadside targets.</summary>
    public required IReadOnlyList<string> Participants { get; init; }

    public double LatitudeDeg { get; init; }

    public double LongitudeDeg { get; init; }

    /// <summary>Link or lane name, or the intersection, when known.</summary>
    public string? Location { get; init; }

    /// <summary>The figures behind the event, by name with the unit in the name (<c>speedMps</c>, <c>limitMps</c>, <c>ttcS</c>).</summary>
    public IReadOnlyDictionary<string, double> Figures { get; init; } = new Dictionary<string, double>();

    /// <summary>Event time, from the messages (UTC ms).</summary>
    public long EventTimeUtcMs { get; init; }

    /// <summary>When the platform detected it (UTC ms, wall clock).</summary>
    public long DetectedUtcMs { get; init; }

    /// <summary>Trace id of the message that raised it.</summary>
    public string? TraceId { get; init; }

    public static string TypeCode(EventType type) => type switch
    {
        EventType.Misbehavior => "MISBEHAVIOR",
        _ => type.ToString().ToUpperInvariant(),
    };

    public static bool TryParseType(string code, out EventType type) =>
        Enum.TryParse(code, ignoreCase: true, out type) && Enum.IsDefined(type);
}
