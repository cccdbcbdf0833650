using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.Testing;

namespace QiZhiChunCheng.NetTopologySuite.Tests;

/// <summary>
/// Broken variants of the default zone are refused with reasons that name the element. Node 2 is nodes[1]; its
/// inLinks are, in order, from node 1 (Dongfeng north-east-bound), from node 3, from node 21 and from node 22.
/// </summary>
public sealed class InvalidMapTests
{
    [Fact]
    public void A_lane_with_one_point_is_refused()
    {
        ZoneMap zone = Load(Lane(1, 2, 0, l => l with { Points = [l.Points[0]] }));

        AssertRefused(zone, "nodes[1].inLinks[2].lanes[0]: a lane needs at least 2 points");
    }

    [Fact]
    public void A_connection_to_a_missing_lane_is_refused()
    {
        ZoneMap zone = Load(Lane(1, 0, 1, l => l with { ConnectsTo = [l.ConnectsTo[0] with { ConnectingLane = new ConnectingLane(7, AllowedManeuvers.Straight) }] }));

        AssertRefused(zone, "nodes[1].inLinks[0].lanes[1].connectsTo[0]: connectsTo lane 7 of node 3 does not exist");
    }

    [Fact]
    public void A_connection_to_a_missing_node_is_refused()
    {
        ZoneMap zone = Load(Lane(1, 0, 1, l => l with { ConnectsTo = [l.ConnectsTo[0] with { RemoteIntersection = new NodeReferenceId(77) }] }));

        AssertRefused(zone, "nodes[1].inLinks[0].lanes[1].connectsTo[0]: connectsTo node 77, which is not in the map");
    }

    [Fact]
    public void Duplicate_lane_ids_in_a_link_are_refused()
    {
        ZoneMap zone = Load(Lane(1, 0, 2, l => l with { LaneId = 2 }));

        AssertRefused(zone, "nodes[1].inLinks[0].lanes[2]: duplicate laneID 2 in link from node 1 to node 2");
    }

    [Fact]
    public void A_phase_the_signal_plan_lacks_is_refused()
    {
        ZoneMap zone = Load(Lane(1, 0, 1, l => l with { ConnectsTo = [l.ConnectsTo[0] with { PhaseId = 9 }] }));

        AssertRefused(zone, "nodes[1].inLinks[0].lanes[1].connectsTo[0]: phase 9 is not in the signal plan of node 2");
    }

    [Fact]
    public void Without_signal_plans_phases_are_not_checked()
    {
        MapData map = Lane(1, 0, 1, l => l with { ConnectsTo = [l.ConnectsTo[0] with { PhaseId = 9 }] });

        Assert.Empty(ZoneMapLoader.Load(map).Problems);
    }

    [Fact]
    public void A_lane_listed_from_the_stop_line_upstream_is_refused()
    {
        ZoneMap zone = Load(Lane(1, 2, 1, l => l with { Points = [.. l.Points.AsSpan().ToArray().Reverse()] }));

        AssertRefused(zone, "nodes[1].inLinks[2].lanes[1].points: the lane runs away from node 2: list its points from upstream to the stop line");
    }

    [Fact]
    public void Lanes_on_top_of_each_other_are_refused()
    {
        MapData map = DongfengZone.Map();
        RoadPoint[] first = map.Nodes[1].InLinks[2].Lanes[0].Points.AsSpan().ToArray();
        ZoneMap zone = Load(Lane(1, 2, 1, l => l with { Points = first }));

        AssertRefused(zone, "nodes[1].inLinks[2].lanes[1]: overlaps lane 1 of the same link by 100 %");
    }

    [Fact]
    public void Every_problem_is_reported_not_only_the_first()
    {
        MapData map = Lane(1, 2, 0, l => l with { Points = [l.Points[0]] });
        map = Lane(1, 0, 2, l => l with { LaneId = 2 }, map);

        ZoneMap zone = Load(map);

        Assert.Contains(zone.Problems, p => p.ToString() == "nodes[1].inLinks[2].lanes[0]: a lane needs at least 2 points");
        Assert.Contains(zone.Problems, p => p.ToString() == "nodes[1].inLinks[0].lanes[2]: duplicate laneID 2 in link from node 1 to node 2");
    }

    [Fact]
    public void A_MAP_message_loads_and_another_message_type_is_refused()
    {
        Envelope envelope = new() { SourceKind = SourceKind.Rsu, SourceId = DeviceId.Parse("RSU-DF-02") };

        ZoneMap fromMessage = ZoneMapLoader.Load(new V2xMessage(envelope, DongfengZone.Map()), DongfengZone.Signals());
        Assert.True(fromMessage.IsValid);
        Assert.Equal("MAP message from RSU-DF-02", fromMessage.Source);

        ZoneMap fromBsm = ZoneMapLoader.Load(new V2xMessage(envelope, Samples.Bsm()));
        Assert.False(fromBsm.IsValid);
        Assert.Equal("a Bsm message carries no map", Assert.Single(fromBsm.Problems).ToString());
    }

    [Fact]
    public void Text_that_is_not_a_MAP_is_refused_with_the_codecs_reason()
    {
        ZoneMap zone = ZoneMapLoader.LoadJson("{\"msgCnt\": 1}"u8);

        Assert.False(zone.IsValid);
        Assert.StartsWith("not a MAP in JER JSON: ", zone.Problems[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Signal_plans_that_do_not_add_up_are_refused()
    {
        byte[] signals = "{\"intersections\": [{\"id\": {\"id\": 2}, \"cycleS\": 100, \"phases\": [{\"id\": 1, \"startS\": 0, \"greenS\": 40, \"yellowS\": 3, \"redS\": 50}]}]}"u8.ToArray();

        Assert.False(ZoneFiles.TryReadSignalPlans(signals, out _, out IReadOnlyList<MapProblem> problems));
        Assert.Equal("intersections[0].phases[0]: green 40 + yellow 3 + red 50 is 93 s, not the cycle of 100 s", Assert.Single(problems).ToString());
    }

    [Fact]
    public void An_RSU_list_with_a_bad_id_is_refused()
    {
        byte[] rsus = "{\"rsus\": [{\"id\": \"RSU 1\", \"rsuId\": \"52\", \"pos\": {\"lat\": 438462000, \"long\": 1252218000}, \"coverage\": []}]}"u8.ToArray();

        Assert.False(ZoneFiles.TryReadRsus(rsus, out _, out IReadOnlyList<MapProblem> problems));
        Assert.Contains(problems, p => p.Path == "rsus[0].id");
        Assert.Contains(problems, p => p.Path == "rsus[0].rsuId");
        Assert.Contains(problems, p => p.ToString() == "rsus[0].coverage: a coverage polygon needs at least 3 points");
    }

    private static ZoneMap Load(MapData map) => ZoneMapLoader.Load(map, DongfengZone.Rsus(), DongfengZone.Signals());

    private static void AssertRefused(ZoneMap zone, string reason)
    {
        Assert.False(zone.IsValid);
        Assert.Null(zone.LaneMap);
        Assert.Contains(zone.Problems, p => p.ToString() == reason);
    }

    // The default zone with one lane changed: nodes[n].inLinks[l].lanes[k].
    private static MapData Lane(int n, int l, int k, Func<MapLane, MapLane> change, MapData? map = null)
    {
        map ??= DongfengZone.Map();
        MapNode[] nodes = map.Nodes.AsSpan().ToArray();
        MapLink[] links = nodes[n].InLinks.AsSpan().ToArray();
        MapLane[] lanes = links[l].Lanes.AsSpan().ToArray();
        lanes[k] = change(lanes[k]);
        links[l] = links[l] with { Lanes = lanes };
        nodes[n] = nodes[n] with { InLinks = links };
        return map with { Nodes = nodes };
    }
}
