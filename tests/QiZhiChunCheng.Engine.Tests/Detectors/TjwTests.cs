using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Tests.Harness;
using static QiZhiChunCheng.Engine.Tests.Harness.SceneSignals;

namespace QiZhiChunCheng.Engine.Tests.Detectors;

/// <summary>TJW through the real engine: queues on lane 2 of the Dongfeng SW approach (upstream 11) into node 1.</summary>
public sealed class TjwTests
{
    // n vehicles 8 m apart from `firstM` before the stop line backwards, all at `speedKmh`, for `durationMs`.
    private static void Queue(Scene scene, int n, double speedKmh, long durationMs, double firstM = 150, Func<long, IEnumerable<V2xMessage>>? each = null)
    {
        double v = speedKmh / 3.6;
        for (long t = 99; t <= durationMs; t += 100)
        {
            if (each is not null)
            {
                foreach (V2xMessage m in each(t))
                {
                    scene.Feed(m);
                }
            }

            for (int i = 0; i < n; i++)
            {
                scene.Feed(scene.Bsm((ulong)(100 + i), t, scene.Lane(1, 11, 2, firstM + (i * 8) - (v * t / 1000.0)), v));
            }
        }
    }

    private static int LaneIndex(Scene scene) => scene.Map.FindLane(new NodeReferenceId(1), new NodeReferenceId(11), 2);

    [Fact]
    public void Twelve_vehicles_at_5_kmh_for_2_s_are_a_level_3_jam_on_their_lane_once()
    {
        Scene scene = new();
        Queue(scene, 12, 5, 2500);

        V2xEvent onset = Assert.Single(scene.Onsets(EventType.Tjw));
        Assert.Equal(3, onset.Severity);
        Assert.Empty(onset.Participants);
        Assert.Equal(12, onset.Figures["vehicleCount"]);
        Assert.Equal(3, onset.Figures["level"]);
        Assert.Equal(5 / 3.6, onset.Figures["meanSpeedMps"], 1);
        Assert.Contains($"-K{LaneIndex(scene) + 1}-", onset.Id, StringComparison.Ordinal);
        Assert.NotNull(onset.Location); // the link's name
        Assert.Equal(Scene.Start + 1600, onset.EventTimeUtcMs); // 10+ vehicles at every tick for 1.5 s
    }

    [Theory]
    [InlineData(25, 1)]
    [InlineData(15, 2)]
    public void Faster_queues_are_lower_levels(double speedKmh, int level)
    {
        Scene scene = new();
        Queue(scene, 12, speedKmh, 2500);

        Assert.Equal(level, Assert.Single(scene.Onsets(EventType.Tjw)).Severity);
    }

    [Fact]
    public void Near_miss_nine_vehicles_or_free_flow_raise_nothing()
    {
        Scene few = new();
        Queue(few, 9, 5, 2500);
        Assert.Empty(few.Of(EventType.Tjw));

        Scene fast = new();
        Queue(fast, 12, 40, 2500);
        Assert.Empty(fast.Of(EventType.Tjw));
    }

    [Fact]
    public void Near_miss_a_short_queue_waiting_at_a_red_light_is_no_jam()
    {
        Scene scene = new();
        Queue(scene, 10, 0, 2500, firstM: 2, each: t => [scene.Spat(t, 1, RedThenGreen(1, 30, 40))]); // 2..74 m

        Assert.Empty(scene.Of(EventType.Tjw));
    }

    [Theory]
    [InlineData(10, true)]
    [InlineData(9, false)]
    public void Boundary_ten_vehicles(int n, bool fires)
    {
        Scene scene = new();
        Queue(scene, n, 5, 2500);

        Assert.Equal(fires ? 1 : 0, scene.Onsets(EventType.Tjw).Count);
    }

    [Theory]
    [InlineData(29, true)]
    [InlineData(31, false)]
    public void Boundary_the_30_kmh_level_1_threshold(double speedKmh, bool fires)
    {
        Scene scene = new();
        Queue(scene, 12, speedKmh, 2500);

        Assert.Equal(fires ? 1 : 0, scene.Onsets(EventType.Tjw).Count);
    }

    [Fact]
    public void An_rsi_congestion_event_warns_vehicles_approaching_it()
    {
        Scene scene = new();
        RteData jam = scene.Rte(9, 707, scene.Lane(1, 11, 2, 100), 80);
        scene.Drive(7, 1, 11, 2, 170, 14, 0, 2000, t => t % 1000 == 99 ? [scene.Rsi(0x5253553030303033, t, [jam])] : []);

        V2xEvent onset = Assert.Single(scene.Onsets(EventType.Tjw));
        Assert.Equal(["0000000000000007"], onset.Participants);
        Assert.Equal(707, onset.Figures["rsiCode"]);
        Assert.InRange(onset.Figures["distanceM"], 68, 70); // inside the radius from the start
    }
}
