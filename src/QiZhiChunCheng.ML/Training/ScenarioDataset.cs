using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.Engine;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Engine.Trust;
using QiZhiChunCheng.NetTopologySuite;
using QiZhiChunCheng.Scenarios.Format;
using QiZhiChunCheng.Scenarios.Replay;

namespace QiZhiChunCheng.ML.Training;

/// <summary>One source window of a scenario with its label (anomalous: the scenario's MISBEHAVIOR event names it then).</summary>
public sealed record SourceWindow(SourceKind Kind, ulong SourceId, long WindowEndMs, float[] Features, bool Anomalous);

/// <summary>One lane-segment window of a scenario with its level from the truth and the truth's speed ratio behind it.</summary>
public sealed record SegmentWindow(int Segment, long WindowEndMs, float[] Features, TrafficLevel Truth, double TruthSpeedRatio);

/// <summary>What one scenario gave: its windows, labelled. Window times are ms from the scenario's start.</summary>
public sealed record ScenarioData
{
    public required string Name { get; init; }

    public required string Path { get; init; }

    /// <summary>Whether expected-events.json names a misbehaving source.</summary>
    public bool HasMisbehavior { get; init; }

    public required IReadOnlyList<SourceWindow> Sources { get; init; }

    public required IReadOnlyList<SegmentWindow> Segments { get; init; }
}

/// <summary>
/// Turns scenario folders into labelled windows: replays each folder through the engine in process (the path of
/// <c>qzcc scenario verify</c>) with a <see cref="ITrustObserver"/> that copies every source and segment window, then
/// labels them:
/// <list type="bullet">
/// <item>a source window is anomalous when an expected <c>MISBEHAVIOR</c> event names that source (a truth
/// participant, through its BSM id, or an RSU by its device id, through the zone's RSU list) and the window's end lies
/// in that event's window;</item>
/// <item>a segment window's level comes from the truth: the mean true speed of the vehicles the truth places on that
/// segment (<see cref="LaneSegments.Locate"/> on the true position and heading) over the same 5 s, over the lane's
/// limit: at least 0.6 free flow, 0.25 up to 0.6 slowing, below 0.25 congested. A window whose segment held no true
/// vehicle (a ghost's, say) has no label and is left out.</item>
/// </list>
/// Deterministic: the same folder gives the same windows. Not thread-safe per call; calls are independent.
/// </summary>
public static class ScenarioDataset
{
    public const double FreeFlowRatio = 0.6;
    public const double CongestedRatio = 0.25;

    /// <summary>The level of a mean speed over the lane's limit.</summary>
    public static TrafficLevel LevelOf(double speedRatio) =>
        speedRatio >= FreeFlowRatio ? TrafficLevel.FreeFlow : speedRatio >= CongestedRatio ? TrafficLevel.Slowing : TrafficLevel.Congested;

    /// <summary>Replays and labels one scenario folder; throws <see cref="ScenarioFormatException"/> or <see cref="IOException"/> with a one-line reason.</summary>
    public static ScenarioData Extract(string dir, IScenarioGenerator? generator = null, CancellationToken cancellationToken = default)
    {
        ScenarioFolder folder = ScenarioFolder.Open(dir, generator);
        ScenarioManifest manifest = folder.Manifest;
        EngineOptions baseOptions = InProcessReplay.EngineOptionsFor(manifest);
        Collector collector = new(manifest.StartUtcMs);
        EngineOptions engine = baseOptions with
        {
            Trust = baseOptions.Trust with { Observer = collector, AnomalyScorer = null, TrafficModel = null },
        };
        ReplayResult replay = InProcessReplay.Run(folder, new InProcessReplayOptions { Engine = engine }, cancellationToken: cancellationToken);
        if (replay.BadLines > 0)
        {
            throw new ScenarioFormatException($"{dir}: {replay.BadLines} line(s) could not be read, the first: {(replay.Problems.Count > 0 ? replay.Problems[0] : "")}");
        }

        List<TruthSample> truth = [.. folder.ReadTruth()];
        List<(SourceKind Kind, ulong Id, long From, long To)> faults = Faults(folder, truth);
        List<SourceWindow> sources = new(collector.Sources.Count);
        foreach (SourceWindow w in collector.Sources)
        {
            bool anomalous = false;
            foreach ((SourceKind kind, ulong id, long from, long to) in faults)
            {
                anomalous |= kind == w.Kind && id == w.SourceId && w.WindowEndMs >= from && w.WindowEndMs <= to;
            }

            sources.Add(anomalous ? w with { Anomalous = true } : w);
        }

        TruthSpeeds speeds = new(truth, baseOptions.Map);
        List<SegmentWindow> segments = new(collector.Segments.Count);
        foreach ((int segment, long end, float[] features) in collector.Segments)
        {
            if (speeds.MeanRatio(segment, end - SegmentFeatures.WindowMs, end) is { } ratio)
            {
                segments.Add(new SegmentWindow(segment, end, features, LevelOf(ratio), ratio));
            }
        }

        return new ScenarioData
        {
            Name = manifest.Name,
            Path = folder.Path,
            HasMisbehavior = faults.Count > 0,
            Sources = sources,
            Segments = segments,
        };
    }

    /// <summary>The sources the expected MISBEHAVIOR events name, with their windows (ms from the start).</summary>
    private static List<(SourceKind, ulong, long, long)> Faults(ScenarioFolder folder, List<TruthSample> truth)
    {
        List<(SourceKind, ulong, long, long)> faults = [];
        foreach (ExpectedEvent x in folder.Expected.Expected)
        {
            if (!string.Equals(x.Type, "MISBEHAVIOR", StringComparison.OrdinalIgnoreCase) || x.Participants.Count == 0)
            {
                continue;
            }

            string name = x.Participants[0];
            (SourceKind Kind, ulong Id)? source = ResolveSource(name, truth);
            if (source is null)
            {
                throw new ScenarioFormatException($"{folder.Path}: the MISBEHAVIOR event names '{name}', which is neither a participant of the truth with a BSM id nor an RSU of the zone");
            }

            faults.Add((source.Value.Kind, source.Value.Id, x.FromMs, x.ToMs));
        }

        return faults;
    }

    private static (SourceKind, ulong)? ResolveSource(string name, List<TruthSample> truth)
    {
        foreach (RsuSite rsu in ZoneMapLoader.Default.Rsus)
        {
            if (string.Equals(rsu.Id.ToString(), name, StringComparison.Ordinal))
            {
                return (SourceKind.Rsu, rsu.RsuId.Value);
            }
        }

        foreach (TruthSample s in truth)
        {
            if (s.Id == name && s.BsmId is { } hex && OctetId8.TryParseHex(hex, out OctetId8 bsm))
            {
                return (SourceKind.Obu, bsm.Value);
            }
        }

        return OctetId8.TryParseHex(name, out OctetId8 raw) ? (SourceKind.Obu, raw.Value) : null;
    }

    /// <summary>Copies every window the engine reports (the spans are reused by the engine).</summary>
    private sealed class Collector(long startUtcMs) : ITrustObserver
    {
        public List<SourceWindow> Sources { get; } = [];

        public List<(int Segment, long EndMs, float[] Features)> Segments { get; } = [];

        public void OnSourceWindow(in SourceWindowSample sample) =>
            Sources.Add(new SourceWindow(sample.Kind, sample.SourceId.Value, sample.WindowEndUtcMs - startUtcMs, sample.Features.ToArray(), false));

        public void OnSegmentWindow(in SegmentWindowSample sample) =>
            Segments.Add((sample.Segment, sample.WindowEndUtcMs - startUtcMs, sample.Features.ToArray()));
    }

    /// <summary>The truth's vehicle speeds per segment in time order, to average over any window.</summary>
    private sealed class TruthSpeeds
    {
        private readonly Dictionary<int, (List<long> T, List<double> Ratio)> _bySegment = [];

        public TruthSpeeds(List<TruthSample> truth, LaneMap map)
        {
            LaneSegments segments = LaneSegments.For(map);
            foreach (TruthSample s in truth)
            {
                if (s.Kind is not ("vehicle" or "emergency" or "motor"))
                {
                    continue;
                }

                (double x, double y) = map.Frame.ToLocal(s.Lat, s.Lon);
                int segment = segments.Locate(x, y, s.HeadingDeg);
                if (segment < 0)
                {
                    continue;
                }

                if (!_bySegment.TryGetValue(segment, out (List<long> T, List<double> Ratio) list))
                {
                    list = ([], []);
                    _bySegment[segment] = list;
                }

                list.T.Add(s.T);
                list.Ratio.Add(s.SpeedMps / segments.LimitMps(segment));
            }
        }

        /// <summary>The mean speed ratio of the true vehicle samples in (fromMs, toMs]; null when there are none.</summary>
        public double? MeanRatio(int segment, long fromMs, long toMs)
        {
            if (!_bySegment.TryGetValue(segment, out (List<long> T, List<double> Ratio) list))
            {
                return null;
            }

            int i = LowerBound(list.T, fromMs + 1);
            double sum = 0;
            int n = 0;
            for (; i < list.T.Count && list.T[i] <= toMs; i++)
            {
                sum += list.Ratio[i];
                n++;
            }

            return n == 0 ? null : sum / n;
        }

        private static int LowerBound(List<long> sorted, long value)
        {
            int lo = 0, hi = sorted.Count;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (sorted[mid] < value)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }
    }
}
