using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Detectors;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Engine.Tests.Harness;
using QiZhiChunCheng.Engine.World;
using static QiZhiChunCheng.Engine.Tests.Harness.SceneSignals;

namespace QiZhiChunCheng.Engine.Tests.Detectors;

/// <summary>RLVW through the real engine: Dongfeng SW approach (upstream 11) into node 1, lane 2 (phase 1).</summary>
public sealed class RlvwTests
{
    private const double Kmh50 = 50 / 3.6;
    private const string Junction = "Dongfeng St x Feiyue Rd";

    // A SPAT every 100 ms that keeps phase 1 in the given state (its timing relative to each SPAT's time).
    private static Func<long, IEnumerable<V2xMessage>> Signal(Scene scene, Func<long, Phase> phase1) =>
        t => [scene.Spat(t, 1, phase1(t))];

    [Fact]
    public void Running_a_red_at_50_kmh_from_30_m_warns_once_and_escalates_when_it_cannot_stop()
    {
        Scene scene = new();
        scene.Drive(7, 1, 11, 2, 30, Kmh50, 0, 1600, Signal(scene, t => RedThenGreen(1, 30 - (t / 1000.0), 40)));

        V2xEvent onset = Assert.Single(scene.Onsets(EventType.Rlvw));
        Assert.Equal(2, onset.Severity);
        Assert.Equal(["0000000000000007"], onset.Participants);
        Assert.Equal(Junction, onset.Location);
        Assert.Equal((double)LightState.Red, onset.Figures["lightState"]);
        Assert.InRange(onset.Figures["requiredDecelMps2"], 3.5, 3.9);
        Assert.Equal(6.0, onset.Figures["availableDecelMps2"]);
        Assert.Equal(Kmh50, onset.Figures["speedMps"], 1);
        Assert.InRange(onset.Figures["distanceM"], 24, 28);
        Assert.InRange(onset.Figures["timeToChangeS"], 29, 30);

        // Closer than v²/2·6 = 16 m it cannot stop any more: the same event rises to imminent.
        Assert.Contains(scene.Of(EventType.Rlvw), e => e.Phase == EventPhase.Update && e.Severity == 3 && e.Id == onset.Id);
    }

    [Fact]
    public void A_yellow_that_ends_before_arrival_is_a_red_at_arrival()
    {
        Scene scene = new();
        LanePose at = scene.Lane(1, 11, 2, 24);
        scene.Hold(7, at, Kmh50, 500, each: t => [scene.Spat(t, 1, YellowOnly(1, 1.0))]); // arrival in 1.7 s, yellow ends in 1 s

        V2xEvent onset = Assert.Single(scene.Onsets(EventType.Rlvw));
        Assert.Equal((double)LightState.Yellow, onset.Figures["lightState"]);
    }

    [Fact]
    public void A_yellow_that_lasts_past_arrival_is_no_violation()
    {
        Scene scene = new();
        LanePose at = scene.Lane(1, 11, 2, 24);
        scene.Hold(7, at, Kmh50, 500, each: t => [scene.Spat(t, 1, YellowOnly(1, 2.5))]);

        Assert.Empty(scene.Of(EventType.Rlvw));
    }

    [Fact]
    public void Near_miss_green_until_well_after_arrival_raises_nothing()
    {
        Scene scene = new();
        scene.Drive(7, 1, 11, 2, 30, Kmh50, 0, 1600, Signal(scene, t => GreenThenRed(1, 10 - (t / 1000.0), 60)));

        Assert.Empty(scene.Of(EventType.Rlvw));
    }

    [Fact]
    public void Near_miss_braking_as_needed_to_stop_at_the_line_raises_nothing()
    {
        // 4 m/s² is beyond comfortable, but the driver is braking that hard: the car stops at the line.
        Scene scene = new();
        double start = Kmh50 * Kmh50 / (2 * 4.0);
        scene.Drive(7, 1, 11, 2, start, Kmh50, -4.0, 3000, Signal(scene, t => RedThenGreen(1, 30 - (t / 1000.0), 40)));

        Assert.Empty(scene.Of(EventType.Rlvw));
    }

    [Theory]
    [InlineData(3.4, false)]
    [InlineData(3.6, true)]
    public void Boundary_required_deceleration_around_the_comfortable_3_5_without_braking(double required, bool fires)
    {
        // 10 m/s toward a red for 1 s, ending where stopping needs `required`: the required deceleration v² / 2d
        // rises tick by tick and reaches it at the closing tick (1000 ms, which sees the last BSM); the tick before
        // needs 3.36. The car moves with its reported speed so the fused track sits on it: a BSM at a fixed pose
        // with a speed is pulled ahead by the filter, about 0.5 m per tick, which decides a case this tight.
        Scene scene = new();
        const double v = 10;
        double end = v * v / (2 * required);
        scene.Drive(7, 1, 11, 2, end + v, v, 0, 1000, t => [scene.Spat(t, 1, RedThenGreen(1, 20, 40))]);
        scene.AdvanceTo(1000);

        TrackState car = Assert.Single(scene.Engine.LastTickTracks.ToArray());
        Assert.Equal(MatchStatus.OnLane, car.Match.Status);
        Assert.Equal(end, car.Match.ToStopLineM, 0.05);
        Assert.Equal(v, car.SpeedMps, 0.02);
        if (fires)
        {
            V2xEvent onset = Assert.Single(scene.Onsets(EventType.Rlvw));
            Assert.Equal(2, onset.Severity);
            Assert.Equal(required, onset.Figures["requiredDecelMps2"], 0.02);
        }
        else
        {
            Assert.Empty(scene.Of(EventType.Rlvw));
        }
    }

    [Fact]
    public void Winter_the_stop_that_is_safe_on_a_dry_road_cannot_be_made_on_ice()
    {
        // 3 m/s² applied from 50 km/h stops exactly at the line: comfortable on a dry road, impossible on ice (1.5).
        double start = Kmh50 * Kmh50 / (2 * 3.0);
        Scene dry = new();
        dry.Drive(7, 1, 11, 2, start, Kmh50, -3.0, 2000, Signal(dry, t => RedThenGreen(1, 30 - (t / 1000.0), 40)));
        Assert.Empty(dry.Of(EventType.Rlvw));

        Scene ice = new(ZoneFixture.Options with { Surface = new SurfaceOptions { Surface = RoadSurface.Ice } });
        ice.Drive(7, 1, 11, 2, start, Kmh50, -3.0, 2000, Signal(ice, t => RedThenGreen(1, 30 - (t / 1000.0), 40)));
        V2xEvent onset = Assert.Single(ice.Onsets(EventType.Rlvw));
        Assert.Equal(3, onset.Severity);
        Assert.Equal(1.5, onset.Figures["availableDecelMps2"]);
        Assert.Equal(3.0, onset.Figures["requiredDecelMps2"], 1);
    }

    [Fact]
    public void Winter_an_rsi_ice_warning_turns_the_dry_road_safe_stop_into_a_warning()
    {
        double start = Kmh50 * Kmh50 / (2 * 3.0);
        Scene scene = new();
        scene.Feed(scene.Rsi(0x52535530303031, 0, rtes: [scene.Rte(1, 305, scene.Lane(1, 11, 2, 50), 500)]));
        scene.Drive(7, 1, 11, 2, start, Kmh50, -3.0, 2000, Signal(scene, t => RedThenGreen(1, 30 - (t / 1000.0), 40)));

        Assert.Equal(RoadSurface.Ice, scene.Engine.Surface);
        V2xEvent onset = Assert.Single(scene.Onsets(EventType.Rlvw));
        Assert.Equal(3, onset.Severity);
        Assert.Equal(1.5, onset.Figures["availableDecelMps2"]);
    }

    [Fact]
    public void No_spat_no_warning()
    {
        Scene scene = new();
        scene.Drive(7, 1, 11, 2, 30, Kmh50, 0, 1600);

        Assert.Empty(scene.Of(EventType.Rlvw));
    }
}
