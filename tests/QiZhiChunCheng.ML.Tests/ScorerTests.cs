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
        return (ModelTrainer.FitMisbehavior(windows, seed: 5, out _, out _), windows);
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
                Assert.Equal(expected[i], model.Score(windows[i].Features), 3e-4f);
                compared++;
            }
        }

        Assert.True(compared > windows.Count * 0.99, $"only {compared} of {windows.Count} ML.NET scores were finite");
        Assert.InRange(model.Rank, 1, 6);
        Assert.True(float.IsFinite(model.Threshold));
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
        float sink = misbehavior.Score(source) + (float)traffic.Classify(segment); // warm up (JIT)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            sink += misbehavior.Score(source);
            sink += (float)traffic.Classify(segment);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
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
        MisbehaviorModel m = ModelTrainer.FitMisbehavior(sources, seed: 8, out DataViewSchema schema, out MLContext ml);
        string mPath = Path.Combine(dir, "m.zip");
        m.Save(mPath, ml, schema);
        MisbehaviorModel m2 = MisbehaviorModel.Load(mPath);
        Assert.Equal(m.Threshold, m2.Threshold);
        Assert.Equal(m.Rank, m2.Rank);
        foreach (SourceWindow w in sources.Take(200))
        {
            Assert.Equal(m.Score(w.Features), m2.Score(w.Features));
        }

        List<SegmentWindow> segments = Synthetic.SegmentWindows(1500, seed: 9);
        TrafficStateModel t = ModelTrainer.FitTraffic(segments, seed: 9, out schema, out ml);
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
