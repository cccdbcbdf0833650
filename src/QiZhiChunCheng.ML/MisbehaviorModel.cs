using System.Collections.Immutable;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms;
using QiZhiChunCheng.Engine.Trust;

namespace QiZhiChunCheng.ML;

/// <summary>
/// The misbehaviour model, in two ML.NET stages over the per-source window features (<see cref="SourceFeatures"/>):
/// <list type="number">
/// <item><b>Novelty</b>: a mean-variance normaliser and ML.NET's randomized PCA, fitted on the normal windows only.
/// With <c>d</c> the normalised window minus the PCA's mean and <c>cᵣ = vᵣ·d</c> its coordinates along the principal
/// directions, two numbers say how unlike the normal windows it is:
/// <code>
///   share    = sqrt((|d|² - Σᵣ cᵣ²) / |d|²)             ML.NET's own PCA score (tested equal to its output)
///   distance = sqrt(Σᵣ cᵣ² / λᵣ + (|d|² - Σᵣ cᵣ²) / λ₀)  T² + Q, in standard deviations
/// </code>
/// λᵣ (the normal windows' variance along each direction) and λ₀ (their mean variance per dimension outside the
/// subspace) are measured after the fit and kept in the model file, as ML.NET's PCA model does not keep them.</item>
/// <item><b>Judgement</b>: a FastTree binary model over the twelve features plus <c>distance</c> and <c>share</c>,
/// trained on the labelled windows (normal and anomalous); its raw score is <see cref="Score"/>, and a window at or
/// above <see cref="Threshold"/> (chosen on the training windows) is anomalous.</item>
/// </list>
/// Why both: the PCA alone, measured on the training scenarios, cannot separate the faults from honest windows that
/// are just as unusual (an honest car whose fused track a drifting radar drags away has a larger residual than the
/// radar itself; an honest car the frozen RSU no longer confirms looks like a ghost), and ranks a replayed stream below
/// them; the trees learn which kind of unusual is a fault, and the PCA's distance lets them flag what is unusual in a
/// way no training fault was. On load both stages are copied into flat arrays (<see cref="FlatTreeEnsemble"/>);
/// Score allocates nothing and is thread-safe.
/// </summary>
public sealed class MisbehaviorModel : ISourceAnomalyScorer
{
    public const string Kind = "misbehavior";

    /// <summary>The highest PCA rank a model may have (the features are 9).</summary>
    public const int MaxRank = 8;
    internal const string PipelineEntry = "pca.zip";
    internal const string TreesEntry = "trees.zip";

    /// <summary>The judgement stage's inputs: the window's features, then the PCA's distance and share.</summary>
    internal const int TreeFeatureCount = SourceFeatures.Count + 2;

    private readonly float[] _offset;
    private readonly float[] _scale;
    private readonly float[] _mean;
    private readonly float[] _eigen; // rank rows of SourceFeatures.Count
    private readonly int _rank;
    private readonly float[] _inverseVariance; // 1/λᵣ for each direction, then 1/λ₀ for the rest

    private readonly FlatTreeEnsemble? _trees;

    internal MisbehaviorModel(ITransformer pipeline, ITransformer? trees, float threshold, ModelManifest manifest)
    {
        Pipeline = pipeline;
        Trees = trees;
        if (trees is not null)
        {
            _trees = trees is ISingleFeaturePredictionTransformer<object> { Model: Microsoft.ML.Calibrators.CalibratedModelParametersBase<Microsoft.ML.Trainers.FastTree.FastTreeBinaryModelParameters, Microsoft.ML.Calibrators.PlattCalibrator> calibrated }
                ? new FlatTreeEnsemble(calibrated.SubModel.TrainedTreeEnsemble, TreeFeatureCount)
                : throw new InvalidDataException($"the misbehaviour model's {TreesEntry} is not a FastTree binary model");
        }

        Threshold = threshold;
        Manifest = manifest;
        (NormalizingTransformer normalizer, PcaModelParameters pca) = Parts(pipeline);
        int n = SourceFeatures.Count;
        var affine = normalizer.GetNormalizerModelParameters(0) as NormalizingTransformer.AffineNormalizerModelParameters<ImmutableArray<float>>
            ?? throw new InvalidDataException("the misbehaviour pipeline's normaliser is not an affine (mean-variance) one");
        _scale = Dense(affine.Scale, n, "scale");
        _offset = affine.Offset.IsDefaultOrEmpty ? new float[n] : Dense(affine.Offset, n, "offset");

        VBuffer<float> mean = default;
        pca.GetMean(ref mean);
        _mean = new float[n];
        if (mean.Length == n)
        {
            mean.CopyTo(_mean); // a sparse (empty) mean stays zeros: the model was trained without centring
        }

        VBuffer<float>[] vectors = [];
        pca.GetEigenVectors(ref vectors, out int rank);
        if (rank is < 1 or > MaxRank)
        {
            throw new InvalidDataException($"the PCA's rank is {rank}, not 1..{MaxRank}");
        }

        _rank = rank;
        _eigen = new float[rank * n];
        for (int r = 0; r < rank; r++)
        {
            if (vectors[r].Length != n)
            {
                throw new InvalidDataException($"the PCA's eigenvectors have {vectors[r].Length} dimensions, not {n}");
            }

            vectors[r].CopyTo(_eigen.AsSpan(r * n, n));
        }

        _inverseVariance = new float[rank + 1];
        if (manifest.Variances is { } variances)
        {
            if (variances.Count != rank + 1 || variances.Exists(v => !(v > 0) || !float.IsFinite(v)))
            {
                throw new InvalidDataException($"the model's variances need {rank + 1} positive values");
            }

            for (int i = 0; i <= rank; i++)
            {
                _inverseVariance[i] = 1 / variances[i];
            }
        }
        else
        {
            Array.Fill(_inverseVariance, 1f); // while training, before the variances are measured
        }
    }

    /// <inheritdoc />
    public float Threshold { get; }

    /// <summary>The PCA rank (how many principal directions count as normal).</summary>
    public int Rank => _rank;

    /// <summary>What the model file says about how the model was trained and how well it did.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The ML.NET novelty pipeline (normaliser + PCA) the parameters were taken from (tests compare against it).</summary>
    internal ITransformer Pipeline { get; }

    /// <summary>The ML.NET judgement model (FastTree binary); null while training the novelty stage.</summary>
    internal ITransformer? Trees { get; }

    /// <summary>
    /// The anomaly score of one window of <see cref="SourceFeatures.Count"/> features: the judgement stage's raw score
    /// (the novelty distance while the model is being trained). No allocation; thread-safe.
    /// </summary>
    public float Score(ReadOnlySpan<float> features)
    {
        Span<float> x = stackalloc float[TreeFeatureCount];
        Augment(features, x);
        return _trees is null ? x[SourceFeatures.Count] : (float)_trees.Score(x);
    }

    /// <summary>The judgement stage's inputs: the features, the PCA distance (T² + Q) and ML.NET's PCA share.</summary>
    internal void Augment(ReadOnlySpan<float> features, Span<float> into)
    {
        Span<float> c = stackalloc float[MaxRank];
        float residual = Decompose(features, c);
        float t2 = 0, inside = 0;
        for (int r = 0; r < _rank; r++)
        {
            t2 += c[r] * c[r] * _inverseVariance[r];
            inside += c[r] * c[r];
        }

        features.CopyTo(into);
        into[SourceFeatures.Count] = MathF.Sqrt(t2 + (residual * _inverseVariance[_rank]));
        float norm2X = inside + residual;
        into[SourceFeatures.Count + 1] = norm2X > 0 ? MathF.Sqrt(residual / norm2X) : 0;
    }

    /// <summary>ML.NET's own PCA score of the window: the share of it outside the normal subspace (0..1).</summary>
    internal float MlNetScore(ReadOnlySpan<float> features)
    {
        Span<float> c = stackalloc float[MaxRank];
        float residual = Decompose(features, c);
        float inside = 0;
        for (int r = 0; r < _rank; r++)
        {
            inside += c[r] * c[r];
        }

        float norm2X = inside + residual;
        return norm2X > 0 ? MathF.Sqrt(residual / norm2X) : 0;
    }

    /// <summary>
    /// The window's coordinates along the principal directions into <paramref name="components"/>, and its squared
    /// distance outside them (never negative).
    /// </summary>
    internal float Decompose(ReadOnlySpan<float> features, Span<float> components)
    {
        const int N = SourceFeatures.Count;
        if (features.Length != N)
        {
            ThrowLength(features);
        }

        Span<float> d = stackalloc float[N];
        float norm2X = 0;
        for (int i = 0; i < N; i++)
        {
            float v = ((features[i] - _offset[i]) * _scale[i]) - _mean[i];
            d[i] = float.IsFinite(v) ? v : 0; // a NaN feature (never produced by the engine) counts as normal, not as poison
            norm2X += d[i] * d[i];
        }

        float inside = 0;
        ReadOnlySpan<float> eigen = _eigen;
        for (int r = 0; r < _rank; r++)
        {
            ReadOnlySpan<float> v = eigen.Slice(r * N, N);
            float c = 0;
            for (int i = 0; i < N; i++)
            {
                c += v[i] * d[i];
            }

            components[r] = c;
            inside += c * c;
        }

        float residual = norm2X - inside;
        return residual > 0 ? residual : 0;
    }

    /// <summary>Loads a model file written by <c>qzcc ml train misbehavior</c>; throws <see cref="InvalidDataException"/> with a one-line reason.</summary>
    public static MisbehaviorModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        (ModelManifest manifest, ITransformer[] models) = ModelPackage.Read(path, Kind, new MLContext(seed: 0));
        if (models.Length != 2 || manifest.Threshold is not { } threshold || !float.IsFinite(threshold) || manifest.Variances is null)
        {
            throw new InvalidDataException($"{path}: a misbehaviour model needs the PCA pipeline, the trees, the variances and a finite threshold");
        }

        try
        {
            return new MisbehaviorModel(models[0], models[1], threshold, manifest);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    internal void Save(string path, MLContext ml, DataViewSchema pcaSchema, DataViewSchema treeSchema) =>
        ModelPackage.Write(path, Manifest, ml, [(PipelineEntry, Pipeline, pcaSchema), (TreesEntry, Trees ?? throw new InvalidOperationException("the judgement stage is not trained"), treeSchema)]);

    private static (NormalizingTransformer Normalizer, PcaModelParameters Pca) Parts(ITransformer pipeline)
    {
        NormalizingTransformer? normalizer = null;
        PcaModelParameters? pca = null;
        IEnumerable<ITransformer> parts = pipeline is IEnumerable<ITransformer> chain ? chain : [pipeline];
        foreach (ITransformer t in parts)
        {
            if (t is NormalizingTransformer n)
            {
                normalizer = n;
            }
            else if (t is ISingleFeaturePredictionTransformer<object> { Model: PcaModelParameters p })
            {
                pca = p;
            }
        }

        return normalizer is null || pca is null
            ? throw new InvalidDataException("the misbehaviour pipeline is not a normaliser followed by a PCA anomaly detector")
            : (normalizer, pca);
    }

    private static float[] Dense(ImmutableArray<float> values, int n, string what)
    {
        if (values.Length == 1)
        {
            float[] all = new float[n];
            Array.Fill(all, values[0]);
            return all;
        }

        if (values.Length != n)
        {
            throw new InvalidDataException($"the normaliser's {what} has {values.Length} values, not {n}");
        }

        return [.. values];
    }

    private static void ThrowLength(ReadOnlySpan<float> features) =>
        throw new ArgumentException($"a source window has {SourceFeatures.Count} features, not {features.Length}", nameof(features));
}
