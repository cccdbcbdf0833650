using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Tests.Harness;

namespace QiZhiChunCheng.Engine.Tests;

/// <summary>The engine's event-time ticks and its lateness accounting.</summary>
public sealed class EngineTickTests
{
    [Fact]
    public void Ticks_follow_event_time_not_message_count()
    {
        Scene scene = new();
        LanePose pose = scene.Lane(1, 11, 2, 120);
        for (long t = 0; t <= 1000; t += 100)
        {
            scene.Feed(scene.Bsm(1, t, pose.Ahead(t / 100.0), 10));
            scene.Feed(scene.Bsm(1, t, pose.Ahead(t / 100.0), 10)); // a duplicate changes nothing
        }

        Assert.Equal(10, scene.Engine.Counters.Ticks);
        Assert.Equal(1, scene.Engine.World.Count);
    }

    [Fact]
    public void A_message_later_than_the_tolerance_is_counted_not_dropped_silently()
    {
        Scene scene = new();
        LanePose pose = scene.Lane(1, 11, 2, 120);
        scene.Feed(scene.Bsm(1, 0, pose, 10));
        scene.Feed(scene.Bsm(1, 1000, pose.Ahead(10), 10));
        scene.Feed(scene.Bsm(2, 850, pose.Left(3.5), 10)); // 150 ms behind: within tolerance
        scene.Feed(scene.Bsm(3, 700, pose.Left(-3.5), 10)); // 300 ms behind: late

        Assert.Equal(1, scene.Engine.Counters.Late);
        Assert.Equal(3, scene.Engine.World.Count); // the late vehicle still has its track
    }

    [Fact]
    public void A_long_gap_in_event_time_skips_ticks_instead_of_replaying_them()
    {
        Scene scene = new();
        LanePose pose = scene.Lane(1, 11, 2, 120);
        scene.Feed(scene.Bsm(1, 0, pose, 10));
        scene.Feed(scene.Bsm(1, 3_600_000, pose, 10));

        Assert.True(scene.Engine.Counters.Ticks < 30, $"{scene.Engine.Counters.Ticks} ticks");
        Assert.True(scene.Engine.Counters.SkippedTicks > 35_000);
    }
}
