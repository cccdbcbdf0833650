namespace QiZhiChunCheng.Core.Events;

/// <summary>Where events go after detection: the store, the console, the events topic, the downlink.</summary>
public interface IEventSink
{
    /// <summary>Takes a batch of events. Must be idempotent by event id: a batch may be delivered again after a restart.</summary>
    ValueTask WriteAsync(IReadOnlyList<V2xEvent> events, CancellationToken cancellationToken);
}

/// <summary>A query over stored events; every filter optional. Times are UTC ms of event time.</summary>
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

/// <summary>One page of a query, newest first, and the total count of matches.</summary>
public sealed record EventPage(IReadOnlyList<V2xEvent> Events, long Total, int Page, int PageSize);

/// <summary>
/// The event store: SQLite by default, PostgreSQL/PostGIS later. Writes are idempotent by event id (the latest
/// phase of an event replaces the earlier one). Implementations are thread-safe.
/// </summary>
public interface IEventStore : IEventSink, IAsyncDisposable
{
    ValueTask<EventPage> QueryAsync(EventQuery query, CancellationToken cancellationToken);

    ValueTask<V2xEvent?> GetAsync(string id, CancellationToken cancellationToken);

    ValueTask<long> CountAsync(CancellationToken cancellationToken);
}
