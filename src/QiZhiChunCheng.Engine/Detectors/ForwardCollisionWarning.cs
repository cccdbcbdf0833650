using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Detectors.Road;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>FCW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record FcwOptions
{
    /// <summary>Time to collision at or below which FCW raises severity 1, notice (2.5 s; V2X-REFERENCE section 4).</summary>
    public double NoticeTtcS { get; init; } = 2.5;

    /// <summary>Time to collision at or below which the severity is 2, warning (1.5 s; section 4).</summary>
    public double WarningTtcS { get; init; } = 1.5;

    /// <summary>Time to collision at or below which the severity is 3, imminent (0.8 s; section 4).</summary>
    public double ImminentTtcS { get; init; } = 0.8;

    /// <summary>How far ahead a remote vehicle is looked for at most (150 m; provisional).</summary>
    public double RangeM { get; init; } = 150;

    /// <summary>The host's reaction time before it brakes, used for the required deceleration (1.0 s; provisional).</summary>
    public double ReactionTimeS { get; init; } = 1.0;

    /// <summary>
    /// Whether a remote vehicle's braking shortens the time to collision (TTC with its constant deceleration, until
    /// it stops; true; provisional).
    /// </summary>
    public bool UseRemoteDeceleration { get; init; } = true;

    /// <summary>Heading difference up to which two vehicles travel the same way (30°; provisional).</summary>
    public double SameHeadingDeg { get; init; } = 30;

    /// <summary>Lateral offset within which a vehicle the map cannot place is in the host's lane (1.75 m, half a lane; provisional).</summary>
    public double LaneToleranceM { get; init; } = 1.75;

    /// <summary>Below this closing speed nothing is closing (0.5 m/s; provisional).</summary>
    public double MinClosingSpeedMps { get; init; } = 0.5;
}

/// <summary>
/// FCW, forward collision warning: a remote vehicle ahead in the same lane, closing, with time to collision below
/// the threshold (severity 1/2/3 at 2.5/1.5/0.8 s), or needing more deceleration than the road surface gives
/// (severity at least 2). Subjects are vehicles from any source. Allocation-free per tick; not thread-safe.
/// </summary>
/// <remarks>
/// Worked example: the host at 20 m/s, 36 m (bumper to bumper) behind a car at 8 m/s: closing 12 m/s, TTC 3 s, no
/// TTC level. Required deceleration after a 1 s reaction: 12² / (2 × (36 − 12)) = 3 m/s². Dry (6 m/s²): nothing;
/// packed snow (3): not more; ice (1.5): FCW, severity 2.
/// </remarks>
public sealed class ForwardCollisionWarning : Detector
{
    private readonly FcwOptions _options;

    public ForwardCollisionWarning(FcwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Fcw;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(events);
        ReadOnlySpan<TrackState> tracks = context.Tracks;
        double available = context.AvailableDecelMps2;
        for (int i = 0; i < tracks.Length; i++)
        {
            ref readonly TrackState hv = ref tracks[i];
            if (!RoadGeometry.IsVehicle(hv) || hv.SpeedMps < _options.MinClosingSpeedMps)
            {
                continue;
            }

            // Only a vehicle within the distance a conflict can build up in is relevant: TTC levels and the
            // stopping distance on this surface, plus two vehicle lengths.
            double v = hv.SpeedMps;
            double radius = Math.Min(_options.RangeM, (v * (_options.NoticeTtcS + _options.ReactionTimeS)) + (v * v / (2 * available)) + 12);
            ReadOnlySpan<int> near = context.Neighbours(i, radius);

            int best = -1;
            double bestTtc = double.PositiveInfinity;
            double bestGap = 0;
            double bestRequired = 0;
            double bestOtherSpeed = 0;
            byte bestSeverity = 0;
            for (int k = 0; k < near.Length; k++)
            {
                ref readonly TrackState rv = ref tracks[near[k]];
                if (!RoadGeometry.IsVehicle(rv)
                    || !RoadGeometry.SameLane(context.Map, hv, rv, _options.SameHeadingDeg, _options.LaneToleranceM, out double aheadM)
                    || aheadM <= 0)
                {
                    continue;
                }

                double gap = aheadM - (0.5 * (hv.LengthM + rv.LengthM));
                double otherSpeed = rv.SpeedMps * Math.Cos(RoadGeometry.HeadingDiffDeg(hv.HeadingDeg, rv.HeadingDeg) * (Math.PI / 180));
                double rvAccel = _options.UseRemoteDeceleration && rv.AccelMps2 < 0 ? rv.AccelMps2 : 0;
                double ttc = gap <= 0 ? 0 : TimeToCollision(gap, v, otherSpeed, rvAccel);
                if (double.IsPositiveInfinity(ttc))
                {
                    continue;
                }

                double closing = v - otherSpeed;
                double required = RequiredDecel(gap, closing, _options.ReactionTimeS);
                byte severity = Severity(ttc, required, available);
                if (severity == 0 || (closing < _options.MinClosingSpeedMps && rvAccel == 0))
                {
                    continue;
                }

                if (severity > bestSeverity || (severity == bestSeverity && ttc < bestTtc))
                {
                    best = near[k];
                    bestTtc = ttc;
                    bestGap = gap;
                    bestRequired = required;
                    bestOtherSpeed = otherSpeed;
                    bestSeverity = severity;
                }
            }

            if (best < 0)
            {
                continue;
            }

            ref readonly TrackState ahead = ref tracks[best];
            EventFigures figures = default;
            figures.Set(Figure.TtcS, bestTtc);
            figures.Set(Figure.GapM, bestGap);
            figures.Set(Figure.SpeedMps, v);
            figures.Set(Figure.OtherSpeedMps, bestOtherSpeed);
            figures.Set(Figure.ClosingSpeedMps, v - bestOtherSpeed);
            figures.Set(Figure.RequiredDecelMps2, bestRequired);
            figures.Set(Figure.AvailableDecelMps2, available);
            events.Report(EventType.Fcw, hv, ahead, bestSeverity, figures, 0.5 * (hv.XM + ahead.XM), 0.5 * (hv.YM + ahead.YM), RoadGeometry.Where(hv));
        }
    }

    /// <summary>
    /// Seconds until the gap closes, the host at constant speed, the remote vehicle braking at
    /// <paramref name="otherAccelMps2"/> (≤ 0) until it stops; +∞ when it never closes.
    /// </summary>
    internal static double TimeToCollision(double gapM, double speedMps, double otherSpeedMps, double otherAccelMps2)
    {
        double closing = speedMps - otherSpeedMps;
        if (otherAccelMps2 >= 0 || otherSpeedMps <= 0)
        {
            return closing > 0 ? gapM / closing : double.PositiveInfinity;
        }

        // gap(t) = gap − closing·t + a·t²/2 (a < 0) while the remote vehicle still moves.
        double a = otherAccelMps2;
        double stopS = otherSpeedMps / -a;
        double discriminant = (closing * closing) - (2 * a * gapM);
        double t = (closing - Math.Sqrt(discriminant)) / a;
        if (t >= 0 && t <= stopS)
        {
            return t;
        }

        // It stops first: then the host covers the gap plus the remote vehicle's stopping distance.
        return speedMps > 0 ? (gapM + (otherSpeedMps * otherSpeedMps / (-2 * a))) / speedMps : double.PositiveInfinity;
    }

    /// <summary>The constant deceleration that stops the closing within the gap left after the reaction time (m/s²; +∞ when no gap is left).</summary>
    internal static double RequiredDecel(double gapM, double closingMps, double reactionS)
    {
        if (closingMps <= 0)
        {
            return 0;
        }

        double left = gapM - (closingMps * reactionS);
        return left <= 0 ? double.PositiveInfinity : closingMps * closingMps / (2 * left);
    }

    private byte Severity(double ttc, double required, double available)
    {
        byte severity = ttc <= _options.ImminentTtcS ? (byte)3 : ttc <= _options.WarningTtcS ? (byte)2 : ttc <= _options.NoticeTtcS ? (byte)1 : (byte)0;
        if (required > available && severity < 2)
        {
            severity = 2; // the surface cannot stop the host in time, whatever the TTC says
        }

        return severity;
    }
}
