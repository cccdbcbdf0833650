using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Time;
using QiZhiChunCheng.Engine.Detectors;
using QiZhiChunCheng.Engine.Map;

namespace QiZhiChunCheng.Engine.Signals;

/// <summary>What an RSI item is.</summary>
public enum RsiKind : byte
{
    /// <summary>A road traffic event (RTE; GB/T 29100 event type).</summary>
    Event = 1,

    /// <summary>A road traffic sign (RTS; GB 5768.2 sign type).</summary>
    Sign = 2,
}

#pragma warning disable CA1051 // a hot-path data struct read by ref, like TrackState (see .editorconfig on World/Events)

/// <summary>
/// One active RSI event or sign placed in the lane map's local frame. Its reference paths are in
/// <see cref="RsiState"/>'s path storage (<see cref="RsiState.TryLocateOnPath"/>).
/// </summary>
public struct RsiItem
{
    /// <summary>Whether the slot holds an item (expired items free their slot).</summary>
    public bool Live;

    public RsiKind Kind;

    /// <summary>The RSU that sent it.</summary>
    public OctetId8 RsuId;

    /// <summary>The RSU-local id: <c>rteId</c> or <c>rtsId</c>.</summary>
    public byte LocalId;

    /// <summary>The event type (GB/T 29100) or the sign type (GB 5768.2).</summary>
    public ushort Code;

    /// <summary>
    /// A stable key for (RSU, kind, local id), positive, deterministic: the same RSI item keeps it for as long as the
    /// RSU repeats it, so the events about it keep their id.
    /// </summary>
    public long Key;

    /// <summary>Whether the RSI gave a position (eventPos or signPos; else the item is located by its paths only).</summary>
    public bool HasPosition;

    /// <summary>Position in the local frame, metres east and north (refPos + offset).</summary>
    public double XM;

    public double YM;

    /// <summary>The event's radius (eventRadius), metres; 0 when none is given or for signs.</summary>
    public double RadiusM;

    /// <summary>When the item becomes active (UTC ms; <see cref="long.MinValue"/> when the RSI gives no start).</summary>
    public long StartUtcMs;

    /// <summary>When the item expires (UTC ms): the RSI's end time, else the default validity after it was last seen.</summary>
    public long EndUtcMs;

    /// <summary>Event time of the last RSI that carried it.</summary>
    public long LastSeenUtcMs;

    /// <summary>How many reference paths the item has (0..<see cref="RsiState.MaxPaths"/>).</summary>
    public int PathCount;

    /// <summary>The road surface a weather event implies (RSI weather mapping), or <see cref="RoadSurface.Dry"/>.</summary>
    public RoadSurface Surface;

    /// <summary>Whether the event type is an adverse-weather code (an area-wide condition, not a point hazard).</summary>
    public bool IsWeather;

    /// <summary>A circle that covers the position with its radius and every reference path with its path radius (local metres).</summary>
    public double BoundXM;

    public double BoundYM;

    public double BoundRadiusM;

    /// <summary>Whether the item is active at <paramref name="nowUtcMs"/>.</summary>
    public readonly bool IsActive(long nowUtcMs) => Live && nowUtcMs >= StartUtcMs && nowUtcMs < EndUtcMs;
}

#pragma warning restore CA1051

/// <summary>How RSI is kept; every value has its documented default.</summary>
public sealed record RsiOptions
{
    /// <summary>Items (events and signs of every RSU) kept at once (256); more are counted and dropped.</summary>
    public int Capacity { get; init; } = 256;

    /// <summary>
    /// An item whose RSI gives no end time expires this long after the last RSI that carried it (60,000 ms;
    /// provisional: RSUs repeat active RSI every few seconds, so a minute of silence means the event is gone).
    /// </summary>
    public long DefaultValidityMs { get; init; } = 60_000;

    /// <summary>GB/T 29100 adverse-weather event types: the 3xx class (300..399).</summary>
    public int WeatherFirstCode { get; init; } = 300;

    /// <summary>The last adverse-weather event type (399).</summary>
    public int WeatherLastCode { get; init; } = 399;

    /// <summary>
    /// Weather event types that mean snow on the road (deceleration as on packed snow). Provisional default 303, 304
    /// (snow, blizzard in the deployment's 3xx table); set them to the code table the RSUs use.
    /// </summary>
    public IReadOnlyList<int> SnowEventTypes { get; init; } = [303, 304];

    /// <summary>
    /// Weather event types that mean ice (deceleration as on ice). Provisional default 305, 306 (icy road, freezing
    /// rain); set them to the code table the RSUs use. Rain, fog, wind and sand keep the configured surface.
    /// </summary>
    public IReadOnlyList<int> IceEventTypes { get; init; } = [305, 306];
}

/// <summary>
/// Active road-side information (RSI) of the zone: traffic events (RTE) and signs (RTS), placed in the map's local
/// frame, with their validity in event time. Feeds HLW, IVS, TJW (event 707) and the road surface (weather events).
/// Items are keyed by (RSU id, kind, rteId/rtsId): an RSU repeating an item updates it in place. An item is active
/// from its start to its end (timeDetails, MinuteOfTheYear resolved near the RSI's time), or, with no end, until
/// <see cref="RsiOptions.DefaultValidityMs"/> after the last RSI that carried it; expiry runs in event time
/// (<see cref="Advance"/>, called by the engine every tick). Storage is preallocated (items and up to
/// <see cref="MaxPaths"/> × <see cref="MaxPathPoints"/> path points each); applying an RSI allocates only when a new
/// key is added past the dictionary's initial capacity. Not thread-safe: one per engine.
/// </summary>
public sealed class RsiState
{
    /// <summary>Reference paths kept per item (4).</summary>
    public const int MaxPaths = 4;

    /// <summary>Points kept per reference path (32, the standard's PathPointList limit).</summary>
    public const int MaxPathPoints = 32;

    private const int PointsPerItem = MaxPaths * MaxPathPoints;

    private readonly RsiOptions _options;
    private readonly RsiItem[] _items;
    private readonly Dictionary<(ulong Rsu, RsiKind Kind, byte Id), int> _slots;
    private readonly Stack<int> _free;

    // Paths: item i, path p at [(i * MaxPaths) + p]; its points at [(i * PointsPerItem) + (p * MaxPathPoints) + k].
    private readonly int[] _pathPointCount;
    private readonly double[] _pathRadiusM;
    private readonly double[] _pathTargetAlongM;
    private readonly double[] _pointX;
    private readonly double[] _pointY;
    private readonly double[] _pointAlongM;
    private LaneMap _map;
    private int _highWater;

    public RsiState(LaneMap map, RsiOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        _map = map;
        _options = options ?? new RsiOptions();
        int capacity = Math.Max(1, _options.Capacity);
        _items = new RsiItem[capacity];
        _slots = new Dictionary<(ulong, RsiKind, byte), int>(capacity);
        _free = new Stack<int>(capacity);
        for (int i = capacity - 1; i >= 0; i--)
        {
            _free.Push(i);
        }

        _pathPointCount = new int[capacity * MaxPaths];
        _pathRadiusM = new double[capacity * MaxPaths];
        _pathTargetAlongM = new double[capacity * MaxPaths];
        _pointX = new double[capacity * PointsPerItem];
        _pointY = new double[capacity * PointsPerItem];
        _pointAlongM = new double[capacity * PointsPerItem];
    }

    public RsiOptions Options => _options;

    /// <summary>RSI messages applied.</summary>
    public long Applied { get; private set; }

    /// <summary>Items dropped because every slot was taken.</summary>
    public long Dropped { get; private set; }

    /// <summary>Live items (active or waiting for their start).</summary>
    public int Count => _slots.Count;

    /// <summary>
    /// The item slots up to the highest one ever used; check <see cref="RsiItem.IsActive"/> on each. Valid until the
    /// next RSI is applied.
    /// </summary>
    public ReadOnlySpan<RsiItem> Items => _items.AsSpan(0, _highWater);

    /// <summary>
    /// The worst road surface that an active weather event implies at the last <see cref="Advance"/>, or null when
    /// none does. The engine assumes the worse of this and its configured surface.
    /// </summary>
    public RoadSurface? SurfaceOverride { get; private set; }

    /// <summary>
    /// Switches to a new lane map. Item positions are in the map's local frame, so a map with another origin would
    /// misplace them: RSI items are forgotten and rebuilt as RSUs repeat them.
    /// </summary>
    public void UseMap(LaneMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        bool sameFrame = map.Frame.OriginLatDeg == _map.Frame.OriginLatDeg && map.Frame.OriginLonDeg == _map.Frame.OriginLonDeg;
        _map = map;
        if (!sameFrame)
        {
            Clear();
        }
    }

    /// <summary>Forgets every item.</summary>
    public void Clear()
    {
        for (int i = 0; i < _highWater; i++)
        {
            if (_items[i].Live)
            {
                Free(i);
            }
        }

        SurfaceOverride = null;
    }

    /// <summary>Applies one RSI at its event time. Allocates nothing once the item table is warm.</summary>
    public void Apply(Rsi rsi, long eventTimeUtcMs)
    {
        ArgumentNullException.ThrowIfNull(rsi);
        Applied++;
        foreach (RteData rte in rsi.Rtes)
        {
            int i = Slot(rsi.Id, RsiKind.Event, rte.RteId);
            if (i < 0)
            {
                continue;
            }

            ref RsiItem item = ref _items[i];
            item.Code = rte.EventType;
            item.RadiusM = (rte.EventRadius ?? 0) * 0.1;
            item.IsWeather = rte.EventType >= _options.WeatherFirstCode && rte.EventType <= _options.WeatherLastCode;
            item.Surface = !item.IsWeather ? RoadSurface.Dry
                : Contains(_options.IceEventTypes, rte.EventType) ? RoadSurface.Ice
                : Contains(_options.SnowEventTypes, rte.EventType) ? RoadSurface.Snow
                : RoadSurface.Dry;
            Place(i, rsi.RefPos, rte.EventPos, rte.TimeDetails, rte.ReferencePaths, eventTimeUtcMs);
        }

        foreach (RtsData rts in rsi.Rtss)
        {
            int i = Slot(rsi.Id, RsiKind.Sign, rts.RtsId);
            if (i < 0)
            {
                continue;
            }

            ref RsiItem item = ref _items[i];
            item.Code = rts.SignType;
            item.RadiusM = 0;
            item.IsWeather = false;
            item.Surface = RoadSurface.Dry;
            Place(i, rsi.RefPos, rts.SignPos, rts.TimeDetails, rts.ReferencePaths, eventTimeUtcMs);
        }
    }

    /// <summary>
    /// Moves RSI time to <paramref name="nowUtcMs"/> (event time): frees expired items and works out
    /// <see cref="SurfaceOverride"/>. The engine calls it at every tick. Allocates nothing.
    /// </summary>
    public void Advance(long nowUtcMs)
    {
        RoadSurface worst = RoadSurface.Dry;
        bool any = false;
        for (int i = 0; i < _highWater; i++)
        {
            ref RsiItem item = ref _items[i];
            if (!item.Live)
            {
                continue;
            }

            if (nowUtcMs >= item.EndUtcMs)
            {
                Free(i);
                continue;
            }

            if (item.IsWeather && item.Surface != RoadSurface.Dry && item.IsActive(nowUtcMs))
            {
                any = true;
                worst = item.Surface > worst ? item.Surface : worst;
            }
        }

        SurfaceOverride = any ? worst : null;
    }

    /// <summary>
    /// Places a point on the reference paths of item <paramref name="item"/>: among the path segments within the
    /// path's radius of (<paramref name="xM"/>, <paramref name="yM"/>) whose direction (first point towards last) is
    /// within <paramref name="maxHeadingDiffDeg"/> of <paramref name="headingDeg"/>, the nearest. Gives the distance
    /// along the path from the point to the item (its position projected on the path, else the path's end; negative
    /// when past it) and the lateral distance. False when the point is on no path. Allocates nothing.
    /// </summary>
    public bool TryLocateOnPath(int item, double xM, double yM, double headingDeg, double maxHeadingDiffDeg, out double remainingM, out double lateralM)
    {
        remainingM = double.NaN;
        lateralM = double.PositiveInfinity;
        (double hx, double hy) = Math.SinCos(double.DegreesToRadians(headingDeg));
        double cosGate = Math.Cos(double.DegreesToRadians(maxHeadingDiffDeg));
        int paths = _items[item].PathCount;
        for (int p = 0; p < paths; p++)
        {
            int path = (item * MaxPaths) + p;
            int first = (item * PointsPerItem) + (p * MaxPathPoints);
            int count = _pathPointCount[path];
            double radius = _pathRadiusM[path];
            for (int k = first; k < first + count - 1; k++)
            {
                double ax = _pointX[k], ay = _pointY[k];
                double dx = _pointX[k + 1] - ax, dy = _pointY[k + 1] - ay;
                double len = Math.Sqrt((dx * dx) + (dy * dy));
                if (len < 1e-6)
                {
                    continue;
                }

                double ux = dx / len, uy = dy / len;
                if ((ux * hx) + (uy * hy) < cosGate)
                {
                    continue; // the segment runs another way
                }

                double s = Math.Clamp(((xM - ax) * ux) + ((yM - ay) * uy), 0, len);
                double px = ax + (ux * s) - xM, py = ay + (uy * s) - yM;
                double lateral = Math.Sqrt((px * px) + (py * py));
                if (lateral <= radius && lateral < lateralM)
                {
                    lateralM = lateral;
                    remainingM = _pathTargetAlongM[path] - (_pointAlongM[k] + s);
                }
            }
        }

        return !double.IsNaN(remainingM);
    }

    private static bool Contains(IReadOnlyList<int> codes, int code)
    {
        for (int i = 0; i < codes.Count; i++)
        {
            if (codes[i] == code)
            {
                return true;
            }
        }

        return false;
    }

    // Positive, deterministic key of (RSU, kind, id): a 64-bit mix of the RSU id, shifted to leave the low 9 bits to
    // the kind and the local id.
    private static long KeyOf(OctetId8 rsu, RsiKind kind, byte id)
    {
        ulong z = rsu.Value + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (long)(((z << 9) | ((ulong)(kind == RsiKind.Sign ? 1 : 0) << 8) | id) & long.MaxValue);
    }

    private int Slot(OctetId8 rsu, RsiKind kind, byte id)
    {
        if (_slots.TryGetValue((rsu.Value, kind, id), out int i))
        {
            return i;
        }

        if (_free.Count == 0)
        {
            Dropped++;
            return -1;
        }

        i = _free.Pop();
        _slots[(rsu.Value, kind, id)] = i;
        _highWater = Math.Max(_highWater, i + 1);
        _items[i] = new RsiItem
        {
            Live = true,
            Kind = kind,
            RsuId = rsu,
            LocalId = id,
            Key = KeyOf(rsu, kind, id),
        };
        return i;
    }

    private void Free(int i)
    {
        ref RsiItem item = ref _items[i];
        _slots.Remove((item.RsuId.Value, item.Kind, item.LocalId));
        item.Live = false;
        _free.Push(i);
    }

    private void Place(int i, Position3D refPos, RoadPoint? offset, RsiTimeDetails? time, ValueArray<ReferencePath> paths, long eventTimeUtcMs)
    {
        ref RsiItem item = ref _items[i];
        item.LastSeenUtcMs = Math.Max(item.LastSeenUtcMs, eventTimeUtcMs);
        item.HasPosition = offset is not null;
        (item.XM, item.YM) = ToLocal(refPos, offset ?? default);
        item.StartUtcMs = long.MinValue;
        item.EndUtcMs = item.LastSeenUtcMs + _options.DefaultValidityMs;
        if (time is { } t)
        {
            if (t.StartTime is { } start && TryMoy(start, eventTimeUtcMs, out long s))
            {
                item.StartUtcMs = s;
            }

            if (t.EndTime is { } end && TryMoy(end, eventTimeUtcMs, out long e))
            {
                item.EndUtcMs = e;
            }
        }

        // Paths: points in the local frame, cumulative length, and where the item sits along each path.
        int pathCount = Math.Min(paths.Count, MaxPaths);
        item.PathCount = 0;
        double minX = item.XM, maxX = item.XM, minY = item.YM, maxY = item.YM;
        double pad = item.RadiusM;
        ReadOnlySpan<ReferencePath> pathSpan = paths.AsSpan();
        for (int p = 0; p < pathCount; p++)
        {
            ReferencePath path = pathSpan[p];
            ReadOnlySpan<RoadPoint> points = path.ActivePath.AsSpan();
            int count = Math.Min(points.Length, MaxPathPoints);
            if (count < 2)
            {
                continue;
            }

            int slot = (i * MaxPaths) + item.PathCount;
            int first = (i * PointsPerItem) + (item.PathCount * MaxPathPoints);
            double along = 0;
            for (int k = 0; k < count; k++)
            {
                (double x, double y) = ToLocal(refPos, points[k]);
                if (k > 0)
                {
                    double dx = x - _pointX[first + k - 1], dy = y - _pointY[first + k - 1];
                    along += Math.Sqrt((dx * dx) + (dy * dy));
                }

                _pointX[first + k] = x;
                _pointY[first + k] = y;
                _pointAlongM[first + k] = along;
                minX = Math.Min(minX, x);
                maxX = Math.Max(maxX, x);
                minY = Math.Min(minY, y);
                maxY = Math.Max(maxY, y);
            }

            _pathPointCount[slot] = count;
            _pathRadiusM[slot] = path.PathRadius * 0.1;
            pad = Math.Max(pad, path.PathRadius * 0.1);
            _pathTargetAlongM[slot] = item.HasPosition ? Project(first, count, item.XM, item.YM) : along;
            item.PathCount++;
        }

        if (item.PathCount == 0)
        {
            minX = maxX = item.XM;
            minY = maxY = item.YM;
        }

        item.BoundXM = (minX + maxX) / 2;
        item.BoundYM = (minY + maxY) / 2;
        double hw = (maxX - minX) / 2, hh = (maxY - minY) / 2;
        item.BoundRadiusM = Math.Sqrt((hw * hw) + (hh * hh)) + pad;
    }

    // Distance along a path of the point's projection on its nearest segment.
    private double Project(int first, int count, double x, double y)
    {
        double best = double.PositiveInfinity;
        double bestAlong = _pointAlongM[first + count - 1];
        for (int k = first; k < first + count - 1; k++)
        {
            double ax = _pointX[k], ay = _pointY[k];
            double dx = _pointX[k + 1] - ax, dy = _pointY[k + 1] - ay;
            double len2 = (dx * dx) + (dy * dy);
            double f = len2 < 1e-12 ? 0 : Math.Clamp((((x - ax) * dx) + ((y - ay) * dy)) / len2, 0, 1);
            double px = ax + (dx * f) - x, py = ay + (dy * f) - y;
            double d2 = (px * px) + (py * py);
            if (d2 < best)
            {
                best = d2;
                bestAlong = _pointAlongM[k] + (f * Math.Sqrt(len2));
            }
        }

        return bestAlong;
    }

    private (double X, double Y) ToLocal(Position3D refPos, RoadPoint offset) =>
        _map.Frame.ToLocal((refPos.Lat + offset.LatOffset) * 1e-7, (refPos.Long + offset.LonOffset) * 1e-7);

    private static bool TryMoy(uint moy, long referenceUtcMs, out long utcMs)
    {
        utcMs = 0;
        return V2xTime.IsValidMoy(moy) && V2xTime.TryResolveMoy(moy, 0, referenceUtcMs, out utcMs, out _);
    }
}
