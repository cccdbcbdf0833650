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

    private readonly FlatEnsemble[] _ensembles;

    internal TrafficStateModel(ITransformer[] models, ModelManifest manifest)
    {
        if (models.Length != Levels)
        {
            throw new InvalidDataException($"a traffic model has {Levels} ensembles, not {models.Length}");
        }

        Models = models;
        Manifest = manifest;
        _ensembles = new FlatEnsemble[Levels];
        for (int k = 0; k < Levels; k++)
        {
            _ensembles[k] = models[k] is ISingleFeaturePredictionTransformer<object> { Model: CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator> calibrated }
                ? new FlatEnsemble(calibrated.SubModel.TrainedTreeEnsemble)
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

    /// <summary>
    /// A tree ensemble as flat arrays. Node children: a value ≥ 0 is the next node, a negative value <c>~leaf</c> a
    /// leaf; a tree's root is a leaf (negative) when it never split. Leaf values are pre-multiplied by the tree's weight.
    /// </summary>
    private sealed class FlatEnsemble
    {
        private readonly int[] _roots;
        private readonly int[] _feature;
        private readonly float[] _threshold;
        private readonly int[] _left;
        private readonly int[] _right;
        private readonly double[] _leaf;
        private readonly double _bias;

        public FlatEnsemble(RegressionTreeEnsemble ensemble)
        {
            List<int> feature = [], left = [], right = [];
            List<float> threshold = [];
            List<double> leaf = [];
            _roots = new int[ensemble.Trees.Count];
            for (int t = 0; t < ensemble.Trees.Count; t++)
            {
                RegressionTree tree = ensemble.Trees[t];
                int nodeBase = feature.Count, leafBase = leaf.Count;
                double weight = ensemble.TreeWeights[t];
                for (int l = 0; l < tree.NumberOfLeaves; l++)
                {
                    leaf.Add(tree.LeafValues[l] * weight);
                }

                if (tree.NumberOfLeaves <= 1 || tree.NumberOfNodes == 0)
                {
                    _roots[t] = ~leafBase;
                    continue;
                }

                _roots[t] = nodeBase;
                for (int n = 0; n < tree.NumberOfNodes; n++)
                {
                    if (tree.CategoricalSplitFlags.Count > n && tree.CategoricalSplitFlags[n])
                    {
                        throw new InvalidDataException("the traffic model has a categorical split; its features are all numeric");
                    }

                    feature.Add(tree.NumericalSplitFeatureIndexes[n]);
                    threshold.Add(tree.NumericalSplitThresholds[n]);
                    left.Add(Child(tree.LeftChild[n], nodeBase, leafBase));
                    right.Add(Child(tree.RightChild[n], nodeBase, leafBase));
                }
            }

            if (feature.Exists(f => f < 0 || f >= SegmentFeatures.Count))
            {
                throw new InvalidDataException($"the traffic model splits on a feature outside 0..{SegmentFeatures.Count - 1}");
            }

            _feature = [.. feature];
            _threshold = [.. threshold];
            _left = [.. left];
            _right = [.. right];
            _leaf = [.. leaf];
            _bias = ensemble.Bias;

            static int Child(int child, int nodeBase, int leafBase) => child >= 0 ? nodeBase + child : ~(leafBase + ~child);
        }

        public double Score(ReadOnlySpan<float> x)
        {
            double sum = _bias;
            int[] roots = _roots;
            for (int t = 0; t < roots.Length; t++)
            {
                int n = roots[t];
                while (n >= 0)
                {
                    n = x[_feature[n]] <= _threshold[n] ? _left[n] : _right[n];
                }

                sum += _leaf[~n];
            }

            return sum;
        }
    }
}
