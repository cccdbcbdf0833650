using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Tests.Harness;
using static QiZhiChunCheng.Engine.Tests.Detectors.LongRoadKit;

namespace QiZhiChunCheng.Engine.Tests.Detectors;

/// <summary>AVW through the real engine on Dongfeng Street (60 km/h), mid-block.</summary>
public sealed class AvwTests
{
    [Fact]
    public void A_car_stopped_mid_block_warns_the_approaching_host_after_two_seconds_and_clears_when_it_drives_off()
    {
        Scene scene = new();
        LanePose start = MidBlock(scene, 400);
        Mover hv = new(start, 15);
        Mover rv = new(start.Ahead(250), 0); // 150 m before the stop line: no queue
        Run(0, 6000, t =>
        {
            rv.AccelMps2 = t >= 4000 ? 3 : 0;
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Bsm(2, t, rv.Pose, rv.SpeedMps, rv.AccelMps2));
            hv.Step();
            rv.Step();
        });

        V2xEvent onset = SingleOnset(scene, EventType.Avw, Vehicle(1), Vehicle(2));
        Assert.Equal(2, onset.Severity);
        Assert.InRange(onset.EventTimeUtcMs - Scene.Start, 2000, 2300);
        Near(250 - (15 * 2.1), onset.Figures["distanceM"], 2);
        Assert.Equal(0, onset.Figures["otherSpeedMps"]);
        Assert.Equal(16.667, onset.Figures["limitMps"], 2);
        ClearedOnce(scene, onset);
    }

    [Fact]
    public void A_car_stopped_in_the_queue_at_the_stop_line_is_not_abnormal()
    {
        Scene scene = new();
        Mover hv = new(MidBlock(scene, 250), 15);
        LanePose head = MidBlock(scene, 5);
        Run(0, 4000, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            for (ulong q = 0; q < 10; q++)
            {
                // A queue reaching 72.5 m back: the first eight are near the stop line, the tail is behind them.
                scene.Feed(scene.Bsm(10 + q, t, head.Ahead(-7.5 * q), 0));
            }
            hv.Step();
        });

        Assert.Empty(scene.Of(EventType.Avw));
    }

    [Theory]
    [InlineData(9, true)]
    [InlineData(11, false)]
    public void Crawling_below_ten_km_h_on_a_60_km_h_street_is_abnormal(double kmh, bool raised)
    {
        Scene scene = new();
        LanePose start = MidBlock(scene, 400);
        Mover hv = new(start, 15);
        Mover rv = new(start.Ahead(200), kmh / 3.6);
        Run(0, 3000, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Bsm(2, t, rv.Pose, rv.SpeedMps));
            hv.Step();
            rv.Step();
        });

        Assert.Equal(raised, scene.Onsets(EventType.Avw).Count == 1);
    }

    [Fact]
    public void A_car_with_hazard_lights_on_is_abnormal_at_once_whatever_its_speed()
    {
        Scene scene = new();
        LanePose start = MidBlock(scene, 400);
        Mover hv = new(start, 15);
        Mover rv = new(start.Ahead(100), 8);
        Run(0, 500, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Bsm(2, t, rv.Pose, rv.SpeedMps, events: VehicleEventFlags.HazardLights));
            hv.Step();
            rv.Step();
        });

        V2xEvent onset = SingleOnset(scene, EventType.Avw, Vehicle(1), Vehicle(2));
        Assert.Equal(Scene.Start + 100, onset.EventTimeUtcMs);
    }

    [Fact]
    public void A_stopped_car_seen_only_by_the_roadside_unit_warns_the_connected_host()
    {
        Scene scene = new();
        LanePose start = MidBlock(scene, 400);
        Mover hv = new(start, 15);
        LanePose stopped = start.Ahead(250);
        Run(0, 3000, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Rsm(7, t, new RsmTarget(3, ParticipantType.Motor, stopped, 0)));
            hv.Step();
        });

        SingleOnset(scene, EventType.Avw, Vehicle(1), Roadside(7, 3));
    }
}
