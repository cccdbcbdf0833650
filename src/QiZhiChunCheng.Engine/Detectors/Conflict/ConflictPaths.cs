using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Detectors.Conflict;

/// <summary>
/// The path a vehicle is predicted to take through the intersection ahead: a connection of the lane map and the
/// distance to its start (the stop line; negative once past it).
/// </summary>
internal readonly record struct PredictedPath(int Connection, int Node, double ToStartM);

/// <summary>
/// Shared arithmetic of the crossing-path detectors (ICW, LTA, VRUCW): which connection a vehicle will follow,
/// times to a conflict area along it, the ray crossing used without map data, angle differences. Static and
/// allocation-free.
/// </summary>
internal static class ConflictPaths
{
    /// <summary>
    /// Predicts the connection a vehicle follows through the junction ahead. On a connection: that one. On an
    /// ingress lane with a stop line: the lane's connection for the manoeuvre the vehicle signals (turn signal, or a
    /// yaw rate of at least <paramref name="turnYawRateDps"/>; clockwise positive, so negative is left), else its
    /// straight connection, else its first (a left-turn lane's only one). Anything else (off the map, inside the
    /// junction's area on no path, a lane with no stop line) has no prediction.
    /// </summary>
    public static bool TryPredict(in TrackState t, LaneMap map, double turnYawRateDps, out PredictedPath path)
    {
        ref readonly MapMatch m = ref t.Match;
        if (m.Status == MatchStatus.OnConnection && m.Connection >= 0)
        {
            path = new PredictedPath(m.Connection, map.Connections[m.Connection].Node, -m.AlongM);
            return true;
        }

        if (m.Status != MatchStatus.OnLane || m.Lane < 0 || double.IsNaN(m.ToStopLineM))
        {
            path = default;
            return false;
        }

        ref readonly MapLaneInfo lane = ref map.Lanes[m.Lane];
        if (lane.ConnectionCount == 0)
        {
            path = default;
            return false;
        }

        AllowedManeuvers wanted = Intent(t, turnYawRateDps);
        int chosen = -1;
        int straight = -1;
        ReadOnlySpan<MapConnectionInfo> connections = map.Connections;
        for (int c = lane.FirstConnection; c < lane.FirstConnection + lane.ConnectionCount; c++)
        {
            AllowedManeuvers maneuver = connections[c].Maneuver;
            if (chosen < 0 && wanted != AllowedManeuvers.None && (maneuver & wanted) != 0)
            {
                chosen = c;
            }

            if (straight < 0 && (maneuver & AllowedManeuvers.Straight) != 0)
            {
                straight = c;
            }
        }

        if (chosen < 0)
        {
            chosen = straight >= 0 ? straight : lane.FirstConnection;
        }

        path = new PredictedPath(chosen, lane.Node, m.ToStopLineM);
        return true;
    }

    /// <summary>The turn a vehicle signals: left or right turn signal, else a yaw rate beyond the threshold; None for straight on.</summary>
    public static AllowedManeuvers Intent(in TrackState t, double turnYawRateDps)
    {
        if ((t.Flags & ParticipantFlags.LeftTurnSignal) != 0)
        {
            return AllowedManeuvers.Left;
        }

        if ((t.Flags & ParticipantFlags.RightTurnSignal) != 0)
        {
            return AllowedManeuvers.Right;
        }

        if (t.YawRateDps <= -turnYawRateDps)
        {
            return AllowedManeuvers.Left;
        }

        return t.YawRateDps >= turnYawRateDps ? AllowedManeuvers.Right : AllowedManeuvers.None;
    }

    /// <summary>The absolute difference of two headings, 0..180 degrees.</summary>
    public static double AngleDiffDeg(double a, double b)
    {
        double d = Math.Abs(a - b) % 360;
        return d > 180 ? 360 - d : d;
    }

    /// <summary>
    /// Whether the rays from two positions along two headings cross ahead of both, and the distance each travels to
    /// the crossing. Worked example: A at (0, 0) heading 90 (east), B at (20, -15) heading 0 (north): they cross at
    /// (20, 0), A after 20 m, B after 15 m. Parallel or diverging rays do not cross.
    /// </summary>
    public static bool RayCrossing(
        double ax, double ay, double aHeadingDeg, double bx, double by, double bHeadingDeg, out double alongAM, out double alongBM, out double crossXM, out double crossYM)
    {
        double ra = aHeadingDeg * Math.PI / 180;
        double rb = bHeadingDeg * Math.PI / 180;
        double dax = Math.Sin(ra), day = Math.Cos(ra), dbx = Math.Sin(rb), dby = Math.Cos(rb);
        double cross = (dax * dby) - (day * dbx);
        if (Math.Abs(cross) < 1e-6)
        {
            alongAM = alongBM = crossXM = crossYM = double.NaN;
            return false;
        }

        double rx = bx - ax, ry = by - ay;
        alongAM = ((rx * dby) - (ry * dbx)) / cross;
        alongBM = ((rx * day) - (ry * dax)) / cross;
        crossXM = ax + (dax * alongAM);
        crossYM = ay + (day * alongAM);
        return true;
    }

    /// <summary>The occupancy window of a conflict area entered after <paramref name="entryM"/> and left after <paramref name="exitM"/> at <paramref name="speedMps"/> (floored), seconds; the entry is 0 when already inside.</summary>
    public static void Window(double entryM, double exitM, double speedMps, double minSpeedMps, out double entryS, out double exitS)
    {
        double v = Math.Max(speedMps, minSpeedMps);
        entryS = Math.Max(0, entryM) / v;
        exitS = Math.Max(0, exitM) / v;
    }

    /// <summary>Whether a vehicle braking at <paramref name="accelMps2"/> (negative) stops before covering <paramref name="distanceM"/>.</summary>
    public static bool StopsBefore(double speedMps, double accelMps2, double distanceM) =>
        accelMps2 < 0 && distanceM > 0 && (speedMps * speedMps / (-2 * accelMps2)) < distanceM;

    /// <summary>Whether a vehicle can no longer stop within <paramref name="distanceM"/> at the deceleration the surface allows.</summary>
    public static bool CannotStop(double speedMps, double distanceM, double availableDecelMps2) =>
        speedMps * speedMps / (2 * availableDecelMps2) > distanceM;
}
