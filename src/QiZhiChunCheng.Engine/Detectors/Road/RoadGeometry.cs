using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Detectors.Road;

/// <summary>
/// Who is ahead of whom on the same road, from the map match and plain geometry: the relations the same-road
/// detectors (FCW, EBW, AVW, CLW, EVW, DNPW, BSW/LCW) share. Static, allocation-free, thread-safe.
/// </summary>
/// <remarks>
/// Two vehicles are in the same lane when the map puts them on one path (the same lane, the same connection
/// through a junction, a lane and its connection, a connection and its exit lane); the distance between them is
/// then measured along that path. When the map cannot say (one of them is between lanes, in a junction area or
/// off the map), they are in the same lane when their headings agree and the remote vehicle is within a lateral
/// tolerance of the host's heading line; the distance is then the projection on the host's heading. Two different
/// lanes of one link are never the same lane.
/// </remarks>
internal static class RoadGeometry
{
    private const double DegToRad = Math.PI / 180.0;

    /// <summary>The absolute difference of two headings, 0..180 degrees.</summary>
    public static double HeadingDiffDeg(double a, double b)
    {
        double d = Math.Abs(a - b) % 360.0;
        return d > 180.0 ? 360.0 - d : d;
    }

    /// <summary>
    /// <paramref name="rv"/>'s centre in <paramref name="hv"/>'s frame: metres ahead along the host's heading
    /// (negative behind) and metres to its left (negative right).
    /// </summary>
    public static void Relative(in TrackState hv, in TrackState rv, out double aheadM, out double leftM)
    {
        (double s, double c) = Math.SinCos(hv.HeadingDeg * DegToRad);
        double dx = rv.XM - hv.XM;
        double dy = rv.YM - hv.YM;
        aheadM = (dx * s) + (dy * c);
        leftM = (dy * s) - (dx * c);
    }

    /// <summary>
    /// Whether <paramref name="a"/> and <paramref name="b"/> are on one path of the map (lane, connection, lane then
    /// its connection, connection then its exit lane) and, if so, how far <paramref name="b"/> is ahead of
    /// <paramref name="a"/> along it (centre to centre; negative behind).
    /// </summary>
    public static bool TryAlongSamePath(LaneMap map, in MapMatch a, in MapMatch b, out double deltaM)
    {
        deltaM = double.NaN;
        if (a.Status == MatchStatus.OnLane && b.Status == MatchStatus.OnLane)
        {
            if (a.Lane != b.Lane)
            {
                return false;
            }

            deltaM = b.AlongM - a.AlongM;
            return true;
        }

        if (a.Status == MatchStatus.OnConnection && b.Status == MatchStatus.OnConnection)
        {
            if (a.Connection != b.Connection)
            {
                return false;
            }

            deltaM = b.AlongM - a.AlongM;
            return true;
        }

        if (a.Status == MatchStatus.OnLane && b.Status == MatchStatus.OnConnection)
        {
            ref readonly MapConnectionInfo cb = ref map.Connections[b.Connection];
            if (cb.FromLane == a.Lane)
            {
                deltaM = map.Lanes[a.Lane].LengthM - a.AlongM + b.AlongM;
                return true;
            }

            if (cb.ToLane == a.Lane)
            {
                deltaM = -(cb.LengthM - b.AlongM + a.AlongM);
                return true;
            }

            return false;
        }

        if (a.Status == MatchStatus.OnConnection && b.Status == MatchStatus.OnLane)
        {
            ref readonly MapConnectionInfo ca = ref map.Connections[a.Connection];
            if (ca.ToLane == b.Lane)
            {
                deltaM = ca.LengthM - a.AlongM + b.AlongM;
                return true;
            }

            if (ca.FromLane == b.Lane)
            {
                deltaM = -(map.Lanes[b.Lane].LengthM - b.AlongM + a.AlongM);
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether <paramref name="rv"/> is in <paramref name="hv"/>'s lane, travelling its way (headings within
    /// <paramref name="headingToleranceDeg"/>); <paramref name="aheadM"/> is how far ahead it is (centre to centre,
    /// negative behind). See the type's remarks for the rule when the map cannot say.
    /// </summary>
    public static bool SameLane(LaneMap map, in TrackState hv, in TrackState rv, double headingToleranceDeg, double lateralToleranceM, out double aheadM)
    {
        aheadM = double.NaN;
        if (HeadingDiffDeg(hv.HeadingDeg, rv.HeadingDeg) > headingToleranceDeg)
        {
            return false;
        }

        if (TryAlongSamePath(map, hv.Match, rv.Match, out aheadM))
        {
            return true;
        }

        if (hv.Match.HasLane && rv.Match.HasLane && hv.Match.Link == rv.Match.Link)
        {
            return false; // two lanes of one link (or two connections from it): neighbours, not one lane
        }

        Relative(hv, rv, out aheadM, out double leftM);
        return Math.Abs(leftM) <= lateralToleranceM;
    }

    /// <summary>
    /// Whether <paramref name="rv"/> travels <paramref name="hv"/>'s way on the same road: in its lane, on another
    /// lane of its link, or (when the map cannot say) within <paramref name="corridorM"/> of its heading line.
    /// <paramref name="aheadM"/> is how far ahead it is; <paramref name="sameLane"/> whether it is in the host's lane.
    /// </summary>
    public static bool SameDirection(LaneMap map, in TrackState hv, in TrackState rv, double headingToleranceDeg, double laneToleranceM, double corridorM, out double aheadM, out bool sameLane)
    {
        sameLane = false;
        aheadM = double.NaN;
        if (HeadingDiffDeg(hv.HeadingDeg, rv.HeadingDeg) > headingToleranceDeg)
        {
            return false;
        }

        if (TryAlongSamePath(map, hv.Match, rv.Match, out aheadM))
        {
            sameLane = true;
            return true;
        }

        Relative(hv, rv, out aheadM, out double leftM);
        if (hv.Match.HasLane && rv.Match.HasLane && hv.Match.Link == rv.Match.Link)
        {
            return true; // another lane of the host's link
        }

        sameLane = Math.Abs(leftM) <= laneToleranceM;
        return Math.Abs(leftM) <= corridorM;
    }

    /// <summary>Where an event about <paramref name="t"/> is: its intersection when inside one, else its lane.</summary>
    public static EventLocation Where(in TrackState t)
    {
        ref readonly MapMatch m = ref t.Match;
        return m.Status switch
        {
            MatchStatus.OnLane => EventLocation.OnLane(m.Link, m.Lane),
            MatchStatus.OnConnection or MatchStatus.InIntersectionArea => EventLocation.AtNode(m.Node),
            _ => EventLocation.None,
        };
    }

    /// <summary>
    /// The direction of the lane or connection of <paramref name="m"/> where it is (degrees clockwise from north), or NaN
    /// when it is on neither. A scan of the path's points (a handful per lane).
    /// </summary>
    public static double PathHeadingDeg(LaneMap map, in MapMatch m)
    {
        int first;
        int count;
        if (m.Status == MatchStatus.OnLane)
        {
            ref readonly MapLaneInfo lane = ref map.Lanes[m.Lane];
            first = lane.FirstPoint;
            count = lane.PointCount;
        }
        else if (m.Status == MatchStatus.OnConnection)
        {
            ref readonly MapConnectionInfo c = ref map.Connections[m.Connection];
            first = c.FirstPoint;
            count = c.PointCount;
        }
        else
        {
            return double.NaN;
        }

        ReadOnlySpan<double> along = map.PointAlongM;
        int p = first;
        int lastSegment = first + count - 2;
        while (p < lastSegment && along[p + 1] <= m.AlongM)
        {
            p++;
        }

        return map.SegmentHeadingDeg[p];
    }

    /// <summary>
    /// How fast <paramref name="t"/> moves to the left of its lane's direction (m/s, negative: to the right), from
    /// its heading against the lane's; 0 when it is on no lane.
    /// </summary>
    public static double LeftwardSpeedMps(LaneMap map, in TrackState t)
    {
        double laneHeading = PathHeadingDeg(map, t.Match);
        return double.IsNaN(laneHeading) ? 0 : t.SpeedMps * Math.Sin((laneHeading - t.HeadingDeg) * DegToRad);
    }

    /// <summary>Whether a track may be warned by the same-road detectors: a motor vehicle, from any source.</summary>
    public static bool IsVehicle(in TrackState t) => t.Kind == ParticipantKind.Vehicle;
}
