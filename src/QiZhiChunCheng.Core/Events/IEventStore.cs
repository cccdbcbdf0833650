namespace QiZhiChunCheng.Core.Events;

/// <summary>Where events go after detection: the store, the console, the events topic, the downlink.</summary>
public interface IEventSink
{
    /// <summary>Takes a batch of events. Must be idempotent by event id: a batch may be delivered again after a restart.</summary>
    ValueTask WriteAsync(IReadOnlyList<V2xEvent> events, CancellationToken cancellationToken);
}

/// <summary>
/// A query over stored events; every filter optional. Times are UTC ms of event time and select on the event's
/// onset (<c>from</c> inclusive, <c>to</c> exclusive); the box selects on the onset position, edges included.
/// </summary>
public sealed record EventQuery
{
    public double? MinLonDeg { get; init; }

    public double? MinLatDeg { get; init; }

    public double? MaxLonDeg { get; init; }

    public double? MaxLatDeg { get; init; }

    public long? FromUtcMs { get; init; }

    public long? ToUtcMs { get; init; }

    public IReadOnlyList<EventType>? Types { get; init; }

    public byte? MinSeverity { get; init; }

    /// <summary>1-based page.</summary>
    public int Page { get; init; } = 1;

    public int PageSize { get; init; } = 100;

    public bool HasBbox => MinLonDeg is not null;
}

/// <summary>
/// One stored event as lists show it: the event (its latest phase and figures, its highest severity, the onset's
/// time and position) with the time of its last phase and the intersection it happened at, when near one.
/// </summary>
public sealed record StoredEvent(V2xEvent Event, long LastUtcMs, string? Intersection);

/// <summary>One page of a query, newest onset first, and the total count of matches.</summary>
public sealed record EventPage(IReadOnlyList<StoredEvent> Items, long Total, int Page, int PageSize)
{
    /// <summary>The events of the page, in the page's order.</summary>
    public IEnumerable<V2xEvent> Events => Items.Select(i => i.Event);
}

/// <summary>One phase in an event's life (onset, update, clear) as it was raised, with the trace id of its message.</summary>
public sealed record EventPhaseRecord(
    EventPhase Phase,
    long EventTimeUtcMs,
    long DetectedUtcMs,
    byte Severity,
    double LatitudeDeg,
    double LongitudeDeg,
    IReadOnlyDictionary<string, double> Figures,
    string? TraceId);

/// <summary>
/// A message behind an event: the decoded message whose trace id a phase carries, as JER JSON (the form the device
/// published), with where it came from.
/// </summary>
public sealed record EventMessage(string TraceId, string EventId, string MessageType, string SourceId, long GeneratedUtcMs, string Json);

/// <summary>An event with its whole life: every phase stored, and the messages behind them that the platform kept.</summary>
public sealed record EventDetail(StoredEvent Summary, IReadOnlyList<EventPhaseRecord> Phases, IReadOnlyList<EventMessage> Messages);

/// <summary>What <see cref="IEventStore.StatsAsync"/> groups by.</summary>
public enum StatsBy : byte
{
    /// <summary>Event type code (<c>SLW</c>, <c>FCW</c>).</summary>
    Type = 0,

    /// <summary>Hour of the day, 0..23, in the zone's local time (see <see cref="StatsQuery.UtcOffsetMinutes"/>).</summary>
    Hour = 1,

    /// <summary>The intersection an event happened at; events away from every intersection are counted under "".</summary>
    Intersection = 2,

    /// <summary>A square grid of <see cref="StatsQuery.CellDeg"/> degrees (the map's heat layer); the key is "lat,lon" of the cell's centre.</summary>
    Cell = 3,
}

/// <summary>An aggregation over the events a filter selects.</summary>
public sealed record StatsQuery
{
    public EventQuery Filter { get; init; } = new();

    public StatsBy By { get; init; }

    /// <summary>The zone's offset from UTC for <see cref="StatsBy.Hour"/>: Changchun is UTC+8.</summary>
    public int UtcOffsetMinutes { get; init; } = 8 * 60;

    /// <summary>Grid size for <see cref="StatsBy.Cell"/>, in degrees of latitude and longitude.</summary>
    public double CellDeg { get; init; } = 0.0005;
}

/// <summary>One group of an aggregation: its key, the count of events and, for cells, the cell's centre.</summary>
public sealed record StatsBucket(string Key, long Count, double? LatitudeDeg = null, double? LongitudeDeg = null);

/// <summary>
/// The event store: SQLite by default (cloud/QiZhiChunCheng.Cloud/Store), PostgreSQL/PostGIS later. Keeps one row per
/// event id (its latest phase, first and last time, highest severity) and the history of its phases. Writes are
/// idempotent by event id and phase: a batch delivered twice changes nothing. Implementations are thread-safe.
/// </summary>
/// <remarks>
/// A PostGIS store implements the same contract with an <c>events</c> table whose onset position is a
/// <c>geography(Point, 4326)</c> with a GiST index and whose onset time has a B-tree index (or a BRIN index on an
/// append-mostly table), an <c>event_phases</c> table and an <c>event_messages</c> table keyed by trace id;
/// <see cref="QueryAsync"/> becomes <c>ST_Intersects(position, ST_MakeEnvelope(...))</c> with the time range,
/// <see cref="StatsAsync"/> a <c>GROUP BY</c> (with <c>ST_SnapToGrid</c> for cells), <see cref="PruneAsync"/> a
/// <c>DELETE ... WHERE last_utc_ms &lt; $1</c> (or dropping time partitions). Nothing here names SQLite.
/// </remarks>
public interface IEventStore : IEventSink, IAsyncDisposable
{
    /// <summary>Stores events and, in the same transaction, the messages behind them (may be empty).</summary>
    ValueTask WriteAsync(IReadOnlyList<V2xEvent> events, IReadOnlyList<EventMessage> messages, CancellationToken cancellationToken);

    ValueTask<EventPage> QueryAsync(EventQuery query, CancellationToken cancellationToken);

    /// <summary>The event as lists show it (latest phase, onset time and position, highest severity), or null.</summary>
    ValueTask<V2xEvent?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>The event with its phases and the messages behind them, or null.</summary>
    ValueTask<EventDetail?> GetDetailAsync(string id, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<StatsBucket>> StatsAsync(StatsQuery query, CancellationToken cancellationToken);

    ValueTask<long> CountAsync(CancellationToken cancellationToken);

    /// <summary>Deletes the events whose last phase is older than <paramref name="olderThanUtcMs"/>, with their phases and messages; returns how many.</summary>
    ValueTask<long> PruneAsync(long olderThanUtcMs, CancellationToken cancellationToken);
}
