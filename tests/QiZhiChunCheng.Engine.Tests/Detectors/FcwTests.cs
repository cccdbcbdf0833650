using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Detectors;
using QiZhiChunCheng.Engine.Tests.Harness;
using static QiZhiChunCheng.Engine.Tests.Detectors.LongRoadKit;

namespace QiZhiChunCheng.Engine.Tests.Detectors;

/// <summary>FCW through the real engine on Dongfeng Street, mid-block.</summary>
public sealed class FcwTests
{
    [Fact]
    public void A_host_closing_on_a_slower_car_in_its_lane_raises_one_onset_and_a_clear_when_it_has_matched_its_speed()
    {
        // The host at 15 m/s, 14 m bumper to bumper behind a car at 10 m/s (TTC 2.8 s), brakes gently (1 m/s²):
        // TTC dips under 2.5 s from 0.7 s to about 4.2 s, then the host has matched the car's speed.
        Scene scene = new();
        LanePose start = MidBlock(scene);
        Mover hv = new(start, 15, -1);
        Mover rv = new(start.Ahead(14 + 4.8), 10);
        Run(0, 6500, t =>
        {
            if (hv.SpeedMps <= rv.SpeedMps)
            {
                hv.AccelMps2 = 0;
                hv.SpeedMps = rv.SpeedMps;
            }

            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps, hv.AccelMps2));
            scene.Feed(scene.Bsm(2, t, rv.Pose, rv.SpeedMps));
            hv.Step();
            rv.Step();
        });

        V2xEvent onset = SingleOnset(scene, EventType.Fcw, Vehicle(1), Vehicle(2));
        Assert.Equal(1, onset.Severity);
        Assert.InRange(onset.Figures["ttcS"], 2.2, 2.5);
        Near(10.9, onset.Figures["gapM"], 0.6);
        Near(14.4, onset.Figures["speedMps"], 0.25);
        Near(10, onset.Figures["otherSpeedMps"], 0.05);
        Near(4.4, onset.Figures["closingSpeedMps"], 0.25);
        Assert.InRange(onset.EventTimeUtcMs - Scene.Start, 600, 900);
        ClearedOnce(scene, onset);
    }

    [Fact]
    public void The_same_closing_car_in_the_adjacent_lane_raises_nothing()
    {
        Scene scene = new();
        LanePose start = MidBlock(scene);
        Mover hv = new(start, 15);
        Mover rv = new(start.Left(-3.5).Ahead(15 + 4.8), 5); // lane 3, TTC 1.5 s if it were ahead in lane 2
        Run(0, 1500, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Bsm(2, t, rv.Pose, rv.SpeedMps));
            hv.Step();
            rv.Step();
        });

        Assert.Empty(scene.Of(EventType.Fcw));
    }

    [Theory]
    [InlineData(2.4, true)]
    [InlineData(2.6, false)]
    public void The_time_to_collision_threshold_is_two_and_a_half_seconds(double ttcS, bool raised)
    {
        Assert.Equal(raised, FirstTick(new Scene(), 15, 5, gapM: ttcS * 10).Count == 1);
    }

    [Fact]
    public void A_gap_the_dry_road_can_stop_in_is_a_warning_on_ice()
    {
        // 20 m/s behind a car at 8 m/s, 36 m gap: TTC 3 s; stopping the closing after a 1 s reaction needs 3 m/s².
        Assert.Empty(FirstTick(new Scene(), 20, 8, gapM: 36));

        Scene ice = new(ZoneFixture.Options with { Surface = new SurfaceOptions { Surface = RoadSurface.Ice } });
        V2xEvent onset = Assert.Single(FirstTick(ice, 20, 8, gapM: 36));
        Assert.Equal(2, onset.Severity);
        Near(3.0, onset.Figures["ttcS"], 0.01);
        Near(3.0, onset.Figures["requiredDecelMps2"], 0.01);
        Assert.Equal(1.5, onset.Figures["availableDecelMps2"]);
    }

    [Fact]
    public void A_car_seen_only_by_the_roadside_unit_raises_fcw_for_the_connected_host()
    {
        Scene scene = new();
        LanePose start = MidBlock(scene);
        Mover hv = new(start, 15);
        Mover rv = new(start.Ahead(12 + 4.8), 10); // TTC 2.4 s and falling
        Run(0, 1000, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Rsm(7, t, new RsmTarget(3, ParticipantType.Motor, rv.Pose, rv.SpeedMps)));
            hv.Step();
            rv.Step();
        });

        V2xEvent onset = SingleOnset(scene, EventType.Fcw, Vehicle(1), Roadside(7, 3));
        Assert.InRange(onset.Figures["ttcS"], 1.5, 2.5);
    }

    // Sends the host and a car ahead in its lane at 0 and 100 ms; the only tick evaluated is at 100 ms, where the
    // gap is gapM (bumper to bumper).
    private static List<V2xEvent> FirstTick(Scene scene, double hvSpeed, double rvSpeed, double gapM)
    {
        LanePose start = MidBlock(scene);
        Mover hv = new(start.Ahead(-hvSpeed * 0.1), hvSpeed);
        Mover rv = new(start.Ahead(gapM + 4.8 - (rvSpeed * 0.1)), rvSpeed);
        Run(0, 100, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Bsm(2, t, rv.Pose, rv.SpeedMps));
            hv.Step();
            rv.Step();
        });

        return scene.Onsets(EventType.Fcw);
    }
}
