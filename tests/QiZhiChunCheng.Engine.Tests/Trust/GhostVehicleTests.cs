using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Tests.Detectors;
using QiZhiChunCheng.Engine.Tests.Harness;
using QiZhiChunCheng.Engine.Trust;
using static QiZhiChunCheng.Engine.Tests.Detectors.LongRoadKit;
using static QiZhiChunCheng.Engine.Tests.Trust.TrustKit;

namespace QiZhiChunCheng.Engine.Tests.Trust;

/// <summary>
/// A ghost: BSMs of a car stopped in the lane ahead that does not exist. Its reports are plausible one by one, so
/// the rules pass it; the roadside never sees it although it is inside RSU-DF-02's coverage, which an anomaly
/// scorer on the source windows flags. The host, approaching at 15 m/s and seen by the RSU, gets a false FCW
/// unless the ghost is quarantined first.
/// </summary>
public sealed class GhostVehicleTests
{
    private const ulong Host = 1;
    private const ulong Ghost = 0x4748303031; // "GH001"

    [Fact]
    public void With_trust_off_the_ghost_raises_a_false_fcw()
    {
        Scene scene = Play(new TrustOptions { Enabled = false });
        Assert.Single(OnsetsFor(scene, EventType.Fcw, Vehicle(Host)));
    }

    [Fact]
    public void The_rules_alone_do_not_see_the_ghost()
    {
        Scene scene = Play(new TrustOptions());
        Assert.Single(OnsetsFor(scene, EventType.Fcw, Vehicle(Host)));
        Assert.Equal(0, scene.Trust().Counters.FailedSightings);
        Assert.Empty(scene.Misbehavior());
    }

    [Fact]
    public void With_an_anomaly_scorer_the_ghost_is_quarantined_in_three_seconds_and_the_false_fcw_never_comes()
    {
        Scene scene = Play(new TrustOptions { AnomalyScorer = new UnseenScorer(), ModelWarmUpMs = 0 }); // the ghost is there from the first second

        Assert.Empty(scene.Of(EventType.Fcw));
        V2xEvent onset = Assert.Single(scene.Misbehavior(), e => e.Phase == EventPhase.Onset);
        Assert.Equal([Hex(Ghost)], onset.Participants);
        Assert.Equal(Scene.Start + 3000, onset.EventTimeUtcMs); // three anomalous windows: 1, 2 and 3 s
        Assert.Equal(1.0, onset.Figures["anomalyScore"]);
        Assert.Equal(0, onset.Figures["ruleCode"]); // no rule failed
        Assert.Equal(0, onset.Figures["failureCount"]);
        Assert.False(scene.Trust().IsQuarantined(SourceKind.Obu, new OctetId8(Host)));
    }

    /// <summary>The ghost scene (13 s), fed to a fresh engine with <paramref name="trust"/>.</summary>
    internal static Scene Play(TrustOptions trust, Action<Scene, long>? between = null)
    {
        Scene scene = NewScene(trust);
        foreach ((long t, V2xMessage m) in Messages(scene))
        {
            between?.Invoke(scene, t);
            scene.Feed(m);
        }

        return scene;
    }

    internal static IEnumerable<(long T, V2xMessage Message)> Messages(Scene scene)
    {
        Mover host = new(MidBlock(scene, 260), 15);
        LanePose ghost = MidBlock(scene, 60);
        List<(long, V2xMessage)> messages = [];
        Run(0, 13_000, t =>
        {
            messages.Add((t, scene.Bsm(Host, t, host.Pose, host.SpeedMps)));
            messages.Add((t, scene.Bsm(Ghost, t, ghost, 0)));
            messages.Add((t, scene.Rsm(Rsu02, t, new RsmTarget(5, ParticipantType.Motor, host.Pose, host.SpeedMps, Host))));
            host.Step();
        });
        return messages;
    }
}
