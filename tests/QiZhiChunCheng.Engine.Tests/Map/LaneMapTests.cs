using QiZhiChunCheng.Core.Geo;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Map;

namespace QiZhiChunCheng.Engine.Tests.Map;

/// <summary>
/// The matcher on a small hand-built map: a west-east road with one lane each way (3.5 m, no median) into a
/// junction at x = 0, a north-south road crossing it, and connections from the eastbound lane straight on and
/// left (north).
/// </summary>
public sealed class LaneMapTests
{
    private static readonly LaneMap Map = Build();

    // Lane indexes, in the order added.
    private const int EastIn = 0, WestOut = 1, EastOut = 2, NorthOut = 3, SouthIn = 4;

    [Fact]
    public void A_point_on_a_lane_gets_its_lane_link_distances_phase_and_limit()
    {
        MapMatch m = Map.MatchLocal(-60, -1.75 - 0.4, 90, 12);

        Assert.Equal(MatchStatus.OnLane, m.Status);
        Assert.Equal(EastIn, m.Lane);
        Assert.Equal(-1, m.Connection);
        Assert.Equal(Map.Lanes[EastIn].Link, m.Link);
        Assert.Equal(1, Map.Nodes[m.Node].Id.Id);
        Assert.Equal(90, m.AlongM, 9);
        Assert.Equal(0.4, m.LateralM, 9); // south of an eastbound lane is its right
        Assert.Equal(50, m.ToStopLineM, 9);
        Assert.Equal(2, m.PhaseId); // the straight connection's phase
        Assert.Equal(60 / 3.6, m.SpeedLimitMps, 9);
    }

    [Fact]
    public void Heading_decides_between_the_lanes_of_the_two_directions()
    {
        // On the centre line between the eastbound and westbound lanes.
        Assert.Equal(EastIn, Map.MatchLocal(-60, 0, 88, 12).Lane);
        Assert.Equal(WestOut, Map.MatchLocal(-60, 0, 272, 12).Lane);
    }

    [Fact]
    public void Crossing_lanes_are_not_candidates_for_a_vehicle_heading_the_other_way()
    {
        // Where the north-south lane passes over the eastbound exit lane's reach, heading north matches it.
        MapMatch north = Map.MatchLocal(1.75, -30, 0, 8);
        Assert.Equal(SouthIn, north.Lane);
    }

    [Fact]
    public void Inside_the_junction_the_hint_keeps_the_connection_being_driven()
    {
        MapMatch onLane = Map.MatchLocal(-11, -1.75, 90, 8);
        Assert.Equal(EastIn, onLane.Lane);

        // Just past the stop line the straight and left paths lie on top of each other; the left turn is chosen by
        // its heading once it bends, and then followed with the hint while the heading swings round.
        MapMatch hint = onLane;
        MapConnectionInfo left = Map.Connections[LeftConnection()];
        for (int i = 4; i <= 12; i++)
        {
            int p = left.FirstPoint + i;
            MapMatch m = Map.MatchLocal(Map.PointX[p], Map.PointY[p], Map.SegmentHeadingDeg[p], 6, hint);
            Assert.Equal(MatchStatus.OnConnection, m.Status);
            Assert.Equal(LeftConnection(), m.Connection);
            Assert.True(m.ToStopLineM < 0);
            Assert.Equal(3, m.PhaseId);
            hint = m;
        }

        // Out of the junction: the lane the connection leads to.
        Assert.Equal(NorthOut, Map.MatchLocal(1.75, 30, 0, 8, hint).Lane);
    }

    [Fact]
    public void Far_from_every_lane_the_result_is_off_the_map()
    {
        Assert.Equal(MapMatch.OffMap, Map.MatchLocal(-60, 40, 90, 12));
        Assert.Equal(MapMatch.OffMap, Map.MatchLocal(5000, 5000, 90, 12));
        Assert.Equal(MapMatch.OffMap, Map.MatchLocal(double.NaN, 0, 90, 12));
        Assert.Equal(MapMatch.OffMap, LaneMap.Empty.MatchLocal(0, 0, 0, 0));
    }

    [Fact]
    public void Inside_the_junction_but_on_no_path_gives_the_intersection_area()
    {
        // Heading south-west in the junction box: no path goes that way.
        MapMatch m = Map.MatchLocal(4, 4, 225, 5);

        Assert.Equal(MatchStatus.InIntersectionArea, m.Status);
        Assert.Equal(1, Map.Nodes[m.Node].Id.Id);
        Assert.Equal(-1, m.Lane);
        Assert.True(double.IsNaN(m.SpeedLimitMps));
    }

    [Fact]
    public void A_stopped_vehicle_is_matched_by_position_alone()
    {
        // Heading noise at a standstill must not push a vehicle off its lane: below 1 m/s the heading is ignored.
        Assert.Equal(EastIn, Map.MatchLocal(-30, -1.75, 270, 0).Lane);
    }

    [Fact]
    public void Matching_allocates_nothing()
    {
        MapMatch hint = Map.MatchLocal(-60, -1.75, 90, 12);
        Map.MatchWgs84(43.84, 125.22, 90, 12, hint);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            hint = Map.MatchLocal(-60 + (i * 0.05), -1.75, 90, 12, hint);
            Map.MatchWgs84(43.84, 125.22, 90, 12, hint);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private static int LeftConnection()
    {
        for (int c = 0; c < Map.Connections.Length; c++)
        {
            if (Map.Connections[c].Maneuver == AllowedManeuvers.Left)
            {
                return c;
            }
        }

        throw new InvalidOperationException("no left connection");
    }

    private static LaneMap Build()
    {
        LaneMapBuilder b = new(new LocalFrame(43.84708, 125.22411));
        int junction = b.AddNode(new NodeReferenceId(1), "junction", 0, 0);
        int west = b.AddNode(new NodeReferenceId(11), "west", -150, 0);
        int east = b.AddNode(new NodeReferenceId(12), "east", 150, 0);
        int north = b.AddNode(new NodeReferenceId(13), "north", 0, 150);
        int south = b.AddNode(new NodeReferenceId(14), "south", 0, -150);
        double limit = 60 / 3.6;
        int eastIn = b.AddLane(b.AddLink(junction, new NodeReferenceId(11), west, "main"), 1, LaneType.Vehicle, AllowedManeuvers.Straight | AllowedManeuvers.Left, 3.5, limit, [-150, -10], [-1.75, -1.75], new StopLine(-10, 0, -10, -3.5));
        int westOut = b.AddLane(b.AddLink(west, new NodeReferenceId(1), junction, "main"), 1, LaneType.Vehicle, AllowedManeuvers.None, 3.5, limit, [-10, -150], [1.75, 1.75], null);
        int eastOut = b.AddLane(b.AddLink(east, new NodeReferenceId(1), junction, "main"), 1, LaneType.Vehicle, AllowedManeuvers.None, 3.5, limit, [10, 150], [-1.75, -1.75], null);
        int northOut = b.AddLane(b.AddLink(north, new NodeReferenceId(1), junction, "side"), 1, LaneType.Vehicle, AllowedManeuvers.None, 3.5, 40 / 3.6, [1.75, 1.75], [10, 150], null);
        int southIn = b.AddLane(b.AddLink(junction, new NodeReferenceId(14), south, "side"), 1, LaneType.Vehicle, AllowedManeuvers.Straight, 3.5, 40 / 3.6, [1.75, 1.75], [-150, -10], new StopLine(0, -10, 3.5, -10));
        Assert.Equal([EastIn, WestOut, EastOut, NorthOut, SouthIn], (int[])[eastIn, westOut, eastOut, northOut, southIn]);
        b.AddConnection(eastIn, eastOut, junction, 2, AllowedManeuvers.Straight, 3.5, [-10, 10], [-1.75, -1.75]);

        // A left turn as a quarter circle about (-10, 10), radius 11.75, from (-10, -1.75) to (1.75, 10).
        double[] xs = new double[13], ys = new double[13];
        for (int i = 0; i <= 12; i++)
        {
            double a = double.DegreesToRadians(-90 + (i * 90.0 / 12));
            xs[i] = -10 + (11.75 * Math.Cos(a));
            ys[i] = 10 + (11.75 * Math.Sin(a));
        }

        b.AddConnection(eastIn, northOut, junction, 3, AllowedManeuvers.Left, 3.5, xs, ys);
        b.SetNodeArea(junction, [-10, 10, 10, -10], [-10, -10, 10, 10]);
        return b.Build();
    }
}
