using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Detectors;
using QiZhiChunCheng.Engine.Signals;
using QiZhiChunCheng.Engine.Tests.Harness;

namespace QiZhiChunCheng.Engine.Tests.Signals;

/// <summary>The RSI state: placement, keys, expiry in event time, the surface from weather events.</summary>
public sealed class RsiStateTests
{
    private const ulong Rsu = 0x5253553030303031;

    private static RsiItem Single(RsiState rsi, long now)
    {
        RsiItem found = default;
        int n = 0;
        foreach (RsiItem item in rsi.Items)
        {
            if (item.IsActive(now))
            {
                found = item;
                n++;
            }
        }

        Assert.Equal(1, n);
        return found;
    }

    [Fact]
    public void An_event_is_placed_in_the_local_frame_with_its_radius_and_a_stable_key()
    {
        Scene scene = new();
        LanePose at = scene.Lane(1, 11, 2, 100);
        scene.Feed(scene.Rsi(Rsu, 0, [scene.Rte(3, 401, at, 25)]));
        RsiItem first = Single(scene.Engine.Rsi, Scene.Start);

        Assert.Equal(RsiKind.Event, first.Kind);
        Assert.Equal(401, first.Code);
        Assert.Equal(at.X, first.XM, 1);
        Assert.Equal(at.Y, first.YM, 1);
        Assert.Equal(25, first.RadiusM);
        Assert.True(first.Key > 0);

        scene.Feed(scene.Rsi(Rsu, 5_000, [scene.Rte(3, 401, at, 25)]));
        Assert.Equal(first.Key, Single(scene.Engine.Rsi, Scene.Start + 5_000).Key);
        Assert.Equal(1, scene.Engine.Rsi.Count);
    }

    [Fact]
    public void Without_an_end_time_an_item_expires_60_s_after_the_last_rsi_that_carried_it()
    {
        Scene scene = new();
        scene.Feed(scene.Rsi(Rsu, 0, [scene.Rte(3, 401, scene.Lane(1, 11, 2, 100), 25)]));
        scene.Feed(scene.Rsi(Rsu, 10_000, [scene.Rte(3, 401, scene.Lane(1, 11, 2, 100), 25)]));
        scene.AdvanceTo(69_900);
        Assert.Equal(1, scene.Engine.Rsi.Count);

        scene.AdvanceTo(70_000);
        Assert.Equal(0, scene.Engine.Rsi.Count);
    }

    [Fact]
    public void Time_details_set_the_window_in_event_time()
    {
        Scene scene = new();
        RsiTimeDetails window = new(SceneSignals.Moy(60_000), SceneSignals.Moy(180_000)); // 08:01 to 08:03
        scene.Feed(scene.Rsi(Rsu, 0, [scene.Rte(3, 401, scene.Lane(1, 11, 2, 100), 25, time: window)]));
        ReadOnlySpan<RsiItem> items = scene.Engine.Rsi.Items;

        Assert.False(items[0].IsActive(Scene.Start + 59_999));
        Assert.True(items[0].IsActive(Scene.Start + 60_000));
        Assert.True(items[0].IsActive(Scene.Start + 179_999));
        Assert.False(items[0].IsActive(Scene.Start + 180_000));
    }

    [Theory]
    [InlineData((ushort)305, RoadSurface.Ice)]
    [InlineData((ushort)303, RoadSurface.Snow)]
    [InlineData((ushort)301, RoadSurface.Dry)]
    [InlineData((ushort)401, RoadSurface.Dry)]
    public void A_weather_event_sets_the_engines_surface_while_active(ushort eventType, RoadSurface expected)
    {
        Scene scene = new();
        RsiTimeDetails until = new(null, SceneSignals.Moy(60_000));
        scene.Feed(scene.Rsi(Rsu, 0, [scene.Rte(1, eventType, scene.Lane(1, 11, 2, 100), 2000, time: until)]));
        scene.AdvanceTo(1_000);
        Assert.Equal(expected, scene.Engine.Surface);

        scene.AdvanceTo(60_100); // the event ended at 08:01
        Assert.Equal(RoadSurface.Dry, scene.Engine.Surface);
    }

    [Fact]
    public void A_configured_ice_surface_is_not_made_milder_by_a_snow_event()
    {
        Scene scene = new(ZoneFixture.Options with { Surface = new SurfaceOptions { Surface = RoadSurface.Ice } });
        scene.Feed(scene.Rsi(Rsu, 0, [scene.Rte(1, 303, scene.Lane(1, 11, 2, 100), 2000)]));
        scene.AdvanceTo(1_000);

        Assert.Equal(RoadSurface.Ice, scene.Engine.Surface);
    }

    [Fact]
    public void Signs_and_events_of_one_rsu_with_the_same_local_id_are_different_items()
    {
        Scene scene = new();
        LanePose at = scene.Lane(1, 11, 2, 100);
        scene.Feed(scene.Rsi(Rsu, 0, [scene.Rte(3, 401, at, 25)], [scene.Rts(3, 127, at)]));

        Assert.Equal(2, scene.Engine.Rsi.Count);
        Assert.NotEqual(scene.Engine.Rsi.Items[0].Key, scene.Engine.Rsi.Items[1].Key);
    }
}
