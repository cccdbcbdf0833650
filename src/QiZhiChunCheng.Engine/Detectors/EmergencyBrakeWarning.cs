using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Detectors.Road;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>EBW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record EbwOptions
{
    /// <summary>A deceleration harder than this is emergency braking (3.92 m/s², 0.4 g; V2X-REFERENCE section 4). When no source reports the acceleration, the hardBraking flag decides.</summary>
    public double HardBrakingMps2 { get; init; } = 3.92;

    /// <summary>How far behind the braking vehicle (along the road) followers are warned (150 m; provisional).</summary>
    public double RangeM { get; init; } = 150;

    /// <summary>Whether only followers in the braking vehicle's lane are warned; otherwise every lane of its direction is, at a lower severity (false; provisional).</summary>
    public bool SameLaneOnly { get; init; }

    /// <summary>Heading difference up to which two vehicles travel the same way (30°; provisional).</summary>
    public double SameHeadingDeg { get; init; } = 30;

    /// <summary>Lateral offset within which a vehicle the map cannot place is in the same lane (1.75 m; provisional).</summary>
    public double LaneToleranceM { get; init; } = 1.75;

    /// <summary>Lateral offset within which a vehicle the map cannot place travels the same road (10.5 m, three lanes; provisional).</summary>
    public double CorridorM { get; init; } = 10.5;
}

/// <summary>
/// EBW, emergency brake warning: a vehicle braking harder than 0.4 g (its hardBraking flag, or a longitudinal
/// acceleration below −3.92 m/s² from its BSM or a roadside sensor) warns every vehicle following it in its
/// direction within the range: severity 2 in its lane, 1 in the other lanes. Allocation-free per tick; not thread-safe.
/// </summary>
public sealed class EmergencyBrakeWarning : Detector
{
    private readonly EbwOptions _options;

    public EmergencyBrakeWarning(EbwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Ebw;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(events);
        ReadOnlySpan<TrackState> tracks = context.Tracks;
        for (int r = 0; r < tracks.Length; r++)
        {
            ref readonly TrackState rv = ref tracks[r];
            if (!RoadGeometry.IsVehicle(rv) || !IsBrakingHard(rv))
            {
                continue;
            }

            var followers = new Followers(context, r, _options.RangeM, _options.SameHeadingDeg, _options.LaneToleranceM, _options.CorridorM);
            while (followers.MoveNext())
            {
                if (_options.SameLaneOnly && !followers.SameLane)
                {
                    continue;
                }

                EventFigures figures = default;
                if (!double.IsNaN(rv.AccelMps2))
                {
                    figures.Set(Figure.AccelMps2, rv.AccelMps2);
                }

                followers.SetFigures(ref figures);
                followers.Report(events, EventType.Ebw, figures);
            }
        }
    }

    // A known deceleration decides by the threshold (the observation layer also sets the flag at 0.4 g, so the flag
    // alone would override a configured threshold); without one, the sender's hardBraking flag decides.
    private bool IsBrakingHard(in TrackState rv) =>
        double.IsNaN(rv.AccelMps2) ? (rv.Flags & ParticipantFlags.HardBraking) != 0 : rv.AccelMps2 < -_options.HardBrakingMps2;
}
