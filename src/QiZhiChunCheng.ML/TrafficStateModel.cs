using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Trainers.FastTree;
using QiZhiChunCheng.Engine.Trust;

namespace QiZhiChunCheng.ML;

/// <summary>
/// The traffic-state model: three FastTree boosted-tree ensembles, one per <see cref="TrafficLevel"/> (that level
/// against the other two), over the lane-segment window features (<see cref="SegmentFeatures"/>); the level whose
/// ensemble scores highest wins. One binary model per level rather than ML.NET's one-versus-all wrapper because the
/// wrapper keeps its sub-models internal, and the trees are needed: on load each ensemble is copied into flat arrays
/// (split feature, threshold, children, leaf values) and <see cref="Classify"/> walks them itself, with exactly
/// FastTree's rule (go left when the feature is at or below the threshold). Classify allocates nothing; thread-safe.
/// </summary>
public sealed class TrafficStateModel : ITrafficStateModel
{
    public const string Kind = "traffic";
    internal const int Levels = 3;
    internal static readonly string[] Entries = ["free-flow.zip", "slowing.zip", "congested.zip"];

    private readonly FlatTreeEnsemble[] _ensembles;

    internal TrafficStateModel(ITransformer[] models, ModelManifest manifest)
    {
        if (models.Length != Levels)
        {
            throw new InvalidDataException($"a traffic model has {Levels} ensembles, not {models.Length}");
        }

        Models = models;
        Manifest = manifest;
        _ensembles = new FlatTreeEnsemble[Levels];
        for (int k = 0; k < Levels; k++)
        {
            _ensembles[k] = models[k] is ISingleFeaturePredictionTransformer<object> { Model: CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator> calibrated }
                ? new FlatTreeEnsemble(calibrated.SubModel.TrainedTreeEnsemble, SegmentFeatures.Count)
                : throw new InvalidDataException($"the traffic model's {Entries[k]} is not a FastTree binary model");
        }
    }

    /// <summary>What the model file says about how the model was trained and how well it did.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The ML.NET models the trees were taken from, one per level (tests compare against them).</summary>
    internal ITransformer[] Models { get; }

    /// <summary>The level of one segment window of <see cref="SegmentFeatures.Count"/> features. No allocation; thread-safe.</summary>
    public TrafficLevel Classify(ReadOnlySpan<float> features)
    {
        if (features.Length != SegmentFeatures.Count)
        {
            ThrowLength(features);
        }

        int best = 0;
        double bestScore = _ensembles[0].Score(features);
        for (int k = 1; k < Levels; k++)
        {
            double s = _ensembles[k].Score(features);
            if (s > bestScore)
            {
                best = k;
                bestScore = s;
            }
        }

        return (TrafficLevel)best;
    }

    /// <summary>The raw (uncalibrated) score of one level's ensemble: ML.NET's <c>Score</c> column of that model.</summary>
    internal double RawScore(int level, ReadOnlySpan<float> features) => _ensembles[level].Score(features);

    /// <summary>Loads a model file written by <c>qzcc ml train traffic</c>; throws <see cref="InvalidDataException"/> with a one-line reason.</summary>
    public static TrafficStateModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        (ModelManifest manifest, ITransformer[] models) = ModelPackage.Read(path, Kind, new MLContext(seed: 0));
        try
        {
            return new TrafficStateModel(models, manifest);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    internal void Save(string path, MLContext ml, DataViewSchema schema) =>
        ModelPackage.Write(path, Manifest, ml, [.. Entries.Select((e, k) => (e, Models[k], schema))]);

    private static void ThrowLength(ReadOnlySpan<float> features) =>
        throw new ArgumentException($"a segment window has {SegmentFeatures.Count} features, not {features.Length}", nameof(features));
}
