using BenchmarkDotNet.Attributes;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.NetTopologySuite;

namespace QiZhiChunCheng.Benchmarks.Map;

/// <summary>
/// Map matching on the default zone (scenarios/maps/qizhi-dongfeng.json), one query per operation: positions on
/// the lanes' straight sections and along the connections through the three junctions, with 1.5 m (95 %) noise and
/// a fixed seed, 1024 of each, visited in turn. Targets: at most 1 µs per query and the Allocated column "-".
/// </summary>
[MemoryDiagnoser]
public class MapMatchBenchmarks
{
    private const int Queries = 1024;

    private LaneMap _map = null!;
    private Query[] _lanes = null!;
    private Query[] _junctions = null!;
    private MapMatch[] _hints = null!;
    private (double Lat, double Lon)[] _wgs84 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _map = ZoneMapLoader.Default.RequireLaneMap();
        Random random = new(42);
        List<Query> lanes = [];
        List<Query> junctions = [];
        for (int i = 0; lanes.Count < Queries; i = (i + 1) % _map.Lanes.Length)
        {
            MapLaneInfo lane = _map.Lanes[i];
            if (lane.Type == LaneType.Vehicle)
            {
                lanes.Add(Sample(lane.FirstPoint, lane.PointCount, 30 + (random.NextDouble() * Math.Max(0, lane.LengthM - 60)), random));
            }
        }

        List<MapMatch> hints = [];
        for (int i = 0; junctions.Count < Queries; i = (i + 1) % _map.Connections.Length)
        {
            MapConnectionInfo c = _map.Connections[i];
            junctions.Add(Sample(c.FirstPoint, c.PointCount, random.NextDouble() * c.LengthM, random));
            hints.Add(new MapMatch { Status = MatchStatus.OnConnection, Lane = c.FromLane, Connection = i });
        }

        _lanes = [.. lanes];
        _junctions = [.. junctions];
        _hints = [.. hints];
        _wgs84 = new (double, double)[Queries];
        for (int i = 0; i < Queries; i++)
        {
            _wgs84[i] = _map.Frame.ToWgs84(_lanes[i].X, _lanes[i].Y);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Queries)]
    public int MapMatchStraightLane()
    {
        int found = 0;
        foreach (ref readonly Query q in _lanes.AsSpan())
        {
            found += _map.MatchLocal(q.X, q.Y, q.HeadingDeg, 12).Lane;
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = Queries)]
    public int MapMatchJunctionWithHint()
    {
        int found = 0;
        for (int i = 0; i < _junctions.Length; i++)
        {
            ref readonly Query q = ref _junctions[i];
            found += _map.MatchLocal(q.X, q.Y, q.HeadingDeg, 8, _hints[i]).Connection;
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = Queries)]
    public int MapMatchWgs84()
    {
        int found = 0;
        for (int i = 0; i < _wgs84.Length; i++)
        {
            found += _map.MatchWgs84(_wgs84[i].Lat, _wgs84[i].Lon, _lanes[i].HeadingDeg, 12).Lane;
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = Queries)]
    public int MapMatchOffMap()
    {
        int found = 0;
        foreach (ref readonly Query q in _lanes.AsSpan())
        {
            found += _map.MatchLocal(q.X + 200, q.Y - 200, q.HeadingDeg, 12).Lane;
        }

        return found;
    }

    private Query Sample(int first, int count, double s, Random random)
    {
        ReadOnlySpan<double> along = _map.PointAlongM;
        int i = first;
        while (i < first + count - 2 && along[i + 1] < s)
        {
            i++;
        }

        double t = Math.Clamp((s - along[i]) / Math.Max(1e-9, along[i + 1] - along[i]), 0, 1);
        double sigma = 1.5 / 2.45;
        return new Query(
            _map.PointX[i] + (t * (_map.PointX[i + 1] - _map.PointX[i])) + (sigma * Gaussian(random)),
            _map.PointY[i] + (t * (_map.PointY[i + 1] - _map.PointY[i])) + (sigma * Gaussian(random)),
            _map.SegmentHeadingDeg[i] + (2 * Gaussian(random)));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private readonly record struct Query(double X, double Y, double HeadingDeg);
}
