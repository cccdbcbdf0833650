using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.Signals;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>GLOSA thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record GlosaOptions
{
    /// <summary>Advice is given within this distance of the stop line (300 m; provisional: SPAT range of an RSU).</summary>
    public double RangeM { get; init; } = 300;

    /// <summary>The lowest speed ever advised (15 km/h; provisional: slower holds up traffic).</summary>
    public double MinAdvisoryMps { get; init; } = 15 / 3.6;

    /// <summary>The top of the band when the map gives the lane no limit (60 km/h, the zone's arterial limit).</summary>
    public double FallbackLimitMps { get; init; } = 60 / 3.6;

    /// <summary>
    /// A speed within this of the band counts as in it (0.5 m/s; provisional: speed noise of GNSS and roadside
    /// sensors), so a vehicle riding the band's edge is not advised on and off.
    /// </summary>
    public double SpeedToleranceMps { get; init; } = 0.5;

    /// <summary>Slower vehicles (queued, stopping) get no advice (1 m/s; provisional).</summary>
    public double MinSpeedMps { get; init; } = 1.0;
}

/// <summary>
/// GLOSA, green light optimal speed advisory (advice, severity 1): for a vehicle on a signalised ingress lane within
/// <see cref="GlosaOptions.RangeM"/> of the stop line, the speed band that reaches the stop line on green,
/// [d / t_green_end, d / t_green_start] clipped to [<see cref="GlosaOptions.MinAdvisoryMps"/>, lane limit], for the
/// first green window (the current one, else the next ones the SPAT gives) whose band is not empty. Advice is raised
/// only when the vehicle's speed is outside the band by more than the tolerance: the vehicle needs to change speed
/// to make the green; a vehicle already in the band is not told so (less noise). Worked example: 200 m out, red now,
/// green in 20 s for 40 s: [200 / 60, 200 / 20] = [3.3, 10] m/s, clipped to [4.2, 10]; at 13.9 m/s (50 km/h) the
/// advice is to slow to 10 m/s. One event per vehicle and approach (the lifecycle keys it by vehicle; updates every
/// 1 s carry the current band). Any vehicle track is a subject. Figures: advisoryMinMps, advisoryMaxMps, speedMps,
/// distanceM, lightState (current), timeToChangeS. Location: the intersection. Allocates nothing per tick.
/// </summary>
public sealed class GreenLightSpeedAdvice : Detector
{
    private readonly GlosaOptions _options;

    public GreenLightSpeedAdvice(GlosaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Glosa;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(events);
        long now = context.TimeUtcMs;
        SignalState signals = context.Signals;
        ReadOnlySpan<TrackState> tracks = context.Tracks;
        for (int i = 0; i < tracks.Length; i++)
        {
            ref readonly TrackState t = ref tracks[i];
            if (!SignalApproach.TryGet(context, t, _options.RangeM, _options.MinSpeedMps, out SignalApproach a))
            {
                continue;
            }

            double d = a.DistanceM;
            double v = a.SpeedMps;
            ReadOnlySpan<PhaseInterval> states = a.Intervals(signals, now);
            if (states.IsEmpty || !TryBand(states, now, d, Limit(t.Match.SpeedLimitMps), out double lo, out double hi))
            {
                continue;
            }

            if (v >= lo - _options.SpeedToleranceMps && v <= hi + _options.SpeedToleranceMps)
            {
                continue; // already makes the green
            }

            EventFigures figures = default;
            figures.Set(Figure.AdvisoryMinMps, lo);
            figures.Set(Figure.AdvisoryMaxMps, hi);
            figures.Set(Figure.SpeedMps, v);
            figures.Set(Figure.DistanceM, d);
            foreach (ref readonly PhaseInterval s in states)
            {
                if (s.Contains(now))
                {
                    SignalApproach.SetLight(ref figures, s, now);
                    break;
                }
            }

            events.Report(EventType.Glosa, t, 1, figures, a.Location);
        }
    }

    private double Limit(double laneLimitMps) => double.IsFinite(laneLimitMps) && laneLimitMps > 0 ? laneLimitMps : _options.FallbackLimitMps;

    // The band of the first green window (not yet over) whose clipped band is not empty.
    private bool TryBand(ReadOnlySpan<PhaseInterval> states, long now, double distanceM, double limitMps, out double lo, out double hi)
    {
        foreach (ref readonly PhaseInterval s in states)
        {
            if (!s.IsGreen || s.LikelyEndUtcMs <= now)
            {
                continue;
            }

            double toStartS = Math.Max(0, s.StartUtcMs - now) / 1000.0;
            double toEndS = s.LikelyEndUtcMs == long.MaxValue ? double.PositiveInfinity : (s.LikelyEndUtcMs - now) / 1000.0;
            lo = Math.Max(distanceM / toEndS, _options.MinAdvisoryMps);
            hi = toStartS > 0 ? Math.Min(distanceM / toStartS, limitMps) : limitMps;
            if (lo <= hi)
            {
                return true;
            }
        }

        lo = hi = double.NaN;
        return false;
    }
}
