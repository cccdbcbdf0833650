using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Tests.Detectors;
using QiZhiChunCheng.Engine.Tests.Harness;
using QiZhiChunCheng.Engine.Trust;
using static QiZhiChunCheng.Engine.Tests.Detectors.LongRoadKit;
using static QiZhiChunCheng.Engine.Tests.Trust.TrustKit;

namespace QiZhiChunCheng.Engine.Tests.Trust;

/// <summary>Each plausibility rule on a crafted message, through the real engine, against clean traffic that fails none.</summary>
public sealed class PlausibilityRuleTests
{
    [Fact]
    public void Clean_traffic_seen_by_its_rsu_fails_no_rule_and_raises_no_misbehavior()
    {
        Scene scene = NewScene();
        Mover a = new(MidBlock(scene, 260), 12);
        Mover b = new(MidBlock(scene, 230).Left(-3.5), 9, 0.5);
        Run(0, 15_000, t =>
        {
            scene.Feed(scene.Bsm(1, t, a.Pose, a.SpeedMps));
            scene.Feed(scene.Bsm(2, t, b.Pose, b.SpeedMps, b.AccelMps2));
            scene.Feed(scene.Rsm(Rsu02, t, new RsmTarget(7, ParticipantType.Motor, a.Pose, a.SpeedMps, 1), new RsmTarget(8, ParticipantType.Motor, b.Pose, b.SpeedMps)));
            a.Step();
            b.Step();
        });

        TrustCounters counters = scene.Trust().Counters;
        Assert.Equal(151 * 4, counters.Sightings);
        Assert.Equal(0, counters.FailedSightings);
        Assert.Equal(0, counters.Dropped);
        Assert.Empty(scene.Misbehavior());
        Assert.Equal(3, scene.Trust().SourceCount);
    }

    [Fact]
    public void A_speed_beyond_any_car_fails_the_speed_rule_and_is_kept_out_of_fusion()
    {
        Scene scene = NewScene();
        Mover a = new(MidBlock(scene, 260), 12);
        Run(0, 2000, t =>
        {
            scene.Feed(scene.Bsm(1, t, a.Pose, t == 1000 ? 95 : a.SpeedMps));
            a.Step();
        });

        Assert.Equal(1, scene.VehicleFailures(1, TrustRule.Speed));
        Assert.Equal(1, scene.Trust().Counters.Dropped);
        Assert.True(scene.Engine.LastTickTracks.ToArray().All(t => t.SpeedMps < 15));
    }

    [Fact]
    public void A_reported_acceleration_beyond_physics_fails_the_accel_rule()
    {
        Scene scene = NewScene();
        Mover a = new(MidBlock(scene, 260), 12);
        Run(0, 2000, t =>
        {
            scene.Feed(scene.Bsm(1, t, a.Pose, a.SpeedMps, accelMps2: t is >= 1000 and < 1300 ? -25 : 0));
            a.Step();
        });

        Assert.Equal(3, scene.VehicleFailures(1, TrustRule.Accel));
        Assert.Equal(0, scene.Trust().Counters.Dropped); // implausible but not impossible to have measured: still fused
    }

    [Fact]
    public void A_position_jump_no_speed_explains_fails_the_jump_rule_once()
    {
        Scene scene = NewScene();
        Mover a = new(MidBlock(scene, 260), 12);
        Run(0, 3000, t =>
        {
            scene.Feed(scene.Bsm(1, t, t == 2000 ? a.Pose.Ahead(60) : a.Pose, a.SpeedMps));
            a.Step();
        });

        // The teleport, and the return from it (which the twin check does not call a second place: only one jump before).
        Assert.Equal(0, scene.VehicleFailures(1, TrustRule.DuplicateId) + scene.VehicleFailures(1, TrustRule.Jump) - 2);
        Assert.True(scene.VehicleFailures(1, TrustRule.Jump) >= 1);
    }

    [Fact]
    public void A_heading_against_the_motion_fails_the_heading_rule()
    {
        Scene scene = NewScene();
        Mover a = new(MidBlock(scene, 260), 12);
        Run(0, 3000, t =>
        {
            LanePose reported = t >= 1000 ? a.Pose.Turned(150) : a.Pose; // drives north-east, says south-west
            scene.Feed(scene.Bsm(1, t, reported, a.SpeedMps));
            a.Step();
        });

        Assert.InRange(scene.VehicleFailures(1, TrustRule.Heading), 9, 11); // every 2 m of motion: every other report
        Assert.Equal(0, scene.VehicleFailures(1, TrustRule.Jump));
    }

    [Fact]
    public void A_vehicle_in_a_field_fails_the_off_lane_rule_and_a_pedestrian_there_does_not()
    {
        Scene scene = NewScene();
        Mover car = new(Field(scene), 10);
        Mover walker = new(Field(scene).Left(20), 1.4);
        Run(0, 2000, t =>
        {
            scene.Feed(scene.Bsm(1, t, car.Pose, car.SpeedMps));
            scene.Feed(scene.Bsm(2, t, walker.Pose, walker.SpeedMps, vehicleClass: 82));
            car.Step();
            walker.Step();
        });

        Assert.Equal(21, scene.VehicleFailures(1, TrustRule.OffLane));
        Assert.Equal(0, scene.VehicleFailures(2, TrustRule.OffLane));
    }

    [Fact]
    public void A_roadside_sighting_outside_its_rsus_coverage_fails_the_coverage_rule()
    {
        Scene scene = NewScene();
        LanePose near = MidBlock(scene, 200);
        LanePose far = Field(scene);
        Run(0, 1000, t => scene.Feed(scene.Rsm(
            Rsu02,
            t,
            new RsmTarget(1, ParticipantType.Pedestrian, near.Left(8), 0),
            new RsmTarget(2, ParticipantType.Pedestrian, far, 0))));

        Assert.Equal(11, scene.Failures(TrustRule.Coverage));
        Assert.Equal(11, scene.Trust().Failures(SourceKind.Rsu, new OctetId8(Rsu02), TrustRule.Coverage));
    }

    [Fact]
    public void An_event_time_ahead_of_the_senders_own_stamp_fails_the_future_rule_and_does_not_move_the_clock()
    {
        Scene scene = NewScene();
        Mover a = new(MidBlock(scene, 260), 12);
        Run(0, 2000, t =>
        {
            scene.Feed(scene.Bsm(1, t, a.Pose, a.SpeedMps));
            a.Step();
        });

        long ticks = scene.Engine.Counters.Ticks;
        scene.Feed(Stamped(scene.Bsm(2, 8000, MidBlock(scene, 100), 10), -6000)); // secMark 6 s after its stamp

        Assert.Equal(1, scene.VehicleFailures(2, TrustRule.Future));
        Assert.Equal(ticks, scene.Engine.Counters.Ticks); // event time did not jump 6 s for everyone
    }

    [Fact]
    public void A_frozen_clock_falls_behind_the_others_and_fails_the_stale_rule()
    {
        Scene scene = NewScene();
        Mover a = new(MidBlock(scene, 260), 12);
        LanePose b = MidBlock(scene, 100);
        Run(0, 5000, t =>
        {
            scene.Feed(scene.Bsm(1, t, a.Pose, a.SpeedMps));
            scene.Feed(scene.Bsm(2, Math.Min(t, 1000), b.Ahead(t / 1000.0), 0)); // its clock stops at 1 s, stamp and secMark alike
            a.Step();
        });

        // Behind by more than 2 s from 3.1 s on: 20 messages.
        Assert.Equal(20, scene.VehicleFailures(2, TrustRule.Stale));
        Assert.Equal(0, scene.VehicleFailures(1, TrustRule.Stale));
    }

    [Fact]
    public void One_id_in_two_places_at_once_fails_the_duplicate_id_rule()
    {
        Scene scene = NewScene();
        Mover real = new(MidBlock(scene, 260), 12);
        Mover twin = new(MidBlock(scene, 160), 12);
        Run(0, 2000, t =>
        {
            scene.Feed(scene.Bsm(1, t, real.Pose, real.SpeedMps));
            scene.Feed(scene.Bsm(1, t + 50, twin.Pose, twin.SpeedMps));
            real.Step();
            twin.Step();
        });

        // 42 reports; the first of each stream is plain, the first switch is a jump, every later switch a twin.
        Assert.Equal(1, scene.VehicleFailures(1, TrustRule.Jump));
        Assert.Equal(40, scene.VehicleFailures(1, TrustRule.DuplicateId));
    }

    [Fact]
    public void An_old_message_sent_again_fails_the_replay_rule_and_a_redelivery_does_not()
    {
        Scene scene = NewScene();
        Mover a = new(MidBlock(scene, 260), 12);
        List<V2xMessage> sent = [];
        Run(0, 3000, t =>
        {
            V2xMessage m = scene.Bsm(1, t, a.Pose, a.SpeedMps);
            sent.Add(m);
            scene.Feed(m);
            if (t == 1500)
            {
                scene.Feed(m); // the broker delivered it twice: not evidence
            }

            if (t == 2500)
            {
                scene.Feed(sent[15]); // the message of 1.5 s, sent again at 2.5 s
            }

            a.Step();
        });

        Assert.Equal(1, scene.VehicleFailures(1, TrustRule.Replay));
        Assert.Equal(1, scene.Trust().Counters.FailedSightings);
        Assert.Equal(2, scene.Trust().Counters.Dropped);
    }
}
