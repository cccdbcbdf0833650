using System.IO.Compression;
using System.Text.Json;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;
using QiZhiChunCheng.Engine;
using QiZhiChunCheng.Engine.Detectors;
using QiZhiChunCheng.NetTopologySuite;
using QiZhiChunCheng.Scenarios.Format;

namespace QiZhiChunCheng.Scenarios.Tests;

/// <summary>One event onset as a scenario sees it: offset from the start, type, participants resolved to truth ids.</summary>
internal sealed record Onset(long TMs, string Type, IReadOnlyList<string> Participants, byte Severity)
{
    public override string ToString() => $"{TMs} {Type} [{string.Join(", ", Participants)}] sev {Severity}";
}

/// <summary>
/// Replays a generated scenario folder through a real <see cref="DetectionEngine"/> on the default zone, in process:
/// each message decoded from its JER JSON with its publication time as the envelope's, in file order. The verdict
/// is the one the format describes: every expected event has an onset of its type, involving its participants
/// (subject first) within its window; no forbidden event has one.
/// </summary>
internal static class EngineCheck
{
    private static readonly Lazy<Engine.Map.LaneMap> Map = new(() => ZoneMapLoader.Default.RequireLaneMap());

    public static (List<Onset> Onsets, List<string> Failures) Run(string folder)
    {
        ScenarioManifest manifest = JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(folder, "scenario.json")), ScenarioJson.Default.ScenarioManifest)!;
        ExpectedEvents expected = JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(folder, "expected-events.json")), ScenarioJson.Default.ExpectedEvents)!;
        Dictionary<string, string> names = [];
        foreach (string line in Lines(Path.Combine(folder, "truth.jsonl.gz")))
        {
            TruthSample s = JsonSerializer.Deserialize(line, ScenarioJson.Default.TruthSample)!;
            if (s.BsmId is { } b)
            {
                names[b] = s.Id;
            }

            foreach ((string rsu, int ptc) in s.Ptc ?? [])
            {
                names[$"{rsu}:{ptc}"] = s.Id;
            }
        }

        RoadSurface surface = manifest.Surface switch { "ice" => RoadSurface.Ice, "snow" => RoadSurface.Snow, _ => RoadSurface.Dry };
        DetectionEngine engine = new(new EngineOptions { Map = Map.Value, Surface = new SurfaceOptions { Surface = surface } });
        List<V2xEvent> events = [];
        List<string> failures = [];
        foreach (string line in Lines(Path.Combine(folder, "messages.jsonl.gz")))
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            long t = doc.RootElement.GetProperty("t").GetInt64();
            string topic = doc.RootElement.GetProperty("topic").GetString()!;
            string[] parts = topic.Split('/');
            MessageType type = parts[3] switch
            {
                "BSM" => MessageType.Bsm,
                "RSM" => MessageType.Rsm,
                "SPAT" => MessageType.Spat,
                "RSI" => MessageType.Rsi,
                _ => MessageType.Map,
            };
            Envelope envelope = new()
            {
                SourceKind = parts[1] == "RSU" ? SourceKind.Rsu : SourceKind.Obu,
                SourceId = DeviceId.Parse(parts[2]),
                Type = type,
                GeneratedUtcMs = manifest.StartUtcMs + t,
                IngestUtcMs = manifest.StartUtcMs + t,
            };
            byte[] payload = JsonSerializer.SerializeToUtf8Bytes(doc.RootElement.GetProperty("payload"));
            if (!JsonCodec.TryDecode(type, payload, envelope, out V2xMessage message, out Rejection rejection))
            {
                failures.Add($"{topic} at {t}: {rejection}");
                continue;
            }

            if (!MessageValidator.TryValidate(message, out Rejection invalid))
            {
                failures.Add($"{topic} at {t}: invalid {invalid}");
                continue;
            }

            engine.Process(message, events);
        }

        engine.AdvanceTo(manifest.StartUtcMs + manifest.DurationMs);
        engine.DrainEvents(events);
        List<Onset> onsets = [.. events.Where(e => e.Phase == EventPhase.Onset).Select(e => new Onset(
            e.EventTimeUtcMs - manifest.StartUtcMs,
            V2xEvent.TypeCode(e.Type),
            [.. e.Participants.Select(p => names.TryGetValue(p, out string? id) ? id : p)],
            e.Severity))];

        foreach (ExpectedEvent x in expected.Expected)
        {
            if (!onsets.Any(o => o.Type == x.Type && o.TMs >= x.FromMs && o.TMs <= x.ToMs && Involves(o, x.Participants)))
            {
                failures.Add($"missed {x.Type} [{string.Join(", ", x.Participants)}] in {x.FromMs}..{x.ToMs}");
            }
        }

        foreach (ForbiddenEvent f in expected.Forbidden)
        {
            foreach (Onset o in onsets.Where(o => o.Type == f.Type && o.TMs >= f.FromMs && o.TMs <= (f.ToMs ?? long.MaxValue) && InvolvesAny(o, f.Participants)))
            {
                failures.Add($"forbidden {o}");
            }
        }

        return (onsets, failures);
    }

    private static bool Involves(Onset o, List<string> participants) =>
        participants.Count == 0 || (o.Participants.Count >= 1 && o.Participants[0] == participants[0] && participants.All(o.Participants.Contains));

    private static bool InvolvesAny(Onset o, List<string> participants) =>
        participants.Count == 0 || o.Participants.Any(participants.Contains);

    private static IEnumerable<string> Lines(string path)
    {
        using FileStream file = File.OpenRead(path);
        using GZipStream gzip = new(file, CompressionMode.Decompress);
        using StreamReader reader = new(gzip);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                yield return line;
            }
        }
    }
}
