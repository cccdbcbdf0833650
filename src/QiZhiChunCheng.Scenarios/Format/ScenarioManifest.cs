using System.Text.Json.Serialization;

namespace QiZhiChunCheng.Scenarios.Format;

// Members with a default other than the type's own have a setter, not init: System.Text.Json's source generator
// passes every init-only member to the object initializer, so one left out of the JSON would come out as null or 0
// instead of its documented default (dotnet/runtime#84484). Hand-written files leave members out.

/// <summary>
/// <c>scenario.json</c>: what a scenario is and how to run it. Times in the other files are offsets in milliseconds
/// from <see cref="StartUtcMs"/>; replay shifts the start to the current time.
/// </summary>
public sealed record ScenarioManifest
{
    /// <summary>Unique, kebab-case, the folder's name by convention: <c>fcw-dongfeng-rear-end</c>.</summary>
    public required string Name { get; init; }

    public string Description { get; set; } = "";

    /// <summary>The application exercised: <c>FCW</c>, <c>ICW</c>, ... (V2X-REFERENCE section 4), or <c>MISBEHAVIOR</c>, <c>LOAD</c>, <c>MIXED</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>True for a must-not-fire case (a near miss).</summary>
    public bool Negative { get; init; }

    /// <summary>The zone map's name: <c>qizhi-dongfeng</c> (the embedded default zone).</summary>
    public string Map { get; set; } = "qizhi-dongfeng";

    /// <summary>The scenario's own start time, UTC ms; message and truth times are offsets from it.</summary>
    public long StartUtcMs { get; init; }

    public long DurationMs { get; init; }

    public int Seed { get; init; }

    /// <summary>Road surface for the engine: <c>dry</c> (default), <c>snow</c> or <c>ice</c>.</summary>
    public string Surface { get; set; } = "dry";

    /// <summary>
    /// Set when the folder is committed as a recipe only (too big for the repository): the message and truth files
    /// are generated on first use from this recipe into a local cache, byte for byte the same each time.
    /// </summary>
    public GeneratorRecipe? Generator { get; init; }
}

/// <summary>How to regenerate a scenario: the generator kind, its seed and its parameters.</summary>
public sealed record GeneratorRecipe
{
    public required string Kind { get; init; }

    public int Seed { get; init; }

    /// <summary>Kind-specific numbers (participants, duration in seconds, ...), by name.</summary>
    public Dictionary<string, double> Parameters { get; set; } = [];

    /// <summary>Kind-specific named choices (<c>fault</c>: <c>drift-radar</c>, <c>rsu</c>: <c>RSU-DF-01</c>), by name; null: none.</summary>
    public Dictionary<string, string>? Choices { get; init; }
}

/// <summary>
/// One line of <c>messages.jsonl</c>: a message as published. <see cref="Payload"/> is the JER JSON of the message
/// exactly as an RSU or vehicle sends it on <see cref="Topic"/> (ASN.1 member names, raw units).
/// </summary>
public sealed record ScenarioMessage
{
    /// <summary>Milliseconds from the scenario's start at which the message is published (and generated).</summary>
    [JsonPropertyName("t")]
    public long T { get; init; }

    /// <summary>The uplink topic: <c>V2X/OBU/{vehId}/BSM/UP</c>, <c>V2X/RSU/{rsuId}/RSM/UP</c>, ...</summary>
    public required string Topic { get; init; }

    /// <summary>
    /// The generation time the device stamped (ms from the start) when its clock is wrong (a frozen RSU clock);
    /// null: <see cref="T"/>. The message is still published at <see cref="T"/>.
    /// </summary>
    public long? GeneratedT { get; init; }

    /// <summary>The message, as JER JSON text.</summary>
    public required System.Text.Json.JsonElement Payload { get; init; }
}

/// <summary>
/// One line of <c>truth.jsonl</c>: the true state of one participant at one moment (every 100 ms).
/// </summary>
public sealed record TruthSample
{
    [JsonPropertyName("t")]
    public long T { get; init; }

    /// <summary>The participant's name in the scenario (what <see cref="ExpectedEvent.Participants"/> refer to).</summary>
    public required string Id { get; init; }

    /// <summary><c>vehicle</c>, <c>pedestrian</c>, <c>cyclist</c>, <c>emergency</c>.</summary>
    public string Kind { get; set; } = "vehicle";

    /// <summary>The 8-octet BSM id (16 hex digits) when the participant sends BSMs.</summary>
    public string? BsmId { get; init; }

    /// <summary>
    /// How roadside units report this participant: <c>{"5253554446303031": 412}</c> is RSU rsuId → RSM ptcId. An
    /// event participant <c>5253554446303031:412</c> resolves to this participant.
    /// </summary>
    public Dictionary<string, int>? Ptc { get; init; }

    public double Lat { get; init; }

    public double Lon { get; init; }

    public double SpeedMps { get; init; }

    /// <summary>Heading, degrees clockwise from north.</summary>
    public double HeadingDeg { get; init; }
}

/// <summary><c>expected-events.json</c>: what must be raised and what must not.</summary>
public sealed record ExpectedEvents
{
    public List<ExpectedEvent> Expected { get; set; } = [];

    public List<ForbiddenEvent> Forbidden { get; set; } = [];
}

/// <summary>An event that must be raised: its onset must fall in [<see cref="FromMs"/>, <see cref="ToMs"/>].</summary>
public sealed record ExpectedEvent
{
    /// <summary>The event type code: <c>FCW</c>, <c>RLVW</c>, ...</summary>
    public required string Type { get; init; }

    /// <summary>
    /// Truth ids of the participants, the warned one (the subject) first; the event must involve all of them. Empty:
    /// any participants.
    /// </summary>
    public List<string> Participants { get; set; } = [];

    public long FromMs { get; init; }

    public long ToMs { get; init; }

    /// <summary>Where the event should be anchored, with <see cref="ToleranceM"/>; null: anywhere.</summary>
    public double? Lat { get; init; }

    public double? Lon { get; init; }

    public double ToleranceM { get; set; } = 30;

    /// <summary>The truth's conflict moment (ms from start), for the lead time; null: no lead time for this one.</summary>
    public long? ConflictMs { get; init; }
}

/// <summary>An event that must not be raised: no event of <see cref="Type"/> (involving the participants, if given) with onset in the window.</summary>
public sealed record ForbiddenEvent
{
    public required string Type { get; init; }

    public List<string> Participants { get; set; } = [];

    public long FromMs { get; init; }

    /// <summary>End of the window; null: the end of the scenario.</summary>
    public long? ToMs { get; init; }
}
