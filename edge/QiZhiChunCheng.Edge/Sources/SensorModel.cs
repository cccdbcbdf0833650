namespace QiZhiChunCheng.Edge.Sources;

/// <summary>
/// How the simulated sensors distort the truth: Gaussian position noise (sigma in metres, per axis), a dropout
/// probability per detection (the object is missing from that frame, or a BSM is not heard), and a latency
/// between measurement and publication (the message's <c>secMark</c> is that much older than its <c>ts</c>).
/// Seeded, so a run is repeatable.
/// </summary>
public sealed record SensorModel
{
    public double PositionSigmaM { get; init; } = 0.5;

    public double DropoutProbability { get; init; } = 0.02;

    public int LatencyMs { get; init; } = 50;

    public int Seed { get; init; } = 42;

    /// <summary>A perfect sensor: no noise, no dropouts, no latency.</summary>
    public static SensorModel Perfect { get; } = new() { PositionSigmaM = 0, DropoutProbability = 0, LatencyMs = 0 };

    internal bool Drops(Random random) => DropoutProbability > 0 && random.NextDouble() < DropoutProbability;

    /// <summary>The position moved by noise of <see cref="PositionSigmaM"/> east and north.</summary>
    internal (double LatDeg, double LonDeg) Distort(double latDeg, double lonDeg, Random random)
    {
        if (PositionSigmaM <= 0)
        {
            return (latDeg, lonDeg);
        }

        double east = Gaussian(random) * PositionSigmaM;
        double north = Gaussian(random) * PositionSigmaM;
        const double MetresPerDegreeLat = 111_320.0;
        double metresPerDegreeLon = MetresPerDegreeLat * Math.Cos(double.DegreesToRadians(latDeg));
        return (latDeg + (north / MetresPerDegreeLat), lonDeg + (east / metresPerDegreeLon));
    }

    private static double Gaussian(Random random)
    {
        // Box-Muller.
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
