using System.Globalization;
using System.Text;

namespace QiZhiChunCheng.Cloud;

/// <summary>
/// A lock-free latency histogram: 0.1 ms buckets up to 100 ms, 1 ms buckets up to 10 s, one overflow bucket. A
/// percentile is the upper edge of the bucket it falls in, so it is never under-reported by more than the bucket
/// width. Recording is one interlocked increment; reading walks about 11,000 counters.
/// </summary>
public sealed class LatencyHistogram
{
    private const int FineBuckets = 1000;     // 0.1 ms each, up to 100 ms
    private const int CoarseBuckets = 9900;   // 1 ms each, 100 ms .. 10 s
    private readonly long[] _counts = new long[FineBuckets + CoarseBuckets + 1];
    private long _count;
    private long _sumMicros;
    private long _maxMicros;

    public long Count => Interlocked.Read(ref _count);

    public void RecordMs(double latencyMs) => RecordMicros((long)(latencyMs * 1000));

    public void RecordMicros(long micros)
    {
        micros = Math.Max(0, micros);
        int bucket = micros < 100_000 ? (int)(micros / 100) : micros < 10_000_000 ? FineBuckets + (int)((micros - 100_000) / 1000) : _counts.Length - 1;
        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sumMicros, micros);
        long max;
        while (micros > (max = Interlocked.Read(ref _maxMicros)) && Interlocked.CompareExchange(ref _maxMicros, micros, max) != max)
        {
        }
    }

    public double MaxMs => Interlocked.Read(ref _maxMicros) / 1000.0;

    public double MeanMs => Count == 0 ? 0 : Interlocked.Read(ref _sumMicros) / 1000.0 / Count;

    /// <summary>The latency under which <paramref name="quantile"/> (0..1) of the recorded values fall, in ms; 0 when empty.</summary>
    public double PercentileMs(double quantile)
    {
        long total = Count;
        if (total == 0)
        {
            return 0;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return Math.Min(UpperEdgeMs(i), MaxMs);
            }
        }

        return MaxMs;
    }

    /// <summary>Clears the counts (the load harness drops its warm-up this way).</summary>
    public void Reset()
    {
        for (int i = 0; i < _counts.Length; i++)
        {
            Interlocked.Exchange(ref _counts[i], 0);
        }

        Interlocked.Exchange(ref _count, 0);
        Interlocked.Exchange(ref _sumMicros, 0);
        Interlocked.Exchange(ref _maxMicros, 0);
    }

    /// <summary>Writes the histogram in the Prometheus text format with a few fixed bucket edges (ms).</summary>
    public void WritePrometheus(StringBuilder text, string name, string help)
    {
        ArgumentNullException.ThrowIfNull(text);
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} histogram\n");
        ReadOnlySpan<double> edges = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000];
        long cumulative = 0;
        int bucket = 0;
        foreach (double edge in edges)
        {
            while (bucket < _counts.Length - 1 && UpperEdgeMs(bucket) <= edge + 1e-9)
            {
                cumulative += Interlocked.Read(ref _counts[bucket]);
                bucket++;
            }

            text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{le=\"{edge}\"}} {cumulative}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{le=\"+Inf\"}} {Count}\n");
        text.Append(CultureInfo.InvariantCulture, $"{name}_sum {(Interlocked.Read(ref _sumMicros) / 1000.0).ToString("0.###", CultureInfo.InvariantCulture)}\n");
        text.Append(CultureInfo.InvariantCulture, $"{name}_count {Count}\n");
    }

    private static double UpperEdgeMs(int bucket) =>
        bucket < FineBuckets ? (bucket + 1) * 0.1 : bucket < FineBuckets + CoarseBuckets ? 100 + (bucket - FineBuckets + 1) : double.PositiveInfinity;
}
