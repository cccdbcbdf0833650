using QiZhiChunCheng.Testing;

namespace QiZhiChunCheng.NetTopologySuite.Tests;

/// <summary>The default zone loaded once from the builder's model (the same as the committed file; see <see cref="DefaultZoneFilesTests"/>).</summary>
internal static class ZoneFixture
{
    private static readonly Lazy<ZoneMap> Lazy = new(() => ZoneMapLoader.Load(DongfengZone.Map(), DongfengZone.Rsus(), DongfengZone.Signals(), "DongfengZone builder"));

    public static ZoneMap Zone => Lazy.Value;
}
