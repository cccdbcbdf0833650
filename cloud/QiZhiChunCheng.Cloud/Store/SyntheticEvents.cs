using System.Globalization;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.NetTopologySuite;

namespace QiZhiChunCheng.Cloud.Store;

/// <summary>
/// Made-up but plausible events for load: the map page with 100,000 events, the store benchmarks with 1,000,000, the
/// crash test's writer. Positions cluster around the zone's intersections (60 %) and spread along its roads (40 %);
/// onsets come in time order, as they do live, <c>expected</c> of them over <c>days</c> days up to <c>endUtcMs</c>,
/// with morning and evening peaks (a Poisson process whose rate follows the hour); types and severities follow a
/// fixed mix. The same seed gives the same events. Not thread-safe (one generator per thread).
/// </summary>
public sealed class SyntheticEvents
{
    private static readonly EventType[] Mix =
    [
        EventType.Slw, EventType.Slw, EventType.Slw, EventType.Slw, EventType.Fcw, EventType.Fcw, EventType.Icw, EventType.Rlvw,
        EventType.Rlvw, EventType.Vrucw, EventType.Vrucw, EventType.Ebw, EventType.Lta, EventType.Bsw, EventType.Lcw, EventType.Tjw,
        EventType.Glosa, EventType.Hlw, EventType.Avw, EventType.Misbehavior,
    ];

    // Share of a day's events per hour: quiet at night, peaks at 07-09 and 17-19 (Changchun time, UTC+8).
    private static readonly int[] HourWeights = [1, 1, 1, 1, 1, 2, 4, 9, 10, 6, 5, 5, 6, 5, 5, 6, 8, 11, 10, 6, 4, 3, 2, 1];

    private readonly Random _random;
    private readonly IReadOnlyList<ZoneIntersection> _intersections;
    private readonly double _minLat;
    private readonly double _maxLat;
    private readonly double _minLon;
    private readonly double _maxLon;
    private readonly long _startDayUtcMs;
    private readonly double _perHourWeightMs;
    private double _time;
    private long _next;

    public SyntheticEvents(int seed, long endUtcMs, int days, long expected, ZoneMap? zone = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(days);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(expected);
        zone ??= ZoneMapLoader.Default;
        _random = new Random(seed);
        _intersections = zone.Intersections;
        _minLat = _intersections.Count == 0 ? 43.84 : _intersections.Min(i => i.LatitudeDeg) - 0.0015;
        _maxLat = _intersections.Count == 0 ? 43.85 : _intersections.Max(i => i.LatitudeDeg) + 0.0015;
        _minLon = _intersections.Count == 0 ? 125.21 : _intersections.Min(i => i.LongitudeDeg) - 0.003;
        _maxLon = _intersections.Count == 0 ? 125.23 : _intersections.Max(i => i.LongitudeDeg) + 0.003;
        const long Day = 86_400_000;
        const long ZoneOffset = 8 * 3_600_000;
        _startDayUtcMs = ((endUtcMs + ZoneOffset) / Day * Day) - ZoneOffset - ((days - 1) * Day);
        _time = _startDayUtcMs;

        // Events per ms in an hour of weight w: w / _perHourWeightMs; over all days they add up to `expected`.
        _perHourWeightMs = days * HourWeights.Sum() * 3_600_000.0 / expected;
        Prefix = "SYN" + seed.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The start of the ids (<c>SYN{seed}-{n:D9}</c>), so that two generators with different seeds never collide.</summary>
    public string Prefix { get; }

    /// <summary>The next onset (with its trace id) and, every other time, its clear a few seconds later.</summary>
    public void Next(List<V2xEvent> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        long n = _next++;
        double lat;
        double lon;
        if (_intersections.Count > 0 && _random.NextDouble() < 0.6)
        {
            ZoneIntersection at = _intersections[_random.Next(_intersections.Count)];
            lat = at.LatitudeDeg + ((_random.NextDouble() - 0.5) * 0.0012);
            lon = at.LongitudeDeg + ((_random.NextDouble() - 0.5) * 0.0016);
        }
        else
        {
            lat = _minLat + (_random.NextDouble() * (_maxLat - _minLat));
            lon = _minLon + (_random.NextDouble() * (_maxLon - _minLon));
        }

        int hour = (int)((((long)_time - _startDayUtcMs) / 3_600_000) % 24);
        _time += -Math.Log(1 - _random.NextDouble()) * _perHourWeightMs / HourWeights[hour];
        long time = (long)_time;
        EventType type = Mix[_random.Next(Mix.Length)];
        byte severity = (byte)(1 + (_random.Next(10) switch { < 6 => 0, < 9 => 1, _ => 2 }));
        string id = string.Create(CultureInfo.InvariantCulture, $"{Prefix}-{n:D9}");
        string participant = string.Create(CultureInfo.InvariantCulture, $"{0x5645480000000000 + _random.Next(5000):X16}");
        V2xEvent onset = new()
        {
            Id = id,
            Type = type,
            Phase = EventPhase.Onset,
            Severity = severity,
            Participants = [participant],
            LatitudeDeg = Math.Round(lat, 7),
            LongitudeDeg = Math.Round(lon, 7),
            Location = "Dongfeng Street",
            Figures = new Dictionary<string, double> { ["speedMps"] = Math.Round(8 + (_random.NextDouble() * 14), 2) },
            EventTimeUtcMs = time,
            DetectedUtcMs = time + 3,
            TraceId = string.Create(CultureInfo.InvariantCulture, $"{n:x32}"),
        };
        output.Add(onset);
        if ((n & 1) == 0)
        {
            output.Add(onset with { Phase = EventPhase.Clear, EventTimeUtcMs = time + 4000, DetectedUtcMs = time + 4003 });
        }
    }
}
