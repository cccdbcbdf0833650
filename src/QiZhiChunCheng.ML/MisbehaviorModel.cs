using System.Collections.Immutable;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms;
using QiZhiChunCheng.Engine.Trust;

namespace QiZhiChunCheng.ML;

/// <summary>
/// The misbehaviour model: ML.NET's randomized PCA anomaly detector over the per-source window features
/// (<see cref="SourceFeatures"/>), after a mean-variance normalisation, with a score threshold chosen on the training
/// windows. The trained ML.NET pipeline (normaliser + PCA) is what the model file keeps; on load its parameters are
/// copied into flat arrays, and <see cref="Score"/> computes ML.NET's score from them:
/// <code>
///   z = (x - offset) * scale                  the normaliser
///   d = z - mean                              the PCA centre
///   score = sqrt((|d|² - Σᵣ (vᵣ·d)²) / |d|²)  the share of d outside the top-rank subspace (0 = normal)
/// </code>
/// (<c>vᵣ·d</c> is ML.NET's <c>vᵣ·z - vᵣ·mean</c>). Score allocates nothing and costs 9 × (rank + 2) multiply-adds;
/// thread-safe (the arrays are read-only after load).
/// </summary>
public sealed class MisbehaviorModel : ISourceAnomalyScorer
{
    public const string Kind = "misbehavior";
    internal const string PipelineEntry = "pca.zip";

    private readonly float[] _offset;
    private readonly float[] _scale;
    private readonly float[] _mean;
    private readonly float[] _eigen; // rank rows of SourceFeatures.Count
    private readonly int _rank;

    internal MisbehaviorModel(ITransformer pipeline, float threshold, ModelManifest manifest)
    {
        Pipeline = pipeline;
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
    }

    /// <inheritdoc />
    public float Threshold { get; }

    /// <summary>The PCA rank (how many principal directions count as normal).</summary>
    public int Rank => _rank;

    /// <summary>What the model file says about how the model was trained and how well it did.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The ML.NET pipeline the parameters were taken from (tests compare against it).</summary>
    internal ITransformer Pipeline { get; }

    /// <summary>
    /// The anomaly score of one window of <see cref="SourceFeatures.Count"/> features: 0 for a window on the normal
    /// subspace, up to 1. No allocation; thread-safe.
    /// </summary>
    public float Score(ReadOnlySpan<float> features)
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
            d[i] = v;
            norm2X += v * v;
        }

        if (!(norm2X > 0))
        {
            return 0; // at the centre itself (ML.NET returns NaN there); NaN features also land here
        }

        float norm2U = 0;
        ReadOnlySpan<float> eigen = _eigen;
        for (int r = 0; r < _rank; r++)
        {
            ReadOnlySpan<float> v = eigen.Slice(r * N, N);
            float c = 0;
            for (int i = 0; i < N; i++)
            {
                c += v[i] * d[i];
            }

            norm2U += c * c;
        }

        float share = (norm2X - norm2U) / norm2X;
        return share > 0 ? MathF.Sqrt(share) : 0;
    }

    /// <summary>Loads a model file written by <c>qzcc ml train misbehavior</c>; throws <see cref="InvalidDataException"/> with a one-line reason.</summary>
    public static MisbehaviorModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        (ModelManifest manifest, ITransformer[] models) = ModelPackage.Read(path, Kind, new MLContext(seed: 0));
        if (models.Length != 1 || manifest.Threshold is not { } threshold || !float.IsFinite(threshold))
        {
            throw new InvalidDataException($"{path}: a misbehaviour model needs one pipeline and a finite threshold");
        }

        try
        {
            return new MisbehaviorModel(models[0], threshold, manifest);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    internal void Save(string path, MLContext ml, DataViewSchema schema) =>
        ModelPackage.Write(path, Manifest, ml, [(PipelineEntry, Pipeline, schema)]);

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
