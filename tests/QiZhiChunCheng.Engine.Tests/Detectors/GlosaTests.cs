using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Engine.Tests.Harness;
using QiZhiChunCheng.Engine.World;
using static QiZhiChunCheng.Engine.Tests.Harness.SceneSignals;

namespace QiZhiChunCheng.Engine.Tests.Detectors;

/// <summary>GLOSA through the real engine: Dongfeng SW approach (upstream 11) into node 1, lane 2 (phase 1, limit 60 km/h).</summary>
public sealed class GlosaTests
{
    [Fact]
    public void Too_fast_for_the_coming_green_is_advised_to_slow_into_the_band_once()
    {
        // 200 m out, red for 20 s more, then green for 40 s: band [200/60, 200/20] = [3.3, 10], clipped to [4.2, 10].
        Scene scene = new();
        scene.Drive(7, 1, 11, 2, 200, 50 / 3.6, 0, 3000, t => [scene.Spat(t, 1, RedThenGreen(1, 20 - (t / 1000.0), 40))]);

        V2xEvent onset = Assert.Single(scene.Onsets(EventType.Glosa));
        Assert.Equal(1, onset.Severity);
        Assert.Equal(["0000000000000007"], onset.Participants);
        Assert.Equal("Dongfeng St x Feiyue Rd", onset.Location);
        Assert.Equal(10, onset.Figures["advisoryMaxMps"], 0);
        Assert.Equal(15 / 3.6, onset.Figures["advisoryMinMps"], 2);
        Assert.Equal(50 / 3.6, onset.Figures["speedMps"], 1);
        Assert.InRange(onset.Figures["distanceM"], 197, 200);
        Assert.Equal((double)LightState.Red, onset.Figures["lightState"]);
        Assert.Contains(scene.Of(EventType.Glosa), e => e.Phase == EventPhase.Update && e.Id == onset.Id);
    }

    [Fact]
    public void Too_slow_for_the_current_green_is_advised_up_to_the_limit()
    {
        // 150 m out, green for 12 s more: at least 12.5 m/s is needed, up to the 16.7 m/s limit; the car does 8.
        Scene scene = new();
        scene.Hold(7, scene.Lane(1, 11, 2, 150), 8, 1000, each: t => [scene.Spat(t, 1, GreenThenRed(1, 12, 60))]);

        V2xEvent onset = Assert.Single(scene.Onsets(EventType.Glosa));
        Assert.Equal(12.5, onset.Figures["advisoryMinMps"], 1);
        Assert.Equal(50 / 3.0, onset.Figures["advisoryMaxMps"], 1);
    }

    [Fact]
    public void Near_miss_a_vehicle_already_in_the_band_is_not_advised()
    {
        Scene scene = new();
        scene.Drive(7, 1, 11, 2, 200, 8, 0, 3000, t => [scene.Spat(t, 1, RedThenGreen(1, 20 - (t / 1000.0), 40))]);

        Assert.Empty(scene.Of(EventType.Glosa));
    }

    // The boundary cases drive the car at a constant speed (a pose that moves with the reported speed): the fused
    // track then sits on the reported kinematics to a centimetre. A BSM at a fixed pose with a speed of 10-16 m/s
    // is not a car the filter can believe; it pulls the track about 0.5 m ahead of the pose per tick, which, at
    // these margins, decides the case. Each drive lasts 1 s and the closing tick (1000 ms) sees the last BSM.
    [Theory]
    [InlineData(299, true)]
    [InlineData(301, false)]
    public void Boundary_the_300_m_range(double distanceM, bool fires)
    {
        // 16 m/s from distanceM + 16 m: every tick but the last sees the car farther out. Red for 30 s, then green:
        // the band tops out near d / 30 s = 10 m/s, so 16 m/s is advised wherever the car is in range.
        Scene scene = new();
        scene.Drive(7, 1, 11, 2, distanceM + 16, 16, 0, 1000, t => [scene.Spat(t, 1, RedThenGreen(1, 30 - (t / 1000.0), 30))]);
        scene.AdvanceTo(1000);

        TrackState car = Assert.Single(scene.Engine.LastTickTracks.ToArray());
        Assert.Equal(MatchStatus.OnLane, car.Match.Status);
        Assert.Equal(distanceM, car.Match.ToStopLineM, 0.1);
        Assert.Equal(16, car.SpeedMps, 0.02);
        if (fires)
        {
            V2xEvent onset = Assert.Single(scene.Onsets(EventType.Glosa));
            Assert.Equal(distanceM, onset.Figures["distanceM"], 0.1); // the first tick inside 300 m, none before
        }
        else
        {
            Assert.Empty(scene.Of(EventType.Glosa));
        }
    }

    [Theory]
    [InlineData(10.4, false)]
    [InlineData(10.6, true)]
    public void Boundary_the_band_edge_with_its_half_metre_per_second_tolerance(double speedMps, bool fires)
    {
        // From 100 m out at a constant speed v, green at 10 s: at time t the band tops out at (100 - v t) / (10 - t),
        // so v is above it by (10 v - 100) / (10 - t): 0.40-0.44 m/s at 10.4 over the drive (inside the 0.5
        // tolerance), 0.61-0.67 at 10.6 (outside from the first tick).
        Scene scene = new();
        scene.Drive(7, 1, 11, 2, 100, speedMps, 0, 1000, t => [scene.Spat(t, 1, RedThenGreen(1, 10 - (t / 1000.0), 30))]);
        scene.AdvanceTo(1000);

        TrackState car = Assert.Single(scene.Engine.LastTickTracks.ToArray());
        Assert.Equal(MatchStatus.OnLane, car.Match.Status);
        Assert.Equal(speedMps, car.SpeedMps, 0.02);
        Assert.Equal(100 - speedMps, car.Match.ToStopLineM, 0.1);
        if (fires)
        {
            V2xEvent onset = Assert.Single(scene.Onsets(EventType.Glosa));
            Assert.Equal(speedMps, onset.Figures["speedMps"], 0.02);
            Assert.Equal(10, onset.Figures["advisoryMaxMps"], 0.02);
            Assert.True(onset.Figures["speedMps"] - onset.Figures["advisoryMaxMps"] > 0.5);
        }
        else
        {
            Assert.Empty(scene.Of(EventType.Glosa));
        }
    }
}
