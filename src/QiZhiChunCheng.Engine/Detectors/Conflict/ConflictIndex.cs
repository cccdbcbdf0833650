using QiZhiChunCheng.Engine.Map;

namespace QiZhiChunCheng.Engine.Detectors.Conflict;

/// <summary>
/// The lane map's conflict areas keyed by connection, for the crossing-path detectors (ICW, LTA): for each
/// connection the conflict areas it takes part in, and the heading of the approach it leaves from. Built once per
/// <see cref="LaneMap"/> (allocates then, never per tick); immutable afterwards.
/// </summary>
internal sealed class ConflictIndex
{
    private readonly int[] _first;
    private readonly int[] _areas;
    private readonly double[] _approachHeadingDeg;

    public ConflictIndex(LaneMap map)
    {
        Map = map;
        ReadOnlySpan<MapConnectionInfo> connections = map.Connections;
        ReadOnlySpan<MapConflictArea> conflicts = map.ConflictAreas;
        _first = new int[connections.Length + 1];
        foreach (ref readonly MapConflictArea a in conflicts)
        {
            _first[a.ConnectionA + 1]++;
            _first[a.ConnectionB + 1]++;
        }

        for (int c = 0; c < connections.Length; c++)
        {
            _first[c + 1] += _first[c];
        }

        _areas = new int[conflicts.Length * 2];
        int[] fill = new int[connections.Length];
        for (int i = 0; i < conflicts.Length; i++)
        {
            _areas[_first[conflicts[i].ConnectionA] + fill[conflicts[i].ConnectionA]++] = i;
            _areas[_first[conflicts[i].ConnectionB] + fill[conflicts[i].ConnectionB]++] = i;
        }

        _approachHeadingDeg = new double[connections.Length];
        for (int c = 0; c < connections.Length; c++)
        {
            MapLaneInfo lane = map.Lanes[connections[c].FromLane];
            int last = lane.FirstPoint + lane.PointCount - 1;
            _approachHeadingDeg[c] = lane.PointCount > 1 ? map.SegmentHeadingDeg[last] : double.NaN;
        }
    }

    /// <summary>The map this index was built for.</summary>
    public LaneMap Map { get; }

    /// <summary>This index when it was built for <paramref name="map"/>, else a new one (a MAP update).</summary>
    public static ConflictIndex For(ConflictIndex? current, LaneMap map) =>
        current is not null && ReferenceEquals(current.Map, map) ? current : new ConflictIndex(map);

    /// <summary>Heading (degrees clockwise from north) of the end of the ingress lane <paramref name="connection"/> leaves from.</summary>
    public double ApproachHeadingDeg(int connection) => _approachHeadingDeg[connection];

    /// <summary>
    /// The conflict area where connections <paramref name="a"/> and <paramref name="b"/> meet, with the entry and
    /// exit distances along each (metres from its stop line); -1 when their paths do not meet.
    /// </summary>
    public int Find(int a, int b, out double entryAM, out double exitAM, out double entryBM, out double exitBM)
    {
        ReadOnlySpan<MapConflictArea> conflicts = Map.ConflictAreas;
        for (int k = _first[a]; k < _first[a + 1]; k++)
        {
            ref readonly MapConflictArea area = ref conflicts[_areas[k]];
            if (area.ConnectionA == a && area.ConnectionB == b)
            {
                (entryAM, exitAM, entryBM, exitBM) = (area.EntryAM, area.ExitAM, area.EntryBM, area.ExitBM);
                return _areas[k];
            }

            if (area.ConnectionA == b && area.ConnectionB == a)
            {
                (entryAM, exitAM, entryBM, exitBM) = (area.EntryBM, area.ExitBM, area.EntryAM, area.ExitAM);
                return _areas[k];
            }
        }

        entryAM = exitAM = entryBM = exitBM = double.NaN;
        return -1;
    }
}
