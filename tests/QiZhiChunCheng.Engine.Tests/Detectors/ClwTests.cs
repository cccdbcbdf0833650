using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Tests.Harness;
using static QiZhiChunCheng.Engine.Tests.Detectors.LongRoadKit;

namespace QiZhiChunCheng.Engine.Tests.Detectors;

/// <summary>CLW through the real engine on Dongfeng Street, mid-block.</summary>
public sealed class ClwTests
{
    [Fact]
    public void A_car_ahead_reporting_abs_warns_its_follower_once_and_clears_when_the_abs_stops()
    {
        Scene scene = new();
        LanePose start = MidBlock(scene, 300);
        Mover hv = new(start, 15);
        Mover rv = new(start.Ahead(100), 15);
        Run(0, 6000, t =>
        {
            VehicleEventFlags? abs = t is >= 1000 and < 4500 ? VehicleEventFlags.AbsActivated : null;
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Bsm(2, t, rv.Pose, rv.SpeedMps, events: abs));
            hv.Step();
            rv.Step();
        });

        V2xEvent onset = SingleOnset(scene, EventType.Clw, Vehicle(1), Vehicle(2));
        Assert.Equal(2, onset.Severity);
        Near(100, onset.Figures["distanceM"], 0.5);
        Assert.Equal(15, onset.Figures["otherSpeedMps"], 2);
        ClearedOnce(scene, onset);
    }

    [Fact]
    public void A_car_behind_reporting_abs_warns_nobody_ahead_of_it()
    {
        Scene scene = new();
        LanePose start = MidBlock(scene, 300);
        Mover hv = new(start, 15);
        Mover rv = new(start.Ahead(-60), 15);
        Run(0, 1500, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Bsm(2, t, rv.Pose, rv.SpeedMps, events: VehicleEventFlags.StabilityControlActivated));
            hv.Step();
            rv.Step();
        });

        Assert.Empty(scene.Of(EventType.Clw));
    }

    [Theory]
    [InlineData(290, true)]
    [InlineData(310, false)]
    public void Followers_are_warned_up_to_300_m_back(double distanceM, bool raised)
    {
        Scene scene = new();
        LanePose start = MidBlock(scene, 500);
        Mover hv = new(start, 15);
        Mover rv = new(start.Ahead(distanceM), 15);
        Run(0, 1000, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Bsm(2, t, rv.Pose, rv.SpeedMps, events: VehicleEventFlags.AbsActivated));
            hv.Step();
            rv.Step();
        });

        Assert.Equal(raised, scene.Onsets(EventType.Clw).Count == 1);
    }

    [Fact]
    public void A_follower_seen_only_by_the_roadside_unit_is_warned_too()
    {
        // A roadside sensor cannot see a car's ABS; the car reports it, and the unconnected follower is the subject.
        Scene scene = new();
        LanePose start = MidBlock(scene, 300);
        Mover hv = new(start, 15);
        Mover rv = new(start.Ahead(80), 15);
        Run(0, 1000, t =>
        {
            scene.Feed(scene.Rsm(7, t, new RsmTarget(3, ParticipantType.Motor, hv.Pose, hv.SpeedMps)));
            scene.Feed(scene.Bsm(2, t, rv.Pose, rv.SpeedMps, events: VehicleEventFlags.TractionControlLoss));
            hv.Step();
            rv.Step();
        });

        SingleOnset(scene, EventType.Clw, Roadside(7, 3), Vehicle(2));
    }
}
