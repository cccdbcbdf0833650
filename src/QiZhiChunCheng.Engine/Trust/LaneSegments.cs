using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Map;

namespace QiZhiChunCheng.Engine.Trust;

/// <summary>
/// The vehicle lanes of a compiled map cut into segments of at most <see cref="MaxLengthM"/> (a lane of length L
/// becomes ceil(L / 150) equal pieces, numbered lane by lane from upstream to downstream). Connections through
/// intersections are no segment. The unit of traffic state: features, model levels and truth labels are per
/// segment. Immutable; <see cref="Locate"/> allocates nothing.
/// </summary>
public sealed class LaneSegments
{
    public const double MaxLengthM = 150;

    /// <summary>The limit assumed for a lane whose MAP gives none, m/s (50 km/h).</summary>
    public const double DefaultLimitMps = 13.89;

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<LaneMap, LaneSegments> Cache = [];

    private readonly LaneMap _map;
    private readonly int[] _laneFirst;
    private readonly int[] _laneCount;
    private readonly double[] _laneStep;
    private readonly int[] _lane;
    private readonly double[] _fromM;
    private readonly double[] _toM;
    private readonly double[] _limit;

    private LaneSegments(LaneMap map)
    {
        _map = map;
        ReadOnlySpan<MapLaneInfo> lanes = map.Lanes;
        _laneFirst = new int[lanes.Length];
        _laneCount = new int[lanes.Length];
        _laneStep = new double[lanes.Length];
        List<(int Lane, double From, double To, double Limit)> segments = [];
        for (int l = 0; l < lanes.Length; l++)
        {
            _laneFirst[l] = segments.Count;
            if (lanes[l].Type != LaneType.Vehicle || !(lanes[l].LengthM > 0))
            {
                continue;
            }

            int n = Math.Max(1, (int)Math.Ceiling(lanes[l].LengthM / MaxLengthM));
            double step = lanes[l].LengthM / n;
            double limit = double.IsFinite(lanes[l].SpeedLimitMps) && lanes[l].SpeedLimitMps > 0 ? lanes[l].SpeedLimitMps : DefaultLimitMps;
            for (int i = 0; i < n; i++)
            {
                segments.Add((l, i * step, i == n - 1 ? lanes[l].LengthM : (i + 1) * step, limit));
            }

            _laneCount[l] = n;
            _laneStep[l] = step;
        }

        _lane = [.. segments.Select(s => s.Lane)];
        _fromM = [.. segments.Select(s => s.From)];
        _toM = [.. segments.Select(s => s.To)];
        _limit = [.. segments.Select(s => s.Limit)];
    }

    /// <summary>The segments of <paramref name="map"/> (built once per map and cached).</summary>
    public static LaneSegments For(LaneMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return Cache.GetValue(map, m => new LaneSegments(m));
    }

    public LaneMap Map => _map;

    public int Count => _lane.Length;

    /// <summary>The segment a position and heading match (via <see cref="LaneMap.MatchLocal"/>), or -1 off every lane or inside an intersection.</summary>
    public int Locate(double xM, double yM, double headingDeg)
    {
        MapMatch m = _map.MatchLocal(xM, yM, headingDeg, double.NaN);
        return m.Status == MatchStatus.OnLane ? Of(m.Lane, m.AlongM) : -1;
    }

    /// <summary>The segment of a lane (index in the map) at a distance along it, or -1 when the lane has none.</summary>
    public int Of(int lane, double alongM)
    {
        if ((uint)lane >= (uint)_laneCount.Length || _laneCount[lane] == 0)
        {
            return -1;
        }

        int i = double.IsFinite(alongM) ? (int)(alongM / _laneStep[lane]) : 0;
        return _laneFirst[lane] + Math.Clamp(i, 0, _laneCount[lane] - 1);
    }

    public double LengthM(int s) => _toM[s] - _fromM[s];

    /// <summary>The lane's limit, or <see cref="DefaultLimitMps"/> when the MAP gives none, m/s.</summary>
    public double LimitMps(int s) => _limit[s];

    /// <summary>The lane (index in the map's lanes) the segment is part of.</summary>
    public int Lane(int s) => _lane[s];

    /// <summary>Where the segment starts along its lane, m.</summary>
    public double FromAlongM(int s) => _fromM[s];

    /// <summary>Where the segment ends along its lane, m.</summary>
    public double ToAlongM(int s) => _toM[s];

    /// <summary>The point half-way along the segment, metres in the map's frame.</summary>
    public (double XM, double YM) Center(int s) => PointAt(_lane[s], (_fromM[s] + _toM[s]) / 2);

    /// <summary>The segment's centre line (metres in the map's frame), from upstream to downstream. Allocates: for maps and tools.</summary>
    public IReadOnlyList<(double XM, double YM)> Polyline(int s)
    {
        ref readonly MapLaneInfo lane = ref _map.Lanes[_lane[s]];
        ReadOnlySpan<double> along = _map.PointAlongM;
        List<(double, double)> points = [PointAt(_lane[s], _fromM[s])];
        for (int i = lane.FirstPoint; i < lane.FirstPoint + lane.PointCount; i++)
        {
            if (along[i] > _fromM[s] && along[i] < _toM[s])
            {
                points.Add((_map.PointX[i], _map.PointY[i]));
            }
        }

        points.Add(PointAt(_lane[s], _toM[s]));
        return points;
    }

    /// <summary>The segment's centre line in WGS-84 degrees (for GeoJSON). Allocates.</summary>
    public IReadOnlyList<(double LatDeg, double LonDeg)> PolylineWgs84(int s) =>
        [.. Polyline(s).Select(p => _map.Frame.ToWgs84(p.XM, p.YM))];

    private (double XM, double YM) PointAt(int laneIndex, double alongM)
    {
        ref readonly MapLaneInfo lane = ref _map.Lanes[laneIndex];
        ReadOnlySpan<double> along = _map.PointAlongM;
        ReadOnlySpan<double> x = _map.PointX;
        ReadOnlySpan<double> y = _map.PointY;
        int last = lane.FirstPoint + lane.PointCount - 1;
        for (int i = lane.FirstPoint; i < last; i++)
        {
            if (alongM <= along[i + 1] || i == last - 1)
            {
                double span = along[i + 1] - along[i];
                double f = span > 1e-9 ? Math.Clamp((alongM - along[i]) / span, 0, 1) : 0;
                return (x[i] + ((x[i + 1] - x[i]) * f), y[i] + ((y[i + 1] - y[i]) * f));
            }
        }

        return (x[lane.FirstPoint], y[lane.FirstPoint]);
    }
}
