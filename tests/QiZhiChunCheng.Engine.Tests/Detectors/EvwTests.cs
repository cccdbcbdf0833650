using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Tests.Harness;
using static QiZhiChunCheng.Engine.Tests.Detectors.LongRoadKit;

namespace QiZhiChunCheng.Engine.Tests.Detectors;

/// <summary>EVW through the real engine on Dongfeng Street, mid-block.</summary>
public sealed class EvwTests
{
    private static readonly VehicleEmergencyExtensions Siren = new() { ResponseType = ResponseType.Emergency, SirenUse = SirenInUse.InUse, LightsUse = LightbarInUse.InUse };
    private static readonly VehicleEmergencyExtensions Quiet = new() { ResponseType = ResponseType.NonEmergency, SirenUse = SirenInUse.NotInUse, LightsUse = LightbarInUse.NotInUse };

    [Fact]
    public void An_ambulance_with_its_siren_on_closing_from_behind_warns_the_car_ahead_once_and_clears_when_it_is_switched_off()
    {
        Scene scene = new();
        LanePose start = MidBlock(scene, 350);
        Mover hv = new(start, 12);
        Mover ev = new(start.Ahead(-200), 25);
        Run(0, 6000, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Bsm(9, t, ev.Pose, ev.SpeedMps, vehicleClass: 60, emergency: t < 4000 ? Siren : Quiet));
            hv.Step();
            ev.Step();
        });

        V2xEvent onset = SingleOnset(scene, EventType.Evw, Vehicle(1), Vehicle(9));
        Assert.Equal(2, onset.Severity);
        Near(200 - 1.3, onset.Figures["distanceM"], 0.5);
        Assert.Equal(13, onset.Figures["closingSpeedMps"], 2);
        Near(198.7 / 13, onset.Figures["ttcS"], 0.05);
        ClearedOnce(scene, onset);
    }

    [Fact]
    public void An_ambulance_without_siren_or_lights_warns_nobody()
    {
        Scene scene = new();
        LanePose start = MidBlock(scene, 350);
        Mover hv = new(start, 12);
        Mover ev = new(start.Ahead(-100), 25);
        Run(0, 1500, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Bsm(9, t, ev.Pose, ev.SpeedMps, vehicleClass: 60, emergency: Quiet));
            hv.Step();
            ev.Step();
        });

        Assert.Empty(scene.Of(EventType.Evw));
    }

    [Theory]
    [InlineData(290, true)]
    [InlineData(310, false)]
    public void Vehicles_up_to_300_m_ahead_are_warned(double distanceM, bool raised)
    {
        Scene scene = new();
        LanePose start = MidBlock(scene, 150);
        Mover hv = new(start, 15);
        Mover ev = new(start.Ahead(-distanceM - 0.2), 17); // closing 2 m/s: the distance stays within 0.2 m
        Run(0, 100, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Bsm(9, t, ev.Pose, ev.SpeedMps, vehicleClass: 61, emergency: Siren));
            hv.Step();
            ev.Step();
        });

        Assert.Equal(raised, scene.Onsets(EventType.Evw).Count == 1);
    }

    [Theory]
    [InlineData(0.5, false)]
    [InlineData(1.5, true)]
    public void An_ambulance_must_be_closing_by_more_than_1_m_per_s(double closingMps, bool raised)
    {
        Scene scene = new();
        LanePose start = MidBlock(scene, 150);
        Mover hv = new(start, 15);
        Mover ev = new(start.Ahead(-120), 15 + closingMps);
        Run(0, 1000, t =>
        {
            scene.Feed(scene.Bsm(1, t, hv.Pose, hv.SpeedMps));
            scene.Feed(scene.Bsm(9, t, ev.Pose, ev.SpeedMps, vehicleClass: 61, emergency: Siren));
            hv.Step();
            ev.Step();
        });

        Assert.Equal(raised, scene.Onsets(EventType.Evw).Count == 1);
    }

    [Fact]
    public void A_car_seen_only_by_the_roadside_unit_is_warned_of_the_ambulance()
    {
        Scene scene = new();
        LanePose start = MidBlock(scene, 350);
        Mover hv = new(start, 12);
        Mover ev = new(start.Ahead(-150), 25);
        Run(0, 1000, t =>
        {
            scene.Feed(scene.Rsm(7, t, new RsmTarget(3, ParticipantType.Motor, hv.Pose, hv.SpeedMps)));
            scene.Feed(scene.Bsm(9, t, ev.Pose, ev.SpeedMps, vehicleClass: 60, emergency: Siren));
            hv.Step();
            ev.Step();
        });

        SingleOnset(scene, EventType.Evw, Roadside(7, 3), Vehicle(9));
    }
}
