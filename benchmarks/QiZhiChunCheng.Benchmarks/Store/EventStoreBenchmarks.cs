using BenchmarkDotNet.Attributes;
using QiZhiChunCheng.Cloud.Store;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.NetTopologySuite;

namespace QiZhiChunCheng.Benchmarks.Store;

/// <summary>
/// The SQLite event store at 1,000,000 events (30 days of made-up events around the zone, <see cref="SyntheticEvents"/>
/// seed 42, half of them with a clear phase). The file is built once into the temp folder and reused by later runs.
/// Targets: a box-and-time query at 20 ms or less at the median; inserts at 20,000 events/s or more. Queries ask what
/// the map page asks: a page of 100 newest events with the total count.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class EventStoreQueryBenchmarks
{
    private const int Events = 1_000_000;
    private static readonly long End = new DateTimeOffset(2026, 11, 28, 16, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private SqliteEventStore _store = null!;
    private EventQuery _intersectionDay = null!;
    private EventQuery _zoneHour = null!;
    private EventQuery _zoneDay = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        string path = Path.Combine(Path.GetTempPath(), "qzcc-bench", $"events-{Events}-v{SqliteEventStore.SchemaVersion}.db");
        _store = await BuildOnceAsync(path, Events);
        ZoneIntersection at = ZoneMapLoader.Default.Intersections[0];
        long dayStart = End - 86_400_000;
        _intersectionDay = new EventQuery { MinLatDeg = at.LatitudeDeg - 0.0015, MaxLatDeg = at.LatitudeDeg + 0.0015, MinLonDeg = at.LongitudeDeg - 0.002, MaxLonDeg = at.LongitudeDeg + 0.002, FromUtcMs = dayStart, ToUtcMs = End };
        _zoneHour = new EventQuery { MinLatDeg = 43.83, MaxLatDeg = 43.86, MinLonDeg = 125.19, MaxLonDeg = 125.25, FromUtcMs = End - 10 * 3_600_000, ToUtcMs = End - 9 * 3_600_000 };
        _zoneDay = _zoneHour with { FromUtcMs = dayStart, ToUtcMs = End };
    }

    [GlobalCleanup]
    public ValueTask CleanupAsync() => _store.DisposeAsync();

    /// <summary>The map zoomed to one intersection (about 330 m x 320 m), the last day.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask<EventPage> Intersection_one_day() => _store.QueryAsync(_intersectionDay, CancellationToken.None);

    /// <summary>The whole zone, one afternoon hour (14:00 to 15:00 in Changchun).</summary>
    [Benchmark]
    public ValueTask<EventPage> Zone_one_hour() => _store.QueryAsync(_zoneHour, CancellationToken.None);

    /// <summary>The whole zone, the last day (33,400 matches to count and sort).</summary>
    [Benchmark]
    public ValueTask<EventPage> Zone_one_day() => _store.QueryAsync(_zoneDay, CancellationToken.None);

    /// <summary>The counts by type that the page shows beside the map, for the intersection and day.</summary>
    [Benchmark]
    public ValueTask<IReadOnlyList<StatsBucket>> Stats_by_type_intersection_one_day() => _store.StatsAsync(new StatsQuery { Filter = _intersectionDay, By = StatsBy.Type }, CancellationToken.None);

    internal static async Task<SqliteEventStore> BuildOnceAsync(string path, int events)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        SqliteEventStore store = await SqliteEventStore.OpenAsync(path);
        long have = await store.CountAsync(CancellationToken.None);
        if (have == events)
        {
            return store;
        }

        if (have != 0)
        {
            throw new InvalidOperationException($"{path} holds {have} events, not {events}: delete it and run again");
        }

        SyntheticEvents generator = new(42, End, 30, events);
        List<V2xEvent> batch = [];
        for (int written = 0; written < events;)
        {
            batch.Clear();
            for (int i = 0; i < 10_000 && written < events; i++, written++)
            {
                generator.Next(batch);
            }

            await store.WriteAsync(batch, CancellationToken.None);
        }

        return store;
    }
}

/// <summary>
/// Inserts into a store that already holds 100,000 events: 10,000 new events per operation (onsets in time order with
/// half of them cleared, as they arrive live) in transactions of <see cref="Batch"/>. The time reported is per event
/// (<c>OperationsPerInvoke</c>), so events/s = 1 s / mean.
/// </summary>
[MemoryDiagnoser]
public class EventStoreInsertBenchmarks
{
    private const int PerInvoke = 10_000;
    private static readonly long End = new DateTimeOffset(2026, 11, 28, 16, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private readonly List<List<V2xEvent>> _batches = [];
    private SqliteEventStore _store = null!;
    private SyntheticEvents _generator = null!;
    private string _folder = null!;

    [Params(100, 1000)]
    public int Batch { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _folder = Directory.CreateTempSubdirectory("qzcc-bench-insert-").FullName;
        _store = await EventStoreQueryBenchmarks.BuildOnceAsync(Path.Combine(_folder, "events.db"), 100_000);
        _generator = new SyntheticEvents(7, End + (30L * 86_400_000), 30, 10_000_000);
    }

    [IterationSetup]
    public void MakeEvents()
    {
        _batches.Clear();
        for (int written = 0; written < PerInvoke;)
        {
            List<V2xEvent> batch = [];
            for (int i = 0; i < Batch; i++, written++)
            {
                _generator.Next(batch);
            }

            _batches.Add(batch);
        }
    }

    [Benchmark(OperationsPerInvoke = PerInvoke)]
    public async Task Insert()
    {
        foreach (List<V2xEvent> batch in _batches)
        {
            await _store.WriteAsync(batch, CancellationToken.None);
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
