using QiZhiChunCheng.Core.Geo;

namespace QiZhiChunCheng.Edge.Simulation;

/// <summary>
/// A road centre line for simulated traffic, measured in metres along it. Positions on a lane are offset to the
/// right of the direction of travel (China drives on the right), 3.5 m per lane. Immutable, thread-safe.
/// </summary>
public sealed class Corridor
{
    public const double LaneWidthM = 3.5;

    private readonly LocalFrame _frame;
    private readonly (double X, double Y)[] _points;
    private readonly double[] _cumulative;

    public Corridor(string name, IReadOnlyList<(double LatDeg, double LonDeg)> centreLine)
    {
        ArgumentNullException.ThrowIfNull(centreLine);
        if (centreLine.Count < 2)
        {
            throw new ArgumentException("a corridor needs at least two points", nameof(centreLine));
        }

        Name = name;
        _frame = new LocalFrame(centreLine[0].LatDeg, centreLine[0].LonDeg);
        _points = new (double, double)[centreLine.Count];
        _cumulative = new double[centreLine.Count];
        for (int i = 0; i < centreLine.Count; i++)
        {
            _points[i] = _frame.ToLocal(centreLine[i].LatDeg, centreLine[i].LonDeg);
            if (i > 0)
            {
                _cumulative[i] = _cumulative[i - 1] + Math.Sqrt(Math.Pow(_points[i].X - _points[i - 1].X, 2) + Math.Pow(_points[i].Y - _points[i - 1].Y, 2));
            }
        }
    }

    /// <summary>The straight 1.7 km stretch of Dongfeng Street used for mid-block scenarios (V2X-REFERENCE section 5).</summary>
    public static Corridor DongfengMidBlock { get; } = new("Dongfeng Street", [(43.8424, 125.2121), (43.8500, 125.2315)]);

    public string Name { get; }

    public double LengthM => _cumulative[^1];

    /// <summary>
    /// The position and heading at <paramref name="distanceM"/> along the centre line (wrapped into the corridor),
    /// on lane <paramref name="lane"/> of the carriageway for the given direction (lane 0 is next to the centre line).
    /// </summary>
    public (double LatDeg, double LonDeg, double HeadingDeg) At(double distanceM, int lane, bool forward)
    {
        double s = ((distanceM % LengthM) + LengthM) % LengthM;
        if (!forward)
        {
            s = LengthM - s;
        }

        int i = 1;
        while (i < _cumulative.Length - 1 && _cumulative[i] < s)
        {
            i++;
        }

        (double ax, double ay) = _points[i - 1];
        (double bx, double by) = _points[i];
        double segment = _cumulative[i] - _cumulative[i - 1];
        double t = segment == 0 ? 0 : (s - _cumulative[i - 1]) / segment;
        double dx = (bx - ax) / segment;
        double dy = (by - ay) / segment;
        if (!forward)
        {
            dx = -dx;
            dy = -dy;
        }

        // Right of travel direction (dx, dy) is (dy, -dx).
        double offset = (lane + 0.5) * LaneWidthM;
        double x = ax + (t * (bx - ax)) + (dy * offset);
        double y = ay + (t * (by - ay)) - (dx * offset);
        (double lat, double lon) = _frame.ToWgs84(x, y);
        double heading = (double.RadiansToDegrees(Math.Atan2(dx, dy)) + 360) % 360;
        return (lat, lon, heading);
    }
}
