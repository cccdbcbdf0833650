using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Detectors;
using QiZhiChunCheng.Engine.Tests.Harness;

namespace QiZhiChunCheng.Engine.Tests.Detectors;

/// <summary>
/// ICW through the real engine at the Feiyue junction (node 1): a north-east-bound car on Dongfeng lane 2 (straight)
/// and a south-bound car on Feiyue lane 2 (straight) whose paths cross in the junction.
/// </summary>
public sealed class IcwTests
{
    private const double DongfengMps = 13.9; // 50 km/h
    private const double FeiyueMps = 11.1; // 40 km/h

    [Fact]
    public void Two_cars_reaching_the_crossing_together_each_get_one_warning()
    {
        Scene scene = new();
        (Driver ne, Driver sb) = Pair(scene, arriveNeS: 5.05, arriveSbS: 5.05);

        ConflictDrive.Run(scene, 0, 7000, [ne, sb]);

        List<V2xEvent> onsets = scene.Onsets(EventType.Icw);
        Assert.Equal(2, onsets.Count);
        V2xEvent forNe = Assert.Single(onsets, e => e.Participants[0] == ConflictDrive.Name(1));
        V2xEvent forSb = Assert.Single(onsets, e => e.Participants[0] == ConflictDrive.Name(2));
        Assert.Equal([ConflictDrive.Name(1), ConflictDrive.Name(2)], forNe.Participants);
        Assert.Equal([ConflictDrive.Name(2), ConflictDrive.Name(1)], forSb.Participants);
        Assert.Equal("Dongfeng St x Feiyue Rd", forNe.Location);
        Assert.Equal(forNe.EventTimeUtcMs, forSb.EventTimeUtcMs);

        // First tick with both under 3 s of the conflict area: t = 2.1 s, both 2.95 s away.
        Assert.Equal(Scene.Start + 2100, forNe.EventTimeUtcMs);
        Assert.Equal(2.95, forNe.Figures["timeToConflictS"], 0.03);
        Assert.Equal(2.95, forNe.Figures["otherTimeToConflictS"], 0.03);
        Assert.Equal(DongfengMps, forNe.Figures["speedMps"], 0.05);
        Assert.Equal(FeiyueMps, forNe.Figures["otherSpeedMps"], 0.05);
        Assert.InRange(forNe.Figures["headingDiffDeg"], 85, 95);
        Assert.Equal(2, forNe.Severity);

        // It escalates when imminent and clears once the cars are through, each event once.
        Assert.Contains(scene.Of(EventType.Icw), e => e.Id == forNe.Id && e.Severity == 3);
        Assert.Single(scene.Of(EventType.Icw), e => e.Id == forNe.Id && e.Phase == EventPhase.Clear);
        Assert.Single(scene.Of(EventType.Icw), e => e.Id == forSb.Id && e.Phase == EventPhase.Clear);
    }

    [Fact]
    public void A_car_arriving_four_seconds_after_the_other_has_cleared_is_no_conflict()
    {
        Scene scene = new();
        var area = MapConflicts.Between(scene, (1, 11, 2), AllowedManeuvers.Straight, (1, 12, 2), AllowedManeuvers.Straight);
        double clearsS = 5 + ((area.ExitA - area.EntryA) / DongfengMps);
        (Driver ne, Driver sb) = Pair(scene, arriveNeS: 5, arriveSbS: clearsS + 4);

        ConflictDrive.Run(scene, 0, 11000, [ne, sb]);

        Assert.Empty(scene.Of(EventType.Icw));
    }

    [Fact]
    public void Parallel_cars_on_the_same_approach_are_no_conflict()
    {
        Scene scene = new();
        Driver a = new(1, scene.Lane(1, 11, 2, 60), DongfengMps);
        Driver b = new(2, scene.Lane(1, 11, 3, 60), DongfengMps);

        ConflictDrive.Run(scene, 0, 6000, [a, b]);

        Assert.Empty(scene.Of(EventType.Icw));
    }

    [Theory]
    [InlineData(1900, false)] // both 3.15 s from the conflict area when the scene ends
    [InlineData(2000, false)] // 3.05 s
    [InlineData(2100, true)] // 2.95 s
    [InlineData(2200, true)] // 2.85 s
    public void Boundary_at_three_seconds_to_conflict(long endMs, bool fires)
    {
        Scene scene = new();
        (Driver ne, Driver sb) = Pair(scene, arriveNeS: 5.05, arriveSbS: 5.05);

        ConflictDrive.Run(scene, 0, endMs, [ne, sb]);

        Assert.Equal(fires ? 2 : 0, scene.Onsets(EventType.Icw).Count);
    }

    [Fact]
    public void A_car_braking_to_a_stop_before_the_junction_is_no_conflict()
    {
        Scene scene = new();
        (Driver ne, Driver sb) = Pair(scene, arriveNeS: 5.05, arriveSbS: 5.05);
        ne = ne with { AccelMps2 = -3 }; // from 62 m before the stop line: stops after 32 m, 4.6 s

        ConflictDrive.Run(scene, 0, 7000, [ne, sb]);

        Assert.Empty(scene.Of(EventType.Icw));
    }

    [Theory]
    [InlineData(RoadSurface.Dry, 2)]
    [InlineData(RoadSurface.Ice, 3)] // 13.9 m/s needs 64 m to stop on ice, the conflict area is 40 m away
    public void On_ice_the_same_crossing_is_imminent_at_once(RoadSurface surface, byte severity)
    {
        Scene scene = new();
        scene.Engine.Surface = surface;
        (Driver ne, Driver sb) = Pair(scene, arriveNeS: 5.05, arriveSbS: 5.05);

        ConflictDrive.Run(scene, 0, 2100, [ne, sb]);

        V2xEvent onset = Assert.Single(scene.Onsets(EventType.Icw), e => e.Participants[0] == ConflictDrive.Name(1));
        Assert.Equal(severity, onset.Severity);
    }

    /// <summary>The two cars, placed so that each reaches the conflict area of their straight paths at the given time.</summary>
    private static (Driver Ne, Driver Sb) Pair(Scene scene, double arriveNeS, double arriveSbS)
    {
        var area = MapConflicts.Between(scene, (1, 11, 2), AllowedManeuvers.Straight, (1, 12, 2), AllowedManeuvers.Straight);
        Driver ne = new(1, scene.Lane(1, 11, 2, (DongfengMps * arriveNeS) - area.EntryA), DongfengMps);
        Driver sb = new(2, scene.Lane(1, 12, 2, (FeiyueMps * arriveSbS) - area.EntryB), FeiyueMps);
        return (ne, sb);
    }
}
