using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine;
using QiZhiChunCheng.Engine.Trust;

namespace QiZhiChunCheng.Scenarios.Replay;

/// <summary>
/// How the traffic state per lane segment compared with the truth over a replay: the traffic-state model's level
/// (<see cref="DetectionEngine.SegmentLevel"/>) and the rule-based TJW's (a lane with an active TJW is congested at
/// level 3, slowing at levels 1 and 2, free flowing without one), each against the truth's label, over the same
/// segment windows.
/// </summary>
public sealed record TrafficStateScore
{
    /// <summary>Segment windows judged: every second of event time, each segment with a true vehicle in the last 5 s.</summary>
    public long Windows { get; init; }

    /// <summary>Windows whose truth label is free flow, slowing, congested.</summary>
    public long[] TruthLevels { get; init; } = new long[3];

    /// <summary>Windows the model gave a level for (none without a traffic-state model).</summary>
    public long ModelWindows { get; init; }

    /// <summary>Share of <see cref="ModelWindows"/> where the model's level is the truth's; null when the model gave none.</summary>
    public double? ModelAccuracy { get; init; }

    /// <summary>Share of <see cref="Windows"/> where the TJW-derived level is the truth's; null without windows.</summary>
    public double? TjwAccuracy { get; init; }

    /// <summary>Confusion of the model: [truth level][model level] counts.</summary>
    public long[][] ModelConfusion { get; init; } = [new long[3], new long[3], new long[3]];

    /// <summary>Confusion of the TJW rule: [truth level][TJW level] counts.</summary>
    public long[][] TjwConfusion { get; init; } = [new long[3], new long[3], new long[3]];
}

/// <summary>
/// Scores the traffic state once a second of event time. The truth's label of a segment (the contract of issue 9):
/// the mean true speed of the real vehicles on it over the last 5 s over the lane's limit, 0.6 or more free flow,
/// 0.25 to 0.6 slowing, under 0.25 congested. Not thread-safe; one per replay.
/// </summary>
public sealed class TrafficStateScorer
{
    public const long StepMs = 1000;
    public const long WindowMs = 5000;
    public const double FreeFlowRatio = 0.6;
    public const double CongestedRatio = 0.25;

    private const int Seconds = (int)(WindowMs / StepMs);

    private readonly TruthTimeline _truth;
    private readonly List<TruthPoint> _points = [];
    private readonly Dictionary<string, (int Lane, byte Level)> _tjw = new(StringComparer.Ordinal);
    private readonly long[] _truthLevels = new long[3];
    private readonly long[][] _model = [new long[3], new long[3], new long[3]];
    private readonly long[][] _rule = [new long[3], new long[3], new long[3]];
    private LaneSegments? _segments;
    private double[,] _sums = new double[0, Seconds];
    private int[,] _counts = new int[0, Seconds];
    private readonly long[] _slotSecond = [-1, -1, -1, -1, -1];
    private long _nextMs = long.MinValue;
    private int _eventsSeen;

    public TrafficStateScorer(TruthTimeline truth) => _truth = truth ?? throw new ArgumentNullException(nameof(truth));

    /// <summary>After a tick at <paramref name="tMs"/> (ms from start): reads the TJW phases raised so far and, once a second, scores.</summary>
    public void Tick(DetectionEngine engine, long tMs, IReadOnlyList<V2xEvent> events, long startUtcMs)
    {
        LaneSegments segments = engine.Segments;
        if (!ReferenceEquals(segments, _segments))
        {
            _segments = segments;
            _sums = new double[segments.Count, Seconds];
            _counts = new int[segments.Count, Seconds];
        }

        for (; _eventsSeen < events.Count; _eventsSeen++)
        {
            V2xEvent e = events[_eventsSeen];
            if (e.Type != EventType.Tjw)
            {
                continue;
            }

            if (e.Phase == EventPhase.Clear)
            {
                _tjw.Remove(e.Id);
            }
            else
            {
                (double x, double y) = engine.Map.Frame.ToLocal(e.LatitudeDeg, e.LongitudeDeg);
                byte level = e.Figures.TryGetValue("level", out double l) ? (byte)l : e.Severity;
                _tjw[e.Id] = (NearestLane(segments, x, y), level);
            }
        }

        if (_nextMs == long.MinValue)
        {
            _nextMs = (tMs / StepMs * StepMs) + StepMs;
        }

        if (tMs < _nextMs)
        {
            return;
        }

        _nextMs = (tMs / StepMs * StepMs) + StepMs;
        long second = tMs / StepMs;
        int slot = (int)(second % Seconds);
        _slotSecond[slot] = second;
        for (int s = 0; s < segments.Count; s++)
        {
            _sums[s, slot] = 0;
            _counts[s, slot] = 0;
        }

        if (!_truth.TryGetAt(tMs, _points))
        {
            return;
        }

        foreach (TruthPoint p in _points)
        {
            if (p.IsVehicle && segments.Locate(p.XM, p.YM, p.HeadingDeg) is var s and >= 0)
            {
                _sums[s, slot] += p.SpeedMps;
                _counts[s, slot]++;
            }
        }

        for (int s = 0; s < segments.Count; s++)
        {
            double sum = 0;
            int count = 0;
            for (int k = 0; k < Seconds; k++)
            {
                if (_slotSecond[k] <= second - Seconds)
                {
                    continue; // a second without ticks: nothing current in that slot
                }

                sum += _sums[s, k];
                count += _counts[s, k];
            }

            if (count == 0)
            {
                continue;
            }

            int truth = (int)Label(sum / count / segments.LimitMps(s));
            _truthLevels[truth]++;
            if (engine.SegmentLevel(s) is { } model)
            {
                _model[truth][(int)model]++;
            }

            _rule[truth][(int)TjwLevel(segments.Lane(s))]++;
        }
    }

    public TrafficStateScore Result()
    {
        long windows = _truthLevels.Sum();
        long modelWindows = _model.Sum(r => r.Sum());
        return new TrafficStateScore
        {
            Windows = windows,
            TruthLevels = [.. _truthLevels],
            ModelWindows = modelWindows,
            ModelAccuracy = modelWindows == 0 ? null : Math.Round((double)(_model[0][0] + _model[1][1] + _model[2][2]) / modelWindows, 4),
            TjwAccuracy = windows == 0 ? null : Math.Round((double)(_rule[0][0] + _rule[1][1] + _rule[2][2]) / windows, 4),
            ModelConfusion = [.. _model.Select(r => r.ToArray())],
            TjwConfusion = [.. _rule.Select(r => r.ToArray())],
        };
    }

    /// <summary>The truth's label of a mean speed over the limit.</summary>
    public static TrafficLevel Label(double speedRatio) =>
        speedRatio >= FreeFlowRatio ? TrafficLevel.FreeFlow : speedRatio >= CongestedRatio ? TrafficLevel.Slowing : TrafficLevel.Congested;

    private TrafficLevel TjwLevel(int lane)
    {
        byte level = 0;
        foreach ((int l, byte v) in _tjw.Values)
        {
            if (l == lane && v > level)
            {
                level = v;
            }
        }

        return level >= 3 ? TrafficLevel.Congested : level > 0 ? TrafficLevel.Slowing : TrafficLevel.FreeFlow;
    }

    // A TJW is anchored at the mean position of the vehicles of its lane: the lane whose centre line is nearest.
    private static int NearestLane(LaneSegments segments, double x, double y)
    {
        int best = -1;
        double bestD = double.MaxValue;
        for (int s = 0; s < segments.Count; s++)
        {
            IReadOnlyList<(double XM, double YM)> line = segments.Polyline(s);
            for (int i = 1; i < line.Count; i++)
            {
                double d = DistanceToSegment(x, y, line[i - 1], line[i]);
                if (d < bestD)
                {
                    bestD = d;
                    best = segments.Lane(s);
                }
            }
        }

        return best;
    }

    private static double DistanceToSegment(double x, double y, (double X, double Y) a, (double X, double Y) b)
    {
        double dx = b.X - a.X, dy = b.Y - a.Y;
        double len2 = (dx * dx) + (dy * dy);
        double f = len2 > 0 ? Math.Clamp((((x - a.X) * dx) + ((y - a.Y) * dy)) / len2, 0, 1) : 0;
        double px = a.X + (f * dx) - x, py = a.Y + (f * dy) - y;
        return Math.Sqrt((px * px) + (py * py));
    }
}
