using QiZhiChunCheng.Cloud.Store;
using QiZhiChunCheng.Core.Events;

namespace QiZhiChunCheng.Cloud.Tests;

public sealed class SqliteEventStoreTests : IDisposable
{
    private static readonly long T0 = new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Later_phases_of_an_event_replace_the_earlier_one_and_keep_its_onset_time()
    {
        await using SqliteEventStore store = await SqliteEventStore.OpenAsync(Path.Combine(_dir.Path, "events.db"), TestContext.Current.CancellationToken);
        await store.WriteAsync([Event("SLW-A", T0, EventPhase.Onset, severity: 1)], TestContext.Current.CancellationToken);
        await store.WriteAsync([Event("SLW-A", T0 + 5000, EventPhase.Update, severity: 2)], TestContext.Current.CancellationToken);
        await store.WriteAsync([Event("SLW-A", T0 + 9000, EventPhase.Clear, severity: 1)], TestContext.Current.CancellationToken);
        // Delivered again after a restart: no duplicate.
        await store.WriteAsync([Event("SLW-A", T0, EventPhase.Onset, severity: 1)], TestContext.Current.CancellationToken);

        Assert.Equal(1, await store.CountAsync(TestContext.Current.CancellationToken));
        V2xEvent stored = (await store.GetAsync("SLW-A", TestContext.Current.CancellationToken))!;
        Assert.Equal(T0, stored.EventTimeUtcMs);
        Assert.Equal(2, stored.Severity);
        Assert.Equal(["VEH0001"], stored.Participants);
    }

    [Fact]
    public async Task Queries_filter_by_box_time_type_and_severity_and_page_newest_first()
    {
        string path = Path.Combine(_dir.Path, "events.db");
        await using (SqliteEventStore store = await SqliteEventStore.OpenAsync(path, TestContext.Current.CancellationToken))
        {
            List<V2xEvent> events = [];
            for (int i = 0; i < 30; i++)
            {
                events.Add(Event($"E{i:D2}", T0 + (i * 60_000), EventPhase.Onset, severity: (byte)(1 + (i % 3)), lat: 43.84 + (i * 0.001), type: i % 2 == 0 ? EventType.Slw : EventType.Fcw));
            }

            await store.WriteAsync(events, TestContext.Current.CancellationToken);
        }

        // Reopened from the file: what was written is there.
        await using SqliteEventStore reopened = await SqliteEventStore.OpenAsync(path, TestContext.Current.CancellationToken);
        EventPage all = await reopened.QueryAsync(new EventQuery { PageSize = 10 }, TestContext.Current.CancellationToken);
        Assert.Equal(30, all.Total);
        Assert.Equal(["E29", "E28", "E27"], all.Events.Take(3).Select(e => e.Id));

        EventPage page3 = await reopened.QueryAsync(new EventQuery { PageSize = 10, Page = 3 }, TestContext.Current.CancellationToken);
        Assert.Equal("E09", page3.Events[0].Id);

        EventPage box = await reopened.QueryAsync(new EventQuery { MinLonDeg = 125.0, MaxLonDeg = 125.5, MinLatDeg = 43.8445, MaxLatDeg = 43.8475 }, TestContext.Current.CancellationToken);
        Assert.Equal(["E07", "E06", "E05"], box.Events.Select(e => e.Id));

        EventPage window = await reopened.QueryAsync(new EventQuery { FromUtcMs = T0 + (10 * 60_000), ToUtcMs = T0 + (12 * 60_000) }, TestContext.Current.CancellationToken);
        Assert.Equal(["E11", "E10"], window.Events.Select(e => e.Id));

        EventPage fcwSevere = await reopened.QueryAsync(new EventQuery { Types = [EventType.Fcw], MinSeverity = 3 }, TestContext.Current.CancellationToken);
        Assert.All(fcwSevere.Events, e => Assert.True(e.Type == EventType.Fcw && e.Severity == 3));
        Assert.Equal(5, fcwSevere.Total);
    }

    public void Dispose() => _dir.Dispose();

    private static V2xEvent Event(string id, long time, EventPhase phase, byte severity, double lat = 43.8471, EventType type = EventType.Slw) => new()
    {
        Id = id,
        Type = type,
        Phase = phase,
        Severity = severity,
        Participants = ["VEH0001"],
        LatitudeDeg = lat,
        LongitudeDeg = 125.2241,
        Location = "Dongfeng Street",
        Figures = new Dictionary<string, double> { ["speedMps"] = 20, ["limitMps"] = 16.67 },
        EventTimeUtcMs = time,
        DetectedUtcMs = time + 3,
    };
}
