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

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(12)]
    public void A_vehicle_crossing_a_tile_edge_stays_in_one_partition(int partitions)
    {
        // Longitude 125.220 is a tile edge; the demo's speeder crosses it at 72 km/h.
        V2xMessage before = Message(Position3D.FromDegrees(43.84540, 125.21990));
        V2xMessage after = Message(Position3D.FromDegrees(43.84545, 125.22010));
        Assert.NotEqual(
            TileKey.ForPosition(before.Bsm.Pos.Lat, before.Bsm.Pos.Long),
            TileKey.ForPosition(after.Bsm.Pos.Lat, after.Bsm.Pos.Long));

        Assert.Equal(
            TileKey.Partition(TileKey.For(before), partitions),
            TileKey.Partition(TileKey.For(after), partitions));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(12)]
    public void Two_vehicles_in_conflict_and_their_junctions_SPAT_share_one_partition(int partitions)
    {
        V2xMessage a = Message(Position3D.FromDegrees(43.84700, 125.22400));
        V2xMessage b = new(default, new Bsm { Id = OctetId8.FromAscii("VEH0042"), Pos = Position3D.FromDegrees(43.84710, 125.22420), Speed = 500, Size = new VehicleSize(185, 480) });
        V2xMessage spat = new(default, new Spat { Intersections = new ValueArray<IntersectionState>([new IntersectionState { IntersectionId = new NodeReferenceId(1) }]) });

        int p = TileKey.Partition(TileKey.For(a), partitions);
        Assert.Equal(p, TileKey.Partition(TileKey.For(b), partitions));
        Assert.Equal(p, TileKey.Partition(TileKey.For(spat), partitions));
    }

    private static V2xMessage Message(Position3D pos) =>
        new(default, new Bsm { Id = OctetId8.FromAscii("VEH0003"), Pos = pos, Speed = 1000, Size = new VehicleSize(185, 480) });
}
