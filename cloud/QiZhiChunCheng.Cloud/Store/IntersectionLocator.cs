using QiZhiChunCheng.Core.Geo;
using QiZhiChunCheng.NetTopologySuite;

namespace QiZhiChunCheng.Cloud.Store;

/// <summary>
/// Says which intersection of the zone a position is at: the nearest one whose circle, widened by
/// <see cref="MarginM"/> for the approaches and stop lines, holds it; null when none does. A handful of intersections
/// per zone: a linear scan, no allocation. Thread-safe.
/// </summary>
public sealed class IntersectionLocator
{
    /// <summary>How far beyond an intersection's own area an event still counts as at it (the stop line and the queue before it).</summary>
    public const double MarginM = 40;

    private readonly LocalFrame _frame;
    private readonly (string Name, double East, double North, double RadiusM)[] _intersections;

    public IntersectionLocator(IReadOnlyList<ZoneIntersection> intersections)
    {
        ArgumentNullException.ThrowIfNull(intersections);
        _frame = intersections.Count == 0 ? new LocalFrame(0, 0) : new LocalFrame(intersections[0].LatitudeDeg, intersections[0].LongitudeDeg);
        _intersections = new (string, double, double, double)[intersections.Count];
        for (int i = 0; i < intersections.Count; i++)
        {
            (double east, double north) = _frame.ToLocal(intersections[i].LatitudeDeg, intersections[i].LongitudeDeg);
            _intersections[i] = (intersections[i].Name, east, north, intersections[i].RadiusM + MarginM);
        }
    }

    public string? Locate(double latDeg, double lonDeg)
    {
        if (_intersections.Length == 0)
        {
            return null;
        }

        (double east, double north) = _frame.ToLocal(latDeg, lonDeg);
        string? best = null;
        double bestDistance = double.MaxValue;
        foreach ((string name, double e, double n, double radius) in _intersections)
        {
            double d = Math.Sqrt(((east - e) * (east - e)) + ((north - n) * (north - n)));
            if (d <= radius && d < bestDistance)
            {
                best = name;
                bestDistance = d;
            }
        }

        return best;
    }
}
