using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Tests.Harness;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Tests.Fusion;

/// <summary>Fusion through the real engine: BSM and RSM messages in, the tracks the detectors see out.</summary>
public sealed class FusionEngineTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Two_rsus_and_the_bsm_of_one_car_are_one_track_for_the_whole_run(bool rsuGivesBsmId, bool rsusFirst)
    {
        Scene scene = new();
        LanePose start = scene.Lane(1, 11, 2, 80);
        ulong? bsmId = rsuGivesBsmId ? 0x77 : null;
        long? trackId = null;
        for (long t = 0; t <= 6000; t += 100)
        {
            LanePose pose = start.Ahead(t / 1000.0 * 12);
            if (!rsusFirst || t >= 1000)
            {
                scene.Feed(scene.Bsm(0x77, t, pose.Left(0.7).Ahead(0.4), 12));
            }

            scene.Feed(scene.Rsm(0x5101, t + 20, new RsmTarget(12, ParticipantType.Motor, pose.Left(0.1), 12, bsmId)));
            scene.Feed(scene.Rsm(0x5102, t + 60, new RsmTarget(300, ParticipantType.Motor, pose.Ahead(0.2), 12, bsmId)));
            Assert.Equal(1, scene.Engine.World.Count);
            ReadOnlySpan<TrackState> tracks = scene.Engine.LastTickTracks;
            if (t >= 300)
            {
                Assert.Equal(1, tracks.Length);
                trackId ??= tracks[0].TrackId;
                Assert.Equal(trackId, tracks[0].TrackId);
            }
        }

        TrackState last = scene.Engine.LastTickTracks[0];
        Assert.True(last.HasBsm);
        Assert.Equal(ParticipantRef.Vehicle(new OctetId8(0x77)), last.Participant);
        Assert.Equal(3, last.SourceCount);
        Assert.Equal(12, last.SpeedMps, 0.5);
        Assert.Equal(0, scene.Engine.World.Counters.Merges);
    }

    [Fact]
    public void A_vehicle_leaving_coverage_coasts_then_disappears_from_the_ticks()
    {
        Scene scene = new();
        LanePose start = scene.Lane(1, 12, 2, 60);
        for (long t = 0; t <= 2000; t += 100)
        {
            scene.Feed(scene.Rsm(0x5101, t, new RsmTarget(5, ParticipantType.Motor, start.Ahead(t / 100.0), 10)));
        }

        scene.AdvanceTo(2400);
        Assert.Equal(TrackStatus.Coasting, Assert.Single(scene.Engine.LastTickTracks.ToArray()).Status);
        scene.AdvanceTo(4000);
        Assert.Equal(0, scene.Engine.LastTickTracks.Length);
        Assert.Equal(0, scene.Engine.World.Count);
    }
}
