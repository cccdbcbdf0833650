using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using QiZhiChunCheng.Engine.Trust;
using QiZhiChunCheng.Scenarios.Format;

namespace QiZhiChunCheng.ML.Training;

/// <summary>Bad input to training (no scenarios, no labels of a kind): the message is the one-line reason.</summary>
public sealed class ModelTrainingException : Exception
{
    public ModelTrainingException()
    {
    }

    public ModelTrainingException(string message)
        : base(message)
    {
    }

    public ModelTrainingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>What <c>qzcc ml train</c> is asked to do.</summary>
public sealed record TrainingOptions
{
    /// <summary>Scenario folders, or folders to search for them (every folder holding a scenario.json).</summary>
    public required IReadOnlyList<string> Scenarios { get; init; }

    /// <summary>Where to write the model file (.zip).</summary>
    public required string OutPath { get; init; }

    /// <summary>Seeds the held-out split and ML.NET: the same seed and scenarios give the same model and figures.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The share of scenarios held out for the quality figures (at least one of each group when it has two).</summary>
    public double HeldOutShare { get; init; } = 0.25;

    /// <summary>Progress lines (one per scenario and step); null: quiet.</summary>
    public TextWriter? Progress { get; init; }

    /// <summary>For recipe-only folders; null: the default generator.</summary>
    public IScenarioGenerator? Generator { get; init; }
}

/// <summary>Window-level quality of the misbehaviour model on held-out scenarios.</summary>
public sealed record DetectionQuality(long TruePositives, long FalsePositives, long FalseNegatives, long TrueNegatives)
{
    public double Precision => TruePositives + FalsePositives == 0 ? 0 : (double)TruePositives / (TruePositives + FalsePositives);

    public double Recall => TruePositives + FalseNegatives == 0 ? 0 : (double)TruePositives / (TruePositives + FalseNegatives);

    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    public long Windows => TruePositives + FalsePositives + FalseNegatives + TrueNegatives;
}

/// <summary>Quality of the traffic-state model on held-out scenarios: the confusion matrix [truth, model].</summary>
public sealed record ClassificationQuality(long[,] Confusion)
{
    public long Windows
    {
        get
        {
            long n = 0;
            foreach (long c in Confusion)
            {
                n += c;
            }

            return n;
        }
    }

    public double Accuracy
    {
        get
        {
            long right = 0;
            for (int k = 0; k < Confusion.GetLength(0); k++)
            {
                right += Confusion[k, k];
            }

            return Windows == 0 ? 0 : (double)right / Windows;
        }
    }
}

/// <summary>What a training run did and how well the model does on the scenarios it did not see.</summary>
public sealed record TrainingReport
{
    public required string Kind { get; init; }

    public required IReadOnlyList<string> TrainedOn { get; init; }

    public required IReadOnlyList<string> HeldOut { get; init; }

    public long TrainingWindows { get; init; }

    public DetectionQuality? Detection { get; init; }

    public ClassificationQuality? Classification { get; init; }

    public float? Threshold { get; init; }

    public int? Rank { get; init; }

    public TimeSpan Elapsed { get; init; }

    public required string OutPath { get; init; }

    /// <summary>The report as printed by <c>qzcc ml train</c>.</summary>
    public string ToText()
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        StringBuilder b = new();
        b.AppendLine(string.Create(c, $"{Kind} model: {TrainedOn.Count + HeldOut.Count} scenarios, {TrainedOn.Count} for training ({TrainingWindows} windows), {HeldOut.Count} held out: {string.Join(", ", HeldOut)}"));
        if (Detection is { } d)
        {
            b.AppendLine(string.Create(c, $"held out: precision {d.Precision:F3}  recall {d.Recall:F3}  F1 {d.F1:F3}  over {d.Windows} source windows (TP {d.TruePositives}, FP {d.FalsePositives}, FN {d.FalseNegatives}, TN {d.TrueNegatives})"));
            b.AppendLine(string.Create(c, $"PCA rank {Rank}, threshold {Threshold:F4}"));
        }

        if (Classification is { } q)
        {
            b.AppendLine(string.Create(c, $"held out: accuracy {q.Accuracy:F3} over {q.Windows} segment windows"));
            b.AppendLine("confusion (rows: truth, columns: model):");
            b.AppendLine(string.Create(c, $"  {"",-11}{"free-flow",11}{"slowing",11}{"congested",11}"));
            string[] names = ["free-flow", "slowing", "congested"];
            for (int t = 0; t < 3; t++)
            {
                b.AppendLine(string.Create(c, $"  {names[t],-11}{q.Confusion[t, 0],11}{q.Confusion[t, 1],11}{q.Confusion[t, 2],11}"));
            }
        }

        b.Append(string.Create(c, $"trained in {Elapsed.TotalSeconds:F1} s, written to {OutPath}"));
        return b.ToString();
    }
}

/// <summary>
/// Trains the two models from scenario folders: <c>qzcc ml train misbehavior|traffic</c>. Finds the folders,
/// replays and labels each (<see cref="ScenarioDataset"/>), holds out a share of the scenarios (chosen by the seed,
/// separately among the scenarios with a misbehaving source and those without, so both kinds are held out), trains
/// on the rest, measures the model on the held-out ones and writes the model file with those figures inside.
/// Reproducible: the same scenarios and seed give the same model file contents and figures.
/// </summary>
public static class ModelTrainer
{
    private const int MaxRank = 6;

    public static TrainingReport TrainMisbehavior(TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Stopwatch clock = Stopwatch.StartNew();
        List<ScenarioData> all = Extract(options, sources: true);
        (List<ScenarioData> train, List<ScenarioData> heldOut) = Split(all, options, s => s.HasMisbehavior);
        List<SourceWindow> trainWindows = [.. train.SelectMany(s => s.Sources)];
        if (!trainWindows.Exists(w => w.Anomalous))
        {
            throw new ModelTrainingException("no anomalous source windows in the training scenarios: they need MISBEHAVIOR expected events that name a source (scenarios/training/misbehavior)");
        }

        if (!trainWindows.Exists(w => !w.Anomalous))
        {
            throw new ModelTrainingException("no normal source windows in the training scenarios");
        }

        Say(options, string.Create(CultureInfo.InvariantCulture, $"training randomized PCA on {trainWindows.Count(w => !w.Anomalous)} normal windows of {train.Count} scenarios"));
        MisbehaviorModel model = FitMisbehavior(trainWindows, options.Seed, out DataViewSchema schema, out MLContext ml);
        DetectionQuality quality = Evaluate(model, heldOut.SelectMany(s => s.Sources));
        ModelManifest manifest = model.Manifest with
        {
            TrainedOn = [.. train.Select(s => s.Name)],
            HeldOut = [.. heldOut.Select(s => s.Name)],
            Quality = new Dictionary<string, double>
            {
                ["precision"] = Math.Round(quality.Precision, 4),
                ["recall"] = Math.Round(quality.Recall, 4),
                ["f1"] = Math.Round(quality.F1, 4),
                ["windows"] = quality.Windows,
            },
        };
        ModelPackage.Write(options.OutPath, manifest, ml, [(MisbehaviorModel.PipelineEntry, model.Pipeline, schema)]);
        return new TrainingReport
        {
            Kind = MisbehaviorModel.Kind,
            TrainedOn = manifest.TrainedOn,
            HeldOut = manifest.HeldOut,
            TrainingWindows = trainWindows.Count,
            Detection = quality,
            Threshold = model.Threshold,
            Rank = model.Rank,
            Elapsed = clock.Elapsed,
            OutPath = options.OutPath,
        };
    }

    public static TrainingReport TrainTraffic(TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Stopwatch clock = Stopwatch.StartNew();
        List<ScenarioData> all = Extract(options, sources: false);
        all.RemoveAll(s => s.Segments.Count == 0);
        if (all.Count == 0)
        {
            throw new ModelTrainingException("no segment windows with a truth label in these scenarios: traffic needs vehicles on the lanes and a truth.jsonl");
        }

        (List<ScenarioData> train, List<ScenarioData> heldOut) = Split(all, options, _ => false);
        List<SegmentWindow> trainWindows = [.. train.SelectMany(s => s.Segments)];
        Say(options, string.Create(CultureInfo.InvariantCulture, $"training FastTree on {trainWindows.Count} segment windows of {train.Count} scenarios ({trainWindows.Count(w => w.Truth == TrafficLevel.FreeFlow)} free flow, {trainWindows.Count(w => w.Truth == TrafficLevel.Slowing)} slowing, {trainWindows.Count(w => w.Truth == TrafficLevel.Congested)} congested)"));
        TrafficStateModel model = FitTraffic(trainWindows, options.Seed, out DataViewSchema schema, out MLContext ml);
        ClassificationQuality quality = Evaluate(model, heldOut.SelectMany(s => s.Segments));
        ModelManifest manifest = model.Manifest with
        {
            TrainedOn = [.. train.Select(s => s.Name)],
            HeldOut = [.. heldOut.Select(s => s.Name)],
            Quality = new Dictionary<string, double> { ["accuracy"] = Math.Round(quality.Accuracy, 4), ["windows"] = quality.Windows },
        };
        ModelPackage.Write(options.OutPath, manifest, ml, [.. TrafficStateModel.Entries.Select((e, k) => (e, model.Models[k], schema))]);
        return new TrainingReport
        {
            Kind = TrafficStateModel.Kind,
            TrainedOn = manifest.TrainedOn,
            HeldOut = manifest.HeldOut,
            TrainingWindows = trainWindows.Count,
            Classification = quality,
            Elapsed = clock.Elapsed,
            OutPath = options.OutPath,
        };
    }

    /// <summary>
    /// Fits the normaliser and the PCA on the normal windows for each rank 1..6, picks each rank's threshold on all
    /// the training windows (<see cref="PickThreshold"/>), and keeps the rank with the best training F1.
    /// </summary>
    internal static MisbehaviorModel FitMisbehavior(IReadOnlyList<SourceWindow> windows, int seed, out DataViewSchema schema, out MLContext ml)
    {
        ml = new MLContext(seed);
        IDataView normal = ml.Data.LoadFromEnumerable(windows.Where(w => !w.Anomalous).Select(w => new SourceRow { Features = w.Features }));
        schema = normal.Schema;
        MisbehaviorModel? best = null;
        double bestF1 = -1;
        for (int rank = 1; rank <= MaxRank; rank++)
        {
            var pipeline = ml.Transforms.NormalizeMeanVariance(nameof(SourceRow.Features), fixZero: false)
                .Append(ml.AnomalyDetection.Trainers.RandomizedPca(new RandomizedPcaTrainer.Options
                {
                    FeatureColumnName = nameof(SourceRow.Features),
                    Rank = rank,
                    Seed = seed,
                    EnsureZeroMean = true,
                }));
            ITransformer fitted = pipeline.Fit(normal);
            MisbehaviorModel candidate = new(fitted, 0, new ModelManifest { Kind = MisbehaviorModel.Kind });
            (float threshold, double f1) = PickThreshold(candidate, windows);
            if (f1 > bestF1)
            {
                bestF1 = f1;
                best = new MisbehaviorModel(fitted, threshold, new ModelManifest
                {
                    Kind = MisbehaviorModel.Kind,
                    Features = [.. SourceFeatures.Names],
                    Threshold = threshold,
                    Rank = rank,
                    Seed = seed,
                });
            }
        }

        return best!;
    }

    /// <summary>
    /// The score threshold with the best F1 on <paramref name="windows"/> among those with precision 0.9 or more (any
    /// threshold when none reaches it): every distinct score is a candidate; ties go to the higher threshold.
    /// </summary>
    internal static (float Threshold, double F1) PickThreshold(MisbehaviorModel model, IReadOnlyList<SourceWindow> windows)
    {
        (float Score, bool Anomalous)[] scored = new (float, bool)[windows.Count];
        long positives = 0;
        for (int i = 0; i < windows.Count; i++)
        {
            scored[i] = (model.Score(windows[i].Features), windows[i].Anomalous);
            positives += windows[i].Anomalous ? 1 : 0;
        }

        Array.Sort(scored, (a, b) => b.Score.CompareTo(a.Score));
        float bestThreshold = float.PositiveInfinity, anyThreshold = float.PositiveInfinity;
        double bestF1 = -1, anyF1 = -1;
        long tp = 0, fp = 0;
        for (int i = 0; i < scored.Length; i++)
        {
            if (scored[i].Anomalous)
            {
                tp++;
            }
            else
            {
                fp++;
            }

            if (i + 1 < scored.Length && scored[i + 1].Score == scored[i].Score)
            {
                continue; // a threshold takes every window of the same score
            }

            double precision = (double)tp / (tp + fp), recall = positives == 0 ? 0 : (double)tp / positives;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            if (f1 > anyF1)
            {
                anyF1 = f1;
                anyThreshold = scored[i].Score;
            }

            if (precision >= 0.9 && f1 > bestF1)
            {
                bestF1 = f1;
                bestThreshold = scored[i].Score;
            }
        }

        return bestF1 >= 0 ? (bestThreshold, bestF1) : (anyThreshold, anyF1);
    }

    internal static TrafficStateModel FitTraffic(IReadOnlyList<SegmentWindow> windows, int seed, out DataViewSchema schema, out MLContext ml)
    {
        ml = new MLContext(seed);
        ITransformer[] models = new ITransformer[TrafficStateModel.Levels];
        schema = null!;
        for (int k = 0; k < TrafficStateModel.Levels; k++)
        {
            TrafficLevel level = (TrafficLevel)k;
            IDataView data = ml.Data.LoadFromEnumerable(windows.Select(w => new SegmentRow { Label = w.Truth == level, Features = w.Features }));
            schema = data.Schema;
            models[k] = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
            {
                LabelColumnName = nameof(SegmentRow.Label),
                FeatureColumnName = nameof(SegmentRow.Features),
                NumberOfTrees = 100,
                NumberOfLeaves = 16,
                MinimumExampleCountPerLeaf = 10,
                LearningRate = 0.2,
                NumberOfThreads = 1,
                Seed = seed,
            }).Fit(data);
        }

        return new TrafficStateModel(models, new ModelManifest { Kind = TrafficStateModel.Kind, Features = [.. SegmentFeatures.Names], Seed = seed });
    }

    internal static DetectionQuality Evaluate(MisbehaviorModel model, IEnumerable<SourceWindow> windows)
    {
        long tp = 0, fp = 0, fn = 0, tn = 0;
        foreach (SourceWindow w in windows)
        {
            bool flagged = model.Score(w.Features) >= model.Threshold;
            _ = (flagged, w.Anomalous) switch
            {
                (true, true) => tp++,
                (true, false) => fp++,
                (false, true) => fn++,
                (false, false) => tn++,
            };
        }

        return new DetectionQuality(tp, fp, fn, tn);
    }

    internal static ClassificationQuality Evaluate(TrafficStateModel model, IEnumerable<SegmentWindow> windows)
    {
        long[,] confusion = new long[TrafficStateModel.Levels, TrafficStateModel.Levels];
        foreach (SegmentWindow w in windows)
        {
            confusion[(int)w.Truth, (int)model.Classify(w.Features)]++;
        }

        return new ClassificationQuality(confusion);
    }

    /// <summary>Finds the scenario folders under every directory and replays them, in path order.</summary>
    internal static List<ScenarioData> Extract(TrainingOptions options, bool sources)
    {
        if (options.Scenarios.Count == 0)
        {
            throw new ModelTrainingException("--scenarios: give at least one folder");
        }

        if (string.IsNullOrWhiteSpace(options.OutPath))
        {
            throw new ModelTrainingException("--out: give the model file to write");
        }

        SortedSet<string> folders = new(StringComparer.Ordinal);
        foreach (string dir in options.Scenarios)
        {
            if (!Directory.Exists(dir))
            {
                throw new ModelTrainingException($"{dir}: no such folder");
            }

            folders.UnionWith(ScenarioFolder.Find(dir));
        }

        if (folders.Count < 2)
        {
            throw new ModelTrainingException(folders.Count == 0
                ? $"no scenario folders (with a scenario.json) in {string.Join(", ", options.Scenarios)}"
                : $"only one scenario folder in {string.Join(", ", options.Scenarios)}: training holds some out, give at least two");
        }

        List<ScenarioData> data = [];
        int i = 0;
        foreach (string folder in folders)
        {
            i++;
            ScenarioData d;
            try
            {
                d = ScenarioDataset.Extract(folder, options.Generator);
            }
            catch (Exception ex) when (ex is ScenarioFormatException or IOException or InvalidDataException)
            {
                throw new ModelTrainingException(ex.Message, ex);
            }

            data.Add(d);
            Say(options, sources
                ? string.Create(CultureInfo.InvariantCulture, $"[{i}/{folders.Count}] {d.Name}: {d.Sources.Count} source windows ({d.Sources.Count(w => w.Anomalous)} anomalous)")
                : string.Create(CultureInfo.InvariantCulture, $"[{i}/{folders.Count}] {d.Name}: {d.Segments.Count} segment windows"));
        }

        return data;
    }

    /// <summary>
    /// Holds out <see cref="TrainingOptions.HeldOutShare"/> of the scenarios of each group (by <paramref name="group"/>),
    /// chosen by a seeded shuffle of the names; a group of two or more gives at least one.
    /// </summary>
    internal static (List<ScenarioData> Train, List<ScenarioData> HeldOut) Split(List<ScenarioData> all, TrainingOptions options, Func<ScenarioData, bool> group)
    {
        List<ScenarioData> train = [], heldOut = [];
        Random random = new(options.Seed);
        foreach (bool g in (ReadOnlySpan<bool>)[true, false])
        {
            List<ScenarioData> members = [.. all.Where(s => group(s) == g).OrderBy(s => s.Name, StringComparer.Ordinal)];
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(members));
            int hold = members.Count < 2 ? 0 : Math.Max(1, (int)Math.Round(members.Count * options.HeldOutShare));
            heldOut.AddRange(members.Take(hold));
            train.AddRange(members.Skip(hold));
        }

        if (heldOut.Count == 0)
        {
            throw new ModelTrainingException("too few scenarios to hold any out: give at least two of a kind");
        }

        train.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        heldOut.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return (train, heldOut);
    }

    private static void Say(TrainingOptions options, string line) => options.Progress?.WriteLine(line);

    private sealed class SourceRow
    {
        [VectorType(SourceFeatures.Count)]
        public float[] Features { get; set; } = [];
    }

    private sealed class SegmentRow
    {
        public bool Label { get; set; }

        [VectorType(SegmentFeatures.Count)]
        public float[] Features { get; set; } = [];
    }
}
