using System.Runtime.CompilerServices;

namespace QiZhiChunCheng.Engine.World;

/// <summary>A 4 x 4 matrix, row-major, inline in its owner (no array per track).</summary>
[InlineArray(16)]
internal struct Matrix4
{
    private double _element;
}

/// <summary>A 4-vector inline in its owner.</summary>
[InlineArray(4)]
internal struct Vector4
{
    private double _element;
}

/// <summary>
/// A constant-velocity Kalman filter on [x, y, vx, vy] (local metres, m/s) with white-acceleration process noise
/// of spectral density q (m²/s³). Measurements come as 2-vectors on either the position (index 0) or the velocity
/// (index 2) block; a position + velocity measurement with block-diagonal noise is applied as two sequential block
/// updates, which is exactly the joint update. A plain struct kept inside the track slot; allocates nothing.
/// </summary>
internal struct KalmanCv
{
    public Vector4 S;
    public Matrix4 P;

    public readonly double X => S[0];

    public readonly double Y => S[1];

    public readonly double Vx => S[2];

    public readonly double Vy => S[3];

    public void Init(double x, double y, double vx, double vy, double posVar, double vxx, double vxy, double vyy)
    {
        S[0] = x;
        S[1] = y;
        S[2] = vx;
        S[3] = vy;
        for (int i = 0; i < 16; i++)
        {
            P[i] = 0;
        }

        P[0] = posVar;
        P[5] = posVar;
        P[10] = vxx;
        P[11] = vxy;
        P[14] = vxy;
        P[15] = vyy;
    }

    /// <summary>Moves the state <paramref name="dt"/> seconds forward (dt ≥ 0): x' = F x, P' = F P Fᵀ + Q.</summary>
    public void Predict(double dt, double q)
    {
        if (dt <= 0)
        {
            return;
        }

        S[0] += S[2] * dt;
        S[1] += S[3] * dt;

        // F = I + dt·E with E moving velocity into position: rows 0, 1 of F·P gain dt × rows 2, 3 ...
        for (int j = 0; j < 4; j++)
        {
            P[j] += dt * P[8 + j];
            P[4 + j] += dt * P[12 + j];
        }

        // ... and columns 0, 1 of (F·P)·Fᵀ gain dt × columns 2, 3.
        for (int i = 0; i < 4; i++)
        {
            P[(4 * i) + 0] += dt * P[(4 * i) + 2];
            P[(4 * i) + 1] += dt * P[(4 * i) + 3];
        }

        double q3 = q * dt * dt * dt / 3;
        double q2 = q * dt * dt / 2;
        double q1 = q * dt;
        P[0] += q3;
        P[5] += q3;
        P[2] += q2;
        P[8] += q2;
        P[7] += q2;
        P[13] += q2;
        P[10] += q1;
        P[15] += q1;
    }

    /// <summary>
    /// The position and its covariance <paramref name="dt"/> seconds away (either way) without changing the
    /// filter: what gating and snapshots need.
    /// </summary>
    public readonly void PredictPosition(double dt, double q, out double x, out double y, out double pxx, out double pxy, out double pyy)
    {
        double a = Math.Abs(dt);
        double q3 = q * a * a * a / 3;
        x = S[0] + (S[2] * dt);
        y = S[1] + (S[3] * dt);
        pxx = P[0] + (2 * dt * P[2]) + (dt * dt * P[10]) + q3;
        pyy = P[5] + (2 * dt * P[7]) + (dt * dt * P[15]) + q3;
        pxy = P[1] + (dt * (P[3] + P[6])) + (dt * dt * P[11]);
    }

    /// <summary>Mean variance of the velocity per axis after <paramref name="dt"/> seconds (m²/s²).</summary>
    public readonly double VelocityVariance(double dt, double q) => ((P[10] + P[15]) / 2) + (q * Math.Abs(dt));

    /// <summary>
    /// Kalman update with a 2-vector measurement (z0, z1) of state block <paramref name="a"/> (0 position,
    /// 2 velocity) with noise covariance [[r00, r01], [r01, r11]].
    /// </summary>
    public void Update(int a, double z0, double z1, double r00, double r01, double r11)
    {
        double s00 = P[(5 * a)] + r00;
        double s01 = P[(5 * a) + 1] + r01;
        double s11 = P[(5 * a) + 5] + r11;
        double det = (s00 * s11) - (s01 * s01);
        if (!(det > 1e-18))
        {
            return;
        }

        double i00 = s11 / det;
        double i01 = -s01 / det;
        double i11 = s00 / det;
        double y0 = z0 - S[a];
        double y1 = z1 - S[a + 1];
        Vector4 k0 = default;
        Vector4 k1 = default;
        Vector4 ra = default;
        Vector4 rb = default;
        for (int i = 0; i < 4; i++)
        {
            double pa = P[(4 * i) + a];
            double pb = P[(4 * i) + a + 1];
            k0[i] = (pa * i00) + (pb * i01);
            k1[i] = (pa * i01) + (pb * i11);
            ra[i] = P[(4 * a) + i];
            rb[i] = P[(4 * (a + 1)) + i];
        }

        for (int i = 0; i < 4; i++)
        {
            S[i] += (k0[i] * y0) + (k1[i] * y1);
            for (int j = 0; j < 4; j++)
            {
                P[(4 * i) + j] -= (k0[i] * ra[j]) + (k1[i] * rb[j]);
            }
        }

        // Keep P symmetric against rounding.
        for (int i = 0; i < 4; i++)
        {
            for (int j = i + 1; j < 4; j++)
            {
                double m = (P[(4 * i) + j] + P[(4 * j) + i]) / 2;
                P[(4 * i) + j] = m;
                P[(4 * j) + i] = m;
            }
        }
    }

    /// <summary>
    /// The covariance of a velocity measured as speed along a heading: <paramref name="alongSigma"/> along it,
    /// <paramref name="crossSigma"/> across it. Heading clockwise from north, so the unit vector is (sin h, cos h).
    /// </summary>
    public static void VelocityNoise(double headingDeg, double alongSigma, double crossSigma, out double rxx, out double rxy, out double ryy)
    {
        double h = headingDeg * (Math.PI / 180);
        double s = Math.Sin(h);
        double c = Math.Cos(h);
        double a2 = alongSigma * alongSigma;
        double c2 = crossSigma * crossSigma;
        rxx = (a2 * s * s) + (c2 * c * c);
        ryy = (a2 * c * c) + (c2 * s * s);
        rxy = (a2 - c2) * s * c;
    }
}
