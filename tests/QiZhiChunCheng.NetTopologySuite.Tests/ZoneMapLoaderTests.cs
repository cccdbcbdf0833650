using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Testing;

namespace QiZhiChunCheng.NetTopologySuite.Tests;

public sealed class ZoneMapLoaderTests
{
    [Fact]
    public void The_default_zone_is_valid_and_has_what_the_brief_asks_for()
    {
        ZoneMap zone = ZoneFixture.Zone;

        Assert.Empty(zone.Problems);
        Assert.True(zone.IsValid);
        ZoneCounts counts = zone.Counts;
        Assert.Equal(11, counts.Nodes);
        Assert.Equal(3, counts.Intersections);
        Assert.Equal(20, counts.Links);
        Assert.Equal(48, counts.Lanes);
        Assert.Equal(12, counts.Crosswalks);
        Assert.Equal(48, counts.Connections);
        Assert.True(counts.ConflictAreas > 30, $"{counts.ConflictAreas} conflict areas");
        Assert.Equal(7, counts.Rsus);
        Assert.Equal(3, counts.SignalPlans);
        TestContext.Current.TestOutputHelper?.WriteLine($"conflict areas: {counts.ConflictAreas}");
    }

    [Fact]
    public void The_committed_MAP_decodes_to_the_builders_model_and_loads_as_the_embedded_default()
    {
        string path = Path.Combine(DefaultZoneFilesTests.RepositoryRoot(), "scenarios", "maps", "qizhi-dongfeng.json");
        Assert.True(Core.Codecs.JsonCodec.TryDecodeMap(File.ReadAllBytes(path), out MapData? map, out Core.Validation.Rejection rejection), rejection.Reason);
        Assert.Equal(DongfengZone.Map(), map);

        ZoneMap fromFile = ZoneMapLoader.LoadFile(path);
        Assert.Empty(fromFile.Problems);
        Assert.Equal(ZoneFixture.Zone.Counts, fromFile.Counts);
        Assert.Equal(ZoneFixture.Zone.Counts, ZoneMapLoader.Default.Counts);
        Assert.Equal(DongfengZone.Rsus(), fromFile.Rsus);
        Assert.Equal(DongfengZone.Signals(), fromFile.SignalPlans);
    }

    [Fact]
    public void Every_intersection_is_covered_by_at_least_two_RSUs()
    {
        ZoneMap zone = ZoneFixture.Zone;
        Assert.True(zone.Rsus.Count >= 6);
        foreach (MapNode node in zone.Map!.Nodes)
        {
            if (node.Id.Id is 1 or 2 or 3)
            {
                int covering = zone.Rsus.Count(r => Inside(r.Coverage.AsSpan(), node.RefPos));
                Assert.True(covering >= 2, $"node {node.Id.Id} is covered by {covering} RSUs");
            }
        }
    }

    private static bool Inside(ReadOnlySpan<Position3D> ring, Position3D p)
    {
        bool inside = false;
        for (int i = 0, j = ring.Length - 1; i < ring.Length; j = i++)
        {
            if ((ring[i].Lat > p.Lat) != (ring[j].Lat > p.Lat)
                && p.Long < ((double)(ring[j].Long - ring[i].Long) * (p.Lat - ring[i].Lat) / (ring[j].Lat - ring[i].Lat)) + ring[i].Long)
            {
                inside = !inside;
            }
        }

        return inside;
    }
}
