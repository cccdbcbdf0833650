using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Tests.Harness;

namespace QiZhiChunCheng.Engine.Tests.Detectors;

/// <summary>HLW through the real engine: RSI events on the Dongfeng SW approach (upstream 11) into node 1.</summary>
public sealed class HlwTests
{
    private const ulong Rsu = 0x5253553030303031;

    // The RSU repeats its RSI every second.
    private static Func<long, IEnumerable<V2xMessage>> Every1s(Scene scene, params RteData[] rtes) =>
        t => t % 1000 == 99 ? [scene.Rsi(Rsu, t, rtes)] : [];

    [Fact]
    public void Approaching_a_thrown_object_within_its_radius_warns_once_while_the_rsu_repeats_it()
    {
        Scene scene = new();
        RteData thrown = scene.Rte(3, 401, scene.Lane(1, 11, 2, 100), 50);
        scene.Drive(7, 1, 11, 2, 145, 10, 0, 3000, Every1s(scene, thrown));

        V2xEvent onset = Assert.Single(scene.Onsets(EventType.Hlw));
        Assert.Equal(2, onset.Severity);
        Assert.Equal(["0000000000000007"], onset.Participants);
        Assert.Equal(401, onset.Figures["rsiCode"]);
        Assert.Equal(50, onset.Figures["radiusM"]);
        Assert.InRange(onset.Figures["distanceM"], 43, 45); // 45 m at the start, seen at the first tick
        Assert.Contains("-K", onset.Id, StringComparison.Ordinal); // keyed by the RSI item
        Assert.Contains(scene.Of(EventType.Hlw), e => e.Phase == EventPhase.Update && e.Id == onset.Id);
    }

    [Fact]
    public void On_the_reference_path_upstream_of_the_event_warns_with_the_distance_along_the_path()
    {
        Scene scene = new();
        RteData works = scene.Rte(4, 401, scene.Lane(1, 11, 2, 100), 10, 5, null, scene.Lane(1, 11, 2, 400), scene.Lane(1, 11, 2, 250), scene.Lane(1, 11, 2, 90));
        scene.Drive(7, 1, 11, 2, 300, 10, 0, 1000, Every1s(scene, works));

        V2xEvent onset = Assert.Single(scene.Onsets(EventType.Hlw));
        Assert.InRange(onset.Figures["distanceM"], 198, 200);
    }

    [Fact]
    public void Near_miss_moving_away_from_the_event_raises_nothing()
    {
        Scene scene = new();
        RteData thrown = scene.Rte(3, 401, scene.Lane(1, 11, 2, 100), 50);
        scene.Drive(7, 1, 11, 2, 90, 10, 0, 3000, Every1s(scene, thrown)); // already past it, driving on

        Assert.Empty(scene.Of(EventType.Hlw));
    }

    [Fact]
    public void Near_miss_on_the_path_the_wrong_way_raises_nothing()
    {
        Scene scene = new();
        RteData works = scene.Rte(4, 401, scene.Lane(1, 11, 2, 100), 0, 5, null, scene.Lane(1, 11, 2, 400), scene.Lane(1, 11, 2, 90));
        scene.Hold(7, scene.Lane(1, 11, 2, 300).Reversed(), 10, 1000, each: Every1s(scene, works));

        Assert.Empty(scene.Of(EventType.Hlw));
    }

    [Fact]
    public void Near_miss_weather_and_congestion_are_not_hazards()
    {
        Scene scene = new();
        LanePose at = scene.Lane(1, 11, 2, 100);
        scene.Drive(7, 1, 11, 2, 130, 10, 0, 1000, Every1s(scene, scene.Rte(1, 305, at, 50), scene.Rte(2, 707, at, 50)));

        Assert.Empty(scene.Of(EventType.Hlw));
    }

    [Fact]
    public void An_expired_event_clears()
    {
        Scene scene = new();
        RsiTimeDetails until1s = new(null, SceneSignals.Moy(60_000)); // ends at the next minute
        scene.Feed(scene.Rsi(Rsu, 0, [scene.Rte(3, 401, scene.Lane(1, 11, 2, 100), 50, time: until1s)]));
        scene.Hold(7, scene.Lane(1, 11, 2, 120), 0.5, 61_000);

        Assert.Single(scene.Onsets(EventType.Hlw));
        Assert.Contains(scene.Of(EventType.Hlw), e => e.Phase == EventPhase.Clear);
    }

    [Theory]
    [InlineData(49, true)]
    [InlineData(51, false)]
    public void Boundary_the_event_radius(double distanceM, bool fires)
    {
        Scene scene = new();
        RteData thrown = scene.Rte(3, 401, scene.Lane(1, 11, 2, 100), 50);
        scene.Hold(7, scene.Lane(1, 11, 2, 100 + distanceM), 0.5, 1000, each: Every1s(scene, thrown));

        Assert.Equal(fires ? 1 : 0, scene.Onsets(EventType.Hlw).Count);
    }
}
