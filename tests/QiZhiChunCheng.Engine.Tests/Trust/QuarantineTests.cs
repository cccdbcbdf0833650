using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Tests.Detectors;
using QiZhiChunCheng.Engine.Tests.Harness;
using QiZhiChunCheng.Engine.Trust;
using static QiZhiChunCheng.Engine.Tests.Detectors.LongRoadKit;
using static QiZhiChunCheng.Engine.Tests.Trust.TrustKit;

namespace QiZhiChunCheng.Engine.Tests.Trust;

/// <summary>Quarantine, release and the MISBEHAVIOR event, through the real engine.</summary>
public sealed class QuarantineTests
{
    [Fact]
    public void A_vehicle_that_keeps_failing_is_quarantined_named_with_its_evidence_and_released_after_a_clean_period()
    {
        Scene scene = NewScene();
        Mover field = new(Field(scene), 10);
        Run(0, 5000, t =>
        {
            scene.Feed(scene.Bsm(1, t, field.Pose, field.SpeedMps));
            field.Step();
        });

        // Quarantined at the first second with ten failures: 1 s (11 reports, all off lane).
        V2xEvent onset = Assert.Single(scene.Onsets(EventType.Misbehavior));
        Assert.Equal(EventPhase.Onset, onset.Phase);
        Assert.Equal(Scene.Start + 1000, onset.EventTimeUtcMs);
        Assert.Equal($"MISBEHAVIOR-{Hex(1)}-{Scene.Start + 1000}", onset.Id);
        Assert.Equal([Hex(1)], onset.Participants);
        Assert.Equal((int)TrustRule.OffLane, onset.Figures["ruleCode"]);
        Assert.Equal(10, onset.Figures["failureCount"]); // the window ending at 1 s holds the reports of 0 to 0.9 s
        Assert.Equal(1.0, onset.Figures["failureShare"]);
        Assert.False(onset.Figures.ContainsKey("anomalyScore")); // no scorer
        (double lat, double lon) = scene.Map.Frame.ToWgs84(Field(scene).Ahead(10).X, Field(scene).Ahead(10).Y);
        Assert.Equal(lat, onset.LatitudeDeg, 4);
        Assert.Equal(lon, onset.LongitudeDeg, 4);
        Assert.True(scene.Trust().IsQuarantined(SourceKind.Obu, new OctetId8(1)));
        Assert.DoesNotContain(scene.Engine.LastTickTracks.ToArray(), t => t.Participant.IsVehicle && t.Participant.VehicleId.Value == 1);

        // Back on Dongfeng Street at 72 km/h (limit 60): its reports are clean now but feed nothing until it is
        // released, so no SLW while quarantined; released 10 s after its last failing window.
        Mover road = new(MidBlock(scene, 400), 20);
        Run(5100, 30_000, t =>
        {
            scene.Feed(scene.Bsm(1, t, road.Pose, road.SpeedMps));
            road.Step();
        });

        V2xEvent clear = Assert.Single(scene.Misbehavior(), e => e.Phase == EventPhase.Clear);
        Assert.Equal(onset.Id, clear.Id);
        Assert.False(scene.Trust().IsQuarantined(SourceKind.Obu, new OctetId8(1)));
        Assert.Equal(1, scene.Trust().Counters.Releases);
        V2xEvent slw = Assert.Single(scene.Onsets(EventType.Slw));
        Assert.True(slw.EventTimeUtcMs > clear.EventTimeUtcMs, $"SLW at {slw.EventTimeUtcMs - Scene.Start} ms, released at {clear.EventTimeUtcMs - Scene.Start} ms");
        // The last failing window ends at 12 s (30 failures of 2-5 s among 100 sightings of 2-12 s: 30 %); released
        // 10 s later, at 22 s; the event clears half a second after its last report.
        Assert.Equal(22_400, clear.EventTimeUtcMs - Scene.Start);
    }

    [Fact]
    public void A_few_failures_among_many_clean_reports_do_not_quarantine()
    {
        Scene scene = NewScene();
        Mover a = new(MidBlock(scene, 300), 12);
        Run(0, 12_000, t =>
        {
            scene.Feed(scene.Bsm(1, t, a.Pose, a.SpeedMps, accelMps2: t % 1000 == 0 ? 30 : 0)); // one bad accel a second: 10 %
            a.Step();
        });

        Assert.True(scene.VehicleFailures(1, TrustRule.Accel) >= 12);
        Assert.Empty(scene.Misbehavior());
    }

    [Fact]
    public void An_rsu_reporting_outside_its_coverage_is_quarantined_under_its_topic_name_at_its_site()
    {
        Scene scene = NewScene();
        LanePose far = Field(scene);
        Run(0, 3000, t => scene.Feed(scene.Rsm(Rsu02, t, new RsmTarget(1, ParticipantType.Pedestrian, far.Ahead(t / 1000.0), 1))));

        V2xEvent onset = Assert.Single(scene.Onsets(EventType.Misbehavior));
        Assert.Equal(["RSU-DF-02"], onset.Participants); // the zone's name of 5253554446303032, as in its MQTT topic
        Assert.StartsWith("MISBEHAVIOR-RSU-DF-02-", onset.Id, StringComparison.Ordinal);
        Assert.Equal((int)TrustRule.Coverage, onset.Figures["ruleCode"]);
        Core.Zone.RsuSite site = Rsus.Single(r => r.RsuId.Value == Rsu02);
        Assert.Equal(site.Pos.LatitudeDeg, onset.LatitudeDeg, 5);
        Assert.Equal(site.Pos.LongitudeDeg, onset.LongitudeDeg, 5);
        Assert.True(scene.Trust().IsQuarantined(SourceKind.Rsu, new OctetId8(Rsu02)));
        Assert.Empty(scene.Engine.LastTickTracks.ToArray()); // its phantom's track went with it
    }

    [Fact]
    public void Without_the_zones_list_an_rsu_is_named_by_its_envelope_and_placed_at_its_reference_position()
    {
        Scene scene = new(ZoneFixture.Options); // trust on by default, no RSU list: the circle around RefPos
        LanePose far = Field(scene).Ahead(2000);
        Run(0, 3000, t => scene.Feed(scene.Rsm(Rsu02, t, new RsmTarget(1, ParticipantType.Pedestrian, far, 0))));

        V2xEvent onset = Assert.Single(scene.Onsets(EventType.Misbehavior));
        Assert.Equal(["RSU-TEST"], onset.Participants);
        (double lat, double lon) = scene.Map.Frame.ToWgs84(0, 0); // Scene's RSMs give the map origin as RefPos
        Assert.Equal(lat, onset.LatitudeDeg, 5);
        Assert.Equal(lon, onset.LongitudeDeg, 5);
    }

    [Fact]
    public void With_trust_off_nothing_is_checked_and_no_misbehavior_is_raised()
    {
        Scene scene = new(ZoneFixture.Options with { Trust = new TrustOptions { Enabled = false } });
        Mover field = new(Field(scene), 10);
        Run(0, 5000, t =>
        {
            scene.Feed(scene.Bsm(1, t, field.Pose, field.SpeedMps));
            field.Step();
        });

        Assert.Null(scene.Engine.Trust);
        Assert.Empty(scene.Misbehavior());
        Assert.Equal(0, scene.Engine.Counters.Trust.Sightings);
    }
}
