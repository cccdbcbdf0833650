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
}
