using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Tests.Harness;
using static QiZhiChunCheng.Engine.Tests.Detectors.LongRoadKit;

namespace QiZhiChunCheng.Engine.Tests.Detectors;

/// <summary>BSW and LCW through the real engine on Dongfeng Street, mid-block (lane 3 is 3.5 m right of lane 2).</summary>
public sealed class BswTests
{
    [Fact]
    public void A_car_overtaking_through_the_blind_spot_raises_one_bsw_and_no_lcw()
    {
        // 12 m behind in lane 3, 3 m/s faster: in the zone (15 m behind to 3 m ahead) for 5 s, then past it.
        Scene scene = new();
        LanePose start = MidBlock(scene, 300);
        Mover hv = new(start, 15);
        Mover rv = new(start.Left(-3.5).Ahead(-12), 18);
        Run(0, 7500, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Bsm(2, t, rv.Pose, rv.SpeedMps));
            hv.Step();
            rv.Step();
        });

        V2xEvent onset = SingleOnset(scene, EventType.Bsw, Vehicle(1), Vehicle(2));
        Assert.Equal(1, onset.Severity);
        Near(-3.5, onset.Figures["lateralM"], 0.05);
        Near(-11.7, onset.Figures["longitudinalM"], 0.35);
        ClearedOnce(scene, onset);
        Assert.Empty(scene.Of(EventType.Lcw));
    }

    [Fact]
    public void Signalling_towards_the_car_in_the_blind_spot_raises_lcw()
    {
        Scene scene = new();
        LanePose start = MidBlock(scene, 300);
        Mover hv = new(start, 15);
        Mover rv = new(start.Left(-3.5).Ahead(-8), 16);
        Run(0, 1500, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps, lights: t >= 500 ? ExteriorLights.RightTurnSignalOn : null));
            scene.Feed(scene.Bsm(2, t, rv.Pose, rv.SpeedMps));
            hv.Step();
            rv.Step();
        });

        V2xEvent lcw = SingleOnset(scene, EventType.Lcw, Vehicle(1), Vehicle(2));
        Assert.Equal(2, lcw.Severity);
        Assert.Single(OnsetsFor(scene, EventType.Bsw, Vehicle(1)));
    }

    [Fact]
    public void Steering_towards_the_car_in_the_blind_spot_raises_lcw_without_a_signal()
    {
        Scene scene = new();
        LanePose start = MidBlock(scene, 300);
        Mover hv = new(start.Turned(4), 15); // 15 sin 4° = 1 m/s to the right
        Mover rv = new(start.Left(-3.5).Ahead(-8), 15);
        Run(0, 500, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Bsm(2, t, rv.Pose, rv.SpeedMps));
            hv.Step();
            rv.Step();
        });

        SingleOnset(scene, EventType.Lcw, Vehicle(1), Vehicle(2));
    }

    [Fact]
    public void A_car_20_m_behind_in_the_next_lane_is_not_in_the_blind_spot()
    {
        Scene scene = new();
        LanePose start = MidBlock(scene, 300);
        Mover hv = new(start, 15);
        Mover rv = new(start.Left(-3.5).Ahead(-20), 15);
        Run(0, 1500, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps, lights: ExteriorLights.RightTurnSignalOn));
            scene.Feed(scene.Bsm(2, t, rv.Pose, rv.SpeedMps));
            hv.Step();
            rv.Step();
        });

        Assert.Empty(scene.Of(EventType.Bsw));
        Assert.Empty(scene.Of(EventType.Lcw));
    }

    [Theory]
    [InlineData(4.8, -5, true)]
    [InlineData(5.2, -5, false)]
    [InlineData(3.5, -14.5, true)]
    [InlineData(3.5, -15.5, false)]
    [InlineData(3.5, 2.8, true)]
    [InlineData(3.5, 3.2, false)]
    public void The_blind_zone_is_up_to_5_m_aside_and_15_m_behind_to_3_m_ahead(double rightM, double aheadM, bool raised)
    {
        Scene scene = new();
        LanePose start = MidBlock(scene, 300);
        Mover hv = new(start, 15);
        Mover rv = new(start.Left(-rightM).Ahead(aheadM), 15);
        Run(0, 300, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Bsm(2, t, rv.Pose, rv.SpeedMps));
            hv.Step();
            rv.Step();
        });

        Assert.Equal(raised, OnsetsFor(scene, EventType.Bsw, Vehicle(1)).Count == 1); // the car gets its own BSW about the host when the host is behind it
    }

    [Fact]
    public void A_car_in_the_blind_spot_seen_only_by_the_roadside_unit_raises_bsw()
    {
        Scene scene = new();
        LanePose start = MidBlock(scene, 300);
        Mover hv = new(start, 15);
        Mover rv = new(start.Left(-3.5).Ahead(-6), 15);
        Run(0, 1000, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Rsm(7, t, new RsmTarget(3, ParticipantType.Motor, rv.Pose, rv.SpeedMps)));
            hv.Step();
            rv.Step();
        });

        SingleOnset(scene, EventType.Bsw, Vehicle(1), Roadside(7, 3));
    }

    [Fact]
    public void With_only_lcw_enabled_no_bsw_is_raised()
    {
        Scene scene = new(ZoneFixture.Options with { Enabled = new HashSet<EventType> { EventType.Lcw } });
        LanePose start = MidBlock(scene, 300);
        Mover hv = new(start, 15);
        Mover rv = new(start.Left(-3.5).Ahead(-8), 15);
        Run(0, 500, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps, lights: ExteriorLights.RightTurnSignalOn));
            scene.Feed(scene.Bsm(2, t, rv.Pose, rv.SpeedMps));
            hv.Step();
            rv.Step();
        });

        Assert.Empty(scene.Of(EventType.Bsw));
        Assert.Single(OnsetsFor(scene, EventType.Lcw, Vehicle(1)));
    }
}
