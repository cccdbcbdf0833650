using Microsoft.ML;
using Microsoft.ML.Data;
using QiZhiChunCheng.Engine.Trust;
using QiZhiChunCheng.ML.Training;

namespace QiZhiChunCheng.ML.Tests;

/// <summary>
/// The allocation-free scorers compute exactly what ML.NET computes from the same trained models, allocate nothing,
/// and survive a save and load.
/// </summary>
public sealed class ScorerTests
{
    private static readonly Lazy<(MisbehaviorModel Model, List<SourceWindow> Windows)> Misbehavior = new(() =>
    {
        List<SourceWindow> windows = Synthetic.SourceWindows(3000, 0.1, seed: 5);
        return (ModelTrainer.FitMisbehavior(windows, seed: 5, out _, out _, out _), windows);
    });

    private static readonly Lazy<(TrafficStateModel Model, List<SegmentWindow> Windows)> Traffic = new(() =>
    {
        List<SegmentWindow> windows = Synthetic.SegmentWindows(3000, seed: 6);
        return (ModelTrainer.FitTraffic(windows, seed: 6, out _, out _), windows);
    });

    [Fact]
    public void The_extracted_PCA_score_equals_ML_NETs_score()
    {
        (MisbehaviorModel model, List<SourceWindow> windows) = Misbehavior.Value;
        float[] expected = MlNetScores(model.Pipeline, windows.Select(w => w.Features), SourceFeatures.Count);
        int compared = 0;
        for (int i = 0; i < windows.Count; i++)
        {
            if (float.IsFinite(expected[i]))
            {
                Assert.Equal(expected[i], model.MlNetScore(windows[i].Features), 3e-4f);
                compared++;
            }
        }

        Assert.True(compared > windows.Count * 0.99, $"only {compared} of {windows.Count} ML.NET scores were finite");
        Assert.Equal(ModelTrainer.PcaRank, model.Rank);
        Assert.True(float.IsFinite(model.Threshold));
    }

    [Fact]
    public void The_extracted_judgement_trees_score_as_ML_NETs_FastTree()
    {
        (MisbehaviorModel model, List<SourceWindow> windows) = Misbehavior.Value;
        List<float[]> augmented = [.. windows.Select(w =>
        {
            float[] x = new float[MisbehaviorModel.TreeFeatureCount];
            model.Augment(w.Features, x);
            return x;
        })];
        float[] expected = MlNetScores(model.Trees!, augmented, MisbehaviorModel.TreeFeatureCount);
        for (int i = 0; i < windows.Count; i++)
        {
            Assert.Equal(expected[i], model.Score(windows[i].Features), 1e-4f);
        }

        // And the judgement separates what it was shown: the synthetic faults are easy.
        DetectionQuality q = ModelTrainer.Evaluate(model, windows);
        Assert.True(q.Precision >= 0.9 && q.Recall >= 0.9, q.ToString());
    }

    [Fact]
    public void The_PCA_distance_is_T2_plus_Q_of_ML_NETs_normaliser_and_eigenvectors()
    {
        (MisbehaviorModel model, List<SourceWindow> windows) = Misbehavior.Value;
        var parts = ((IEnumerable<ITransformer>)model.Pipeline).ToList();
        var affine = (Microsoft.ML.Transforms.NormalizingTransformer.AffineNormalizerModelParameters<System.Collections.Immutable.ImmutableArray<float>>)((Microsoft.ML.Transforms.NormalizingTransformer)parts[0]).GetNormalizerModelParameters(0);
        var pca = (Microsoft.ML.Trainers.PcaModelParameters)((ISingleFeaturePredictionTransformer<object>)parts[1]).Model;
        VBuffer<float> mean = default;
        pca.GetMean(ref mean);
        VBuffer<float>[] vectors = [];
        pca.GetEigenVectors(ref vectors, out int rank);
        List<float> variances = model.Manifest.Variances!;
        float[] x = new float[MisbehaviorModel.TreeFeatureCount];
        foreach (SourceWindow w in windows.Take(500))
        {
            double[] d = new double[SourceFeatures.Count];
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = ((w.Features[i] - affine.Offset[i]) * affine.Scale[i]) - mean.GetValues()[i];
            }

            double inside = 0, t2 = 0;
            for (int r = 0; r < rank; r++)
            {
                double c = 0;
                for (int i = 0; i < d.Length; i++)
                {
                    c += vectors[r].GetValues()[i] * d[i];
                }

                inside += c * c;
                t2 += c * c / variances[r];
            }

            double q = Math.Max(0, d.Sum(v => v * v) - inside);
            model.Augment(w.Features, x);
            Assert.Equal(Math.Sqrt(t2 + (q / variances[rank])), x[SourceFeatures.Count], 1e-3 * Math.Max(1, x[SourceFeatures.Count]));
        }
    }

    [Fact]
    public void The_extracted_trees_score_and_classify_as_ML_NETs_models()
    {
        (TrafficStateModel model, List<SegmentWindow> windows) = Traffic.Value;
        float[][] perLevel = [.. Enumerable.Range(0, 3).Select(k => MlNetScores(model.Models[k], windows.Select(w => w.Features), SegmentFeatures.Count))];
        for (int i = 0; i < windows.Count; i++)
        {
            int argmax = 0;
            for (int k = 0; k < 3; k++)
            {
                Assert.Equal(perLevel[k][i], model.RawScore(k, windows[i].Features), 1e-4);
                argmax = perLevel[k][i] > perLevel[argmax][i] ? k : argmax;
            }

            Assert.Equal((TrafficLevel)argmax, model.Classify(windows[i].Features));
        }
    }

    [Fact]
    public void Scoring_and_classifying_allocate_nothing()
    {
        MisbehaviorModel misbehavior = Misbehavior.Value.Model;
        TrafficStateModel traffic = Traffic.Value.Model;
        float[] source = Misbehavior.Value.Windows[7].Features;
        float[] segment = Traffic.Value.Windows[7].Features;
        float sink = 0;

        // The first rounds run while the JIT still works on this thread (on-stack replacement of the loop, tier-up):
        // once a CI run counted 2,200 bytes of that. Anything the scoring itself allocated would show in every round
        // (a thousand calls each), so the least of three rounds is the figure.
        long Round()
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                sink += misbehavior.Score(source);
                sink += (float)traffic.Classify(segment);
            }

            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        long allocated = Math.Min(Round(), Math.Min(Round(), Round()));
        Assert.Equal(0, allocated);
        Assert.True(float.IsFinite(sink));
    }

    [Fact]
    public void A_wrong_feature_count_is_an_argument_error()
    {
        Assert.Throws<ArgumentException>(() => Misbehavior.Value.Model.Score(new float[3]));
        Assert.Throws<ArgumentException>(() => Traffic.Value.Model.Classify(new float[SegmentFeatures.Count + 1]));
    }

    [Fact]
    public void Saved_models_load_back_with_the_same_scores()
    {
        string dir = Temp.Dir();
        List<SourceWindow> sources = Synthetic.SourceWindows(1500, 0.1, seed: 8);
        MisbehaviorModel m = ModelTrainer.FitMisbehavior(sources, seed: 8, out DataViewSchema pcaSchema, out DataViewSchema treeSchema, out MLContext ml);
        string mPath = Path.Combine(dir, "m.zip");
        m.Save(mPath, ml, pcaSchema, treeSchema);
        MisbehaviorModel m2 = MisbehaviorModel.Load(mPath);
        Assert.Equal(m.Threshold, m2.Threshold);
        Assert.Equal(m.Rank, m2.Rank);
        foreach (SourceWindow w in sources.Take(200))
        {
            Assert.Equal(m.Score(w.Features), m2.Score(w.Features));
        }

        List<SegmentWindow> segments = Synthetic.SegmentWindows(1500, seed: 9);
        TrafficStateModel t = ModelTrainer.FitTraffic(segments, seed: 9, out DataViewSchema schema, out ml);
        string tPath = Path.Combine(dir, "t.zip");
        t.Save(tPath, ml, schema);
        TrafficStateModel t2 = TrafficStateModel.Load(tPath);
        foreach (SegmentWindow w in segments.Take(200))
        {
            Assert.Equal(t.Classify(w.Features), t2.Classify(w.Features));
        }

        // One kind is not the other.
        InvalidDataException wrong = Assert.Throws<InvalidDataException>(() => TrafficStateModel.Load(mPath));
        Assert.Contains("not a traffic model", wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_and_corrupt_model_files_are_one_line_errors()
    {
        string dir = Temp.Dir();
        string missing = Path.Combine(dir, "none.zip");
        string garbage = Path.Combine(dir, "garbage.zip");
        File.WriteAllText(garbage, "not a zip at all");
        foreach (string path in new[] { missing, garbage })
        {
            InvalidDataException ex = Assert.Throws<InvalidDataException>(() => MisbehaviorModel.Load(path));
            Assert.StartsWith(path, ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', ex.Message);
        }
    }

    /// <summary>ML.NET's own Score column for each feature vector.</summary>
    private static float[] MlNetScores(ITransformer model, IEnumerable<float[]> features, int count)
    {
        MLContext ml = new(seed: 0);
        SchemaDefinition schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, count);
        IDataView data = ml.Data.LoadFromEnumerable(features.Select(f => new Row { Features = f }), schema);
        return [.. model.Transform(data).GetColumn<float>("Score")];
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
    }
}
