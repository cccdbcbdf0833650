using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Detectors.Road;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>EVW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record EvwOptions
{
    /// <summary>How far ahead of the emergency vehicle (along the road) vehicles are warned (300 m; the upper end of section 4's 50..300 m).</summary>
    public double RangeM { get; init; } = 300;

    /// <summary>The vehicle classes of emergency vehicles (60..69; V2X-REFERENCE section 4).</summary>
    public byte MinClass { get; init; } = 60;

    /// <summary>See <see cref="MinClass"/> (69).</summary>
    public byte MaxClass { get; init; } = 69;

    /// <summary>
    /// The emergency vehicle must be closing on the vehicle ahead faster than this (1 m/s; provisional). Two vehicles
    /// at the same speed are not "approaching", and fused speeds differ by a few cm/s even then: with 0 the demo warned
    /// a car 167 m ahead of an ambulance at the same speed, with an arrival 42 hours away.
    /// </summary>
    public double MinClosingSpeedMps { get; init; } = 1;

    /// <summary>Severity 2 instead of 1 when the emergency vehicle arrives (distance / closing speed) within this (10 s; provisional); a vehicle in its lane always gets 2.</summary>
    public double UrgentEtaS { get; init; } = 10;

    /// <summary>Heading difference up to which two vehicles travel the same way (30°; provisional).</summary>
    public double SameHeadingDeg { get; init; } = 30;

    /// <summary>Lateral offset within which a vehicle the map cannot place is in the same lane (1.75 m; provisional).</summary>
    public double LaneToleranceM { get; init; } = 1.75;

    /// <summary>Lateral offset within which a vehicle the map cannot place travels the same road (10.5 m, three lanes; provisional).</summary>
    public double CorridorM { get; init; } = 10.5;
}

/// <summary>
/// EVW, emergency vehicle warning: an emergency vehicle (class 60..69) with its siren or light bar in use (BSM
/// emergency extension) closing from behind on the same road warns every vehicle ahead of it in its direction
/// within the range: severity 2 in its lane or when it arrives within <see cref="EvwOptions.UrgentEtaS"/>, else 1.
/// The ETA is the <c>ttcS</c> figure. Allocation-free per tick; not thread-safe.
/// </summary>
public sealed class EmergencyVehicleWarning : Detector
{
    private const ParticipantFlags SirenOrLights = ParticipantFlags.SirenInUse | ParticipantFlags.LightbarInUse;
    private readonly EvwOptions _options;

    public EmergencyVehicleWarning(EvwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Evw;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(events);
        ReadOnlySpan<TrackState> tracks = context.Tracks;
        for (int e = 0; e < tracks.Length; e++)
        {
            ref readonly TrackState ev = ref tracks[e];
            if (!RoadGeometry.IsVehicle(ev) || ev.VehicleClass < _options.MinClass || ev.VehicleClass > _options.MaxClass
                || (ev.Flags & ParticipantFlags.EmergencyResponse) == 0 || (ev.Flags & SirenOrLights) == 0)
            {
                continue;
            }

            ReadOnlySpan<int> near = context.Neighbours(e, _options.RangeM + _options.CorridorM);
            for (int k = 0; k < near.Length; k++)
            {
                ref readonly TrackState hv = ref tracks[near[k]];
                if (!RoadGeometry.IsVehicle(hv)
                    || !RoadGeometry.SameDirection(context.Map, hv, ev, _options.SameHeadingDeg, _options.LaneToleranceM, _options.CorridorM, out double aheadM, out bool sameLane)
                    || aheadM >= 0 || -aheadM > _options.RangeM)
                {
                    continue;
                }

                double distance = -aheadM;
                double closing = ev.SpeedMps - hv.SpeedMps;
                if (closing <= _options.MinClosingSpeedMps)
                {
                    continue;
                }

                double eta = distance / closing;
                EventFigures figures = default;
                figures.Set(Figure.DistanceM, distance);
                figures.Set(Figure.SpeedMps, hv.SpeedMps);
                figures.Set(Figure.OtherSpeedMps, ev.SpeedMps);
                figures.Set(Figure.ClosingSpeedMps, closing);
                figures.Set(Figure.TtcS, eta);
                byte severity = sameLane || eta <= _options.UrgentEtaS ? (byte)2 : (byte)1;
                events.Report(EventType.Evw, hv, ev, severity, figures, ev.XM, ev.YM, RoadGeometry.Where(hv));
            }
        }
    }
}
