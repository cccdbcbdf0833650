using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using QiZhiChunCheng.Core.Events;

namespace QiZhiChunCheng.Cloud.Store;

/// <summary>
/// The default event store: one SQLite file in WAL mode. One row per event id in <c>events</c> (latest phase and
/// figures, highest severity, onset time and position, last time), every phase in <c>event_phases</c>, the
/// messages behind the phases in <c>event_messages</c>, an R*Tree over onset position and time
/// (<c>events_rtree</c>, 32-bit integers: 1e-7 degree and seconds, exact) and a B-tree time index. Writes are
/// idempotent by event id and phase and run in one transaction per batch, serialised; readers run beside them (WAL).
/// A process killed while writing leaves the file consistent: a transaction is in the file whole or not at all.
/// Thread-safe. The schema is in <c>cloud/QiZhiChunCheng.Cloud/README.md</c>.
/// </summary>
public sealed class SqliteEventStore : IEventStore
{
    /// <summary>The schema version written to <c>PRAGMA user_version</c>.</summary>
    public const int SchemaVersion = 2;

    private const string EventColumns = "e.id, e.type, e.phase, e.severity, e.lat, e.lon, e.location, e.participants, e.figures, e.onset_utc_ms, e.detected_utc_ms, e.trace_id, e.last_utc_ms, e.intersection";
    private const double Scale = 1e7;

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Func<double, double, string?>? _intersectionOf;

    private SqliteEventStore(string path, Func<double, double, string?>? intersectionOf)
    {
        Path = path;
        _intersectionOf = intersectionOf;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ToString();
    }

    public string Path { get; }

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/>, with no intersections to name.</summary>
    public static Task<SqliteEventStore> OpenAsync(string path, CancellationToken cancellationToken = default) =>
        OpenAsync(path, null, cancellationToken);

    /// <summary>
    /// Opens (creating if needed) the store at <paramref name="path"/>. <paramref name="intersectionOf"/> names the
    /// intersection at a latitude and longitude (null when none); the store keeps it per event for
    /// <see cref="StatsBy.Intersection"/>.
    /// </summary>
    public static async Task<SqliteEventStore> OpenAsync(string path, Func<double, double, string?>? intersectionOf, CancellationToken cancellationToken = default)
    {
        string? directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        SqliteEventStore store = new(path, intersectionOf);
        await using SqliteConnection connection = await store.OpenConnectionAsync(cancellationToken);
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        await command.ExecuteNonQueryAsync(cancellationToken);
        command.CommandText = "PRAGMA user_version;";
        long version = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'events';";
        bool hasEvents = (long)(await command.ExecuteScalarAsync(cancellationToken))! > 0;
        if (version > SchemaVersion)
        {
            throw new InvalidDataException($"{path} holds event store schema {version}, newer than this program's {SchemaVersion}");
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        command.Transaction = transaction;
        if (hasEvents && version < 2)
        {
            // Schema 1 (one row per event, a floating-point 2-D R*Tree): keep the rows, add what is new, rebuild the index.
            command.CommandText = """
                ALTER TABLE events ADD COLUMN intersection TEXT;
                ALTER TABLE events ADD COLUMN writes INTEGER NOT NULL DEFAULT 1;
                DROP TABLE IF EXISTS events_rtree;
                DROP INDEX IF EXISTS events_onset;
                """;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        command.CommandText = """
            CREATE TABLE IF NOT EXISTS events (
                rowid INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                type TEXT NOT NULL,
                phase TEXT NOT NULL,
                severity INTEGER NOT NULL,
                lat REAL NOT NULL,
                lon REAL NOT NULL,
                location TEXT,
                participants TEXT NOT NULL,
                figures TEXT NOT NULL,
                onset_utc_ms INTEGER NOT NULL,
                last_utc_ms INTEGER NOT NULL,
                detected_utc_ms INTEGER NOT NULL,
                trace_id TEXT,
                intersection TEXT,
                writes INTEGER NOT NULL DEFAULT 1);
            CREATE INDEX IF NOT EXISTS events_time ON events(onset_utc_ms, type, severity);
            CREATE INDEX IF NOT EXISTS events_last ON events(last_utc_ms);
            CREATE VIRTUAL TABLE IF NOT EXISTS events_rtree USING rtree_i32(id, min_lon, max_lon, min_lat, max_lat, min_t, max_t);
            CREATE TABLE IF NOT EXISTS event_phases (
                event_rowid INTEGER NOT NULL,
                time_utc_ms INTEGER NOT NULL,
                phase TEXT NOT NULL,
                detected_utc_ms INTEGER NOT NULL,
                severity INTEGER NOT NULL,
                lat REAL NOT NULL,
                lon REAL NOT NULL,
                figures TEXT NOT NULL,
                trace_id TEXT,
                PRIMARY KEY (event_rowid, time_utc_ms, phase)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS event_messages (
                event_rowid INTEGER NOT NULL,
                trace_id TEXT NOT NULL,
                message_type TEXT NOT NULL,
                source_id TEXT NOT NULL,
                generated_utc_ms INTEGER NOT NULL,
                json TEXT NOT NULL,
                PRIMARY KEY (event_rowid, trace_id)) WITHOUT ROWID;
            """;
        await command.ExecuteNonQueryAsync(cancellationToken);
        if (hasEvents && version < 2)
        {
            command.CommandText = """
                INSERT INTO events_rtree (id, min_lon, max_lon, min_lat, max_lat, min_t, max_t)
                    SELECT rowid, CAST(round(lon * 1e7) AS INTEGER), CAST(round(lon * 1e7) AS INTEGER), CAST(round(lat * 1e7) AS INTEGER), CAST(round(lat * 1e7) AS INTEGER), onset_utc_ms / 1000, onset_utc_ms / 1000 FROM events;
                INSERT OR IGNORE INTO event_phases (event_rowid, time_utc_ms, phase, detected_utc_ms, severity, lat, lon, figures, trace_id)
                    SELECT rowid, last_utc_ms, phase, detected_utc_ms, severity, lat, lon, figures, trace_id FROM events;
                """;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        command.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {SchemaVersion};");
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return store;
    }

    public ValueTask WriteAsync(IReadOnlyList<V2xEvent> events, CancellationToken cancellationToken) =>
        WriteAsync(events, [], cancellationToken);

    public async ValueTask WriteAsync(IReadOnlyList<V2xEvent> events, IReadOnlyList<EventMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(messages);
        if (events.Count == 0)
        {
            return;
        }

        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            using Writer writer = new(connection, transaction);
            Dictionary<string, long> rowids = new(StringComparer.Ordinal);
            foreach (V2xEvent e in events)
            {
                rowids[e.Id] = writer.Write(e, _intersectionOf?.Invoke(e.LatitudeDeg, e.LongitudeDeg));
            }

            foreach (EventMessage m in messages)
            {
                if (rowids.TryGetValue(m.EventId, out long rowid))
                {
                    writer.WriteMessage(rowid, m);
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async ValueTask<EventPage> QueryAsync(EventQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageSize, 1);
        await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken);
        await using SqliteCommand command = connection.CreateCommand();
        string from = Filter(query, command);

        command.CommandText = $"SELECT count(*) FROM {from};";
        long total = (long)(await command.ExecuteScalarAsync(cancellationToken))!;

        command.CommandText = $"""
            SELECT {EventColumns}
            FROM {from}
            ORDER BY e.onset_utc_ms DESC, e.id
            LIMIT $limit OFFSET $offset;
            """;
        command.Parameters.AddWithValue("$limit", query.PageSize);
        command.Parameters.AddWithValue("$offset", (long)(query.Page - 1) * query.PageSize);
        List<StoredEvent> events = [];
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(ReadStored(reader));
        }

        return new EventPage(events, total, query.Page, query.PageSize);
    }

    public async ValueTask<V2xEvent?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken);
        return (await GetStoredAsync(connection, id, cancellationToken))?.Summary.Event;
    }

    public async ValueTask<EventDetail?> GetDetailAsync(string id, CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken);

        // One read transaction: the event, its phases and its messages are one snapshot even while a writer commits.
        await using SqliteTransaction transaction = connection.BeginTransaction(deferred: true);
        if (await GetStoredAsync(connection, id, cancellationToken) is not { } found)
        {
            return null;
        }

        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT phase, time_utc_ms, detected_utc_ms, severity, lat, lon, figures, trace_id FROM event_phases WHERE event_rowid = $rowid ORDER BY time_utc_ms, phase;";
        command.Parameters.AddWithValue("$rowid", found.Rowid);
        List<EventPhaseRecord> phases = [];
        await using (SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                phases.Add(new EventPhaseRecord(
                    ParsePhase(reader.GetString(0)),
                    reader.GetInt64(1),
                    reader.GetInt64(2),
                    (byte)reader.GetInt32(3),
                    reader.GetDouble(4),
                    reader.GetDouble(5),
                    JsonSerializer.Deserialize(reader.GetString(6), CloudJsonContext.Default.DictionaryStringDouble) ?? [],
                    reader.IsDBNull(7) ? null : reader.GetString(7)));
            }
        }

        command.CommandText = "SELECT trace_id, message_type, source_id, generated_utc_ms, json FROM event_messages WHERE event_rowid = $rowid ORDER BY generated_utc_ms;";
        List<EventMessage> messages = [];
        await using (SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                messages.Add(new EventMessage(reader.GetString(0), id, reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4)));
            }
        }

        return new EventDetail(found.Summary, phases, messages);
    }

    public async ValueTask<IReadOnlyList<StatsBucket>> StatsAsync(StatsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.CellDeg);
        await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken);
        await using SqliteCommand command = connection.CreateCommand();
        string from = Filter(query.Filter, command);
        command.CommandText = query.By switch
        {
            StatsBy.Type => $"SELECT e.type, count(*) FROM {from} GROUP BY e.type ORDER BY count(*) DESC, e.type;",
            StatsBy.Hour => $"SELECT ((e.onset_utc_ms + $offset) / 3600000) % 24 AS h, count(*) FROM {from} GROUP BY h ORDER BY h;",
            StatsBy.Intersection => $"SELECT coalesce(e.intersection, ''), count(*) FROM {from} GROUP BY 1 ORDER BY count(*) DESC, 1;",
            StatsBy.Cell => $"SELECT CAST(floor(e.lat / $cell) AS INTEGER) AS y, CAST(floor(e.lon / $cell) AS INTEGER) AS x, count(*) FROM {from} GROUP BY y, x ORDER BY count(*) DESC LIMIT 10000;",
            _ => throw new ArgumentOutOfRangeException(nameof(query), query.By, "unknown grouping"),
        };
        command.Parameters.AddWithValue("$offset", (long)query.UtcOffsetMinutes * 60_000);
        command.Parameters.AddWithValue("$cell", query.CellDeg);
        List<StatsBucket> buckets = [];
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (query.By == StatsBy.Cell)
            {
                double lat = Math.Round((reader.GetInt64(0) + 0.5) * query.CellDeg, 7);
                double lon = Math.Round((reader.GetInt64(1) + 0.5) * query.CellDeg, 7);
                buckets.Add(new StatsBucket(string.Create(CultureInfo.InvariantCulture, $"{lat},{lon}"), reader.GetInt64(2), lat, lon));
            }
            else
            {
                buckets.Add(new StatsBucket(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture) ?? "", reader.GetInt64(1)));
            }
        }

        return buckets;
    }

    public async ValueTask<long> CountAsync(CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken);
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM events;";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async ValueTask<long> PruneAsync(long olderThanUtcMs, CancellationToken cancellationToken)
    {
        long pruned = 0;
        while (true)
        {
            // Chunks of 2,000 events, one transaction each, so that writers are not held up for long.
            await _writeGate.WaitAsync(cancellationToken);
            try
            {
                await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken);
                await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
                await using SqliteCommand command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = """
                    CREATE TEMP TABLE IF NOT EXISTS prune (rowid INTEGER PRIMARY KEY);
                    DELETE FROM prune;
                    INSERT INTO prune SELECT rowid FROM events WHERE last_utc_ms < $cut ORDER BY last_utc_ms LIMIT 2000;
                    DELETE FROM events_rtree WHERE id IN (SELECT rowid FROM prune);
                    DELETE FROM event_phases WHERE event_rowid IN (SELECT rowid FROM prune);
                    DELETE FROM event_messages WHERE event_rowid IN (SELECT rowid FROM prune);
                    DELETE FROM events WHERE rowid IN (SELECT rowid FROM prune);
                    """;
                command.Parameters.AddWithValue("$cut", olderThanUtcMs);
                int deleted = await command.ExecuteNonQueryAsync(cancellationToken);
                command.CommandText = "SELECT changes();";
                long events = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
                command.CommandText = "DROP TABLE prune;";
                await command.ExecuteNonQueryAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                pruned += events;
                if (deleted == 0 || events < 2000)
                {
                    return pruned;
                }
            }
            finally
            {
                _writeGate.Release();
            }
        }
    }

    /// <summary>
    /// The store's own consistency check, for tests and after a crash: SQLite's integrity check, one R*Tree row per
    /// event and one or more phases per event. Returns the problems found (none: empty).
    /// </summary>
    public async Task<IReadOnlyList<string>> CheckAsync(CancellationToken cancellationToken)
    {
        List<string> problems = [];
        await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken);
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        await using (SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if (reader.GetString(0) != "ok")
                {
                    problems.Add($"integrity_check: {reader.GetString(0)}");
                }
            }
        }

        command.CommandText = "SELECT rtreecheck('events_rtree');";
        string rtree = (string)(await command.ExecuteScalarAsync(cancellationToken))!;
        if (rtree != "ok")
        {
            problems.Add($"rtreecheck: {rtree}");
        }

        command.CommandText = """
            SELECT (SELECT count(*) FROM events),
                   (SELECT count(*) FROM events_rtree),
                   (SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM events_rtree r WHERE r.id = e.rowid)),
                   (SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM event_phases p WHERE p.event_rowid = e.rowid));
            """;
        await using (SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            if (reader.GetInt64(0) != reader.GetInt64(1))
            {
                problems.Add($"{reader.GetInt64(0)} events but {reader.GetInt64(1)} R*Tree rows");
            }

            if (reader.GetInt64(2) != 0)
            {
                problems.Add($"{reader.GetInt64(2)} events missing from the R*Tree");
            }

            if (reader.GetInt64(3) != 0)
            {
                problems.Add($"{reader.GetInt64(3)} events without a phase");
            }
        }

        return problems;
    }

    public ValueTask DisposeAsync()
    {
        _writeGate.Dispose();
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }

    /// <summary>The FROM and WHERE of a query, with its parameters added to <paramref name="command"/>.</summary>
    private static string Filter(EventQuery query, SqliteCommand command)
    {
        StringBuilder sql = new();
        if (query.HasBbox)
        {
            // The R*Tree holds 1e-7 degree and whole seconds: widen to whole units there, then filter exactly on the row.
            sql.Append("events_rtree r JOIN events e ON e.rowid = r.id WHERE r.min_lon >= $minLonI AND r.max_lon <= $maxLonI AND r.min_lat >= $minLatI AND r.max_lat <= $maxLatI");
            sql.Append(" AND e.lon >= $minLon AND e.lon <= $maxLon AND e.lat >= $minLat AND e.lat <= $maxLat");
            command.Parameters.AddWithValue("$minLonI", (long)Math.Floor(query.MinLonDeg!.Value * Scale));
            command.Parameters.AddWithValue("$maxLonI", (long)Math.Ceiling(query.MaxLonDeg!.Value * Scale));
            command.Parameters.AddWithValue("$minLatI", (long)Math.Floor(query.MinLatDeg!.Value * Scale));
            command.Parameters.AddWithValue("$maxLatI", (long)Math.Ceiling(query.MaxLatDeg!.Value * Scale));
            command.Parameters.AddWithValue("$minLon", query.MinLonDeg.Value);
            command.Parameters.AddWithValue("$maxLon", query.MaxLonDeg.Value);
            command.Parameters.AddWithValue("$minLat", query.MinLatDeg.Value);
            command.Parameters.AddWithValue("$maxLat", query.MaxLatDeg.Value);
            if (query.FromUtcMs is { } fromS)
            {
                sql.Append(" AND r.min_t >= $fromS");
                command.Parameters.AddWithValue("$fromS", Math.Clamp(Math.DivRem(fromS, 1000L).Quotient - 1, int.MinValue, int.MaxValue));
            }

            if (query.ToUtcMs is { } toS)
            {
                sql.Append(" AND r.max_t <= $toS");
                command.Parameters.AddWithValue("$toS", Math.Clamp((toS / 1000) + 1, int.MinValue, int.MaxValue));
            }
        }
        else
        {
            sql.Append("events e WHERE 1 = 1");
        }

        if (query.FromUtcMs is { } from)
        {
            sql.Append(" AND e.onset_utc_ms >= $from");
            command.Parameters.AddWithValue("$from", from);
        }

        if (query.ToUtcMs is { } to)
        {
            sql.Append(" AND e.onset_utc_ms < $to");
            command.Parameters.AddWithValue("$to", to);
        }

        if (query.Types is { Count: > 0 } types)
        {
            sql.Append(" AND e.type IN (");
            for (int i = 0; i < types.Count; i++)
            {
                sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"$type{i}");
                command.Parameters.AddWithValue($"$type{i}", V2xEvent.TypeCode(types[i]));
            }

            sql.Append(')');
        }

        if (query.MinSeverity is { } minSeverity)
        {
            sql.Append(" AND e.severity >= $severity");
            command.Parameters.AddWithValue("$severity", (int)minSeverity);
        }

        return sql.ToString();
    }

    private static async Task<(long Rowid, StoredEvent Summary)?> GetStoredAsync(SqliteConnection connection, string id, CancellationToken cancellationToken)
    {
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = $"SELECT {EventColumns}, e.rowid FROM events e WHERE e.id = $id;";
        command.Parameters.AddWithValue("$id", id);
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(14), ReadStored(reader)) : null;
    }

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        SqliteConnection connection = new(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using SqliteCommand pragma = connection.CreateCommand();

        // NORMAL in WAL mode: a commit is not fsynced, so a power cut may lose the last commits, but a killed
        // process loses nothing that was committed and never leaves a half transaction.
        // A 64 MB page cache per connection: the indexes of a few million events stay in memory, and inserts at
        // random places in them (ids, onset times) do not go to the disk each time.
        pragma.CommandText = "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    private static StoredEvent ReadStored(SqliteDataReader reader)
    {
        if (!V2xEvent.TryParseType(reader.GetString(1), out EventType type))
        {
            throw new InvalidDataException($"the store holds an unknown event type '{reader.GetString(1)}'");
        }

        V2xEvent e = new()
        {
            Id = reader.GetString(0),
            Type = type,
            Phase = ParsePhase(reader.GetString(2)),
            Severity = (byte)reader.GetInt32(3),
            LatitudeDeg = reader.GetDouble(4),
            LongitudeDeg = reader.GetDouble(5),
            Location = reader.IsDBNull(6) ? null : reader.GetString(6),
            Participants = JsonSerializer.Deserialize(reader.GetString(7), CloudJsonContext.Default.ListString) ?? [],
            Figures = JsonSerializer.Deserialize(reader.GetString(8), CloudJsonContext.Default.DictionaryStringDouble) ?? [],
            EventTimeUtcMs = reader.GetInt64(9),
            DetectedUtcMs = reader.GetInt64(10),
            TraceId = reader.IsDBNull(11) ? null : reader.GetString(11),
        };
        return new StoredEvent(e, reader.GetInt64(12), reader.IsDBNull(13) ? null : reader.GetString(13));
    }

    private static EventPhase ParsePhase(string text) => text switch
    {
        "onset" => EventPhase.Onset,
        "update" => EventPhase.Update,
        "clear" => EventPhase.Clear,
        _ => throw new InvalidDataException($"the store holds an unknown event phase '{text}'"),
    };

    private static string PhaseText(EventPhase phase) => phase switch
    {
        EventPhase.Onset => "onset",
        EventPhase.Update => "update",
        _ => "clear",
    };

    /// <summary>The prepared statements of one write transaction.</summary>
    private sealed class Writer : IDisposable
    {
        private readonly SqliteCommand _upsert;
        private readonly SqliteCommand _spatial;
        private readonly SqliteCommand _phase;
        private readonly SqliteCommand _message;

        public Writer(SqliteConnection connection, SqliteTransaction transaction)
        {
            // The row keeps the onset's time, position and trace id (the earliest phase seen), the latest phase's
            // phase and figures, and the highest severity; `writes` tells a new row from an updated one.
            _upsert = Command(connection, transaction, """
                INSERT INTO events (id, type, phase, severity, lat, lon, location, participants, figures, onset_utc_ms, last_utc_ms, detected_utc_ms, trace_id, intersection)
                VALUES ($id, $type, $phase, $severity, $lat, $lon, $location, $participants, $figures, $time, $time, $detected, $trace, $intersection)
                ON CONFLICT(id) DO UPDATE SET
                    phase = CASE WHEN excluded.last_utc_ms >= last_utc_ms THEN excluded.phase ELSE phase END,
                    figures = CASE WHEN excluded.last_utc_ms >= last_utc_ms THEN excluded.figures ELSE figures END,
                    severity = max(severity, excluded.severity),
                    lat = CASE WHEN excluded.onset_utc_ms < onset_utc_ms THEN excluded.lat ELSE lat END,
                    lon = CASE WHEN excluded.onset_utc_ms < onset_utc_ms THEN excluded.lon ELSE lon END,
                    intersection = CASE WHEN excluded.onset_utc_ms < onset_utc_ms THEN excluded.intersection ELSE intersection END,
                    trace_id = CASE WHEN excluded.onset_utc_ms < onset_utc_ms THEN excluded.trace_id ELSE trace_id END,
                    detected_utc_ms = CASE WHEN excluded.onset_utc_ms < onset_utc_ms THEN excluded.detected_utc_ms ELSE detected_utc_ms END,
                    last_utc_ms = max(last_utc_ms, excluded.last_utc_ms),
                    onset_utc_ms = min(onset_utc_ms, excluded.onset_utc_ms),
                    writes = writes + 1
                RETURNING rowid, writes, onset_utc_ms, lat, lon;
                """, "$id", "$type", "$phase", "$severity", "$lat", "$lon", "$location", "$participants", "$figures", "$time", "$detected", "$trace", "$intersection");
            _spatial = Command(connection, transaction, "INSERT OR REPLACE INTO events_rtree (id, min_lon, max_lon, min_lat, max_lat, min_t, max_t) VALUES ($rowid, $lon, $lon, $lat, $lat, $t, $t);", "$rowid", "$lon", "$lat", "$t");
            _phase = Command(connection, transaction, """
                INSERT OR IGNORE INTO event_phases (event_rowid, time_utc_ms, phase, detected_utc_ms, severity, lat, lon, figures, trace_id)
                VALUES ($rowid, $time, $phase, $detected, $severity, $lat, $lon, $figures, $trace);
                """, "$rowid", "$time", "$phase", "$detected", "$severity", "$lat", "$lon", "$figures", "$trace");
            _message = Command(connection, transaction, """
                INSERT OR IGNORE INTO event_messages (event_rowid, trace_id, message_type, source_id, generated_utc_ms, json)
                VALUES ($rowid, $trace, $type, $source, $generated, $json);
                """, "$rowid", "$trace", "$type", "$source", "$generated", "$json");
        }

        public long Write(V2xEvent e, string? intersection)
        {
            string phase = PhaseText(e.Phase);
            string figures = FiguresJson(e.Figures);
            object trace = (object?)e.TraceId ?? DBNull.Value;
            Set(_upsert, e.Id, V2xEvent.TypeCode(e.Type), phase, (int)e.Severity, e.LatitudeDeg, e.LongitudeDeg, (object?)e.Location ?? DBNull.Value,
                ParticipantsJson(e.Participants), figures, e.EventTimeUtcMs, e.DetectedUtcMs, trace, (object?)intersection ?? DBNull.Value);
            long rowid;
            long writes;
            long onset;
            double lat;
            double lon;
            using (SqliteDataReader reader = _upsert.ExecuteReader())
            {
                reader.Read();
                rowid = reader.GetInt64(0);
                writes = reader.GetInt64(1);
                onset = reader.GetInt64(2);
                lat = reader.GetDouble(3);
                lon = reader.GetDouble(4);
            }

            if (writes == 1 || onset == e.EventTimeUtcMs)
            {
                // A new event, or this phase is (again) its earliest: index the onset's position and time.
                Set(_spatial, rowid, (long)Math.Round(lon * Scale), (long)Math.Round(lat * Scale), Math.DivRem(onset, 1000L).Quotient);
                _spatial.ExecuteNonQuery();
            }

            Set(_phase, rowid, e.EventTimeUtcMs, phase, e.DetectedUtcMs, (int)e.Severity, e.LatitudeDeg, e.LongitudeDeg, figures, trace);
            _phase.ExecuteNonQuery();
            return rowid;
        }

        // Written by hand: the serializer's setup per call and a copy of the dictionary cost more than the SQL of a small event.
        private static string FiguresJson(IReadOnlyDictionary<string, double> figures)
        {
            StringBuilder json = new("{");
            foreach (KeyValuePair<string, double> figure in figures)
            {
                if (!double.IsFinite(figure.Value))
                {
                    continue; // JSON has no NaN or infinity; a figure that is not a number is not kept
                }

                json.Append(json.Length > 1 ? "," : "").Append(JsonSerializer.Serialize(figure.Key, CloudJsonContext.Default.String)).Append(':');
                json.Append(figure.Value.ToString("R", CultureInfo.InvariantCulture));
            }

            return json.Append('}').ToString();
        }

        private static string ParticipantsJson(IReadOnlyList<string> participants)
        {
            StringBuilder json = new("[");
            for (int i = 0; i < participants.Count; i++)
            {
                json.Append(i == 0 ? "" : ",").Append(JsonSerializer.Serialize(participants[i], CloudJsonContext.Default.String));
            }

            return json.Append(']').ToString();
        }

        public void WriteMessage(long rowid, EventMessage m)
        {
            Set(_message, rowid, m.TraceId, m.MessageType, m.SourceId, m.GeneratedUtcMs, m.Json);
            _message.ExecuteNonQuery();
        }

        public void Dispose()
        {
            _upsert.Dispose();
            _spatial.Dispose();
            _phase.Dispose();
            _message.Dispose();
        }

        private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] parameters)
        {
            SqliteCommand command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            foreach (string name in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            command.Prepare();
            return command;
        }

        private static void Set(SqliteCommand command, params object[] values)
        {
            for (int i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i];
            }
        }
    }
}
