using System.Globalization;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Testing;

namespace QiZhiChunCheng.Engine.Tests.Map;

/// <summary>
/// Matching on every lane and connection of the default zone from positions with 1.5 m (95 %) noise: a standard
/// deviation of 0.61 m per axis (V2X-REFERENCE section 1), a fixed seed, a point every 2 m, heading with 2 degree
/// noise, 10 m/s. Lanes are matched without a hint (each point alone); connections are driven from their lane
/// with the previous match as the hint, as a tracker would.
/// </summary>
public sealed class MapMatchingAccuracyTests
{
    private const double SigmaM = 1.5 / 2.45;
    private const double MidBlockM = 30; // a point this far from both ends of its lane is on a straight section

    [Fact]
    public void Noisy_positions_match_the_right_lane_on_99_percent_of_straight_sections()
    {
        LaneMap map = ZoneFixture.Map;
        Random random = new(20261128);
        int straight = 0, straightRight = 0, all = 0, allRight = 0, offMap = 0;
        for (int lane = 0; lane < map.Lanes.Length; lane++)
        {
            MapLaneInfo info = map.Lanes[lane];
            if (info.Type != LaneType.Vehicle)
            {
                continue;
            }

            for (double s = 0; s <= info.LengthM; s += 2)
            {
                (double x, double y, double heading) = At(map, info.FirstPoint, info.PointCount, s);
                MapMatch match = map.MatchLocal(x + Noise(random), y + Noise(random), heading + (2 * Gaussian(random)), 10);
                bool right = match.Status == MatchStatus.OnLane && match.Lane == lane;
                all++;
                allRight += right ? 1 : 0;
                offMap += match.IsOnMap ? 0 : 1;
                if (s >= MidBlockM && s <= info.LengthM - MidBlockM)
                {
                    straight++;
                    straightRight += right ? 1 : 0;
                }
            }
        }

        int connections = 0, connectionsRight = 0, diverged = 0, divergedRight = 0;
        for (int c = 0; c < map.Connections.Length; c++)
        {
            MapConnectionInfo info = map.Connections[c];
            MapMatch hint = new() { Status = MatchStatus.OnLane, Lane = info.FromLane, Connection = -1 };
            for (double s = 0.5; s <= info.LengthM - 0.5; s += 1)
            {
                (double x, double y, double heading) = At(map, info.FirstPoint, info.PointCount, s);
                MapMatch match = map.MatchLocal(x + Noise(random), y + Noise(random), heading + (2 * Gaussian(random)), 10, hint);
                bool right = match.Status == MatchStatus.OnConnection && match.Connection == c;
                connections++;
                connectionsRight += right ? 1 : 0;
                if (s > 5)
                {
                    // In its first metres a turn still lies on top of the straight path from the same lane: only
                    // the heading and what comes next can tell them apart.
                    diverged++;
                    divergedRight += right ? 1 : 0;
                }

                hint = match;
            }
        }

        double straightShare = straightRight / (double)straight;
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"right lane: straight sections {straightShare:P2} of {straight}; all lane points {allRight / (double)all:P2} of {all} (off map {offMap}); connections {connectionsRight / (double)connections:P2} of {connections}, past their first 5 m {divergedRight / (double)diverged:P2} of {diverged}"));
        Assert.True(straightShare >= 0.99, $"straight sections: {straightShare:P2}");
        Assert.True(allRight / (double)all >= 0.98, $"all lane points: {allRight / (double)all:P2}");
        Assert.True(connectionsRight / (double)connections >= 0.9, $"connections: {connectionsRight / (double)connections:P2}");
        Assert.True(divergedRight / (double)diverged >= 0.95, $"connections past their first 5 m: {divergedRight / (double)diverged:P2}");
    }

    [Fact]
    public void A_latitude_longitude_query_matches_like_a_local_one()
    {
        LaneMap map = ZoneFixture.Map;
        MapLaneInfo lane = map.Lanes[0];
        (double x, double y, double heading) = At(map, lane.FirstPoint, lane.PointCount, lane.LengthM / 2);
        (double lat, double lon) = map.Frame.ToWgs84(x, y);

        Assert.Equal(map.MatchLocal(x, y, heading, 10).Lane, map.MatchWgs84(lat, lon, heading, 10).Lane);
    }

    [Fact]
    public void The_demo_lanes_cover_the_simulated_straight()
    {
        // The demo drives 1.75, 5.25 and 8.75 m right of the straight in each direction: every such position
        // between the two ends, away from the junction box, is on the lane of that offset.
        LaneMap map = ZoneFixture.Map;
        (double ax, double ay) = map.Frame.ToLocal(DongfengZone.StraightStart.Lat, DongfengZone.StraightStart.Lon);
        (double bx, double by) = map.Frame.ToLocal(DongfengZone.StraightEnd.Lat, DongfengZone.StraightEnd.Lon);
        double length = Math.Sqrt(((bx - ax) * (bx - ax)) + ((by - ay) * (by - ay)));
        double ux = (bx - ax) / length, uy = (by - ay) / length;
        double headingNe = (double.RadiansToDegrees(Math.Atan2(ux, uy)) + 360) % 360;
        int checkedPoints = 0;
        for (double s = 0; s <= length; s += 5)
        {
            for (int k = 0; k < 3; k++)
            {
                double offset = (k + 0.5) * 3.5;
                MapMatch ne = map.MatchLocal(ax + (ux * s) + (uy * offset), ay + (uy * s) - (ux * offset), headingNe, 15);
                MapMatch sw = map.MatchLocal(ax + (ux * s) - (uy * offset), ay + (uy * s) + (ux * offset), (headingNe + 180) % 360, 15);
                foreach (MapMatch m in (ReadOnlySpan<MapMatch>)[ne, sw])
                {
                    Assert.NotEqual(MatchStatus.OffMap, m.Status);
                    if (m.Status == MatchStatus.OnLane)
                    {
                        Assert.Equal(k + 1, map.Lanes[m.Lane].LaneId);
                        Assert.Equal("Dongfeng Street", map.LinkName(m.Link));
                        Assert.Equal(60 / 3.6, m.SpeedLimitMps, 6);
                        Assert.InRange(Math.Abs(m.LateralM), 0, 0.05);
                        checkedPoints++;
                    }
                }
            }
        }

        Assert.True(checkedPoints > 1800, $"{checkedPoints} points on lanes");
    }

    // Position and heading at distance s along a path of the map's point arrays.
    internal static (double X, double Y, double HeadingDeg) At(LaneMap map, int first, int count, double s)
    {
        ReadOnlySpan<double> along = map.PointAlongM;
        int i = first;
        while (i < first + count - 2 && along[i + 1] < s)
        {
            i++;
        }

        double length = along[i + 1] - along[i];
        double t = length == 0 ? 0 : Math.Clamp((s - along[i]) / length, 0, 1);
        double x = map.PointX[i] + (t * (map.PointX[i + 1] - map.PointX[i]));
        double y = map.PointY[i] + (t * (map.PointY[i + 1] - map.PointY[i]));
        return (x, y, map.SegmentHeadingDeg[i]);
    }

    private static double Noise(Random random) => SigmaM * Gaussian(random);

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
