using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Tests.Detectors;
using QiZhiChunCheng.Engine.Tests.Harness;
using QiZhiChunCheng.Engine.Trust;
using static QiZhiChunCheng.Engine.Tests.Detectors.LongRoadKit;
using static QiZhiChunCheng.Engine.Tests.Trust.TrustKit;

namespace QiZhiChunCheng.Engine.Tests.Trust;

/// <summary>Per-source and per-segment windows on crafted streams, the model-fed TJW, determinism and allocation.</summary>
public sealed class TrustWindowTests
{
    [Fact]
    public void Source_windows_hold_the_documented_features()
    {
        RecordingObserver observer = new();
        Scene scene = NewScene(new TrustOptions { Observer = observer });
        Mover a = new(MidBlock(scene, 260), 10);
        Mover b = new(MidBlock(scene, 200), 10);
        Run(0, 10_000, t =>
        {
            if (t % 200 == 0)
            {
                scene.Feed(scene.Bsm(1, t, a.Pose, a.SpeedMps)); // 5 Hz: half the expected reports
            }

            scene.Feed(scene.Bsm(2, t, b.Pose, b.SpeedMps)); // never seen by the RSU
            scene.Feed(scene.Rsm(Rsu02, t, new RsmTarget(3, ParticipantType.Motor, a.Pose.Left(2), a.SpeedMps, 1))); // 2 m off
            a.Step();
            b.Step();
        });

        long end = Scene.Start + 10_000;
        float[] va = Window(observer, SourceKind.Obu, 1, end);
        float[] vb = Window(observer, SourceKind.Obu, 2, end);
        float[] rsu = Window(observer, SourceKind.Rsu, Rsu02, end);

        Assert.Equal(5, va[SourceFeatures.MessageRateHz], 3);
        Assert.Equal(10, vb[SourceFeatures.MessageRateHz], 3);
        Assert.Equal(10, rsu[SourceFeatures.MessageRateHz], 3);
        Assert.Equal(5, va[SourceFeatures.MeanLatencyMs], 3); // the Scene's ingest stamp is 5 ms after generation
        Assert.Equal(1 - (50 / 99f), va[SourceFeatures.DropoutShare], 3); // 50 reports over 0..9.8 s
        Assert.Equal(0, vb[SourceFeatures.DropoutShare], 3);
        Assert.Equal(0, rsu[SourceFeatures.DropoutShare], 3);
        // The RSU's sightings sit 2 m off the BSM's. Measured leave-one-out (each against the other's latest sighting,
        // not against the fused track between them), both carry the whole 2 m: a pairwise residual is symmetric.
        Assert.InRange(va[SourceFeatures.MeanResidualM], 1.8f, 2.2f);
        Assert.InRange(rsu[SourceFeatures.MeanResidualM], 1.8f, 2.2f);
        Assert.Equal(0, vb[SourceFeatures.MeanResidualM]); // nobody else feeds its track
        Assert.Equal(1, va[SourceFeatures.Partners]);
        Assert.Equal(1, rsu[SourceFeatures.Partners]);
        Assert.Equal(0, vb[SourceFeatures.Partners]);
        Assert.Equal(1, va[SourceFeatures.DisagreeShare]); // 2 m apart: above DisagreeM
        Assert.Equal(0, vb[SourceFeatures.DisagreeShare]);
        Assert.InRange(rsu[SourceFeatures.MedianOffsetM], 1.8f, 2.2f);
        Assert.Equal(0, vb[SourceFeatures.MedianOffsetM]);
        Assert.Equal(0, vb[SourceFeatures.SpeedNoiseMps]);
        Assert.InRange(rsu[SourceFeatures.SpeedNoiseMps], 0f, 0.5f);
        Assert.Equal(1, vb[SourceFeatures.UnseenCoveredShare]); // in RSU-DF-02's coverage, never seen by it
        Assert.InRange(va[SourceFeatures.UnseenCoveredShare], 0f, 0.05f);
        Assert.Equal(0, rsu[SourceFeatures.UnseenCoveredShare]);
        Assert.Equal(0, va[SourceFeatures.RuleFailureRate]);
        Assert.Equal(0, va[SourceFeatures.IsRsu]);
        Assert.Equal(1, rsu[SourceFeatures.IsRsu]);
        Assert.True(float.IsNaN(observer.Sources[^1].Score)); // no scorer

        // One window per source per second of event time, from the first second on.
        Assert.Equal(10, observer.Sources.Count(s => s.Kind == SourceKind.Obu && s.Id.Value == 2));
        Assert.All(observer.Sources, s => Assert.Equal(0, s.EndUtcMs % 1000));
    }

    [Fact]
    public void A_shifted_rsu_disagrees_with_all_its_partners_and_an_rsu_next_to_one_lying_car_with_one_of_three()
    {
        // RSU-DF-02 sees three connected cars by their BSM ids. First it reports all three 2 m to their left (a
        // shifted sensor); then it reports them where they are while the first car's BSMs put it 3 m ahead (a lying
        // car). The residuals are symmetric pair by pair; the partners' share and the median offset are not.
        (float[] rsu, float[] car, float[] other) Play(bool shiftedRsu)
        {
            RecordingObserver observer = new();
            Scene scene = NewScene(new TrustOptions { Observer = observer });
            Mover[] cars = [new(MidBlock(scene, 280), 8), new(MidBlock(scene, 250), 8), new(MidBlock(scene, 220), 8)];
            Run(0, 10_000, t =>
            {
                RsmTarget[] seen = new RsmTarget[cars.Length];
                for (int i = 0; i < cars.Length; i++)
                {
                    LanePose reported = !shiftedRsu && i == 0 ? cars[i].Pose.Ahead(3) : cars[i].Pose;
                    scene.Feed(scene.Bsm((ulong)(i + 1), t, reported, cars[i].SpeedMps));
                    seen[i] = new RsmTarget((ushort)(i + 10), ParticipantType.Motor, shiftedRsu ? cars[i].Pose.Left(2) : cars[i].Pose, cars[i].SpeedMps, (ulong)(i + 1));
                }

                scene.Feed(scene.Rsm(Rsu02, t, seen));
                foreach (Mover c in cars)
                {
                    c.Step();
                }
            });

            long end = Scene.Start + 10_000;
            return (Window(observer, SourceKind.Rsu, Rsu02, end), Window(observer, SourceKind.Obu, 1, end), Window(observer, SourceKind.Obu, 2, end));
        }

        (float[] shifted, float[] shiftedCar, _) = Play(shiftedRsu: true);
        Assert.Equal(3, shifted[SourceFeatures.Partners]);
        Assert.Equal(1, shifted[SourceFeatures.DisagreeShare]);
        Assert.InRange(shifted[SourceFeatures.MedianOffsetM], 1.8f, 2.2f);
        Assert.InRange(shifted[SourceFeatures.MeanResidualM], 1.8f, 2.2f);
        Assert.InRange(shiftedCar[SourceFeatures.MeanResidualM], 1.8f, 2.2f); // symmetric
        Assert.Equal(1, shiftedCar[SourceFeatures.Partners]); // but the car has one partner, the RSU three

        (float[] honest, float[] liar, float[] other) = Play(shiftedRsu: false);
        Assert.Equal(3, honest[SourceFeatures.Partners]);
        Assert.Equal(1 / 3f, honest[SourceFeatures.DisagreeShare], 3);
        Assert.InRange(honest[SourceFeatures.MedianOffsetM], 0f, 0.3f); // the liar's 3 m is one offset of three
        Assert.Equal(1, liar[SourceFeatures.DisagreeShare]);
        Assert.InRange(liar[SourceFeatures.MedianOffsetM], 2.7f, 3.3f);
        Assert.Equal(0, other[SourceFeatures.DisagreeShare]);
        Assert.InRange(other[SourceFeatures.MedianOffsetM], 0f, 0.3f);
    }

    [Fact]
    public void Segment_windows_hold_the_documented_features_and_a_model_level()
    {
        RecordingObserver observer = new();
        Scene scene = NewScene(new TrustOptions { Observer = observer, TrafficModel = new SpeedRatioModel() });
        Mover a = new(MidBlock(scene, 290), 10);
        Mover b = new(MidBlock(scene, 280), 10);
        Run(0, 6000, t =>
        {
            scene.Feed(scene.Bsm(1, t, a.Pose, a.SpeedMps));
            scene.Feed(scene.Bsm(2, t, b.Pose, b.SpeedMps));
            a.Step();
            b.Step();
        });

        LaneSegments segments = scene.Engine.Segments;
        int segment = segments.Locate(b.Pose.X, b.Pose.Y, b.Pose.HeadingDeg);
        Assert.True(segment >= 0);
        Assert.True(segments.LengthM(segment) <= LaneSegments.MaxLengthM);
        (int _, long end, float[] f, TrafficLevel? level) = observer.Segments.Last(s => s.Segment == segment);
        Assert.Equal(Scene.Start + 6000, end);
        Assert.Equal(2, f[SegmentFeatures.VehicleCount]);
        Assert.Equal(2 / (segments.LengthM(segment) / 1000), f[SegmentFeatures.DensityPerKm], 1);
        Assert.Equal(10 / segments.LimitMps(segment), f[SegmentFeatures.MeanSpeedRatio], 2);
        Assert.Equal(16.67, segments.LimitMps(segment), 2);
        Assert.InRange(f[SegmentFeatures.SpeedStdMps], 0f, 0.2f);
        Assert.Equal(0, f[SegmentFeatures.StoppedShare]);
        Assert.Equal(0, f[SegmentFeatures.SpeedTrendMps], 1);
        Assert.Equal(segments.LengthM(segment), f[SegmentFeatures.LengthM], 2);
        Assert.Equal(TrafficLevel.FreeFlow, level); // 10 / 16.67 = 0.6
        Assert.Equal(TrafficLevel.FreeFlow, scene.Engine.SegmentLevel(segment));
        Assert.Null(scene.Engine.SegmentLevel(segments.Count - 1 == segment ? 0 : segments.Count - 1)); // no vehicles there
    }

    [Fact]
    public void A_segment_the_model_calls_congested_raises_tjw_and_without_the_model_the_rule_needs_ten_vehicles()
    {
        static Scene Crawl(TrustOptions trust)
        {
            Scene scene = NewScene(trust);
            Mover[] cars = [.. Enumerable.Range(0, 5).Select(i => new Mover(MidBlock(scene, 300 - (i * 7)), 2))];
            Run(0, 5000, t =>
            {
                for (int i = 0; i < cars.Length; i++)
                {
                    scene.Feed(scene.Bsm((ulong)(i + 1), t, cars[i].Pose, cars[i].SpeedMps));
                    cars[i].Step();
                }
            });
            return scene;
        }

        // The five span two segments (35 m across a cut every 150 m at most): each has three or more, each is jammed.
        Scene model = Crawl(new TrustOptions { TrafficModel = new SpeedRatioModel() });
        Assert.Equal(2, model.Onsets(EventType.Tjw).Count);
        V2xEvent tjw = model.Onsets(EventType.Tjw)[0];
        Assert.Equal(3, tjw.Severity);
        Assert.Equal(3, tjw.Figures["level"]);
        Assert.InRange(tjw.Figures["vehicleCount"], 3, 5);
        Assert.Equal(2, tjw.Figures["meanSpeedMps"], 1);
        Assert.Equal(Dongfeng, tjw.Location);
        Assert.Equal(Scene.Start + 1000, tjw.EventTimeUtcMs); // the first closed window
        int segment = model.Engine.Segments.Locate(MidBlock(model, 290).X, MidBlock(model, 290).Y, MidBlock(model, 290).HeadingDeg);
        Assert.Equal(TrafficLevel.Congested, model.Engine.SegmentLevel(segment));

        Scene rules = Crawl(new TrustOptions());
        Assert.Empty(rules.Of(EventType.Tjw));
        Assert.Null(rules.Engine.SegmentLevel(segment));
    }

    [Fact]
    public void Events_are_the_same_whether_ticks_are_run_by_the_messages_or_by_advances_between_them()
    {
        TrustOptions trust = new() { AnomalyScorer = new UnseenScorer(), TrafficModel = new SpeedRatioModel() };
        Scene oneGo = GhostVehicleTests.Play(trust);
        Scene interleaved = GhostVehicleTests.Play(trust, (scene, t) => scene.AdvanceTo(t));

        Assert.NotEmpty(oneGo.Misbehavior());
        Assert.Equal(Describe(oneGo), Describe(interleaved));
        Assert.Equal(oneGo.Trust().Counters.SourceWindows, interleaved.Trust().Counters.SourceWindows);
    }

    [Fact]
    public void A_message_allocates_nothing_with_trust_on_including_the_second_windows()
    {
        Scene scene = NewScene(new TrustOptions { AnomalyScorer = new UnseenScorer(), TrafficModel = new SpeedRatioModel() });
        // Eight cars at 4 m/s, 20 m apart on two lanes, inside RSU-DF-02's coverage and short of the junction for the 30 s.
        Mover[] cars = [.. Enumerable.Range(0, 8).Select(i => new Mover(MidBlock(scene, 280 - (i * 20)).Left(i % 2 == 0 ? 0 : -3.5), 4))];
        List<V2xMessage> messages = [];
        Run(0, 30_000, t =>
        {
            RsmTarget[] seen = new RsmTarget[cars.Length];
            for (int i = 0; i < cars.Length; i++)
            {
                messages.Add(scene.Bsm((ulong)(i + 1), t, cars[i].Pose, cars[i].SpeedMps));
                seen[i] = new RsmTarget((ushort)(i + 10), ParticipantType.Motor, cars[i].Pose, cars[i].SpeedMps, (ulong)(i + 1));
                cars[i].Step();
            }

            messages.Add(scene.Rsm(Rsu02, t, seen));
        });

        DetectionEngine engine = scene.Engine;
        int warm = messages.Count - (9 * 50); // 25 s: every table has seen its sources, every window has closed
        for (int i = 0; i < warm; i++)
        {
            engine.Process(messages[i]);
            engine.DiscardEvents();
        }

        // Measured around each message (the loop around them is the test's, not the engine's).
        long windows = engine.Counters.Trust.SourceWindows;
        long allocated = 0;
        for (int i = warm; i < messages.Count; i++)
        {
            V2xMessage m = messages[i];
            long before = GC.GetAllocatedBytesForCurrentThread();
            engine.Process(m);
            engine.DiscardEvents();
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, allocated);
        Assert.Equal(45, engine.Counters.Trust.SourceWindows - windows); // 9 sources, the last 5 seconds
        Assert.Equal(0, engine.Counters.Trust.FailedSightings);
    }

    private static float[] Window(RecordingObserver observer, SourceKind kind, ulong id, long end) =>
        observer.Sources.Single(s => s.Kind == kind && s.Id.Value == id && s.EndUtcMs == end).Features;

    private static List<string> Describe(Scene scene) =>
        [.. scene.Events.Select(e => $"{e.Id} {e.Phase} {e.EventTimeUtcMs} {string.Join(",", e.Figures.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"))}")];
}
