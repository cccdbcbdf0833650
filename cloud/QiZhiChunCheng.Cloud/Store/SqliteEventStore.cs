using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using QiZhiChunCheng.Core.Events;

namespace QiZhiChunCheng.Cloud.Store;

/// <summary>
/// The default event store: one SQLite file in WAL mode with an R*Tree spatial index and a time index. Writes are
/// idempotent by event id: a later phase (update, clear) replaces the figures and phase of the same event and keeps
/// its onset time. Writers are serialised; readers run concurrently (WAL). Thread-safe.
/// </summary>
public sealed class SqliteEventStore : IEventStore
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    private SqliteEventStore(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ToString();
    }

    public string Path { get; }

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/>.</summary>
    public static async Task<SqliteEventStore> OpenAsync(string path, CancellationToken cancellationToken = default)
    {
        string? directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        SqliteEventStore store = new(path);
        await using SqliteConnection connection = await store.OpenConnectionAsync(cancellationToken);
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
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
                trace_id TEXT);
            CREATE INDEX IF NOT EXISTS events_onset ON events(onset_utc_ms);
            CREATE VIRTUAL TABLE IF NOT EXISTS events_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat);
            """;
        await command.ExecuteNonQueryAsync(cancellationToken);
        return store;
    }

    public async ValueTask WriteAsync(IReadOnlyList<V2xEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using SqliteCommand upsert = connection.CreateCommand();
            upsert.Transaction = transaction;
            upsert.CommandText = """
                INSERT INTO events (id, type, phase, severity, lat, lon, location, participants, figures, onset_utc_ms, last_utc_ms, detected_utc_ms, trace_id)
                VALUES ($id, $type, $phase, $severity, $lat, $lon, $location, $participants, $figures, $time, $time, $detected, $trace)
                ON CONFLICT(id) DO UPDATE SET
                    phase = excluded.phase,
                    severity = max(severity, excluded.severity),
                    figures = excluded.figures,
                    last_utc_ms = max(last_utc_ms, excluded.last_utc_ms),
                    onset_utc_ms = min(onset_utc_ms, excluded.onset_utc_ms)
                RETURNING rowid;
                """;
            SqliteParameter id = upsert.Parameters.Add("$id", SqliteType.Text);
            SqliteParameter type = upsert.Parameters.Add("$type", SqliteType.Text);
            SqliteParameter phase = upsert.Parameters.Add("$phase", SqliteType.Text);
            SqliteParameter severity = upsert.Parameters.Add("$severity", SqliteType.Integer);
            SqliteParameter lat = upsert.Parameters.Add("$lat", SqliteType.Real);
            SqliteParameter lon = upsert.Parameters.Add("$lon", SqliteType.Real);
            SqliteParameter location = upsert.Parameters.Add("$location", SqliteType.Text);
            SqliteParameter participants = upsert.Parameters.Add("$participants", SqliteType.Text);
            SqliteParameter figures = upsert.Parameters.Add("$figures", SqliteType.Text);
            SqliteParameter time = upsert.Parameters.Add("$time", SqliteType.Integer);
            SqliteParameter detected = upsert.Parameters.Add("$detected", SqliteType.Integer);
            SqliteParameter trace = upsert.Parameters.Add("$trace", SqliteType.Text);

            await using SqliteCommand spatial = connection.CreateCommand();
            spatial.Transaction = transaction;
            spatial.CommandText = "INSERT OR REPLACE INTO events_rtree (id, min_lon, max_lon, min_lat, max_lat) VALUES ($rowid, $lon, $lon, $lat, $lat);";
            SqliteParameter rowid = spatial.Parameters.Add("$rowid", SqliteType.Integer);
            SqliteParameter spatialLon = spatial.Parameters.Add("$lon", SqliteType.Real);
            SqliteParameter spatialLat = spatial.Parameters.Add("$lat", SqliteType.Real);

            foreach (V2xEvent e in events)
            {
                id.Value = e.Id;
                type.Value = V2xEvent.TypeCode(e.Type);
                phase.Value = e.Phase.ToString().ToLowerInvariant();
                severity.Value = (int)e.Severity;
                lat.Value = e.LatitudeDeg;
                lon.Value = e.LongitudeDeg;
                location.Value = (object?)e.Location ?? DBNull.Value;
                participants.Value = JsonSerializer.Serialize([.. e.Participants], CloudJsonContext.Default.ListString);
                figures.Value = JsonSerializer.Serialize(new Dictionary<string, double>(e.Figures), CloudJsonContext.Default.DictionaryStringDouble);
                time.Value = e.EventTimeUtcMs;
                detected.Value = e.DetectedUtcMs;
                trace.Value = (object?)e.TraceId ?? DBNull.Value;
                long row = (long)(await upsert.ExecuteScalarAsync(cancellationToken))!;
                if (e.Phase == EventPhase.Onset)
                {
                    rowid.Value = row;
                    spatialLon.Value = e.LongitudeDeg;
                    spatialLat.Value = e.LatitudeDeg;
                    await spatial.ExecuteNonQueryAsync(cancellationToken);
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
        StringBuilder where = new("WHERE 1 = 1");
        if (query.HasBbox)
        {
            where.Append(" AND e.rowid IN (SELECT id FROM events_rtree WHERE min_lon >= $minLon AND max_lon <= $maxLon AND min_lat >= $minLat AND max_lat <= $maxLat)");
            command.Parameters.AddWithValue("$minLon", query.MinLonDeg!.Value);
            command.Parameters.AddWithValue("$maxLon", query.MaxLonDeg!.Value);
            command.Parameters.AddWithValue("$minLat", query.MinLatDeg!.Value);
            command.Parameters.AddWithValue("$maxLat", query.MaxLatDeg!.Value);
        }

        if (query.FromUtcMs is { } from)
        {
            where.Append(" AND e.onset_utc_ms >= $from");
            command.Parameters.AddWithValue("$from", from);
        }

        if (query.ToUtcMs is { } to)
        {
            where.Append(" AND e.onset_utc_ms < $to");
            command.Parameters.AddWithValue("$to", to);
        }

        if (query.Types is { Count: > 0 } types)
        {
            where.Append(" AND e.type IN (");
            for (int i = 0; i < types.Count; i++)
            {
                where.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"$type{i}");
                command.Parameters.AddWithValue($"$type{i}", V2xEvent.TypeCode(types[i]));
            }

            where.Append(')');
        }

        if (query.MinSeverity is { } minSeverity)
        {
            where.Append(" AND e.severity >= $severity");
            command.Parameters.AddWithValue("$severity", (int)minSeverity);
        }

        command.CommandText = $"SELECT count(*) FROM events e {where};";
        long total = (long)(await command.ExecuteScalarAsync(cancellationToken))!;

        command.CommandText = $"""
            SELECT e.id, e.type, e.phase, e.severity, e.lat, e.lon, e.location, e.participants, e.figures, e.onset_utc_ms, e.detected_utc_ms, e.trace_id
            FROM events e {where}
            ORDER BY e.onset_utc_ms DESC, e.id
            LIMIT $limit OFFSET $offset;
            """;
        command.Parameters.AddWithValue("$limit", query.PageSize);
        command.Parameters.AddWithValue("$offset", (long)(query.Page - 1) * query.PageSize);
        List<V2xEvent> events = [];
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(Read(reader));
        }

        return new EventPage(events, total, query.Page, query.PageSize);
    }

    public async ValueTask<V2xEvent?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken);
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT id, type, phase, severity, lat, lon, location, participants, figures, onset_utc_ms, detected_utc_ms, trace_id FROM events WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async ValueTask<long> CountAsync(CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken);
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM events;";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public ValueTask DisposeAsync()
    {
        _writeGate.Dispose();
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        SqliteConnection connection = new(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using SqliteCommand pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    private static V2xEvent Read(SqliteDataReader reader)
    {
        if (!V2xEvent.TryParseType(reader.GetString(1), out EventType type))
        {
            throw new InvalidDataException($"the store holds an unknown event type '{reader.GetString(1)}'");
        }

        return new V2xEvent
        {
            Id = reader.GetString(0),
            Type = type,
            Phase = Enum.Parse<EventPhase>(reader.GetString(2), ignoreCase: true),
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
    }
}
