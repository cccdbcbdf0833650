using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Tests.Detectors;
using QiZhiChunCheng.Engine.Tests.Harness;
using QiZhiChunCheng.Engine.Trust;
using static QiZhiChunCheng.Engine.Tests.Detectors.LongRoadKit;
using static QiZhiChunCheng.Engine.Tests.Trust.TrustKit;

namespace QiZhiChunCheng.Engine.Tests.Trust;

/// <summary>
/// A bad RSU drags an honest car's track: RSU-DF-02 reports the car (by its BSM id) 4 m ahead of where the car says it
/// is, every frame. Each is 4 m from the other's sightings (the residual is leave-one-out, and symmetric between two
/// sources), so a residual scorer finds both anomalous. With one partner each, nothing in their own windows says which
/// one lies; explaining away blames the RSU that covers the car: the RSU is quarantined and the car is not.
/// </summary>
public sealed class ExplainingAwayTests
{
    private const ulong Car = 0x434152303031; // "CAR001"
    private const double DragM = 4;

    [Fact]
    public void Without_explaining_away_the_honest_car_is_quarantined_with_the_rsu()
    {
        Scene scene = Play(new TrustOptions { AnomalyScorer = new ResidualScorer(), ExplainAway = false, ModelWarmUpMs = 0 });

        Assert.True(scene.Trust().IsQuarantined(SourceKind.Rsu, new OctetId8(Rsu02)));
        Assert.True(scene.Trust().IsQuarantined(SourceKind.Obu, new OctetId8(Car)));
        Assert.Contains(scene.Misbehavior(), e => e.Phase == EventPhase.Onset && e.Participants[0] == Hex(Car));
        Assert.Equal(0, scene.Trust().Counters.ExplainedWindows);
    }

    [Fact]
    public void The_dragging_rsu_is_quarantined_and_the_honest_car_whose_track_it_drags_is_not()
    {
        Scene scene = Play(new TrustOptions { AnomalyScorer = new ResidualScorer(), ModelWarmUpMs = 0 });
        TrustMonitor trust = scene.Trust();

        // The car's windows were anomalous too: its residual is the RSU's.
        Assert.True(trust.Counters.ExplainedWindows >= 3);
        Assert.True(trust.IsQuarantined(SourceKind.Rsu, new OctetId8(Rsu02)));
        Assert.False(trust.IsQuarantined(SourceKind.Obu, new OctetId8(Car)));
        V2xEvent onset = Assert.Single(scene.Misbehavior(), e => e.Phase == EventPhase.Onset);
        Assert.NotEqual(Hex(Car), onset.Participants[0]);
        Assert.Equal(0, onset.Figures["ruleCode"]); // the model convicted it, no rule
        Assert.Equal(Scene.Start + 3000, onset.EventTimeUtcMs); // three anomalous windows: 1, 2 and 3 s
    }

    [Fact]
    public void In_the_streams_first_window_the_models_verdicts_do_not_count()
    {
        // The default warm-up: the same drag from the first second, windows at 1 to 10 s anomalous but partial.
        Scene scene = Play(new TrustOptions { AnomalyScorer = new ResidualScorer() });

        V2xEvent onset = Assert.Single(scene.Misbehavior(), e => e.Phase == EventPhase.Onset);
        Assert.Equal(Scene.Start + 12_000, onset.EventTimeUtcMs); // three counted windows: 10, 11 and 12 s
        Assert.True(scene.Trust().Counters.WarmUpWindows >= 9);
        Assert.False(scene.Trust().IsQuarantined(SourceKind.Obu, new OctetId8(Car)));
    }

    [Fact]
    public void A_quarantined_rsu_stays_measured_and_is_not_released_while_it_still_drags()
    {
        Scene scene = Play(new TrustOptions { AnomalyScorer = new ResidualScorer(), ModelWarmUpMs = 0 }, untilMs: 40_000);

        // 37 s after its quarantine: with nothing to measure it against, its windows would look clean and it would
        // be released after 20 s; measured against the car's track, it stays convicted.
        Assert.True(scene.Trust().IsQuarantined(SourceKind.Rsu, new OctetId8(Rsu02)));
        Assert.Equal(0, scene.Trust().Counters.Releases);
        Assert.False(scene.Trust().IsQuarantined(SourceKind.Obu, new OctetId8(Car)));
    }

    private static Scene Play(TrustOptions trust, long untilMs = 13_000)
    {
        Scene scene = NewScene(trust);
        Mover car = new(MidBlock(scene, 260), 5); // 200 m in 40 s: inside RSU-DF-02's coverage all along
        Run(0, untilMs, t =>
        {
            scene.Feed(scene.Bsm(Car, t, car.Pose, car.SpeedMps));
            scene.Feed(scene.Rsm(Rsu02, t, new RsmTarget(5, ParticipantType.Motor, car.Pose.Ahead(DragM), car.SpeedMps, Car)));
            car.Step();
        });
        return scene;
    }

    /// <summary>Scores a window by its mean residual from its partners' sightings: a stand-in for a trained model.</summary>
    private sealed class ResidualScorer : ISourceAnomalyScorer
    {
        public float Threshold => 0.25f;

        public float Score(ReadOnlySpan<float> features) => features[SourceFeatures.MeanResidualM];
    }
}
