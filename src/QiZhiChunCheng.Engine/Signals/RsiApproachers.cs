using QiZhiChunCheng.Engine.Detectors;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Signals;

/// <summary>
/// The vehicles approaching one RSI item (<see cref="RsiApproach.Approaches"/>) among the tracks near it
/// (<see cref="RsiApproach.Candidates"/>): the subjects HLW, IVS and TJW (RSI congestion) warn. Enumerate with
/// <see cref="MoveNext"/>; each step exposes the vehicle and its distance to the item. A stack-only enumerator over
/// the detector's candidate buffer: allocates nothing (the buffer is grown once to the track capacity).
/// </summary>
internal ref struct RsiApproachers
{
    private readonly RsiState _rsi;
    private readonly ReadOnlySpan<TrackState> _tracks;
    private readonly ReadOnlySpan<int> _candidates;
    private readonly int _index;
    private readonly double _radiusM;
    private readonly double _pathHeadingDeg;
    private readonly double _aheadDeg;
    private readonly double _maxAheadM;
    private int _c;
    private double _distanceM;

    /// <summary>
    /// The vehicles within <paramref name="queryRadiusM"/> of item <paramref name="index"/>'s bounds that approach it,
    /// with the <see cref="RsiApproach.Approaches"/> parameters <paramref name="radiusM"/>,
    /// <paramref name="pathHeadingDeg"/>, <paramref name="aheadDeg"/> and <paramref name="maxAheadM"/>.
    /// </summary>
    public RsiApproachers(TickContext context, ref int[] buffer, int index, double queryRadiusM, double radiusM, double pathHeadingDeg, double aheadDeg, double maxAheadM)
    {
        _rsi = context.Rsi;
        ref readonly RsiItem item = ref _rsi.Items[index];
        int n = RsiApproach.Candidates(context, ref buffer, item.BoundXM, item.BoundYM, queryRadiusM);
        _tracks = context.Tracks;
        _candidates = buffer.AsSpan(0, n);
        _index = index;
        _radiusM = radiusM;
        _pathHeadingDeg = pathHeadingDeg;
        _aheadDeg = aheadDeg;
        _maxAheadM = maxAheadM;
        _c = -1;
        _distanceM = double.NaN;
    }

    /// <summary>The current vehicle.</summary>
    public readonly ref readonly TrackState Current => ref _tracks[_candidates[_c]];

    /// <summary>The current vehicle's distance to the item: along the path, else straight (m).</summary>
    public readonly double DistanceM => _distanceM;

    /// <summary>The event location: the current vehicle's lane, else its node, else none.</summary>
    public readonly EventLocation Location
    {
        get
        {
            ref readonly TrackState t = ref Current;
            return t.Match.Lane >= 0 ? EventLocation.OnLane(t.Match.Link, t.Match.Lane) : t.Match.Node >= 0 ? EventLocation.AtNode(t.Match.Node) : EventLocation.None;
        }
    }

    /// <summary>Moves to the next approaching vehicle; false when there are no more.</summary>
    public bool MoveNext()
    {
        while (++_c < _candidates.Length)
        {
            ref readonly TrackState t = ref _tracks[_candidates[_c]];
            if (t.Kind == ParticipantKind.Vehicle
                && RsiApproach.Approaches(_rsi, _index, t, _radiusM, _pathHeadingDeg, _aheadDeg, _maxAheadM, out _distanceM))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Sets the figures every RSI warning carries: distanceM and rsiCode (the item's code).</summary>
    public readonly void SetFigures(ref EventFigures figures)
    {
        figures.Set(Figure.DistanceM, _distanceM);
        figures.Set(Figure.RsiCode, _rsi.Items[_index].Code);
    }
}
