using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Tests.Harness;
using static QiZhiChunCheng.Engine.Tests.Detectors.LongRoadKit;

namespace QiZhiChunCheng.Engine.Tests.Detectors;

/// <summary>EBW through the real engine on Dongfeng Street, mid-block.</summary>
public sealed class EbwTests
{
    [Fact]
    public void A_car_braking_hard_ahead_warns_its_follower_once_and_clears_when_it_stops_braking()
    {
        // Both at 15 m/s, 40 m apart; the car ahead brakes at 4.5 m/s² from 1 s to 4 s, the host follows suit 0.5 s later.
        Scene scene = new();
        LanePose start = MidBlock(scene);
        Mover hv = new(start, 15);
        Mover rv = new(start.Ahead(40), 15);
        Run(0, 6000, t =>
        {
            rv.AccelMps2 = t is >= 1000 and < 4000 ? -4.5 : 0;
            hv.AccelMps2 = t is >= 1500 and < 4500 ? -4.5 : 0;
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps, hv.AccelMps2));
            scene.Feed(scene.Bsm(2, t, rv.Pose, rv.SpeedMps, rv.AccelMps2));
            hv.Step();
            rv.Step();
        });

        V2xEvent onset = SingleOnset(scene, EventType.Ebw, Vehicle(1), Vehicle(2));
        Assert.Equal(2, onset.Severity);
        Assert.Equal(-4.5, onset.Figures["accelMps2"], 2);
        Near(40, onset.Figures["distanceM"], 1);
        ClearedOnce(scene, onset);
    }

    [Fact]
    public void A_car_braking_hard_behind_or_in_the_opposite_direction_warns_nobody_ahead()
    {
        Scene scene = new();
        LanePose start = MidBlock(scene);
        Mover hv = new(start, 15);
        Mover behind = new(start.Ahead(-30), 15, -5);
        Mover oncoming = new(start.Left(7).Ahead(40).Reversed(), 15, -5);
        Run(0, 1500, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Bsm(2, t, behind.Pose, behind.SpeedMps, behind.AccelMps2));
            scene.Feed(scene.Bsm(3, t, oncoming.Pose, oncoming.SpeedMps, oncoming.AccelMps2));
            hv.Step();
            behind.Step();
            oncoming.Step();
        });

        Assert.DoesNotContain(scene.Onsets(EventType.Ebw), e => e.Participants[0] == Vehicle(1));
        Assert.DoesNotContain(scene.Onsets(EventType.Ebw), e => e.Participants[1] == Vehicle(3));
    }

    [Theory]
    [InlineData(-4.0, true)]
    [InlineData(-3.8, false)]
    public void Braking_harder_than_four_tenths_of_g_is_emergency_braking(double accelMps2, bool raised)
    {
        Scene scene = new();
        LanePose start = MidBlock(scene);
        Mover hv = new(start, 15);
        Mover rv = new(start.Ahead(60), 15, accelMps2);
        Run(0, 1000, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Bsm(2, t, rv.Pose, rv.SpeedMps, rv.AccelMps2));
            hv.Step();
            rv.Step();
        });

        Assert.Equal(raised, scene.Onsets(EventType.Ebw).Count == 1);
    }

    [Fact]
    public void A_car_the_roadside_unit_sees_braking_hard_warns_the_connected_follower()
    {
        Scene scene = new();
        LanePose start = MidBlock(scene);
        Mover hv = new(start, 15);
        Mover rv = new(start.Ahead(50), 15, -5);
        Run(0, 1000, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Rsm(7, t, new RsmTarget(3, ParticipantType.Motor, rv.Pose, rv.SpeedMps, AccelMps2: rv.AccelMps2)));
            hv.Step();
            rv.Step();
        });

        V2xEvent onset = SingleOnset(scene, EventType.Ebw, Vehicle(1), Roadside(7, 3));
        Assert.Equal(-5, onset.Figures["accelMps2"], 2);
    }
}
