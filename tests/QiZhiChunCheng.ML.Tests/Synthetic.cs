using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Trust;
using QiZhiChunCheng.ML.Training;

namespace QiZhiChunCheng.ML.Tests;

/// <summary>
/// Made-up windows with a known structure, for the tests that compare the extracted scorers with ML.NET itself
/// (those hold for any data; the quality tests use generated scenarios).
/// </summary>
internal static class Synthetic
{
    /// <summary>Normal sources at 10 Hz with small correlated noise; anomalous ones with a large residual and unseen share.</summary>
    public static List<SourceWindow> SourceWindows(int count, double anomalousShare, int seed)
    {
        Random r = new(seed);
        List<SourceWindow> windows = [];
        for (int i = 0; i < count; i++)
        {
            bool rsu = r.NextDouble() < 0.2;
            bool anomalous = r.NextDouble() < anomalousShare;
            float noise = (float)r.NextDouble();
            float[] f = new float[SourceFeatures.Count];
            f[SourceFeatures.MessageRateHz] = 10 - (float)(r.NextDouble() * 1.5);
            f[SourceFeatures.MeanLatencyMs] = 40 + (float)(r.NextDouble() * 20);
            f[SourceFeatures.MeanResidualM] = 0.5f + noise + (anomalous ? 3 + (float)(r.NextDouble() * 3) : 0);
            f[SourceFeatures.ResidualTrendM] = (float)(r.NextDouble() - 0.5) * 0.3f + (anomalous ? 0.4f : 0);
            f[SourceFeatures.SpeedNoiseMps] = 0.3f + (noise * 0.5f);
            f[SourceFeatures.DropoutShare] = (float)(r.NextDouble() * 0.1);
            f[SourceFeatures.UnseenCoveredShare] = rsu ? 0 : (float)(r.NextDouble() * 0.1) + (anomalous ? 0.8f : 0);
            f[SourceFeatures.RuleFailureRate] = (float)(r.NextDouble() * 0.02);
            f[SourceFeatures.IsRsu] = rsu ? 1 : 0;
            f[SourceFeatures.Partners] = rsu ? 4 + r.Next(12) : r.Next(3);
            f[SourceFeatures.DisagreeShare] = anomalous ? 0.6f + (float)(r.NextDouble() * 0.4) : (float)(r.NextDouble() * 0.3);
            f[SourceFeatures.MedianOffsetM] = (float)(r.NextDouble() * 0.2) + (anomalous ? 1 + (float)r.NextDouble() : 0);
            windows.Add(new SourceWindow(rsu ? SourceKind.Rsu : SourceKind.Obu, (ulong)(i % 50), i * 1000L, f, anomalous));
        }

        return windows;
    }

    /// <summary>Segment windows whose level follows the speed ratio with noise, as the truth labels would.</summary>
    public static List<SegmentWindow> SegmentWindows(int count, int seed)
    {
        Random r = new(seed);
        List<SegmentWindow> windows = [];
        for (int i = 0; i < count; i++)
        {
            double ratio = r.NextDouble() * 1.1;
            float limit = r.NextDouble() < 0.7 ? 16.67f : 11.11f;
            float length = 100 + (float)(r.NextDouble() * 50);
            int vehicles = 1 + (int)((1.2 - ratio) * 10 * r.NextDouble());
            float[] f = new float[SegmentFeatures.Count];
            f[SegmentFeatures.VehicleCount] = vehicles;
            f[SegmentFeatures.DensityPerKm] = vehicles * 1000 / length;
            f[SegmentFeatures.MeanSpeedRatio] = (float)(ratio + ((r.NextDouble() - 0.5) * 0.1));
            f[SegmentFeatures.SpeedStdMps] = (float)(r.NextDouble() * 2);
            f[SegmentFeatures.StoppedShare] = ratio < 0.1 ? (float)r.NextDouble() : 0;
            f[SegmentFeatures.SpeedTrendMps] = (float)((r.NextDouble() - 0.5) * 3);
            f[SegmentFeatures.LengthM] = length;
            f[SegmentFeatures.LimitMps] = limit;
            windows.Add(new SegmentWindow(i % 40, i * 1000L, f, ScenarioDataset.LevelOf(ratio), ratio));
        }

        return windows;
    }
}
