using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Tests.Harness;

namespace QiZhiChunCheng.Engine.Tests.Detectors;

/// <summary>
/// LTA through the real engine at the Feiyue junction (node 1): a car waiting at the stop line of the north-east-bound
/// left-turn lane (Dongfeng lane 1) and an oncoming south-west-bound car on Dongfeng lane 2 (from node 2).
/// </summary>
public sealed class LtaTests
{
    private const double OncomingMps = 16.6; // about 60 km/h

    [Fact]
    public void A_car_waiting_to_turn_left_is_warned_of_an_oncoming_car_under_five_seconds_away()
    {
        Scene scene = new();
        (Driver hv, Driver rv) = WaitingTurner(scene, oncomingArrivesS: 8.05);

        ConflictDrive.Run(scene, 0, 9000, [hv, rv]);

        V2xEvent onset = Assert.Single(scene.Onsets(EventType.Lta));
        Assert.Equal([ConflictDrive.Name(1), ConflictDrive.Name(2)], onset.Participants);
        Assert.Equal("Dongfeng St x Feiyue Rd", onset.Location);
        Assert.Equal(Scene.Start + 3100, onset.EventTimeUtcMs); // the first tick under 5 s: 4.95 s
        Assert.Equal(4.95, onset.Figures["otherTimeToConflictS"], 0.03);
        Assert.Equal(OncomingMps, onset.Figures["otherSpeedMps"], 0.05);
        Assert.Equal(0, onset.Figures["speedMps"], 0.01);
        Assert.InRange(onset.Figures["headingDiffDeg"], 175, 180);
        Assert.Equal(2, onset.Severity);
        Assert.Contains(scene.Of(EventType.Lta), e => e.Id == onset.Id && e.Severity == 3); // imminent under 2.5 s
        Assert.Single(scene.Of(EventType.Lta), e => e.Id == onset.Id && e.Phase == EventPhase.Clear); // once it has passed
    }

    [Fact]
    public void A_left_turn_signal_on_a_straight_and_left_lane_makes_the_car_a_left_turner()
    {
        // South-bound on Feiyue lane 1 (straight or left) against a north-bound car on Feiyue lane 2.
        Scene scene = new();
        var area = MapConflicts.Between(scene, (1, 12, 1), AllowedManeuvers.Left, (1, 13, 2), AllowedManeuvers.Straight);
        Driver hv = new(1, scene.Lane(1, 12, 1, 1), 0, Lights: ExteriorLights.LeftTurnSignalOn);
        Driver rv = new(2, scene.Lane(1, 13, 2, (11.1 * 6) - area.EntryB), 11.1);

        ConflictDrive.Run(scene, 0, 4000, [hv, rv]);

        V2xEvent onset = Assert.Single(scene.Onsets(EventType.Lta));
        Assert.Equal([ConflictDrive.Name(1), ConflictDrive.Name(2)], onset.Participants);
    }

    [Fact]
    public void Without_the_signal_the_same_car_goes_straight_and_is_not_warned()
    {
        Scene scene = new();
        var area = MapConflicts.Between(scene, (1, 12, 1), AllowedManeuvers.Left, (1, 13, 2), AllowedManeuvers.Straight);
        Driver hv = new(1, scene.Lane(1, 12, 1, 1), 0);
        Driver rv = new(2, scene.Lane(1, 13, 2, (11.1 * 6) - area.EntryB), 11.1);

        ConflictDrive.Run(scene, 0, 4000, [hv, rv]);

        Assert.Empty(scene.Of(EventType.Lta));
    }

    [Fact]
    public void An_oncoming_car_braking_to_a_stop_at_its_stop_line_is_no_conflict()
    {
        // 16.6 m/s braking at 3 m/s² stops after 46 m: 1 m before its stop line, 14 m short of the conflict area,
        // though at constant speed it would be there in 3.6 s.
        Scene scene = new();
        Driver hv = new(1, scene.Lane(1, 11, 1, 2), 0);
        Driver rv = new(2, scene.Lane(1, 2, 2, 47), OncomingMps, AccelMps2: -3);

        ConflictDrive.Run(scene, 0, 8000, [hv, rv]);

        Assert.Empty(scene.Of(EventType.Lta));
    }

    [Theory]
    [InlineData(3000, false)] // the oncoming car 5.05 s from the conflict area when the scene ends
    [InlineData(3100, true)] // 4.95 s
    public void Boundary_at_five_seconds(long endMs, bool fires)
    {
        Scene scene = new();
        (Driver hv, Driver rv) = WaitingTurner(scene, oncomingArrivesS: 8.05);

        ConflictDrive.Run(scene, 0, endMs, [hv, rv]);

        Assert.Equal(fires ? 1 : 0, scene.Onsets(EventType.Lta).Count);
    }

    /// <summary>The left-turner 2 m before its stop line, and the oncoming car reaching the conflict area at the given time.</summary>
    private static (Driver Hv, Driver Rv) WaitingTurner(Scene scene, double oncomingArrivesS)
    {
        var area = MapConflicts.Between(scene, (1, 11, 1), AllowedManeuvers.Left, (1, 2, 2), AllowedManeuvers.Straight);
        Driver hv = new(1, scene.Lane(1, 11, 1, 2), 0);
        Driver rv = new(2, scene.Lane(1, 2, 2, (OncomingMps * oncomingArrivesS) - area.EntryB), OncomingMps);
        return (hv, rv);
    }
}
