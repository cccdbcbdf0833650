using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.NetTopologySuite;
using QiZhiChunCheng.Testing;

namespace QiZhiChunCheng.Engine.Tests;

/// <summary>The default zone's lane map, compiled once from the builder's model (the committed file's twin).</summary>
internal static class ZoneFixture
{
    private static readonly Lazy<LaneMap> Lazy = new(() => ZoneMapLoader.Load(DongfengZone.Map(), DongfengZone.Rsus(), DongfengZone.Signals()).RequireLaneMap());

    public static LaneMap Map => Lazy.Value;

    public static EngineOptions Options => new() { Map = Map };
}
