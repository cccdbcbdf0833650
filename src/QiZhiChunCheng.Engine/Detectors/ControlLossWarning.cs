using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Detectors.Road;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>CLW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record ClwOptions
{
    /// <summary>How far behind the vehicle losing control (along the road) followers are warned (300 m; provisional).</summary>
    public double RangeM { get; init; } = 300;

    /// <summary>The flags that mean a loss of control (ABS, traction control, stability control, airbag; V2X-REFERENCE section 4).</summary>
    public ParticipantFlags Flags { get; init; } = ParticipantFlags.AbsActive | ParticipantFlags.TractionActive | ParticipantFlags.StabilityActive | ParticipantFlags.AirbagDeployed;

    /// <summary>Heading difference up to which two vehicles travel the same way (30°; provisional).</summary>
    public double SameHeadingDeg { get; init; } = 30;

    /// <summary>Lateral offset within which a vehicle the map cannot place is in the same lane (1.75 m; provisional).</summary>
    public double LaneToleranceM { get; init; } = 1.75;

    /// <summary>Lateral offset within which a vehicle the map cannot place travels the same road (10.5 m, three lanes; provisional).</summary>
    public double CorridorM { get; init; } = 10.5;
}

/// <summary>
/// CLW, control loss warning: a vehicle reporting ABS, traction or stability control active, or its airbag deployed
/// (BSM only: roadside sensors cannot see it), warns every vehicle following it in its direction within the range:
/// severity 2 in its lane, 1 in the other lanes. Allocation-free per tick; not thread-safe.
/// </summary>
public sealed class ControlLossWarning : Detector
{
    private readonly ClwOptions _options;

    public ControlLossWarning(ClwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Clw;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(events);
        ReadOnlySpan<TrackState> tracks = context.Tracks;
        for (int r = 0; r < tracks.Length; r++)
        {
            ref readonly TrackState rv = ref tracks[r];
            if (!RoadGeometry.IsVehicle(rv) || (rv.Flags & _options.Flags) == 0)
            {
                continue;
            }

            var followers = new Followers(context, r, _options.RangeM, _options.SameHeadingDeg, _options.LaneToleranceM, _options.CorridorM);
            while (followers.MoveNext())
            {
                EventFigures figures = default;
                followers.SetFigures(ref figures);
                followers.Report(events, EventType.Clw, figures);
            }
        }
    }
}
