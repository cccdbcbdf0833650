using QiZhiChunCheng.Core.Geo;

namespace QiZhiChunCheng.Engine.Roads;

/// <summary>A named road with a centre line (WGS-84 degrees), a half-width and a limit.</summary>
public sealed record RoadSpeedLimit(string Name, IReadOnlyList<(double LatDeg, double LonDeg)> CentreLine, double HalfWidthM, double LimitKmh)
{
    public double LimitMps => LimitKmh / 3.6;
}

/// <summary>
/// Speed limits by road, compiled once into segments in a local metric frame; a lookup is a scan of a few dozen
/// segments with plain arithmetic (no allocation). This is the walking skeleton's road knowledge; the lane map
/// replaces it with lane-level limits. Immutable, thread-safe.
/// </summary>
public sealed class SpeedLimitZones
{
    private readonly LocalFrame _frame;
    private readonly Segment[] _segments;
    private readonly RoadSpeedLimit[] _roads;

    public SpeedLimitZones(IReadOnlyList<RoadSpeedLimit> roads)
    {
        ArgumentNullException.ThrowIfNull(roads);
        if (roads.Count == 0)
        {
            throw new ArgumentException("at least one road is needed", nameof(roads));
        }

        _roads = [.. roads];
        _frame = new LocalFrame(roads[0].CentreLine[0].LatDeg, roads[0].CentreLine[0].LonDeg);
        List<Segment> segments = [];
        for (int r = 0; r < _roads.Length; r++)
        {
            IReadOnlyList<(double LatDeg, double LonDeg)> line = _roads[r].CentreLine;
            for (int i = 1; i < line.Count; i++)
            {
                (double ax, double ay) = _frame.ToLocal(line[i - 1].LatDeg, line[i - 1].LonDeg);
                (double bx, double by) = _frame.ToLocal(line[i].LatDeg, line[i].LonDeg);
                segments.Add(new Segment(ax, ay, bx, by, r));
            }
        }

        _segments = [.. segments];
    }

    /// <summary>
    /// The zone's walking-skeleton roads (V2X-REFERENCE section 5): Dongfeng Street at 60 km/h (three lanes each
    /// way, 12 m either side of the centre line) and Feiyue Road at 40 km/h.
    /// </summary>
    public static SpeedLimitZones QizhiDefault { get; } = new(
    [
        new RoadSpeedLimit(
            "Dongfeng Street",
            [(43.84237, 125.21213), (43.84998, 125.23147), (43.85260, 125.23675), (43.85272, 125.23740), (43.85419, 125.24021), (43.85504, 125.24151), (43.86319, 125.25743)],
            HalfWidthM: 12,
            LimitKmh: 60),
        new RoadSpeedLimit(
            "Feiyue Road",
            [(43.85108, 125.22131), (43.84708, 125.22411), (43.84308, 125.22691)],
            HalfWidthM: 8,
            LimitKmh: 40),
    ]);

    public IReadOnlyList<RoadSpeedLimit> Roads => _roads;

    /// <summary>The limit of the nearest road within its half-width; false off every road.</summary>
    public bool TryGetLimit(double latDeg, double lonDeg, out RoadSpeedLimit road)
    {
        (double x, double y) = _frame.ToLocal(latDeg, lonDeg);
        int best = -1;
        double bestDistance = double.MaxValue;
        foreach (ref readonly Segment s in _segments.AsSpan())
        {
            double d = s.DistanceM(x, y);
            if (d <= _roads[s.Road].HalfWidthM && d < bestDistance)
            {
                bestDistance = d;
                best = s.Road;
            }
        }

        road = best >= 0 ? _roads[best] : null!;
        return best >= 0;
    }

    private readonly record struct Segment(double Ax, double Ay, double Bx, double By, int Road)
    {
        public double DistanceM(double x, double y)
        {
            double dx = Bx - Ax;
            double dy = By - Ay;
            double lengthSquared = (dx * dx) + (dy * dy);
            double t = lengthSquared == 0 ? 0 : Math.Clamp((((x - Ax) * dx) + ((y - Ay) * dy)) / lengthSquared, 0, 1);
            double px = Ax + (t * dx) - x;
            double py = Ay + (t * dy) - y;
            return Math.Sqrt((px * px) + (py * py));
        }
    }
}
