using QiZhiChunCheng.Cloud.Bus;
using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Cloud.Tests;

public sealed class TileKeyTests
{
    [Fact]
    public void The_worked_example_of_the_key_holds()
    {
        Assert.Equal((26769UL << 32) | 61044UL, TileKey.ForPosition(438471000, 1252241000));
    }

    [Fact]
    public void A_vehicle_near_a_tile_edge_goes_to_its_own_tile_first_and_to_the_neighbour_as_a_halo_copy()
    {
        // Longitude 125.220 is a tile edge; the demo's speeder crosses it at 72 km/h.
        TileRouter router = new(12);
        V2xMessage west = Message(Position3D.FromDegrees(43.84540, 125.21990));
        V2xMessage east = Message(Position3D.FromDegrees(43.84545, 125.22010));
        int westOwner = router.OwnerOf(43.84540, 125.21990);
        int eastOwner = router.OwnerOf(43.84545, 125.22010);
        Assert.NotEqual(westOwner, eastOwner);

        int[] routes = new int[router.MaxRoutes];
        int count = router.Route(west, routes);
        Assert.Equal(westOwner, routes[0]);
        Assert.Contains(eastOwner, routes.AsSpan(0, count).ToArray());
        Assert.Equal(count, routes.AsSpan(0, count).ToArray().Distinct().Count());

        count = router.Route(east, routes);
        Assert.Equal(eastOwner, routes[0]);
        Assert.Contains(westOwner, routes.AsSpan(0, count).ToArray());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(12)]
    [InlineData(40)]
    public void The_owner_of_any_position_receives_every_vehicle_within_the_halo(int partitions)
    {
        // Over the zone, on a 97 m grid: for every pair of positions up to 300 m apart, the partition owning the
        // first receives a copy of the second. This is what makes the events independent of the partition count.
        TileRouter router = new(partitions);
        int[] routes = new int[router.MaxRoutes];
        int checkedPairs = 0;
        for (double lat = 43.8420; lat <= 43.8580; lat += 0.00087)
        {
            for (double lon = 125.2110; lon <= 125.2470; lon += 0.0012)
            {
                int owner = router.OwnerOf(lat, lon);
                foreach ((double dLat, double dLon) in (ReadOnlySpan<(double, double)>)[(0.0027, 0), (-0.0027, 0), (0, 0.0037), (0, -0.0037), (0.0019, 0.0026), (-0.0019, -0.0026)])
                {
                    V2xMessage other = Message(Position3D.FromDegrees(lat + dLat, lon + dLon));
                    int count = router.Route(other, routes);
                    Assert.Contains(owner, routes.AsSpan(0, count).ToArray());
                    checkedPairs++;
                }
            }
        }

        Assert.True(checkedPairs > 3000);
    }

    [Fact]
    public void Signal_state_map_and_road_events_go_to_every_partition_and_one_partition_takes_everything()
    {
        V2xMessage spat = new(default, new Spat { Intersections = new ValueArray<IntersectionState>([new IntersectionState { IntersectionId = new NodeReferenceId(1) }]) });
        TileRouter router = new(12);
        int[] routes = new int[router.MaxRoutes];
        Assert.Equal(12, router.Route(spat, routes));
        Assert.Equal(Enumerable.Range(0, 12), routes.Order());

        TileRouter single = new(1);
        Assert.Equal(1, single.Route(Message(Position3D.FromDegrees(43.8454, 125.2199)), routes));
        Assert.Equal(0, routes[0]);
    }

    [Fact]
    public void An_RSM_reaches_the_partitions_of_all_its_participants()
    {
        TileRouter router = new(12);
        Position3D near = Position3D.FromDegrees(43.8470, 125.2241);
        Position3D far = Position3D.FromDegrees(43.8550, 125.2415);
        Rsm rsm = new()
        {
            RefPos = near,
            Participants = new ValueArray<ParticipantData>([new ParticipantData { PtcId = 1, Pos = near }, new ParticipantData { PtcId = 2, Pos = far }]),
        };
        int[] routes = new int[router.MaxRoutes];
        int count = router.Route(new V2xMessage(default, rsm), routes);
        int[] routed = routes.AsSpan(0, count).ToArray();
        Assert.Contains(router.OwnerOf(43.8470, 125.2241), routed);
        Assert.Contains(router.OwnerOf(43.8550, 125.2415), routed);
    }

    private static V2xMessage Message(Position3D pos) =>
        new(default, new Bsm { Id = OctetId8.FromAscii("VEH0003"), Pos = pos, Speed = 1000, Size = new VehicleSize(185, 480) });
}
