using BenchmarkDotNet.Attributes;
using QiZhiChunCheng.Engine.Trust;
using QiZhiChunCheng.ML;

namespace QiZhiChunCheng.Benchmarks.ML;

/// <summary>
/// The two model calls the engine makes off the hot path, about once a second per source and per occupied lane
/// segment: scoring one source window with the misbehaviour model (PCA reconstruction error) and classifying one
/// segment window with the traffic-state model (three FastTree ensembles). The shipped models from
/// <c>models/</c> at the repository root. Targets: 10 µs or less each and "-" in the Allocated column.
/// </summary>
[MemoryDiagnoser]
public class TrustModelBenchmarks
{
    private MisbehaviorModel _misbehavior = null!;
    private TrafficStateModel _traffic = null!;
    private float[][] _sources = null!;
    private float[][] _segments = null!;
    private int _i;

    [GlobalSetup]
    public void Setup()
    {
        string models = ModelsFolder();
        _misbehavior = MisbehaviorModel.Load(Path.Combine(models, TrustModels.MisbehaviorFile));
        _traffic = TrafficStateModel.Load(Path.Combine(models, TrustModels.TrafficFile));

        // A spread of plausible windows (normal and faulty sources, free to jammed segments), cycled through so the
        // trees do not always take the same path.
        Random r = new(11);
        _sources = new float[64][];
        _segments = new float[64][];
        for (int i = 0; i < 64; i++)
        {
            bool rsu = i % 5 == 0, faulty = i % 8 == 0;
            _sources[i] =
            [
                10 - (float)r.NextDouble(), 40 + (float)(r.NextDouble() * 30), (float)(r.NextDouble() * 2) + (faulty ? 4 : 0), (float)(r.NextDouble() - 0.5),
                (float)r.NextDouble(), (float)(r.NextDouble() * 0.1), rsu ? 0 : (float)(r.NextDouble() * (faulty ? 1 : 0.1)), (float)(r.NextDouble() * 0.05), rsu ? 1 : 0,
                rsu ? 3 + r.Next(8) : r.Next(3), faulty ? 0.5f + (float)(r.NextDouble() * 0.5) : (float)(r.NextDouble() * 0.2), (float)(r.NextDouble() * 0.3) + (faulty ? 1 : 0),
            ];
            double ratio = r.NextDouble();
            int vehicles = 1 + r.Next(12);
            _segments[i] =
            [
                vehicles, vehicles * 1000f / 150, (float)ratio, (float)(r.NextDouble() * 2), ratio < 0.1 ? (float)r.NextDouble() : 0,
                (float)((r.NextDouble() - 0.5) * 4), 150, 16.67f,
            ];
        }
    }

    [Benchmark]
    public float ScoreSourceWindow() => _misbehavior.Score(_sources[_i++ & 63]);

    [Benchmark]
    public TrafficLevel ClassifySegmentWindow() => _traffic.Classify(_segments[_i++ & 63]);

    private static string ModelsFolder()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "QiZhiChunCheng.sln")))
            {
                return Path.Combine(d.FullName, "models");
            }
        }

        throw new InvalidOperationException("no QiZhiChunCheng.sln above the benchmark's folder: run it inside the repository");
    }
}
