using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Tests.Harness;
using static QiZhiChunCheng.Engine.Tests.Detectors.LongRoadKit;

namespace QiZhiChunCheng.Engine.Tests.Detectors;

/// <summary>DNPW through the real engine on Dongfeng Street, mid-block (lane 1 of the opposing link is 7 m left of lane 2).</summary>
public sealed class DnpwTests
{
    [Fact]
    public void A_host_overtaking_in_the_opposing_lane_with_a_car_oncoming_is_warned_once_and_cleared_when_it_is_back()
    {
        Scene scene = new();
        LanePose start = MidBlock(scene, 300);
        Mover hv = new(start.Left(7), 15);
        Mover rv = new(start.Left(7).Ahead(250).Reversed(), 15); // oncoming: TTC (250 - 4.8) / 30 = 8.2 s
        Run(0, 5000, t =>
        {
            if (t > 3000 && t <= 4000)
            {
                hv.Pose = hv.Pose.Left(-0.35); // back into its own direction's lane 1 within a second
            }

            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Bsm(2, t, rv.Pose, rv.SpeedMps));
            hv.Step();
            rv.Step();
        });

        V2xEvent onset = SingleOnset(scene, EventType.Dnpw, Vehicle(1), Vehicle(2));
        Assert.Equal(2, onset.Severity);
        Assert.InRange(onset.Figures["ttcS"], 7.9, 8.2);
        Assert.Equal(9, onset.Figures["overtakeTimeS"]);
        Assert.Equal(30, onset.Figures["closingSpeedMps"], 2);
        ClearedOnce(scene, onset);
    }

    [Fact]
    public void A_host_in_the_innermost_lane_signalling_left_and_drifting_out_is_advised_not_to_pass()
    {
        Scene scene = new();
        LanePose lane1 = scene.Lane(1, 11, 1, 300).Left(0.8);
        Mover hv = new(lane1, 15);
        Mover rv = new(MidBlock(scene, 300).Left(7).Ahead(200).Reversed(), 15);
        Run(0, 1000, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps, lights: ExteriorLights.LeftTurnSignalOn));
            scene.Feed(scene.Bsm(2, t, rv.Pose, rv.SpeedMps));
            hv.Step();
            rv.Step();
        });

        V2xEvent onset = SingleOnset(scene, EventType.Dnpw, Vehicle(1), Vehicle(2));
        Assert.Equal(1, onset.Severity);
    }

    [Fact]
    public void An_oncoming_car_far_away_or_a_host_in_its_own_lane_raises_nothing()
    {
        Scene scene = new();
        LanePose start = MidBlock(scene, 400);
        Mover passing = new(start.Left(7), 15);
        Mover far = new(start.Left(7).Ahead(420).Reversed(), 15); // TTC 13.8 s
        Mover keeping = new(start.Ahead(300), 15); // in lane 2 with the same car oncoming 120 m away
        Run(0, 1000, t =>
        {
            scene.Feed(scene.Bsm(1, t, passing.Pose, passing.SpeedMps));
            scene.Feed(scene.Bsm(2, t, far.Pose, far.SpeedMps));
            scene.Feed(scene.Bsm(3, t, keeping.Pose, keeping.SpeedMps));
            passing.Step();
            far.Step();
            keeping.Step();
        });

        Assert.Empty(scene.Of(EventType.Dnpw));
    }

    [Theory]
    [InlineData(8.5, true)]
    [InlineData(9.5, false)]
    public void The_overtaking_time_is_nine_seconds(double ttcS, bool raised)
    {
        // The only tick is at 100 ms, where the gap is ttcS × 30 m/s.
        Scene scene = new();
        LanePose at = MidBlock(scene, 400).Left(7);
        Mover hv = new(at.Ahead(-1.5), 15);
        Mover rv = new(at.Ahead((ttcS * 30) + 4.8 + 1.5).Reversed(), 15);
        Run(0, 100, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Bsm(2, t, rv.Pose, rv.SpeedMps));
            hv.Step();
            rv.Step();
        });

        Assert.Equal(raised, scene.Onsets(EventType.Dnpw).Count == 1);
    }

    [Fact]
    public void An_oncoming_car_seen_only_by_the_roadside_unit_warns_the_passing_host()
    {
        Scene scene = new();
        LanePose start = MidBlock(scene, 300);
        Mover hv = new(start.Left(7), 15);
        Mover rv = new(start.Left(7).Ahead(200).Reversed(), 15);
        Run(0, 1000, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Rsm(7, t, new RsmTarget(3, ParticipantType.Motor, rv.Pose, rv.SpeedMps)));
            hv.Step();
            rv.Step();
        });

        SingleOnset(scene, EventType.Dnpw, Vehicle(1), Roadside(7, 3));
    }
}
