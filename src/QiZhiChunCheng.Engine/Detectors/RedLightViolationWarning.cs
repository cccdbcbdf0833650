using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.Signals;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>RLVW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record RlvwOptions
{
    /// <summary>
    /// A stop that needs more than this deceleration is beyond a comfortable stop (3.5 m/s², V2X-REFERENCE section 4,
    /// provisional): warn unless the vehicle is already braking that hard.
    /// </summary>
    public double ComfortDecelMps2 { get; init; } = 3.5;

    /// <summary>
    /// A vehicle counts as braking as needed when its longitudinal acceleration is at or below minus this share of
    /// the required deceleration (0.8; provisional: an 80 % brake now still stops within about 1.25 × the distance,
    /// and the acceleration a BSM reports lags the pedal).
    /// </summary>
    public double BrakingFactor { get; init; } = 0.8;

    /// <summary>Slower vehicles are stopping or queued and are not judged (2 m/s ≈ 7 km/h; provisional).</summary>
    public double MinSpeedMps { get; init; } = 2.0;

    /// <summary>Stop lines farther than this are not judged (150 m; provisional: at 60 km/h no stop from there needs more than 1 m/s²).</summary>
    public double MaxDistanceM { get; init; } = 150;
}

/// <summary>
/// RLVW, red light violation warning: a vehicle on an ingress lane (a lane with a stop line and a phase) that will
/// reach its stop line at constant speed (arrival = now + d / v) on red (SPAT: the phase's state at the arrival time
/// is red or flashing red, or the current yellow ends before arrival and no later state is given), and that cannot or
/// does not stop: the deceleration to stop, v² / 2d, exceeds the surface's available deceleration (severity 3,
/// imminent: it cannot stop), or exceeds <see cref="RlvwOptions.ComfortDecelMps2"/> while the vehicle is not braking
/// at <see cref="RlvwOptions.BrakingFactor"/> × that (severity 2). Below the comfortable threshold the driver can
/// still stop comfortably and is not warned (the reference's "or is not being applied" is read as: braking hard
/// enough suppresses the comfort warning). Any vehicle track is a subject (BSM or roadside only). Figures:
/// requiredDecelMps2, availableDecelMps2, distanceM, speedMps, lightState (current, the SPAT enum), timeToChangeS
/// (until the current state's likely end; left out when the SPAT gives none). Location: the intersection. Allocates nothing per tick.
/// </summary>
public sealed class RedLightViolationWarning : Detector
{
    private readonly RlvwOptions _options;

    public RedLightViolationWarning(RlvwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Rlvw;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(events);
        long now = context.TimeUtcMs;
        double available = context.AvailableDecelMps2;
        SignalState signals = context.Signals;
        ReadOnlySpan<TrackState> tracks = context.Tracks;
        for (int i = 0; i < tracks.Length; i++)
        {
            ref readonly TrackState t = ref tracks[i];
            if (!SignalApproach.TryGet(context, t, _options.MaxDistanceM, _options.MinSpeedMps, out SignalApproach a)
                || !a.TryGetLight(signals, now, now, out PhaseInterval current))
            {
                continue; // not approaching a signalised stop line, or no fresh SPAT for the phase: nothing to judge by
            }

            double d = a.DistanceM;
            double v = a.SpeedMps;
            long arrival = now + (long)(d / v * 1000);
            bool redAtArrival = a.TryGetLight(signals, now, arrival, out PhaseInterval atArrival)
                ? atArrival.IsRed
                : current.Light == LightState.Yellow && current.LikelyEndUtcMs <= arrival; // red follows yellow
            if (!redAtArrival)
            {
                continue;
            }

            double required = v * v / (2 * d);
            bool braking = t.AccelMps2 <= -required * _options.BrakingFactor; // NaN (unknown) is not braking
            byte severity = required > available ? (byte)3
                : required > _options.ComfortDecelMps2 && !braking ? (byte)2
                : (byte)0;
            if (severity == 0)
            {
                continue;
            }

            EventFigures figures = default;
            figures.Set(Figure.RequiredDecelMps2, required);
            figures.Set(Figure.AvailableDecelMps2, available);
            figures.Set(Figure.DistanceM, d);
            figures.Set(Figure.SpeedMps, v);
            SignalApproach.SetLight(ref figures, current, now);
            events.Report(EventType.Rlvw, t, severity, figures, a.Location);
        }
    }
}
