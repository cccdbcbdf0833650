using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using QiZhiChunCheng.Core.Messages;
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

    /// <summary>The same at the source level (3 anomalous windows in a row flag a source).</summary>
    public DetectionQuality? Sources { get; init; }

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
            if (Sources is { } src)
            {
                b.AppendLine(string.Create(c, $"held out, by source (3 anomalous windows in a row): precision {src.Precision:F3}  recall {src.Recall:F3}  ({src.TruePositives} of {src.TruePositives + src.FalseNegatives} faulty sources flagged, {src.FalsePositives} of {src.FalsePositives + src.TrueNegatives} honest ones)"));
            }

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
    /// <summary>
    /// The PCA's rank: the directions normal windows vary in, roughly reporting rate with dropouts, position residual
    /// with speed noise, roadside against vehicle, and confirmation by the roadside.
    /// </summary>
    internal const int PcaRank = 4;

    /// <summary>Anomalous windows in a row that flag a source (TrustOptions.QuarantineAnomalousWindows' default).</summary>
    internal const int RunLength = 3;

    /// <summary>Folds (by scenario) of the training scenarios for the out-of-fold threshold.</summary>
    private const int Folds = 4;

    public static TrainingReport TrainMisbehavior(TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Stopwatch clock = Stopwatch.StartNew();
        List<ScenarioData> all = Extract(options, sources: true);
        (List<ScenarioData> train, List<ScenarioData> heldOut) = Split(all, options);
        List<SourceWindow> trainWindows = [.. train.SelectMany(s => s.Sources)];
        if (!trainWindows.Exists(w => w.Anomalous))
        {
            throw new ModelTrainingException("no anomalous source windows in the training scenarios: they need MISBEHAVIOR expected events that name a source (scenarios/training/misbehavior)");
        }

        if (!trainWindows.Exists(w => !w.Anomalous))
        {
            throw new ModelTrainingException("no normal source windows in the training scenarios");
        }

        Say(options, string.Create(CultureInfo.InvariantCulture, $"training randomized PCA on {trainWindows.Count(w => !w.Anomalous)} normal windows and FastTree on {trainWindows.Count} windows ({trainWindows.Count(w => w.Anomalous)} anomalous) of {train.Count} scenarios"));
        List<int> folds = [.. train.SelectMany((s, i) => s.Sources.Select(_ => i % Folds))];
        MisbehaviorModel model = FitMisbehavior(trainWindows, options.Seed, out DataViewSchema pcaSchema, out DataViewSchema treeSchema, out MLContext ml, folds);
        DetectionQuality quality = Evaluate(model, heldOut.SelectMany(s => s.Sources));
        DetectionQuality bySource = EvaluateSources(model, heldOut);
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
                ["sourcePrecision"] = Math.Round(bySource.Precision, 4),
                ["sourceRecall"] = Math.Round(bySource.Recall, 4),
            },
        };
        ModelPackage.Write(options.OutPath, manifest, ml, [(MisbehaviorModel.PipelineEntry, model.Pipeline, pcaSchema), (MisbehaviorModel.TreesEntry, model.Trees!, treeSchema)]);
        return new TrainingReport
        {
            Kind = MisbehaviorModel.Kind,
            TrainedOn = manifest.TrainedOn,
            HeldOut = manifest.HeldOut,
            TrainingWindows = trainWindows.Count,
            Detection = quality,
            Sources = bySource,
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

        (List<ScenarioData> train, List<ScenarioData> heldOut) = Split(all, options);
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
    /// Fits the novelty stage (normaliser and PCA of rank <see cref="PcaRank"/>) on the normal windows and measures
    /// its T² and Q scales on them (<see cref="Variances"/>), then the judgement stage (FastTree) on every window's
    /// features plus the novelty figures, then picks the threshold on the training windows (<see cref="PickThreshold"/>).
    /// </summary>
    internal static MisbehaviorModel FitMisbehavior(IReadOnlyList<SourceWindow> windows, int seed, out DataViewSchema pcaSchema, out DataViewSchema treeSchema, out MLContext ml, IReadOnlyList<int>? folds = null)
    {
        ml = new MLContext(seed);
        IDataView normal = ml.Data.LoadFromEnumerable(windows.Where(w => !w.Anomalous).Select(w => new SourceRow { Features = w.Features }));
        pcaSchema = normal.Schema;
        ITransformer pca = ml.Transforms.NormalizeMeanVariance(nameof(SourceRow.Features), fixZero: false)
            .Append(ml.AnomalyDetection.Trainers.RandomizedPca(new RandomizedPcaTrainer.Options
            {
                FeatureColumnName = nameof(SourceRow.Features),
                Rank = PcaRank,
                Seed = seed,
                EnsureZeroMean = true,
            }))
            .Fit(normal);
        ModelManifest manifest = new()
        {
            Kind = MisbehaviorModel.Kind,
            Features = [.. SourceFeatures.Names],
            Rank = PcaRank,
            Seed = seed,
        };
        manifest = manifest with { Variances = Variances(new MisbehaviorModel(pca, null, 0, manifest), windows, PcaRank) };
        MisbehaviorModel novelty = new(pca, null, 0, manifest);

        List<JudgementRow> rows = new(windows.Count);
        foreach (SourceWindow w in windows)
        {
            float[] x = new float[MisbehaviorModel.TreeFeatureCount];
            novelty.Augment(w.Features, x);
            rows.Add(new JudgementRow { Label = w.Anomalous, Features = x });
        }

        IDataView judged = ml.Data.LoadFromEnumerable(rows);
        treeSchema = judged.Schema;
        ITransformer trees = FitTrees(ml, judged, seed);

        // The threshold: on out-of-fold scores when the windows come in folds (by scenario), since the trees score
        // the windows they were trained on far too well; else on the training scores.
        MisbehaviorModel full = new(pca, trees, 0, manifest);
        float[] scores = new float[windows.Count];
        for (int i = 0; i < windows.Count; i++)
        {
            scores[i] = full.Score(windows[i].Features);
        }

        if (folds is not null)
        {
            foreach (int fold in folds.Distinct().Order())
            {
                List<JudgementRow> others = [.. rows.Where((_, i) => folds[i] != fold)];
                if (!others.Exists(r => r.Label) || others.Count == rows.Count)
                {
                    continue; // a fold holding every fault keeps the full model's scores
                }

                MisbehaviorModel foldModel = new(pca, FitTrees(ml, ml.Data.LoadFromEnumerable(others), seed), 0, manifest);
                for (int i = 0; i < windows.Count; i++)
                {
                    scores[i] = folds[i] == fold ? foldModel.Score(windows[i].Features) : scores[i];
                }
            }
        }

        (float threshold, _) = PickThreshold(scores, [.. windows.Select(w => w.Anomalous)]);
        manifest = manifest with { Threshold = threshold };
        return new MisbehaviorModel(pca, trees, threshold, manifest);
    }

    private static BinaryPredictionTransformer<Microsoft.ML.Calibrators.CalibratedModelParametersBase<FastTreeBinaryModelParameters, Microsoft.ML.Calibrators.PlattCalibrator>> FitTrees(MLContext ml, IDataView data, int seed) =>
        ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = nameof(JudgementRow.Label),
            FeatureColumnName = nameof(JudgementRow.Features),
            NumberOfTrees = 60,
            NumberOfLeaves = 8,
            MinimumExampleCountPerLeaf = 40,
            LearningRate = 0.1,
            NumberOfThreads = 1,
            Seed = seed,
        }).Fit(data);

    /// <summary>
    /// The T² and Q scales of a fitted PCA: the mean square of the normal windows' coordinate along each principal
    /// direction, then their mean square distance outside the subspace per remaining dimension (floored at 10⁻⁶, so a
    /// direction the normal windows never move along does not divide by zero).
    /// </summary>
    internal static List<float> Variances(MisbehaviorModel model, IReadOnlyList<SourceWindow> windows, int rank)
    {
        double[] sums = new double[rank + 1];
        long n = 0;
        Span<float> c = stackalloc float[MisbehaviorModel.MaxRank];
        foreach (SourceWindow w in windows)
        {
            if (w.Anomalous)
            {
                continue;
            }

            float residual = model.Decompose(w.Features, c);
            for (int r = 0; r < rank; r++)
            {
                sums[r] += c[r] * c[r];
            }

            sums[rank] += residual;
            n++;
        }

        List<float> variances = new(rank + 1);
        for (int r = 0; r <= rank; r++)
        {
            double v = sums[r] / Math.Max(1, n) / (r == rank ? SourceFeatures.Count - rank : 1);
            variances.Add((float)Math.Max(v, 1e-6));
        }

        return variances;
    }

    /// <summary>
    /// The score threshold with the best F1 on the scored windows: every distinct score is a candidate; ties go to
    /// the higher threshold. (A floor on precision, tried first, chose thresholds so high on out-of-fold scores that
    /// held-out recall fell below 0.1: the honest windows that look like faults sit among the faults' own.)
    /// </summary>
    internal static (float Threshold, double F1) PickThreshold(float[] scores, bool[] anomalous)
    {
        (float Score, bool Anomalous)[] scored = new (float, bool)[scores.Length];
        long positives = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            scored[i] = (scores[i], anomalous[i]);
            positives += anomalous[i] ? 1 : 0;
        }

        Array.Sort(scored, (a, b) => b.Score.CompareTo(a.Score));
        float bestThreshold = float.PositiveInfinity;
        double bestF1 = -1;
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
            if (f1 > bestF1)
            {
                bestF1 = f1;
                bestThreshold = scored[i].Score;
            }
        }

        return (bestThreshold, bestF1);
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

    /// <summary>
    /// Source-level quality, the way the engine acts on the scores: a source is flagged when
    /// <see cref="RunLength"/> of its windows in a row (1 s apart) score at or above the threshold (TrustOptions'
    /// quarantine rule). A faulty source counts as detected when such a run lies within its fault's windows; an
    /// honest source (or a faulty one outside its fault) flagged is a false alarm.
    /// </summary>
    internal static DetectionQuality EvaluateSources(MisbehaviorModel model, IEnumerable<ScenarioData> scenarios)
    {
        long tp = 0, fp = 0, fn = 0, tn = 0;
        foreach (ScenarioData scenario in scenarios)
        {
            foreach (IGrouping<(SourceKind, ulong), SourceWindow> source in scenario.Sources.GroupBy(w => (w.Kind, w.SourceId)))
            {
                bool faulty = false, detected = false, falseAlarm = false;
                int runFault = 0, runHonest = 0;
                long last = long.MinValue;
                foreach (SourceWindow w in source.OrderBy(w => w.WindowEndMs))
                {
                    faulty |= w.Anomalous;
                    bool flagged = model.Score(w.Features) >= model.Threshold;
                    bool next = w.WindowEndMs - last <= SourceFeatures.StepMs;
                    runFault = flagged && w.Anomalous ? (next ? runFault + 1 : 1) : 0;
                    runHonest = flagged && !w.Anomalous ? (next ? runHonest + 1 : 1) : 0;
                    detected |= runFault >= RunLength;
                    falseAlarm |= runHonest >= RunLength;
                    last = w.WindowEndMs;
                }

                if (faulty)
                {
                    _ = detected ? tp++ : fn++;
                }

                if (falseAlarm)
                {
                    fp++;
                }
                else if (!faulty)
                {
                    tn++;
                }
            }
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
    /// Holds out <see cref="TrainingOptions.HeldOutShare"/> of the scenarios of each family (the name without its
    /// trailing numbers: <c>train-drift-radar-12</c> is of <c>train-drift-radar</c>), chosen by a seeded shuffle of
    /// the names; a family of two or more gives at least one, so every kind of fault is both learnt and measured.
    /// </summary>
    internal static (List<ScenarioData> Train, List<ScenarioData> HeldOut) Split(List<ScenarioData> all, TrainingOptions options)
    {
        List<ScenarioData> train = [], heldOut = [];
        Random random = new(options.Seed);
        foreach (IGrouping<string, ScenarioData> family in all.GroupBy(s => Family(s.Name)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            ScenarioData[] members = [.. family.OrderBy(s => s.Name, StringComparer.Ordinal)];
            random.Shuffle(members);
            int hold = members.Length < 2 ? 0 : Math.Max(1, (int)Math.Round(members.Length * options.HeldOutShare));
            heldOut.AddRange(members.Take(hold));
            train.AddRange(members.Skip(hold));
        }

        if (heldOut.Count == 0)
        {
            throw new ModelTrainingException("too few scenarios to hold any out: give at least two of a family (names that differ only in their trailing numbers)");
        }

        train.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        heldOut.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return (train, heldOut);
    }

    /// <summary>A scenario's family: its name without trailing <c>-NUMBER</c> parts.</summary>
    internal static string Family(string name)
    {
        string family = name;
        while (family.LastIndexOf('-') is int dash and > 0 && dash < family.Length - 1 && !family.AsSpan(dash + 1).ContainsAnyExceptInRange('0', '9'))
        {
            family = family[..dash];
        }

        return family;
    }

    private static void Say(TrainingOptions options, string line) => options.Progress?.WriteLine(line);

    private sealed class SourceRow
    {
        [VectorType(SourceFeatures.Count)]
        public float[] Features { get; set; } = [];
    }

    private sealed class JudgementRow
    {
        public bool Label { get; set; }

        [VectorType(MisbehaviorModel.TreeFeatureCount)]
        public float[] Features { get; set; } = [];
    }

    private sealed class SegmentRow
    {
        public bool Label { get; set; }

        [VectorType(SegmentFeatures.Count)]
        public float[] Features { get; set; } = [];
    }
}
