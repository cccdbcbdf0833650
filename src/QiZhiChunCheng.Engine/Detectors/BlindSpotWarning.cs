using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Detectors.Road;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>BSW and LCW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record BswOptions
{
    /// <summary>The blind zone's near edge, lateral centre-to-centre distance from the host (1.5 m; V2X-REFERENCE section 4).</summary>
    public double MinLateralM { get; init; } = 1.5;

    /// <summary>The blind zone's far edge (5 m; section 4).</summary>
    public double MaxLateralM { get; init; } = 5;

    /// <summary>How far behind the host's centre (along its heading) the blind zone reaches (15 m; section 4).</summary>
    public double BehindM { get; init; } = 15;

    /// <summary>How far ahead of the host's centre the blind zone reaches (3 m; section 4).</summary>
    public double AheadM { get; init; } = 3;

    /// <summary>Hosts slower than this get no blind spot warning (2.78 m/s, 10 km/h; provisional).</summary>
    public double MinSpeedMps { get; init; } = 10 / 3.6;

    /// <summary>A host moving sideways towards the zone this fast (from its heading against its lane's) changes lanes (0.5 m/s; provisional).</summary>
    public double LateralSpeedMps { get; init; } = 0.5;

    /// <summary>Heading difference up to which two vehicles travel the same way (30°; provisional).</summary>
    public double SameHeadingDeg { get; init; } = 30;
}

/// <summary>
/// BSW and LCW, blind spot and lane change warnings: a vehicle travelling the host's way in the blind zone (1.5..5 m
/// to the side, 15 m behind to 3 m ahead of the host's centre, measured along the host's heading; on lanes of one
/// link only the adjacent lane) raises BSW, severity 1; with the host signalling towards it or moving sideways
/// towards it, LCW, severity 2. Raises only the types enabled. Allocation-free per tick; not thread-safe.
/// </summary>
public sealed class BlindSpotWarning : Detector
{
    private readonly BswOptions _options;
    private readonly bool _bsw;
    private readonly bool _lcw;

    /// <summary>A detector raising both BSW and LCW.</summary>
    public BlindSpotWarning(BswOptions options)
        : this(options, bsw: true, lcw: true)
    {
    }

    /// <summary>A detector raising BSW when <paramref name="bsw"/>, LCW when <paramref name="lcw"/>.</summary>
    public BlindSpotWarning(BswOptions options, bool bsw, bool lcw)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _bsw = bsw;
        _lcw = lcw;
    }

    public override EventType Type => EventType.Bsw;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(events);
        ReadOnlySpan<TrackState> tracks = context.Tracks;
        LaneMap map = context.Map;
        double reach = Math.Sqrt((Math.Max(_options.BehindM, _options.AheadM) * Math.Max(_options.BehindM, _options.AheadM)) + (_options.MaxLateralM * _options.MaxLateralM));
        for (int i = 0; i < tracks.Length; i++)
        {
            ref readonly TrackState hv = ref tracks[i];
            if (!RoadGeometry.IsVehicle(hv) || hv.SpeedMps < _options.MinSpeedMps)
            {
                continue;
            }

            double leftward = double.NaN;
            ReadOnlySpan<int> near = context.Neighbours(i, reach);
            for (int k = 0; k < near.Length; k++)
            {
                ref readonly TrackState rv = ref tracks[near[k]];
                if (!RoadGeometry.IsVehicle(rv) || RoadGeometry.HeadingDiffDeg(hv.HeadingDeg, rv.HeadingDeg) > _options.SameHeadingDeg)
                {
                    continue;
                }

                RoadGeometry.Relative(hv, rv, out double aheadM, out double leftM);
                double side = Math.Abs(leftM);
                if (aheadM < -_options.BehindM || aheadM > _options.AheadM || side < _options.MinLateralM || side > _options.MaxLateralM)
                {
                    continue;
                }

                // On lanes of one link the map decides what is adjacent (not the same lane, not two lanes over).
                if (hv.Match.Status == MatchStatus.OnLane && rv.Match.Status == MatchStatus.OnLane && hv.Match.Link == rv.Match.Link
                    && Math.Abs(map.Lanes[hv.Match.Lane].LaneId - map.Lanes[rv.Match.Lane].LaneId) != 1)
                {
                    continue;
                }

                bool left = leftM > 0;
                EventFigures figures = default;
                figures.Set(Figure.LateralM, leftM);
                figures.Set(Figure.LongitudinalM, aheadM);
                figures.Set(Figure.SpeedMps, hv.SpeedMps);
                figures.Set(Figure.OtherSpeedMps, rv.SpeedMps);
                EventLocation location = RoadGeometry.Where(hv);
                if (_bsw)
                {
                    events.Report(EventType.Bsw, hv, rv, 1, figures, rv.XM, rv.YM, location);
                }

                if (_lcw)
                {
                    if (double.IsNaN(leftward))
                    {
                        leftward = RoadGeometry.LeftwardSpeedMps(map, hv);
                    }

                    ParticipantFlags signal = left ? ParticipantFlags.LeftTurnSignal : ParticipantFlags.RightTurnSignal;
                    double towards = left ? leftward : -leftward;
                    if ((hv.Flags & signal) != 0 || towards >= _options.LateralSpeedMps)
                    {
                        events.Report(EventType.Lcw, hv, rv, 2, figures, rv.XM, rv.YM, location);
                    }
                }
            }
        }
    }
}
