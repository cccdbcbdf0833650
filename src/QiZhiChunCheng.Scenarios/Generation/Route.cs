using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Map;

namespace QiZhiChunCheng.Scenarios.Generation;

/// <summary>One lane or junction connection of a route, from <see cref="StartM"/> to <see cref="EndM"/> along it.</summary>
/// <param name="Element">The lane index, or <c>ConnectionBase + connection index</c>.</param>
/// <param name="StartM">Where the part starts along the route.</param>
/// <param name="EndM">Where it ends (a lane's stop line or end).</param>
/// <param name="LimitMps">The speed limit on it (a connection: the lower of the limit and the turn's speed).</param>
/// <param name="StopNode">For a lane ending at a signalised stop line: the MAP node id; else 0.</param>
/// <param name="StopPhase">The phase of the connection the route takes from that stop line.</param>
/// <param name="Maneuver">The manoeuvre the route takes at the end of a lane, or the connection's.</param>
public readonly record struct RoutePart(int Element, double StartM, double EndM, double LimitMps, ushort StopNode, byte StopPhase, AllowedManeuvers Maneuver)
{
    public const int ConnectionBase = 1_000_000;

    public bool IsConnection => Element >= ConnectionBase;

    public double LengthM => EndM - StartM;
}

/// <summary>A pose in the local frame: metres east and north, heading clockwise from north.</summary>
public readonly record struct Pose(double X, double Y, double HeadingDeg)
{
    private double Rad => HeadingDeg * Math.PI / 180;

    public Pose Ahead(double m) => this with { X = X + (m * Math.Sin(Rad)), Y = Y + (m * Math.Cos(Rad)) };

    public Pose Left(double m) => this with { X = X - (m * Math.Cos(Rad)), Y = Y + (m * Math.Sin(Rad)) };

    public Pose Reversed() => this with { HeadingDeg = (HeadingDeg + 180) % 360 };
}

/// <summary>
/// A vehicle's way through the zone: the polyline of its lanes and the paths through junctions between them, in
/// the lane map's local frame, with the parts it is made of (for car following, limits and stop lines).
/// Immutable once built.
/// </summary>
public sealed class Route
{
    private readonly double[] _x;
    private readonly double[] _y;
    private readonly double[] _s;

    private Route(double[] x, double[] y, double[] s, RoutePart[] parts)
    {
        _x = x;
        _y = y;
        _s = s;
        Parts = parts;
    }

    public IReadOnlyList<RoutePart> Parts { get; }

    public double LengthM => _s[^1];

    /// <summary>
    /// The route that starts on lane <paramref name="lane"/> and takes, at each junction, the first connection with
    /// the next manoeuvre of <paramref name="maneuvers"/> (straight once they run out), to the zone's edge or
    /// <paramref name="maxLanes"/> lanes.
    /// </summary>
    public static Route Build(LaneMap map, int lane, ReadOnlySpan<AllowedManeuvers> maneuvers, int maxLanes = 4)
    {
        ArgumentNullException.ThrowIfNull(map);
        List<double> xs = [], ys = [], ss = [];
        List<RoutePart> parts = [];
        int current = lane;
        for (int k = 0; k < maxLanes && current >= 0; k++)
        {
            MapLaneInfo info = map.Lanes[current];
            AllowedManeuvers want = k < maneuvers.Length ? maneuvers[k] : AllowedManeuvers.Straight;
            int connection = -1;
            for (int c = info.FirstConnection; c < info.FirstConnection + info.ConnectionCount; c++)
            {
                if ((map.Connections[c].Maneuver & want) != 0)
                {
                    connection = c;
                    break;
                }
            }

            for (int c = info.FirstConnection; connection < 0 && c < info.FirstConnection + info.ConnectionCount; c++)
            {
                if ((map.Connections[c].Maneuver & AllowedManeuvers.Straight) != 0)
                {
                    connection = c; // the lane does not allow the wanted turn: go straight on
                }
            }

            if (connection < 0 && info.ConnectionCount > 0)
            {
                connection = info.FirstConnection; // no straight on: take what the lane allows
            }

            double start = Append(map, xs, ys, ss, info.FirstPoint, info.PointCount);
            ushort stopNode = 0;
            byte phase = 0;
            if (connection >= 0 && info.HasStopLine && map.Connections[connection].PhaseId > 0)
            {
                stopNode = map.Nodes[info.Node].Id.Id;
                phase = (byte)map.Connections[connection].PhaseId;
            }

            parts.Add(new RoutePart(current, start, ss[^1], info.SpeedLimitMps, stopNode, phase, want));
            if (connection < 0)
            {
                break;
            }

            MapConnectionInfo con = map.Connections[connection];
            double cStart = Append(map, xs, ys, ss, con.FirstPoint, con.PointCount);
            parts.Add(new RoutePart(RoutePart.ConnectionBase + connection, cStart, ss[^1], Math.Min(con.SpeedLimitMps, TurnSpeed(con.Maneuver)), 0, 0, con.Maneuver));
            current = con.ToLane;
        }

        return new Route([.. xs], [.. ys], [.. ss], [.. parts]);
    }

    /// <summary>The comfortable speed through a junction for a manoeuvre: 30 km/h left, 20 km/h right, else none.</summary>
    public static double TurnSpeed(AllowedManeuvers maneuver) =>
        (maneuver & AllowedManeuvers.Left) != 0 ? 8.3 : (maneuver & AllowedManeuvers.Right) != 0 ? 5.6 : double.PositiveInfinity;

    /// <summary>Distance along the route of the end of the first part (the first lane's stop line, or the lane's end).</summary>
    public double FirstStopLineM => Parts[0].EndM;

    /// <summary>The pose at <paramref name="sM"/> along the route (extrapolated along the end segments beyond it).</summary>
    public Pose At(double sM)
    {
        int i = Segment(sM);
        double len = _s[i + 1] - _s[i];
        double f = len > 0 ? (sM - _s[i]) / len : 0;
        double dx = _x[i + 1] - _x[i], dy = _y[i + 1] - _y[i];
        double heading = (Math.Atan2(dx, dy) * 180 / Math.PI + 360) % 360;
        return new Pose(_x[i] + (dx * f), _y[i] + (dy * f), heading);
    }

    /// <summary>The index of the part at <paramref name="sM"/> (the last one beyond the route's end).</summary>
    public int PartAt(double sM, int hint = 0)
    {
        int p = Math.Clamp(hint, 0, Parts.Count - 1);
        while (p > 0 && sM < Parts[p].StartM)
        {
            p--;
        }

        while (p < Parts.Count - 1 && sM >= Parts[p].EndM)
        {
            p++;
        }

        return p;
    }

    private int Segment(double sM)
    {
        int lo = 0, hi = _s.Length - 2;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (_s[mid] <= sM)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    private static double Append(LaneMap map, List<double> xs, List<double> ys, List<double> ss, int first, int count)
    {
        double start = ss.Count == 0 ? 0 : ss[^1];
        for (int p = first; p < first + count; p++)
        {
            double x = map.PointX[p], y = map.PointY[p];
            if (xs.Count > 0)
            {
                double d = Math.Sqrt(((x - xs[^1]) * (x - xs[^1])) + ((y - ys[^1]) * (y - ys[^1])));
                if (d < 0.01)
                {
                    continue;
                }

                ss.Add(ss[^1] + d);
            }
            else
            {
                ss.Add(0);
            }

            xs.Add(x);
            ys.Add(y);
        }

        return start;
    }
}
