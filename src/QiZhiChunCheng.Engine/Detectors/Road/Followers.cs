using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Detectors.Road;

/// <summary>
/// The vehicles following a remote vehicle in its direction within a range (along the road): the subjects EBW, CLW
/// and AVW warn about a vehicle with a condition. Enumerate with <see cref="MoveNext"/>; each step exposes the
/// follower, its distance behind and whether it shares the remote vehicle's lane. A stack-only enumerator over the
/// tick's neighbour buffer (valid until the next <see cref="TickContext.Neighbours"/> call): allocates nothing.
/// </summary>
internal ref struct Followers
{
    private readonly TickContext _context;
    private readonly ReadOnlySpan<TrackState> _tracks;
    private readonly ReadOnlySpan<int> _near;
    private readonly int _remote;
    private readonly double _rangeM;
    private readonly double _sameHeadingDeg;
    private readonly double _laneToleranceM;
    private readonly double _corridorM;
    private int _k;
    private double _aheadM;
    private bool _sameLane;

    /// <summary>
    /// The vehicles behind track <paramref name="remote"/> by more than 0 and at most <paramref name="rangeM"/>,
    /// travelling its way (<see cref="RoadGeometry.SameDirection"/> with the given tolerances); the neighbours are
    /// looked up within the range plus the corridor.
    /// </summary>
    public Followers(TickContext context, int remote, double rangeM, double sameHeadingDeg, double laneToleranceM, double corridorM)
    {
        _context = context;
        _tracks = context.Tracks;
        _near = context.Neighbours(remote, rangeM + corridorM);
        _remote = remote;
        _rangeM = rangeM;
        _sameHeadingDeg = sameHeadingDeg;
        _laneToleranceM = laneToleranceM;
        _corridorM = corridorM;
        _k = -1;
        _aheadM = double.NaN;
        _sameLane = false;
    }

    /// <summary>The remote vehicle (the one with the condition).</summary>
    public readonly ref readonly TrackState Remote => ref _tracks[_remote];

    /// <summary>The current follower (the subject to warn).</summary>
    public readonly ref readonly TrackState Current => ref _tracks[_near[_k]];

    /// <summary>How far the remote vehicle is ahead of the current follower, along the road (m).</summary>
    public readonly double AheadM => _aheadM;

    /// <summary>Whether the current follower is in the remote vehicle's lane.</summary>
    public readonly bool SameLane => _sameLane;

    /// <summary>The usual severity: 2 in the remote vehicle's lane, 1 in the other lanes of its direction.</summary>
    public readonly byte Severity => _sameLane ? (byte)2 : (byte)1;

    /// <summary>Moves to the next follower; false when there are no more.</summary>
    public bool MoveNext()
    {
        ref readonly TrackState rv = ref _tracks[_remote];
        while (++_k < _near.Length)
        {
            ref readonly TrackState hv = ref _tracks[_near[_k]];
            if (RoadGeometry.IsVehicle(hv)
                && RoadGeometry.SameDirection(_context.Map, hv, rv, _sameHeadingDeg, _laneToleranceM, _corridorM, out _aheadM, out _sameLane)
                && !(_aheadM <= 0 || _aheadM > _rangeM))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Sets the figures every follower warning carries: distanceM, speedMps (the follower's), otherSpeedMps (the remote's).</summary>
    public readonly void SetFigures(ref EventFigures figures)
    {
        figures.Set(Figure.DistanceM, _aheadM);
        figures.Set(Figure.SpeedMps, Current.SpeedMps);
        figures.Set(Figure.OtherSpeedMps, Remote.SpeedMps);
    }

    /// <summary>
    /// Reports <paramref name="type"/> for the current follower about the remote vehicle at <see cref="Severity"/>,
    /// at the remote's position, located by the follower's lane.
    /// </summary>
    public readonly void Report(EventLifecycle events, EventType type, in EventFigures figures)
    {
        ref readonly TrackState rv = ref Remote;
        events.Report(type, Current, rv, Severity, figures, rv.XM, rv.YM, RoadGeometry.Where(Current));
    }
}
