using System.Diagnostics.CodeAnalysis;

namespace QiZhiChunCheng.Engine.Spatial;

/// <summary>
/// Radius and k-nearest queries over moving objects (tracks, participants) identified by int handles
/// 0..<see cref="Capacity"/>-1, with positions in local metres (east, north). Built for up to ~10,000 objects
/// updated at 10 Hz by one partition worker.
/// </summary>
/// <remarks>
/// <para>
/// Not thread-safe: one index per partition worker. Allocates only in the constructor; every operation after
/// that allocates nothing and writes its results into caller-provided spans.
/// </para>
/// <para>
/// Design: a uniform grid of square cells (<see cref="CellSizeM"/> on a side) with no fixed extent. A cell
/// (floor(x / size), floor(y / size)) is hashed into a fixed table of buckets; each bucket heads an intrusive
/// doubly linked list threaded through one 32-byte entry per handle. Two cells may share a bucket, so every
/// entry also keeps its cell and queries skip entries of other cells: collisions cost time, never correctness.
/// Cell coordinates are clamped to ±2^30 cells (±2.7e10 m with 25 m cells), so any finite coordinate works;
/// objects beyond the clamp share the edge cells and are found by the distance test like any other.
/// </para>
/// <para>
/// Costs, with n live objects and c cells touched by a query:
/// <list type="bullet">
/// <item><see cref="Upsert"/>: O(1). A move inside the same cell writes two doubles; a move to another cell
/// unlinks and relinks in O(1).</item>
/// <item><see cref="Remove"/>: O(1). <see cref="Clear"/>: O(n).</item>
/// <item><see cref="QueryRadius"/>: O(c + objects in those cells), c = (2r / size + 2)^2 at most; when c would
/// exceed n it scans the n live objects instead, so a huge radius costs O(n), never more.</item>
/// <item><see cref="QueryNearest"/>: rings of cells outward from the query point until the k-th best distance is
/// provably final, plus O(log k) per candidate kept; falls back to a scan of the n live objects when the rings
/// would touch more cells than there are objects (a query far from everything).</item>
/// </list>
/// </para>
/// </remarks>
public sealed class MovingObjectIndex
{
    /// <summary>The default cell size: about two lane-widths of a six-lane road, half a 50 m query radius.</summary>
    public const double DefaultCellSizeM = 25;

    // Cells are clamped to ±MaxCell so they fit an int, differences of two fit a long, and int.MinValue stays free
    // to mark an absent handle.
    private const int MaxCell = 1 << 30;
    private const int Absent = int.MinValue;
    private const int None = -1;
    private const int MinBuckets = 16;
    private const int MaxBuckets = 1 << 28;

    // Relative slack added to query extents so that rounding in (x - r) / size can never leave out an object the
    // exact distance test accepts; rounding errors are ~1e-16 relative, so this margin only rarely adds a cell.
    private const double Slack = 1e-9;

    private readonly Entry[] _entries;
    private readonly int[] _buckets;
    private readonly int[] _live;
    private readonly int[] _livePosition;
    private readonly double _cellSizeM;
    private readonly double _inverseCellSizeM;
    private readonly int _bucketShift;
    private int _count;

    /// <summary>Creates an empty index. Allocates its arrays once: 40 bytes per handle plus 4 per bucket.</summary>
    /// <param name="capacity">Handles run from 0 to capacity - 1 (e.g. the track slots of a partition).</param>
    /// <param name="cellSizeM">Side of a grid cell in metres; about half the usual query radius works well.</param>
    /// <param name="bucketCount">
    /// Size of the cell hash table, rounded up to a power of two; 0 picks twice the capacity. More buckets than
    /// occupied cells keeps collisions rare; fewer only costs time.
    /// </param>
    public MovingObjectIndex(int capacity, double cellSizeM = DefaultCellSizeM, int bucketCount = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        if (!double.IsFinite(cellSizeM) || cellSizeM <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(cellSizeM), cellSizeM, "the cell size must be a positive finite number of metres");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(bucketCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bucketCount, MaxBuckets);
        int buckets = bucketCount == 0 ? (int)Math.Min(MaxBuckets, 2L * capacity) : bucketCount;
        buckets = (int)Math.Max(MinBuckets, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)buckets));

        _entries = new Entry[capacity];
        _buckets = new int[buckets];
        _live = new int[capacity];
        _livePosition = new int[capacity];
        _cellSizeM = cellSizeM;
        _inverseCellSizeM = 1 / cellSizeM;
        _bucketShift = 64 - System.Numerics.BitOperations.Log2((uint)buckets);
        Array.Fill(_buckets, None);
        for (int i = 0; i < _entries.Length; i++)
        {
            _entries[i].CellX = Absent;
        }
    }

    /// <summary>The number of handles: valid handles are 0..Capacity-1.</summary>
    public int Capacity => _entries.Length;

    /// <summary>The number of objects in the index.</summary>
    public int Count => _count;

    public double CellSizeM => _cellSizeM;

    public int BucketCount => _buckets.Length;

    /// <summary>Inserts the object or moves it. O(1); a move inside its cell only writes the position.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The handle is outside 0..Capacity-1 or a coordinate is not finite.</exception>
    public void Upsert(int handle, double xM, double yM)
    {
        if ((uint)handle >= (uint)_entries.Length)
        {
            ThrowHandleOutOfRange(handle);
        }

        if (!double.IsFinite(xM) || !double.IsFinite(yM))
        {
            ThrowNotFinite(double.IsFinite(xM) ? nameof(yM) : nameof(xM));
        }

        int cellX = CellOf(xM);
        int cellY = CellOf(yM);
        ref Entry entry = ref _entries[handle];
        entry.X = xM;
        entry.Y = yM;

        // The 10 Hz common case: a vehicle moves ~1-3 m per update and stays in its cell. An absent entry's
        // CellX is never a clamped cell, so this also sends inserts down the slow path.
        if (entry.CellX == cellX && entry.CellY == cellY)
        {
            return;
        }

        int bucket = BucketOf(cellX, cellY);
        if (entry.CellX == Absent)
        {
            _livePosition[handle] = _count;
            _live[_count++] = handle;
        }
        else
        {
            int oldBucket = BucketOf(entry.CellX, entry.CellY);
            if (oldBucket == bucket)
            {
                entry.CellX = cellX;
                entry.CellY = cellY;
                return;
            }

            Unlink(ref entry, oldBucket);
        }

        entry.CellX = cellX;
        entry.CellY = cellY;
        int head = _buckets[bucket];
        entry.Next = head;
        entry.Prev = None;
        if (head != None)
        {
            _entries[head].Prev = handle;
        }

        _buckets[bucket] = handle;
    }

    /// <summary>Removes the object; false if it was not in the index. O(1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The handle is outside 0..Capacity-1.</exception>
    public bool Remove(int handle)
    {
        if ((uint)handle >= (uint)_entries.Length)
        {
            ThrowHandleOutOfRange(handle);
        }

        ref Entry entry = ref _entries[handle];
        if (entry.CellX == Absent)
        {
            return false;
        }

        Unlink(ref entry, BucketOf(entry.CellX, entry.CellY));
        entry.CellX = Absent;

        // Swap-remove from the dense list of live handles (kept for Clear and the linear fallback).
        int position = _livePosition[handle];
        int last = _live[--_count];
        _live[position] = last;
        _livePosition[last] = position;
        return true;
    }

    /// <summary>Removes every object. O(n) in the live objects, not in the capacity or the bucket count.</summary>
    public void Clear()
    {
        for (int i = 0; i < _count; i++)
        {
            ref Entry entry = ref _entries[_live[i]];
            _buckets[BucketOf(entry.CellX, entry.CellY)] = None;
            entry.CellX = Absent;
        }

        _count = 0;
    }

    /// <summary>Whether the handle is in the index. O(1).</summary>
    public bool Contains(int handle) => (uint)handle < (uint)_entries.Length && _entries[handle].CellX != Absent;

    /// <summary>The stored position of the handle; false if it is not in the index. O(1).</summary>
    public bool TryGetPosition(int handle, out double xM, out double yM)
    {
        if (!Contains(handle))
        {
            xM = 0;
            yM = 0;
            return false;
        }

        ref readonly Entry entry = ref _entries[handle];
        xM = entry.X;
        yM = entry.Y;
        return true;
    }

    /// <summary>
    /// Finds every object with (x - xM)^2 + (y - yM)^2 &lt;= radiusM^2 (an object exactly on the circle is in)
    /// and writes its handle to <paramref name="results"/>, in no particular order.
    /// </summary>
    /// <returns>
    /// The total number of objects found. If it is larger than <paramref name="results"/>.Length, only the first
    /// results.Length were written (an arbitrary subset); call again with a span of at least the returned size.
    /// </returns>
    /// <remarks>Allocates nothing. O(cells in the bounding square + objects in them), capped at O(n).</remarks>
    /// <exception cref="ArgumentOutOfRangeException">A coordinate is not finite, or the radius is negative or NaN.</exception>
    public int QueryRadius(double xM, double yM, double radiusM, Span<int> results)
    {
        if (!double.IsFinite(xM) || !double.IsFinite(yM))
        {
            ThrowNotFinite(double.IsFinite(xM) ? nameof(yM) : nameof(xM));
        }

        if (!(radiusM >= 0))
        {
            ThrowNegativeRadius(nameof(radiusM), radiusM);
        }

        if (_count == 0)
        {
            return 0;
        }

        double radiusSquared = radiusM * radiusM;
        double pad = radiusM + (Slack * (Math.Abs(xM) + Math.Abs(yM) + radiusM));
        int minX = CellOf(xM - pad);
        int maxX = CellOf(xM + pad);
        int minY = CellOf(yM - pad);
        int maxY = CellOf(yM + pad);
        long cells = ((long)maxX - minX + 1) * ((long)maxY - minY + 1);
        if (cells > _count)
        {
            return ScanAll(xM, yM, radiusSquared, results);
        }

        Entry[] entries = _entries;
        int found = 0;
        for (int cellY = minY; cellY <= maxY; cellY++)
        {
            for (int cellX = minX; cellX <= maxX; cellX++)
            {
                for (int h = _buckets[BucketOf(cellX, cellY)]; h != None; h = entries[h].Next)
                {
                    ref readonly Entry entry = ref entries[h];
                    if (entry.CellX != cellX || entry.CellY != cellY)
                    {
                        continue; // another cell hashed into this bucket
                    }

                    double dx = entry.X - xM;
                    double dy = entry.Y - yM;
                    if ((dx * dx) + (dy * dy) <= radiusSquared)
                    {
                        if ((uint)found < (uint)results.Length)
                        {
                            results[found] = h;
                        }

                        found++;
                    }
                }
            }
        }

        return found;
    }

    /// <summary>
    /// Finds the <paramref name="k"/> objects nearest to (xM, yM), optionally only those within
    /// <paramref name="maxRadiusM"/> (inclusive), sorted by distance, ties by the lower handle.
    /// </summary>
    /// <param name="xM">East of the query point, metres.</param>
    /// <param name="yM">North of the query point, metres.</param>
    /// <param name="k">How many objects to return at most; 0 returns nothing.</param>
    /// <param name="handles">Receives the handles, nearest first; must hold at least k.</param>
    /// <param name="distancesM">Receives the matching distances in metres; must hold at least k.</param>
    /// <param name="maxRadiusM">Only objects at this distance or closer count; infinity (the default) for all.</param>
    /// <returns>The number written: k, or fewer when the index holds fewer objects within the radius.</returns>
    /// <remarks>
    /// Allocates nothing; the spans serve as the working heap. Typical cost: the 3 x 3 cells around the point for
    /// k = 8 on a busy road; at worst O(n log k) through the linear fallback.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">A coordinate is not finite, k is negative, or the radius is negative or NaN.</exception>
    /// <exception cref="ArgumentException">A span is shorter than k.</exception>
    public int QueryNearest(double xM, double yM, int k, Span<int> handles, Span<double> distancesM, double maxRadiusM = double.PositiveInfinity)
    {
        if (!double.IsFinite(xM) || !double.IsFinite(yM))
        {
            ThrowNotFinite(double.IsFinite(xM) ? nameof(yM) : nameof(xM));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (!(maxRadiusM >= 0))
        {
            ThrowNegativeRadius(nameof(maxRadiusM), maxRadiusM);
        }

        if (handles.Length < k || distancesM.Length < k)
        {
            ThrowSpanTooShort(handles.Length < k ? nameof(handles) : nameof(distancesM));
        }

        if (k == 0 || _count == 0)
        {
            return 0;
        }

        NearestHeap heap = new(handles[..k], distancesM[..k]);
        double maxRadiusSquared = maxRadiusM * maxRadiusM;
        if (!SearchRings(xM, yM, maxRadiusSquared, ref heap))
        {
            heap.Clear();
            for (int i = 0; i < _count; i++)
            {
                int h = _live[i];
                ref readonly Entry entry = ref _entries[h];
                double dx = entry.X - xM;
                double dy = entry.Y - yM;
                double d2 = (dx * dx) + (dy * dy);
                if (d2 <= maxRadiusSquared)
                {
                    heap.Offer(h, d2);
                }
            }
        }

        heap.SortAscending();
        int count = heap.Count;
        for (int i = 0; i < count; i++)
        {
            distancesM[i] = Math.Sqrt(distancesM[i]);
        }

        return count;
    }

    // Visits square rings of cells around the query cell, nearest ring first. After ring R every object not yet
    // seen lies outside the (2R+1)^2 block, so at least `bound` away (the distance from the point to the block's
    // nearest edge); the search stops once the heap's worst is closer than that, or nothing unseen can be within
    // the max radius, or every object has been seen. Worked example, 25 m cells, point at (10, 10) in cell (0, 0):
    // after ring 1 the block spans -25..50 on both axes, so bound = min(35, 40, 35, 40) = 35 m.
    // Returns false (the heap may hold partial results) when a linear scan is the cheaper or the only sound way.
    private bool SearchRings(double xM, double yM, double maxRadiusSquared, ref NearestHeap heap)
    {
        int centreX = CellOf(xM);
        int centreY = CellOf(yM);
        double slack = Slack * (Math.Abs(xM) + Math.Abs(yM) + _cellSizeM);
        long cellsVisited = 0;
        int seen = 0;
        for (int ring = 0; ; ring++)
        {
            // Clamped edge cells hold everything beyond them, so the block bound does not hold there.
            if (centreX - ring <= -MaxCell || centreX + ring >= MaxCell || centreY - ring <= -MaxCell || centreY + ring >= MaxCell)
            {
                return false;
            }

            long ringCells = ring == 0 ? 1 : 8L * ring;
            cellsVisited += ringCells;
            if (cellsVisited > _count)
            {
                return false;
            }

            if (ring == 0)
            {
                seen += ScanCell(centreX, centreY, xM, yM, maxRadiusSquared, ref heap);
            }
            else
            {
                int x0 = centreX - ring;
                int x1 = centreX + ring;
                int y0 = centreY - ring;
                int y1 = centreY + ring;
                for (int cellX = x0; cellX <= x1; cellX++)
                {
                    seen += ScanCell(cellX, y0, xM, yM, maxRadiusSquared, ref heap);
                    seen += ScanCell(cellX, y1, xM, yM, maxRadiusSquared, ref heap);
                }

                for (int cellY = y0 + 1; cellY < y1; cellY++)
                {
                    seen += ScanCell(x0, cellY, xM, yM, maxRadiusSquared, ref heap);
                    seen += ScanCell(x1, cellY, xM, yM, maxRadiusSquared, ref heap);
                }
            }

            if (seen == _count)
            {
                return true;
            }

            double west = xM - ((double)(centreX - ring) * _cellSizeM);
            double east = ((double)(centreX + ring + 1) * _cellSizeM) - xM;
            double south = yM - ((double)(centreY - ring) * _cellSizeM);
            double north = ((double)(centreY + ring + 1) * _cellSizeM) - yM;
            double bound = Math.Min(Math.Min(west, east), Math.Min(south, north)) - slack;
            if (bound > 0)
            {
                double boundSquared = bound * bound;
                if (heap.WorstSquared < boundSquared || maxRadiusSquared < boundSquared)
                {
                    return true;
                }
            }
        }
    }

    // Offers every object of one cell to the heap; returns how many objects the cell holds.
    private int ScanCell(int cellX, int cellY, double xM, double yM, double maxRadiusSquared, ref NearestHeap heap)
    {
        Entry[] entries = _entries;
        int inCell = 0;
        for (int h = _buckets[BucketOf(cellX, cellY)]; h != None; h = entries[h].Next)
        {
            ref readonly Entry entry = ref entries[h];
            if (entry.CellX != cellX || entry.CellY != cellY)
            {
                continue;
            }

            inCell++;
            double dx = entry.X - xM;
            double dy = entry.Y - yM;
            double d2 = (dx * dx) + (dy * dy);
            if (d2 <= maxRadiusSquared)
            {
                heap.Offer(h, d2);
            }
        }

        return inCell;
    }

    private int ScanAll(double xM, double yM, double radiusSquared, Span<int> results)
    {
        int found = 0;
        for (int i = 0; i < _count; i++)
        {
            int h = _live[i];
            ref readonly Entry entry = ref _entries[h];
            double dx = entry.X - xM;
            double dy = entry.Y - yM;
            if ((dx * dx) + (dy * dy) <= radiusSquared)
            {
                if ((uint)found < (uint)results.Length)
                {
                    results[found] = h;
                }

                found++;
            }
        }

        return found;
    }

    private void Unlink(ref Entry entry, int bucket)
    {
        if (entry.Prev != None)
        {
            _entries[entry.Prev].Next = entry.Next;
        }
        else
        {
            _buckets[bucket] = entry.Next;
        }

        if (entry.Next != None)
        {
            _entries[entry.Next].Prev = entry.Prev;
        }
    }

    // Monotonic in the coordinate (a correctly rounded product, floor and clamp all are), which is what lets a
    // query turn its extent into a range of cells. Multiplying by the inverse saves a division per call.
    private int CellOf(double coordinateM) => (int)Math.Clamp(Math.Floor(coordinateM * _inverseCellSizeM), -MaxCell, MaxCell);

    // Fibonacci hashing of the packed cell: the top bits of the product depend on every bit of both coordinates,
    // so neighbouring cells along a road spread over the table.
    private int BucketOf(int cellX, int cellY)
    {
        ulong key = ((ulong)(uint)cellX << 32) | (uint)cellY;
        return (int)((key * 0x9E3779B97F4A7C15UL) >> _bucketShift);
    }

    [DoesNotReturn]
    private static void ThrowHandleOutOfRange(int handle) =>
        throw new ArgumentOutOfRangeException(nameof(handle), handle, "the handle must be in 0..Capacity-1");

    [DoesNotReturn]
    private static void ThrowNotFinite(string name) =>
        throw new ArgumentOutOfRangeException(name, "coordinates must be finite metres");

    [DoesNotReturn]
    private static void ThrowNegativeRadius(string name, double radius) =>
        throw new ArgumentOutOfRangeException(name, radius, "the radius must be zero or more");

    [DoesNotReturn]
    private static void ThrowSpanTooShort(string name) =>
        throw new ArgumentException("the span must hold at least k entries", name);

    // One 32-byte entry per handle: a query walking a bucket list reads position, cell and link from one line.
    private struct Entry
    {
        public double X;
        public double Y;
        public int CellX; // Absent when the handle is not in the index
        public int CellY;
        public int Next;
        public int Prev;
    }
}
