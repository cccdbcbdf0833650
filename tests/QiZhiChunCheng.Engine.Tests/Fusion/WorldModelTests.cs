using QiZhiChunCheng.Engine.World;
using static QiZhiChunCheng.Engine.Tests.Fusion.Sightings;

namespace QiZhiChunCheng.Engine.Tests.Fusion;

/// <summary>The world model on its own: association, lifecycle, merge, out-of-order handling, determinism.</summary>
public sealed class WorldModelTests
{
    private static FusionOptions Small => new() { Capacity = 256 };

    [Fact]
    public void Two_rsus_without_ids_and_the_bsm_of_one_car_make_one_track()
    {
        WorldModel world = new(Small);
        long? id = null;
        for (long t = 0; t <= 5000; t += 100)
        {
            double s = t / 1000.0 * 12;
            (double x, double y) = Along(0, 0, 61, s);
            world.Observe(Bsm(7, t + 10, x + 0.6, y - 0.4, 61, 12));
            world.ObserveFrame(new(101), [Rsm(101, 5, t + 30, x + 0.1, y, 61, 12)]);
            world.ObserveFrame(new(102), [Rsm(102, 40, t + 60, x, y - 0.15, 61, 12)]);
            TrackState[] tracks = Snapshot(world, t + 100);
            Assert.Equal(1, world.Count);
            Assert.Single(tracks);
            id ??= tracks[0].TrackId;
            Assert.Equal(id, tracks[0].TrackId);
            Assert.True(tracks[0].Participant.IsVehicle);
            Assert.Equal(7UL, tracks[0].Participant.VehicleId.Value);
            if (t >= 300)
            {
                Assert.Equal(3, tracks[0].SourceCount);
            }
        }

        Assert.Equal(0, world.Counters.Merges);
    }

    [Fact]
    public void A_bsm_takes_over_the_roadside_track_of_its_vehicle()
    {
        WorldModel world = new(Small);
        for (long t = 0; t < 1000; t += 100)
        {
            (double x, double y) = Along(0, 0, 153, t / 1000.0 * 10);
            world.ObserveFrame(new(101), [Rsm(101, 9, t, x, y, 153, 10)]);
        }

        TrackState before = Assert.Single(Snapshot(world, 1000));
        Assert.False(before.Participant.IsVehicle);
        Assert.False(before.HasBsm);

        for (long t = 1000; t < 2000; t += 100)
        {
            (double x, double y) = Along(0, 0, 153, t / 1000.0 * 10);
            world.ObserveFrame(new(101), [Rsm(101, 9, t, x, y, 153, 10)]);
            world.Observe(Bsm(0xABCDEF, t + 20, x - 0.7, y + 0.5, 153, 10));
        }

        TrackState after = Assert.Single(Snapshot(world, 2000));
        Assert.Equal(before.TrackId, after.TrackId);
        Assert.True(after.HasBsm);
        Assert.Equal(ParticipantRef.Vehicle(new(0xABCDEF)), after.Participant);
        Assert.Equal(1, world.Counters.Adoptions);
        Assert.Equal(1, world.Count);
    }

    [Fact]
    public void A_bsm_next_to_an_unconnected_car_in_the_next_lane_gets_its_own_track()
    {
        WorldModel world = new(Small);
        for (long t = 0; t < 1000; t += 100)
        {
            (double x, double y) = Along(0, 0, 61, t / 1000.0 * 10);
            world.ObserveFrame(new(101), [Rsm(101, 9, t, x, y, 61, 10)]);
        }

        (double bx, double by) = Along(0, 0, 61, 10);
        world.Observe(Bsm(5, 1000, bx - (3.5 * Math.Cos(61 * Math.PI / 180)), by + (3.5 * Math.Sin(61 * Math.PI / 180)), 61, 10));

        Assert.Equal(2, Snapshot(world, 1000).Length);
        Assert.Equal(0, world.Counters.Adoptions);
    }

    [Fact]
    public void Pedestrians_crossing_paths_keep_their_identities_without_persistent_roadside_ids()
    {
        // Two pedestrians walk towards each other 0.8 m apart laterally; the RSU gives new ids every frame, so
        // only the filter (position and velocity) can keep them apart where they pass.
        WorldModel world = new(Small);
        ushort ptc = 0;
        for (long t = 0; t <= 8000; t += 100)
        {
            double s = t / 1000.0 * 1.4;
            Observation a = Rsm(101, ++ptc, t, -5.6 + s, 0, 90, 1.4, ParticipantKind.Pedestrian);
            Observation b = Rsm(101, ++ptc, t, 5.6 - s, 0.8, 270, 1.4, ParticipantKind.Pedestrian);
            world.ObserveFrame(new(101), t % 200 == 0 ? [a, b] : [b, a]);
        }

        TrackState[] tracks = Snapshot(world, 8000);
        Assert.Equal(2, tracks.Length);
        TrackState first = tracks.MinBy(x => x.TrackId);
        TrackState second = tracks.MaxBy(x => x.TrackId);
        Assert.Equal(-5.6 + 11.2, first.XM, 0.5); // the eastbound walker, created first, ends in the east
        Assert.Equal(0, first.YM, 0.4);
        Assert.Equal(5.6 - 11.2, second.XM, 0.5);
        Assert.Equal(0.8, second.YM, 0.4);
        Assert.All(tracks, x => Assert.Equal(ParticipantKind.Pedestrian, x.Kind));
    }

    [Fact]
    public void Vehicles_on_crossing_approaches_passing_within_one_metre_do_not_swap()
    {
        // One drives north-east (61°), one south (153°); their paths cross at the origin 200 ms apart (about 1.5 m).
        WorldModel world = new(Small);
        for (long t = -3000; t <= 3000; t += 100)
        {
            (double ax, double ay) = Along(0, 0, 61, t / 1000.0 * 10);
            (double bx, double by) = Along(0, 0, 153, ((t / 1000.0) - 0.15) * 10);
            world.ObserveFrame(new(101), [Rsm(101, 1, t, ax, ay, 61, 10), Rsm(101, 2, t, bx, by, 153, 10)]);
            world.ObserveFrame(new(102), [Rsm(102, 70, t + 40, bx + 0.2, by, 153, 10), Rsm(102, 71, t + 40, ax, ay - 0.2, 61, 10)]);
        }

        TrackState[] tracks = Snapshot(world, 3000);
        Assert.Equal(2, tracks.Length);
        TrackState a1 = tracks.Single(x => x.Participant.PtcId == 1);
        TrackState b1 = tracks.Single(x => x.Participant.PtcId == 2);
        (double ex, double ey) = Along(0, 0, 61, 30);
        Assert.True(Math.Abs(a1.XM - ex) < 1 && Math.Abs(a1.YM - ey) < 1, $"{a1.XM} {a1.YM}");
        Assert.Equal(61, a1.HeadingDeg, 3.0);
        Assert.Equal(153, b1.HeadingDeg, 3.0);
        Assert.Equal(0, world.Counters.Merges);
    }

    [Fact]
    public void A_target_leaving_coverage_coasts_then_is_deleted_and_comes_back_as_a_new_track()
    {
        WorldModel world = new(Small);
        for (long t = 0; t <= 2000; t += 100)
        {
            world.ObserveFrame(new(101), [Rsm(101, 3, t, t / 100.0, 0, 90, 10)]);
        }

        TrackState seen = Assert.Single(Snapshot(world, 2100));
        Assert.Equal(TrackStatus.Confirmed, seen.Status);

        TrackState coasting = Assert.Single(Snapshot(world, 2400));
        Assert.Equal(TrackStatus.Coasting, coasting.Status);
        Assert.Equal(24, coasting.XM, 0.5); // predicted on at 10 m/s
        Assert.True(coasting.PosSigmaM > seen.PosSigmaM);

        Assert.Single(Snapshot(world, 3500));
        Assert.Empty(Snapshot(world, 3600));
        Assert.Equal(0, world.Count);
        Assert.Equal(1, world.Counters.TracksDeleted);

        for (long t = 5000; t <= 5500; t += 100)
        {
            world.ObserveFrame(new(101), [Rsm(101, 3, t, 50 + (t / 100.0), 0, 90, 10)]);
        }

        TrackState again = Assert.Single(Snapshot(world, 5500));
        Assert.NotEqual(seen.TrackId, again.TrackId);
        Assert.True(again.TrackId > seen.TrackId);
    }

    [Fact]
    public void A_false_target_seen_once_is_never_confirmed()
    {
        WorldModel world = new(Small);
        world.ObserveFrame(new(101), [Rsm(101, 99, 0, 30, 30, 0, 0, ParticipantKind.Pedestrian)]);
        Assert.Equal(1, world.Count);
        for (long t = 100; t <= 1000; t += 100)
        {
            world.ObserveFrame(new(101), [Rsm(101, 1, t, 0, t / 100.0, 0, 10)]);
            Assert.DoesNotContain(Snapshot(world, t), x => x.Kind == ParticipantKind.Pedestrian);
        }

        Assert.Equal(1, world.Count); // the ghost is gone, the car stays
    }

    [Fact]
    public void A_pedestrian_and_a_vehicle_at_one_spot_stay_two_tracks_of_their_own_kinds()
    {
        WorldModel world = new(Small);
        for (long t = 0; t <= 1500; t += 100)
        {
            // A pedestrian waits at the kerb while a slow car creeps past 1 m away; new ids every frame.
            world.ObserveFrame(new(101), [
                Rsm(101, (ushort)(t / 50), t, 0, 1, 90, 0.2, ParticipantKind.Pedestrian),
                Rsm(101, (ushort)((t / 50) + 1), t, -1 + (t / 1000.0), 0, 90, 1, ParticipantKind.Vehicle),
            ]);
        }

        TrackState[] tracks = Snapshot(world, 1500);
        Assert.Equal(2, tracks.Length);
        Assert.Single(tracks, x => x.Kind == ParticipantKind.Pedestrian && Math.Abs(x.YM - 1) < 0.3);
        Assert.Single(tracks, x => x.Kind == ParticipantKind.Vehicle && Math.Abs(x.YM) < 0.3);
    }

    [Fact]
    public void An_out_of_order_sighting_is_counted_and_does_not_move_the_track_back()
    {
        WorldModel world = new(Small);
        for (long t = 0; t <= 1000; t += 100)
        {
            world.Observe(Bsm(1, t, 0, t / 100.0, 0, 10));
        }

        world.Observe(Bsm(1, 500, 0, 5, 0, 10)); // half a second late
        Assert.Equal(1, world.Counters.OutOfOrder);
        TrackState t1 = Assert.Single(Snapshot(world, 1000));
        Assert.Equal(10, t1.YM, 0.5);
        Assert.Equal(10, t1.SpeedMps, 0.5);
        Assert.Equal(T0 + 1000, t1.LastUpdateUtcMs);
    }

    [Fact]
    public void A_late_roadside_sighting_still_confirms_a_track()
    {
        WorldModel world = new(new FusionOptions { Capacity = 16, ConfirmHits = 3 });
        world.ObserveFrame(new(101), [Rsm(101, 1, 200, 0, 2, 0, 10)]);
        world.ObserveFrame(new(101), [Rsm(101, 1, 300, 0, 3, 0, 10)]);
        Assert.Empty(Snapshot(world, 300));
        world.ObserveFrame(new(101), [Rsm(101, 1, 100, 0, 1, 0, 10)]); // delayed frame
        TrackState t = Assert.Single(Snapshot(world, 300));
        Assert.Equal(3, t.YM, 0.3);
        Assert.Equal(1, world.Counters.OutOfOrder);
    }

    [Fact]
    public void Duplicate_tracks_of_one_car_converging_are_merged_into_the_older()
    {
        // RSU 102 first reports the car 6 m off (outside the gate: a second track), then drifts onto it.
        WorldModel world = new(Small);
        for (long t = 0; t <= 3000; t += 100)
        {
            double s = t / 1000.0 * 10;
            double offset = Math.Max(0.3, 6 - (t / 1000.0 * 3));
            world.ObserveFrame(new(101), [Rsm(101, 1, t, s, 0, 90, 10)]);
            world.ObserveFrame(new(102), [Rsm(102, 1, t + 50, s + 0.5, offset, 90, 10)]);
        }

        TrackState[] tracks = Snapshot(world, 3000);
        TrackState only = Assert.Single(tracks);
        Assert.Equal(1, only.TrackId);
        Assert.Equal(1, world.Counters.Merges);
        Assert.Equal(2, only.SourceCount);
    }

    [Fact]
    public void Two_cars_side_by_side_seen_by_one_rsu_never_merge()
    {
        WorldModel world = new(Small);
        for (long t = 0; t <= 3000; t += 100)
        {
            double s = t / 1000.0 * 10;
            world.ObserveFrame(new(101), [Rsm(101, 1, t, s, 0, 90, 10), Rsm(101, 2, t, s, 1.6, 90, 10)]);
        }

        Assert.Equal(2, Snapshot(world, 3000).Length);
        Assert.Equal(0, world.Counters.Merges);
    }

    [Fact]
    public void A_scan_sent_as_several_rsms_keeps_neighbours_in_different_rsms_apart()
    {
        // One RSU scan of 20 pedestrians comes as two RSMs (16 + 4) with the same time. Pedestrian k and k + 16 walk
        // side by side 0.5 m apart, so each is inside the other's gates, but they are in different RSMs. Neither the
        // association (the first RSM's update is fresh) nor the merge (one track is a scan older between the RSMs)
        // may fold them into one track.
        WorldModel world = new(Small);
        Observation[] first = new Observation[16];
        Observation[] second = new Observation[4];
        for (long t = 0; t <= 3000; t += 100)
        {
            double s = t / 1000.0 * 1.2;
            for (int k = 0; k < 16; k++)
            {
                first[k] = Rsm(101, (ushort)(k + 1), t, (k % 4 * 4.0) + s, k / 4 * 6.0, 90, 1.2, ParticipantKind.Pedestrian);
            }

            for (int k = 0; k < 4; k++)
            {
                second[k] = Rsm(101, (ushort)(k + 17), t, (k % 4 * 4.0) + s, (k / 4 * 6.0) + 0.5, 90, 1.2, ParticipantKind.Pedestrian);
            }

            world.ObserveFrame(new(101), first);
            world.ObserveFrame(new(101), second);
            if (t >= 200)
            {
                Assert.Equal(20, Snapshot(world, t + 100).Length); // confirmed after three scans, then every scan
            }
        }

        TrackState[] tracks = Snapshot(world, 3100);
        Assert.Equal(20, tracks.Length);
        Assert.Equal(20, world.Counters.TracksCreated);
        Assert.Equal(0, world.Counters.Merges);
    }

    [Fact]
    public void A_recycled_roadside_id_far_away_does_not_glue_two_objects()
    {
        WorldModel world = new(Small);
        for (long t = 0; t <= 1000; t += 100)
        {
            world.ObserveFrame(new(101), [Rsm(101, 7, t, t / 100.0, 0, 90, 10)]);
        }

        TrackState car = Assert.Single(Snapshot(world, 1000));
        for (long t = 1100; t <= 1500; t += 100)
        {
            world.ObserveFrame(new(101), [Rsm(101, 7, t, 10, 25, 0, 1.2, ParticipantKind.Pedestrian)]);
        }

        TrackState[] tracks = Snapshot(world, 1500);
        Assert.Equal(2, tracks.Length);
        Assert.Contains(tracks, x => x.TrackId == car.TrackId && x.Kind == ParticipantKind.Vehicle && x.Status == TrackStatus.Coasting);
        Assert.Contains(tracks, x => x.TrackId != car.TrackId && x.Kind == ParticipantKind.Pedestrian);
    }

    [Fact]
    public void A_roadside_id_with_the_vehicle_id_joins_the_bsm_track_and_names_it()
    {
        WorldModel world = new(Small);
        for (long t = 0; t <= 1000; t += 100)
        {
            world.ObserveFrame(new(101), [Rsm(101, 4, t, 0, t / 100.0, 0, 10, vehicleId: 0x42)]);
            world.Observe(Bsm(0x42, t + 30, 1.5, (t / 100.0) + 0.3, 0, 10));
        }

        TrackState t1 = Assert.Single(Snapshot(world, 1000));
        Assert.Equal(ParticipantRef.Vehicle(new(0x42)), t1.Participant);
        Assert.True(t1.HasBsm);
        Assert.Equal(2, t1.SourceCount);
    }

    [Fact]
    public void Attributes_come_from_the_bsm_first_and_flags_from_the_newest_bsm()
    {
        WorldModel world = new(Small);
        Observation b = Bsm(1, 0, 0, 0, 0, 10);
        b.Flags = ParticipantFlags.HazardLights;
        b.AccelMps2 = -1;
        b.LengthM = 12;
        b.VehicleClass = 40;
        world.Observe(b);
        Observation r = Rsm(101, 1, 50, 0, 0.5, 0, 10);
        r.Flags = ParticipantFlags.HardBraking;
        r.Kind = ParticipantKind.Unknown;
        world.ObserveFrame(new(101), [r]);
        TrackState t1 = Assert.Single(Snapshot(world, 100));
        Assert.Equal(ParticipantFlags.HazardLights | ParticipantFlags.HardBraking, t1.Flags);
        Assert.Equal(12, t1.LengthM);
        Assert.Equal(40, t1.VehicleClass);
        Assert.Equal(ParticipantKind.Vehicle, t1.Kind);
        Assert.Equal(-1, t1.AccelMps2);

        Observation later = Bsm(1, 100, 0, 1, 0, 10);
        world.Observe(later);
        Assert.Equal(ParticipantFlags.HardBraking, Assert.Single(Snapshot(world, 100)).Flags);
    }

    [Fact]
    public void A_stopped_vehicle_keeps_the_heading_it_moved_with()
    {
        WorldModel world = new(Small);
        for (long t = 0; t <= 1000; t += 100)
        {
            world.Observe(Bsm(1, t, t / 200.0, 0, 90, 5));
        }

        for (long t = 1100; t <= 3000; t += 100)
        {
            world.Observe(Bsm(1, t, 5, 0, 0, 0)); // stopped; the unit reports heading 0
        }

        TrackState stopped = Assert.Single(Snapshot(world, 3000));
        Assert.True(stopped.SpeedMps < 0.5, $"{stopped.SpeedMps}");
        Assert.Equal(90, stopped.HeadingDeg, 1.0);
    }

    [Fact]
    public void Same_input_twice_gives_identical_snapshots()
    {
        Assert.Equal(Run(), Run());

        static string Run()
        {
            WorldModel world = new(Small);
            Random random = new(42);
            System.Text.StringBuilder log = new();
            for (long t = 0; t <= 4000; t += 100)
            {
                Observation[] frame = new Observation[6];
                for (int i = 0; i < frame.Length; i++)
                {
                    frame[i] = Rsm(101, (ushort)random.Next(1000), t, (i * 4) + (t / 100.0) + (random.NextDouble() * 0.4), i * 3.5, 90, 10);
                }

                world.ObserveFrame(new(101), frame);
                world.Observe(Bsm(9, t + 20, 4 + (t / 100.0) + random.NextDouble(), 3.5, 90, 10));
                foreach (TrackState s in Snapshot(world, t + 100))
                {
                    log.Append(s.TrackId).Append(' ').Append(s.XM.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append(' ')
                        .Append(s.YM.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append(' ').Append(s.Participant.ToString()).Append('\n');
                }
            }

            return log.ToString();
        }
    }
}
