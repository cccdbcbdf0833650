namespace QiZhiChunCheng.Engine.Spatial;

/// <summary>
/// A bounded max-heap of (squared distance, handle) pairs kept in the caller's two spans, so a k-nearest query
/// needs no storage of its own. The root is the worst candidate kept; a new candidate costs O(1) when it cannot
/// enter and O(log k) when it replaces the root. Ties on distance break on the lower handle, which makes results
/// deterministic and comparable with a brute-force sort. Allocates nothing; not thread-safe.
/// </summary>
internal ref struct NearestHeap
{
    private readonly Span<int> _handles;
    private readonly Span<double> _distances;
    private int _count;

    public NearestHeap(Span<int> handles, Span<double> distances)
    {
        _handles = handles;
        _distances = distances;
        _count = 0;
    }

    public readonly int Count => _count;

    public readonly bool IsFull => _count == _handles.Length;

    /// <summary>The squared distance a newcomer must beat; infinity while the heap is not full.</summary>
    public readonly double WorstSquared => IsFull ? _distances[0] : double.PositiveInfinity;

    public void Clear() => _count = 0;

    public void Offer(int handle, double distanceSquared)
    {
        if (_count < _handles.Length)
        {
            SiftUp(_count++, handle, distanceSquared);
        }
        else if (Precedes(distanceSquared, handle, _distances[0], _handles[0]))
        {
            SiftDown(0, _count, handle, distanceSquared);
        }
    }

    /// <summary>
    /// Heap sort in place: repeatedly moves the worst to the end, leaving the spans ascending by (distance, handle).
    /// O(k log k); the heap is empty afterwards in the sense that its order is gone, so call it once at the end.
    /// </summary>
    public void SortAscending()
    {
        for (int end = _count - 1; end > 0; end--)
        {
            int handle = _handles[end];
            double distance = _distances[end];
            _handles[end] = _handles[0];
            _distances[end] = _distances[0];
            SiftDown(0, end, handle, distance);
        }
    }

    // (d, h) comes before (otherD, otherH) in the result order.
    private static bool Precedes(double d, int h, double otherD, int otherH) => d < otherD || (d == otherD && h < otherH);

    private readonly void SiftUp(int index, int handle, double distance)
    {
        while (index > 0)
        {
            int parent = (index - 1) >> 1;
            if (!Precedes(_distances[parent], _handles[parent], distance, handle))
            {
                break;
            }

            _handles[index] = _handles[parent];
            _distances[index] = _distances[parent];
            index = parent;
        }

        _handles[index] = handle;
        _distances[index] = distance;
    }

    // Places (handle, distance) at index and sinks it within the first count entries.
    private readonly void SiftDown(int index, int count, int handle, double distance)
    {
        while (true)
        {
            int child = (2 * index) + 1;
            if (child >= count)
            {
                break;
            }

            if (child + 1 < count && Precedes(_distances[child], _handles[child], _distances[child + 1], _handles[child + 1]))
            {
                child++;
            }

            if (!Precedes(distance, handle, _distances[child], _handles[child]))
            {
                break;
            }

            _handles[index] = _handles[child];
            _distances[index] = _distances[child];
            index = child;
        }

        _handles[index] = handle;
        _distances[index] = distance;
    }
}
