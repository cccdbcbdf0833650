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
        Assert.Equal("E09", page3.Items[0].Event.Id);

        EventPage box = await reopened.QueryAsync(new EventQuery { MinLonDeg = 125.0, MaxLonDeg = 125.5, MinLatDeg = 43.8445, MaxLatDeg = 43.8475 }, TestContext.Current.CancellationToken);
        Assert.Equal(["E07", "E06", "E05"], box.Events.Select(e => e.Id));

        EventPage window = await reopened.QueryAsync(new EventQuery { FromUtcMs = T0 + (10 * 60_000), ToUtcMs = T0 + (12 * 60_000) }, TestContext.Current.CancellationToken);
        Assert.Equal(["E11", "E10"], window.Events.Select(e => e.Id));

        EventPage fcwSevere = await reopened.QueryAsync(new EventQuery { Types = [EventType.Fcw], MinSeverity = 3 }, TestContext.Current.CancellationToken);
        Assert.All(fcwSevere.Events, e => Assert.True(e.Type == EventType.Fcw && e.Severity == 3));
        Assert.Equal(5, fcwSevere.Total);
    }

    [Fact]
    public async Task An_event_keeps_its_life_onset_update_clear_with_the_messages_behind_it_and_redelivery_adds_nothing()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using SqliteEventStore store = await SqliteEventStore.OpenAsync(Path.Combine(_dir.Path, "events.db"), (_, _) => "Feiyue Road", ct);
        V2xEvent onset = Event("SLW-B", T0, EventPhase.Onset, severity: 1) with { TraceId = "t-onset" };
        V2xEvent update = Event("SLW-B", T0 + 5000, EventPhase.Update, severity: 2, lat: 43.8480) with { TraceId = "t-update", Figures = new Dictionary<string, double> { ["speedMps"] = 22 } };
        V2xEvent clear = Event("SLW-B", T0 + 9000, EventPhase.Clear, severity: 1) with { TraceId = "t-clear" };
        EventMessage message = new("t-onset", "SLW-B", "BSM", "VEH-0001", T0 - 10, "{\"msgCnt\":1}");
        await store.WriteAsync([onset], [message], ct);
        await store.WriteAsync([update, clear], ct);
        await store.WriteAsync([onset, update, clear], [message], ct);

        EventDetail detail = (await store.GetDetailAsync("SLW-B", ct))!;
        Assert.Equal([EventPhase.Onset, EventPhase.Update, EventPhase.Clear], detail.Phases.Select(p => p.Phase));
        Assert.Equal(["t-onset", "t-update", "t-clear"], detail.Phases.Select(p => p.TraceId));
        Assert.Equal(22, detail.Phases[1].Figures["speedMps"]);
        EventMessage kept = Assert.Single(detail.Messages);
        Assert.Equal("{\"msgCnt\":1}", kept.Json);
        Assert.Equal("VEH-0001", kept.SourceId);

        // The row: latest phase, highest severity, the onset's time, position and trace id, the last phase's time.
        StoredEvent summary = detail.Summary;
        Assert.Equal(EventPhase.Clear, summary.Event.Phase);
        Assert.Equal(2, summary.Event.Severity);
        Assert.Equal(T0, summary.Event.EventTimeUtcMs);
        Assert.Equal(43.8471, summary.Event.LatitudeDeg);
        Assert.Equal("t-onset", summary.Event.TraceId);
        Assert.Equal(T0 + 9000, summary.LastUtcMs);
        Assert.Equal("Feiyue Road", summary.Intersection);
        Assert.Empty(await store.CheckAsync(ct));
        Assert.Null(await store.GetDetailAsync("SLW-NONE", ct));
    }

    [Fact]
    public async Task A_later_phase_that_arrives_first_is_indexed_at_the_onset_once_the_onset_arrives()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using SqliteEventStore store = await SqliteEventStore.OpenAsync(Path.Combine(_dir.Path, "events.db"), ct);
        await store.WriteAsync([Event("SLW-C", T0 + 5000, EventPhase.Update, severity: 1, lat: 43.8500)], ct);
        await store.WriteAsync([Event("SLW-C", T0, EventPhase.Onset, severity: 1, lat: 43.8400)], ct);

        EventPage atOnset = await store.QueryAsync(new EventQuery { MinLonDeg = 125.2, MaxLonDeg = 125.3, MinLatDeg = 43.8399, MaxLatDeg = 43.8401, FromUtcMs = T0, ToUtcMs = T0 + 1 }, ct);
        Assert.Equal("SLW-C", Assert.Single(atOnset.Items).Event.Id);
        EventPage atUpdate = await store.QueryAsync(new EventQuery { MinLonDeg = 125.2, MaxLonDeg = 125.3, MinLatDeg = 43.8499, MaxLatDeg = 43.8501 }, ct);
        Assert.Empty(atUpdate.Items);
        Assert.Empty(await store.CheckAsync(ct));
    }

    [Fact]
    public async Task Stats_group_by_type_hour_of_the_zone_intersection_and_cell_on_the_server()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using SqliteEventStore store = await SqliteEventStore.OpenAsync(Path.Combine(_dir.Path, "events.db"), (lat, _) => lat < 43.845 ? "Feiyue Road" : null, ct);

        // T0 is 08:00 UTC, 16:00 in Changchun (UTC+8): the evening peak.
        await store.WriteAsync(
            [
                Event("A", T0, EventPhase.Onset, 1, lat: 43.8440, type: EventType.Rlvw),
                Event("B", T0 + 60_000, EventPhase.Onset, 1, lat: 43.8441, type: EventType.Rlvw),
                Event("C", T0 + 3_600_000, EventPhase.Onset, 1, lat: 43.8471, type: EventType.Slw),
            ],
            ct);

        IReadOnlyList<StatsBucket> byType = await store.StatsAsync(new StatsQuery { By = StatsBy.Type }, ct);
        Assert.Equal([("RLVW", 2L), ("SLW", 1L)], byType.Select(b => (b.Key, b.Count)));
        IReadOnlyList<StatsBucket> byHour = await store.StatsAsync(new StatsQuery { By = StatsBy.Hour }, ct);
        Assert.Equal([("16", 2L), ("17", 1L)], byHour.Select(b => (b.Key, b.Count)));
        IReadOnlyList<StatsBucket> byIntersection = await store.StatsAsync(new StatsQuery { By = StatsBy.Intersection, Filter = new EventQuery { Types = [EventType.Rlvw] } }, ct);
        Assert.Equal([("Feiyue Road", 2L)], byIntersection.Select(b => (b.Key, b.Count)));
        IReadOnlyList<StatsBucket> cells = await store.StatsAsync(new StatsQuery { By = StatsBy.Cell, CellDeg = 0.001 }, ct);
        Assert.Equal(2, cells.Count);
        Assert.Equal(2, cells[0].Count);
        Assert.Equal(43.8445, cells[0].LatitudeDeg!.Value, 6);
    }

    [Fact]
    public async Task Pruning_removes_events_past_retention_with_their_phases_messages_and_index_rows()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using SqliteEventStore store = await SqliteEventStore.OpenAsync(Path.Combine(_dir.Path, "events.db"), ct);
        List<V2xEvent> events = [];
        for (int i = 0; i < 5000; i++)
        {
            events.Add(Event($"OLD{i}", T0 + i, EventPhase.Onset, 1) with { TraceId = $"t{i}" });
        }

        await store.WriteAsync(events, [new EventMessage("t1", "OLD1", "BSM", "VEH", T0, "{}")], ct);
        await store.WriteAsync([Event("NEW", T0 + 86_400_000, EventPhase.Onset, 1)], ct);

        Assert.Equal(5000, await store.PruneAsync(T0 + 3_600_000, ct));
        Assert.Equal(1, await store.CountAsync(ct));
        Assert.Null(await store.GetDetailAsync("OLD1", ct));
        Assert.NotNull(await store.GetAsync("NEW", ct));
        Assert.Empty(await store.CheckAsync(ct));
        Assert.Equal(0, await store.PruneAsync(T0 + 3_600_000, ct));
    }

    [Fact]
    public async Task A_store_of_the_first_schema_is_upgraded_in_place_and_keeps_its_events()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string path = Path.Combine(_dir.Path, "events.db");
        await using (Microsoft.Data.Sqlite.SqliteConnection old = new($"Data Source={path};Pooling=False"))
        {
            await old.OpenAsync(ct);
            await using Microsoft.Data.Sqlite.SqliteCommand command = old.CreateCommand();
            command.CommandText = """
                PRAGMA journal_mode = WAL;
                CREATE TABLE events (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, phase TEXT NOT NULL, severity INTEGER NOT NULL,
                    lat REAL NOT NULL, lon REAL NOT NULL, location TEXT, participants TEXT NOT NULL, figures TEXT NOT NULL, onset_utc_ms INTEGER NOT NULL,
                    last_utc_ms INTEGER NOT NULL, detected_utc_ms INTEGER NOT NULL, trace_id TEXT);
                CREATE INDEX events_onset ON events(onset_utc_ms);
                CREATE VIRTUAL TABLE events_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat);
                INSERT INTO events VALUES (1, 'SLW-OLD', 'SLW', 'update', 2, 43.8471, 125.2241, 'Dongfeng Street', '["VEH0001"]', '{"speedMps":20}', 1795880837829, 1795880842829, 1795880837832, NULL);
                INSERT INTO events_rtree VALUES (1, 125.2241, 125.2241, 43.8471, 43.8471);
                """;
            await command.ExecuteNonQueryAsync(ct);
        }

        await using SqliteEventStore store = await SqliteEventStore.OpenAsync(path, ct);
        Assert.Empty(await store.CheckAsync(ct));
        EventPage found = await store.QueryAsync(new EventQuery { MinLonDeg = 125.22, MaxLonDeg = 125.23, MinLatDeg = 43.84, MaxLatDeg = 43.85 }, ct);
        Assert.Equal("SLW-OLD", Assert.Single(found.Items).Event.Id);
        Assert.Single((await store.GetDetailAsync("SLW-OLD", ct))!.Phases);
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
