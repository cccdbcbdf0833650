using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Detectors;
using QiZhiChunCheng.Engine.Tests.Harness;

namespace QiZhiChunCheng.Engine.Tests.Detectors;

/// <summary>
/// VRUCW through the real engine: a north-east-bound car at 40 km/h on Dongfeng lane 2 towards the Feiyue junction
/// (node 1), pedestrians and cyclists reported by an RSU. The crosswalk over the Dongfeng SW arm lies 1.5 to 5.5 m
/// past the stop line.
/// </summary>
public sealed class VrucwTests
{
    private const double CarMps = 11.1; // 40 km/h
    private const double Reach = (1.85 / 2) + 0.4 + 0.6; // half the car's width + pedestrian radius + margin
    private const double HalfLength = 4.8 / 2; // the car's front is half its length ahead of its position

    [Fact]
    public void A_pedestrian_crossing_the_crosswalk_in_front_of_a_car_is_warned_to_the_car()
    {
        Scene scene = new();
        LanePose onCrosswalk = OnCrosswalk(scene);
        double meetS = 6 / 1.4; // the pedestrian starts 6 m right of the car's lane centre and walks left at 1.4 m/s
        Walker pedestrian = new(10, ParticipantType.Pedestrian, onCrosswalk.Left(-6).Turned(-90), 1.4);
        Driver car = new(1, onCrosswalk.Ahead(-CarMps * meetS), CarMps);

        ConflictDrive.Run(scene, 0, 4000, [car], [pedestrian]);

        V2xEvent onset = Assert.Single(scene.Onsets(EventType.Vrucw));
        Assert.Equal([ConflictDrive.Name(1), ConflictDrive.RoadsideName(10)], onset.Participants);
        Assert.Equal("Dongfeng St x Feiyue Rd", onset.Location);
        Assert.InRange(onset.Figures["ttcS"], 2.8, 3.0);
        Assert.Equal(CarMps, onset.Figures["speedMps"], 0.05);
        Assert.Equal(1.4, onset.Figures["otherSpeedMps"], 0.05);
        Assert.Equal(2, onset.Severity);
        Assert.Contains(scene.Of(EventType.Vrucw), e => e.Id == onset.Id && e.Severity == 3); // under 1.5 s
    }

    [Fact]
    public void A_pedestrian_walking_along_the_sidewalk_beside_the_car_is_no_conflict()
    {
        Scene scene = new();
        Driver car = new(1, scene.Lane(1, 11, 3, 150), CarMps); // the kerb lane
        Walker pedestrian = new(10, ParticipantType.Pedestrian, scene.Lane(1, 11, 3, 110).Left(-4), 1.4); // on the sidewalk, same way

        ConflictDrive.Run(scene, 0, 7000, [car], [pedestrian]); // the car overtakes the pedestrian after about 4 s

        Assert.Empty(scene.Of(EventType.Vrucw));
    }

    [Fact]
    public void A_cyclist_crossing_the_junction_into_the_cars_path_is_warned_to_the_car()
    {
        // A cyclist south-bound on Feiyue lane 2 at 5 m/s; both reach the crossing of their paths together.
        Scene scene = new();
        LanePose carLine = scene.Lane(1, 11, 2, 0);
        LanePose cyclistStart = scene.Lane(1, 12, 2, 5);
        (double px, double py) = Crossing(carLine, cyclistStart);
        double meetS = Math.Sqrt(((px - cyclistStart.X) * (px - cyclistStart.X)) + ((py - cyclistStart.Y) * (py - cyclistStart.Y))) / 5;
        Walker cyclist = new(20, ParticipantType.NonMotor, cyclistStart, 5);
        Driver car = new(1, new LanePose(px, py, carLine.HeadingDeg).Ahead(-CarMps * meetS), CarMps);

        ConflictDrive.Run(scene, 0, (long)(meetS * 1000) - 500, [car], [cyclist]);

        V2xEvent onset = Assert.Single(scene.Onsets(EventType.Vrucw));
        Assert.Equal([ConflictDrive.Name(1), ConflictDrive.RoadsideName(20)], onset.Participants);
        Assert.Equal("Dongfeng St x Feiyue Rd", onset.Location);
        Assert.InRange(onset.Figures["ttcS"], 2.7, 3.0);
        Assert.Equal(5, onset.Figures["otherSpeedMps"], 0.05);
    }

    [Fact]
    public void A_pedestrian_standing_in_the_lane_mid_block_is_placed_on_the_link()
    {
        Scene scene = new();
        LanePose standing = scene.Lane(1, 11, 2, 200);
        Walker pedestrian = new(10, ParticipantType.Pedestrian, standing, 0);
        Driver car = new(1, standing.Ahead(-(CarMps * 4) - HalfLength - Reach), CarMps);

        ConflictDrive.Run(scene, 0, 2000, [car], [pedestrian]);

        V2xEvent onset = Assert.Single(scene.Onsets(EventType.Vrucw));
        Assert.Equal("Dongfeng Street", onset.Location);
    }

    [Theory]
    [InlineData(3.05, false)]
    [InlineData(2.95, true)]
    public void Boundary_at_three_seconds(double ttcAtEndS, bool fires)
    {
        Scene scene = new();
        (Walker pedestrian, Driver car) = StandingOnCrosswalk(scene, ttcAtEndS, endMs: 3000);

        ConflictDrive.Run(scene, 0, 3000, [car], [pedestrian]);

        List<V2xEvent> onsets = scene.Onsets(EventType.Vrucw);
        Assert.Equal(fires ? 1 : 0, onsets.Count);
        if (fires)
        {
            Assert.Equal(ttcAtEndS, onsets[0].Figures["ttcS"], 0.03);
        }
    }

    [Theory]
    [InlineData(RoadSurface.Dry, 2)]
    [InlineData(RoadSurface.Ice, 3)] // 11.1 m/s needs 41 m to stop on ice; the pedestrian is 28 m ahead
    public void On_ice_a_moderate_case_is_imminent(RoadSurface surface, byte severity)
    {
        Scene scene = new();
        scene.Engine.Surface = surface;
        (Walker pedestrian, Driver car) = StandingOnCrosswalk(scene, 2.5, endMs: 3000);

        ConflictDrive.Run(scene, 0, 3000, [car], [pedestrian]);

        V2xEvent onset = Assert.Single(scene.Onsets(EventType.Vrucw));
        Assert.Equal(severity, scene.Of(EventType.Vrucw).Max(e => e.Severity));
        Assert.Equal(severity, onset.Severity);
    }

    /// <summary>The point of lane 2's path 3.5 m past its stop line: on the crosswalk.</summary>
    private static LanePose OnCrosswalk(Scene scene)
    {
        LanePose p = scene.Lane(1, 11, 2, 0).Ahead(3.5);
        Engine.Map.MapCrosswalkInfo crosswalk = scene.Map.Crosswalks[0];
        Assert.True(scene.Map.Contains(crosswalk.PolygonStart, crosswalk.PolygonCount, p.X, p.Y));
        return p;
    }

    /// <summary>A pedestrian standing on the crosswalk in lane 2's path, and a car whose TTC is <paramref name="ttcAtEndS"/> at <paramref name="endMs"/>.</summary>
    private static (Walker Pedestrian, Driver Car) StandingOnCrosswalk(Scene scene, double ttcAtEndS, long endMs)
    {
        LanePose onCrosswalk = OnCrosswalk(scene);
        double startM = (CarMps * ((endMs / 1000.0) + ttcAtEndS)) + HalfLength + Reach;
        return (new Walker(10, ParticipantType.Pedestrian, onCrosswalk.Turned(-90), 0), new Driver(1, onCrosswalk.Ahead(-startM), CarMps));
    }

    private static (double X, double Y) Crossing(LanePose a, LanePose b)
    {
        double ra = a.HeadingDeg * Math.PI / 180, rb = b.HeadingDeg * Math.PI / 180;
        double dax = Math.Sin(ra), day = Math.Cos(ra), dbx = Math.Sin(rb), dby = Math.Cos(rb);
        double cross = (dax * dby) - (day * dbx);
        double s = (((b.X - a.X) * dby) - ((b.Y - a.Y) * dbx)) / cross;
        return (a.X + (dax * s), a.Y + (day * s));
    }
}
