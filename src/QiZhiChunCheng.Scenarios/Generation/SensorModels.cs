namespace QiZhiChunCheng.Scenarios.Generation;

/// <summary>
/// How a vehicle's on-board unit reports itself: GNSS position error as a first-order Gauss-Markov process (the
/// error of a receiver drifts, it does not jump every fix), speed and heading noise, the share of BSMs lost on the
/// air or the uplink, and the uplink latency. Defaults: a lane-level receiver (0.4 m per axis, 3 s correlation),
/// 0.05 m/s, 0.3°, 2 % loss, 10..40 ms.
/// </summary>
public sealed record GnssModel
{
    public double PositionSigmaM { get; init; } = 0.4;

    public double CorrelationS { get; init; } = 3;

    public double SpeedSigmaMps { get; init; } = 0.05;

    public double HeadingSigmaDeg { get; init; } = 0.3;

    public double AccelSigmaMps2 { get; init; } = 0.05;

    public double LossProbability { get; init; } = 0.02;

    public int MinLatencyMs { get; init; } = 10;

    public int MaxLatencyMs { get; init; } = 40;

    public static GnssModel Perfect { get; } = new() { PositionSigmaM = 0, SpeedSigmaMps = 0, HeadingSigmaDeg = 0, AccelSigmaMps2 = 0, LossProbability = 0, MinLatencyMs = 0, MaxLatencyMs = 0 };
}

/// <summary>
/// An RSU's fused camera and radar: white position noise per axis, speed and heading noise, a per-target chance of
/// missing a target in a frame (dropout), short-lived false targets (clutter that lives one or two frames, never
/// long enough for the fusion to confirm it), the latency from measurement to publication, and whole-message
/// loss on the backhaul. Targets are seen within the RSU's sensor range. Defaults: 0.3 m, 0.2 m/s, 2°, 3 %
/// dropout, 0.02 false targets a frame, 60..100 ms, 0.5 % loss.
/// </summary>
public sealed record RsuSensorModel
{
    public double PositionSigmaM { get; init; } = 0.3;

    public double SpeedSigmaMps { get; init; } = 0.2;

    public double HeadingSigmaDeg { get; init; } = 2;

    public double DropoutProbability { get; init; } = 0.03;

    public double FalseTargetsPerFrame { get; init; } = 0.02;

    public int MinLatencyMs { get; init; } = 60;

    public int MaxLatencyMs { get; init; } = 100;

    public double MessageLossProbability { get; init; } = 0.005;

    /// <summary>Whether the RSU puts the BSM id of a connected vehicle it has associated into the participant (its own V2X fusion).</summary>
    public bool AssociatesBsm { get; init; } = true;

    public static RsuSensorModel Perfect { get; } = new() { PositionSigmaM = 0, SpeedSigmaMps = 0, HeadingSigmaDeg = 0, DropoutProbability = 0, FalseTargetsPerFrame = 0, MinLatencyMs = 0, MaxLatencyMs = 0, MessageLossProbability = 0 };
}

/// <summary>Seeded noise helpers (Box-Muller from a <see cref="Random"/>; nothing else is a source of randomness).</summary>
internal static class Noise
{
    public static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public static bool Chance(Random random, double p) => p > 0 && random.NextDouble() < p;

    public static int Between(Random random, int min, int max) => max <= min ? min : random.Next(min, max + 1);
}

/// <summary>
/// A first-order Gauss-Markov error in two axes with stationary sigma <c>sigma</c> and correlation time <c>tau</c>:
/// e(k+1) = φ e(k) + σ √(1 − φ²) w, φ = exp(−Δt/τ).
/// </summary>
internal sealed class DriftingError(double sigmaM, double tauS, Random random)
{
    private double _east = sigmaM * Noise.Gaussian(random);
    private double _north = sigmaM * Noise.Gaussian(random);

    public (double East, double North) Next(double dtS)
    {
        if (sigmaM <= 0)
        {
            return (0, 0);
        }

        double phi = tauS > 0 ? Math.Exp(-dtS / tauS) : 0;
        double k = sigmaM * Math.Sqrt(1 - (phi * phi));
        _east = (phi * _east) + (k * Noise.Gaussian(random));
        _north = (phi * _north) + (k * Noise.Gaussian(random));
        return (_east, _north);
    }
}
