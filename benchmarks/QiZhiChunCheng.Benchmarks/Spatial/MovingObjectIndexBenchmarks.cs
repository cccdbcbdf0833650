using BenchmarkDotNet.Attributes;
using QiZhiChunCheng.Engine.Spatial;

namespace QiZhiChunCheng.Benchmarks.Spatial;

/// <summary>
/// The moving-object index at the zone's busiest: 5,000 objects over 2 km x 2 km, 85 % of them within 15 m of
/// four straight roads (a jam on every approach), the rest scattered over car parks and pavements. Targets: a
/// 50 m radius query in 2 µs or less, an update in 100 ns or less, and "-" in the Allocated column everywhere.
/// Queries and updates cycle through precomputed inputs so that each call touches different memory, as a
/// partition worker does.
/// </summary>
[MemoryDiagnoser]
public class MovingObjectIndexBenchmarks
{
    private const int Objects = 5000;
    private const int Queries = 1024;

    private readonly int[] _results = new int[Objects];
    private readonly int[] _nearestHandles = new int[8];
    private readonly double[] _nearestDistances = new double[8];
    private MovingObjectIndex _index = null!;
    private double[] _x = null!;
    private double[] _y = null!;
    private double[] _sameCellX = null!;
    private double[] _sameCellY = null!;
    private double[] _queryX = null!;
    private double[] _queryY = null!;
    private int _nextQuery;
    private int _nextHandle;
    private bool _moved;

    [GlobalSetup]
    public void Setup()
    {
        Random random = new(20261128);
        _index = new MovingObjectIndex(10_000, cellSizeM: 25);
        _x = new double[Objects];
        _y = new double[Objects];
        _sameCellX = new double[Objects];
        _sameCellY = new double[Objects];
        for (int h = 0; h < Objects; h++)
        {
            (_x[h], _y[h]) = RoadPosition(random);
            _index.Upsert(h, _x[h], _y[h]);

            // The centre of the object's own cell: a move there never leaves the cell.
            _sameCellX[h] = (Math.Floor(_x[h] / 25) * 25) + 12.5;
            _sameCellY[h] = (Math.Floor(_y[h] / 25) * 25) + 12.5;
        }

        // Queries around objects, as a detector asks "who is near this vehicle".
        _queryX = new double[Queries];
        _queryY = new double[Queries];
        for (int q = 0; q < Queries; q++)
        {
            int h = random.Next(Objects);
            _queryX[q] = _x[h];
            _queryY[q] = _y[h];
        }
    }

    [Benchmark]
    public int Radius50m()
    {
        int q = _nextQuery++ & (Queries - 1);
        return _index.QueryRadius(_queryX[q], _queryY[q], 50, _results);
    }

    [Benchmark]
    public int Nearest8()
    {
        int q = _nextQuery++ & (Queries - 1);
        return _index.QueryNearest(_queryX[q], _queryY[q], 8, _nearestHandles, _nearestDistances);
    }

    /// <summary>Each object in turn moves to its cell's centre and back: the 10 Hz common case.</summary>
    [Benchmark]
    public void UpdateSameCell()
    {
        int h = NextHandle();
        if (_moved)
        {
            _index.Upsert(h, _sameCellX[h], _sameCellY[h]);
        }
        else
        {
            _index.Upsert(h, _x[h], _y[h]);
        }
    }

    /// <summary>Each object in turn moves one cell east and back: an unlink and a relink every call.</summary>
    [Benchmark]
    public void UpdateMoveCell()
    {
        int h = NextHandle();
        _index.Upsert(h, _moved ? _x[h] : _x[h] + 25, _y[h]);
    }

    private int NextHandle()
    {
        int h = _nextHandle;
        if (++_nextHandle == Objects)
        {
            _nextHandle = 0;
            _moved = !_moved;
        }

        return h;
    }

    // Four roads through the 2 km square: an east-west and a north-south arterial, a diagonal like Dongfeng
    // Street and a short collector. Positions along a road are uniform; across it, within ±15 m.
    private static (double X, double Y) RoadPosition(Random random)
    {
        double along = (random.NextDouble() * 2000) - 1000;
        double across = (random.NextDouble() * 30) - 15;
        if (random.NextDouble() >= 0.85)
        {
            return ((random.NextDouble() * 2000) - 1000, (random.NextDouble() * 2000) - 1000);
        }

        return random.Next(4) switch
        {
            0 => (along, 150 + across),
            1 => (-300 + across, along),
            2 => ((along * 0.8) - (across * 0.6), (along * 0.6) + (across * 0.8)),
            _ => ((along * 0.4) + 400, -500 + across),
        };
    }
}
