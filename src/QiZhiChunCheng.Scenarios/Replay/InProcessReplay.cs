using System.Text;
using System.Text.Json;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;
using QiZhiChunCheng.Engine;
using QiZhiChunCheng.Engine.Detectors;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Engine.World;
using QiZhiChunCheng.Mqtt;
using QiZhiChunCheng.NetTopologySuite;
using QiZhiChunCheng.Scenarios.Format;

namespace QiZhiChunCheng.Scenarios.Replay;

/// <summary>How the fused tracks compared with the truth over a replay.</summary>
public sealed record FusionScore
{
    /// <summary>Track positions compared with the truth (one per confirmed track per evaluated tick).</summary>
    public long Samples { get; init; }

    /// <summary>Root mean square of the position errors (m); null when nothing could be compared.</summary>
    public double? RmseM { get; init; }

    public double? MaxErrorM { get; init; }

    /// <summary>Track-ticks that were a second (or third ...) track of a participant already tracked at that tick.</summary>
    public long Duplicates { get; init; }

    /// <summary>Duplicates over the track-ticks matched to a participant; null when none were.</summary>
    public double? DuplicateTrackShare { get; init; }

    /// <summary>Track-ticks with no participant of the truth within the gate (background traffic without truth, or ghosts).</summary>
    public long Unmatched { get; init; }
}

/// <summary>What an in-process replay produced.</summary>
public sealed record ReplayResult
{
    /// <summary>Every event phase raised, in order; event times are the scenario's own (start + offset).</summary>
    public required IReadOnlyList<V2xEvent> Events { get; init; }

    /// <summary>Message lines replayed (accepted or not).</summary>
    public long Messages { get; init; }

    /// <summary>Messages the platform would refuse (decode or validation), by the same rules as the cloud's ingest.</summary>
    public long Rejected { get; init; }

    /// <summary>The first few refusals and bad lines, each <c>file:line: reason</c>.</summary>
    public required IReadOnlyList<string> Problems { get; init; }

    /// <summary>Lines that were not messages at all (bad JSON, times going backwards); a well-formed folder has none.</summary>
    public long BadLines { get; init; }

    public long Ticks { get; init; }

    public required FusionScore Fusion { get; init; }

    /// <summary>The truth's names of the participants, to resolve event participants (empty without truth).</summary>
    public required Func<string, string?> ResolveParticipant { get; init; }

    /// <summary>Every participant id of the truth.</summary>
    public required IReadOnlySet<string> TruthIds { get; init; }

    /// <summary>The lane map's frame, to measure distances between positions.</summary>
    public required Core.Geo.LocalFrame Frame { get; init; }

    /// <summary>The traffic state per lane segment against the truth (model and TJW); null without truth.</summary>
    public TrafficStateScore? Traffic { get; init; }
}

/// <summary>Options of the in-process replay.</summary>
public sealed record InProcessReplayOptions
{
    /// <summary>The engine's options; null: the embedded default zone with the scenario's road surface.</summary>
    public EngineOptions? Engine { get; init; }

    /// <summary>The zone prefix of the topics, if the scenario was recorded with one.</summary>
    public string? ZonePrefix { get; init; }

    /// <summary>A track within this distance of a participant of the truth that has no id in common with it is matched to it (m).</summary>
    public double GateM { get; init; } = 5;

    /// <summary>How many refusals and bad lines to keep in <see cref="ReplayResult.Problems"/>.</summary>
    public int MaxProblems { get; init; } = 20;
}

/// <summary>
/// Replays a scenario straight into a <see cref="DetectionEngine"/> in this process, as fast as it can: the offline
/// evaluation behind <c>qzcc scenario verify</c>. Each line goes the way the cloud takes it (topic, JSON decode,
/// validation, the compact binary frame, the engine), with generation time = the scenario's start + the line's
/// offset; MAP messages switch the engine's map as the cloud's workers do. After every evaluated tick the fused
/// tracks are compared with the truth. Deterministic: the same folder gives the same result. One call, one engine.
/// </summary>
public static class InProcessReplay
{
    private static readonly Lazy<LaneMap> DefaultMap = new(() => ZoneMapLoader.Default.RequireLaneMap());

    /// <summary>The engine options for a scenario: the default zone and the scenario's road surface.</summary>
    public static EngineOptions EngineOptionsFor(ScenarioManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        RoadSurface surface = manifest.Surface switch
        {
            "snow" => RoadSurface.Snow,
            "ice" => RoadSurface.Ice,
            _ => RoadSurface.Dry,
        };
        return new EngineOptions { Map = DefaultMap.Value, Surface = new SurfaceOptions { Surface = surface } };
    }

    /// <summary>
    /// Runs the replay. <paramref name="progress"/> is told the offset (ms) of each message line as it goes
    /// (cheap; call sites throttle their drawing). Cancellation stops between lines.
    /// </summary>
    public static ReplayResult Run(ScenarioFolder folder, InProcessReplayOptions? options = null, Action<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(folder);
        options ??= new InProcessReplayOptions();
        ScenarioManifest manifest = folder.Manifest;
        EngineOptions engineOptions = options.Engine ?? EngineOptionsFor(manifest);
        DetectionEngine engine = new(engineOptions);
        V2xTopics topics = new(options.ZonePrefix);
        List<string> problems = [];
        long badLines = 0;
        void Problem(string p)
        {
            if (problems.Count < options.MaxProblems)
            {
                problems.Add(p);
            }
        }

        TruthTimeline truth = new(folder.ReadTruth(p =>
        {
            badLines++;
            Problem(p);
        }), engine.Map.Frame);
        FusionScorer scorer = new(truth, options.GateM);
        TrafficStateScorer? traffic = folder.TruthFile is null ? null : new(truth);
        Dictionary<DeviceId, long> sequences = [];
        List<V2xEvent> events = [];
        MapData? lastMap = null;
        long messages = 0;
        long rejected = 0;
        long ticks = 0;
        int line = 0;
        foreach (ScenarioMessage m in folder.ReadMessages(p =>
        {
            badLines++;
            Problem(p);
        }))
        {
            cancellationToken.ThrowIfCancellationRequested();
            line++;
            messages++;
            progress?.Invoke(m.T);
            if (!topics.TryParse(m.Topic, out TopicInfo topic) || !topic.Uplink)
            {
                rejected++;
                Problem($"{folder.MessagesFile}: message {line} (t {m.T}): topic '{m.Topic}' is not a V2X uplink topic");
                continue;
            }

            if (topic.Channel != TopicChannel.Message)
            {
                continue; // heartbeats: transport bookkeeping only
            }

            long received = manifest.StartUtcMs + m.T;
            long generated = manifest.StartUtcMs + (m.GeneratedT ?? m.T);
            long sequence = sequences.TryGetValue(topic.DeviceId, out long s) ? s + 1 : 1;
            sequences[topic.DeviceId] = sequence;
            Envelope envelope = new()
            {
                SourceKind = topic.Kind,
                SourceId = topic.DeviceId,
                Type = topic.MessageType,
                GeneratedUtcMs = generated,
                IngestUtcMs = received,
                Sequence = sequence,
            };
            byte[] payload = PayloadBytes(m.Payload);
            if (!JsonCodec.TryDecode(topic.MessageType, payload, envelope, out V2xMessage decoded, out Rejection rejection)
                || !MessageValidator.TryValidate(decoded, out rejection)
                || !BinaryCodec.TryDecode(BinaryCodec.Encode(decoded), out decoded, out rejection))
            {
                rejected++;
                Problem($"{folder.MessagesFile}: message {line} (t {m.T}, {m.Topic}) refused: {rejection.Reason}");
                continue;
            }

            if (decoded.Type == MessageType.Map && !decoded.Map.Equals(lastMap))
            {
                lastMap = decoded.Map;
                NetTopologySuite.ZoneMap zone = ZoneMapLoader.Load(decoded, ZoneMapLoader.Default.SignalPlans);
                if (zone.IsValid)
                {
                    engine.UseMap(zone.LaneMap!);
                }
                else
                {
                    Problem($"{folder.MessagesFile}: message {line} (t {m.T}): MAP refused, keeping the current map: {zone.Problems[0]}");
                }
            }

            engine.Process(decoded, events);
            if (engine.Counters.Ticks != ticks)
            {
                ticks = engine.Counters.Ticks;
                scorer.Score(engine.LastTickUtcMs - manifest.StartUtcMs, engine.LastTickTracks);
                traffic?.Tick(engine, engine.LastTickUtcMs - manifest.StartUtcMs, events, manifest.StartUtcMs);
            }
        }

        truth.ReadToEnd();
        return new ReplayResult
        {
            Events = events,
            Messages = messages,
            Rejected = rejected,
            BadLines = badLines,
            Problems = problems,
            Ticks = ticks,
            Fusion = scorer.Result(),
            ResolveParticipant = truth.Resolve,
            TruthIds = truth.Ids,
            Frame = engine.Map.Frame,
            Traffic = traffic?.Result(),
        };
    }

    /// <summary>The payload as published: an object's JSON text, or a string's content (a payload kept as text).</summary>
    public static byte[] PayloadBytes(JsonElement payload) =>
        payload.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetBytes(payload.GetString()!) : Encoding.UTF8.GetBytes(payload.GetRawText());

    /// <summary>Compares each tick's confirmed tracks with the truth at the tick's time.</summary>
    private sealed class FusionScorer(TruthTimeline truth, double gateM)
    {
        private readonly List<TruthPoint> _points = [];
        private readonly Dictionary<string, int> _perParticipant = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly List<int> _byX = [];
        private long _samples;
        private double _sumSquares;
        private double _max;
        private long _duplicates;
        private long _unmatched;

        public void Score(long tMs, ReadOnlySpan<TrackState> tracks)
        {
            if (tracks.IsEmpty || !truth.TryGetAt(tMs, _points))
            {
                return;
            }

            _perParticipant.Clear();
            _index.Clear();
            _byX.Clear();
            for (int i = 0; i < _points.Count; i++)
            {
                _index[_points[i].Id] = i;
                _byX.Add(i);
            }

            _byX.Sort((a, b) => _points[a].XM.CompareTo(_points[b].XM));
            foreach (ref readonly TrackState track in tracks)
            {
                if (track.Status is not (TrackStatus.Confirmed or TrackStatus.Coasting))
                {
                    continue;
                }

                ParticipantRef p = track.Participant;
                string? id = p.IsVehicle ? truth.ByBsm(p.VehicleId.Value) : p.IsEmpty ? null : truth.ByPtc(p.RsuId.Value, p.PtcId);
                if (id is null || !_index.TryGetValue(id, out int index))
                {
                    index = Nearest(track.XM, track.YM);
                }

                if (index < 0)
                {
                    _unmatched++;
                    continue;
                }

                TruthPoint t = _points[index];
                double dx = track.XM - t.XM, dy = track.YM - t.YM;
                double d2 = (dx * dx) + (dy * dy);
                _samples++;
                _sumSquares += d2;
                _max = Math.Max(_max, Math.Sqrt(d2));
                int seen = _perParticipant.GetValueOrDefault(t.Id);
                if (seen > 0)
                {
                    _duplicates++;
                }

                _perParticipant[t.Id] = seen + 1;
            }
        }

        public FusionScore Result() => new()
        {
            Samples = _samples,
            RmseM = _samples == 0 ? null : Math.Round(Math.Sqrt(_sumSquares / _samples), 3),
            MaxErrorM = _samples == 0 ? null : Math.Round(_max, 3),
            Duplicates = _duplicates,
            DuplicateTrackShare = _samples == 0 ? null : Math.Round((double)_duplicates / _samples, 4),
            Unmatched = _unmatched,
        };

        // The nearest participant within the gate: a binary search on east for the band [x - gate, x + gate].
        private int Nearest(double x, double y)
        {
            int lo = 0, hi = _byX.Count;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (_points[_byX[mid]].XM < x - gateM)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            int best = -1;
            double bestD2 = gateM * gateM;
            for (int k = lo; k < _byX.Count && _points[_byX[k]].XM <= x + gateM; k++)
            {
                int i = _byX[k];
                double dx = x - _points[i].XM, dy = y - _points[i].YM;
                double d2 = (dx * dx) + (dy * dy);
                if (d2 <= bestD2)
                {
                    bestD2 = d2;
                    best = i;
                }
            }

            return best;
        }
    }
}
