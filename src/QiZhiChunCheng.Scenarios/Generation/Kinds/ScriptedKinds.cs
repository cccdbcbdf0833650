using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.Scenarios.Format;
using static QiZhiChunCheng.Scenarios.Generation.Kinds.Stage;

namespace QiZhiChunCheng.Scenarios.Generation.Kinds;

/// <summary>
/// One scripted scenario per Day-1 application, each with its near miss (<c>negative</c>): the geometries of the
/// engine's detector tests, played as message streams through the sensor models on the real zone map. The
/// expectations come from the truth: the first moment the documented trigger holds on the true states, with
/// 1.5 s either side for the sensors and the fusion, and the moment the conflict would happen.
/// </summary>
internal static class ScriptedKinds
{
    // Lanes by MAP ids (node, upstream node, laneID).
    private static readonly (ushort, ushort, byte) NeLeft = (1, 11, 1);
    private static readonly (ushort, ushort, byte) NeStraight = (1, 11, 2);
    private static readonly (ushort, ushort, byte) NeKerb = (1, 11, 3);
    private static readonly (ushort, ushort, byte) SwStraight = (1, 2, 2);
    private static readonly (ushort, ushort, byte) SbStraight = (1, 12, 2);
    private const double Kmh50 = 50 / 3.6;

    private static readonly Dictionary<string, Func<int, bool, ScenarioDraft>> Builders = new(StringComparer.OrdinalIgnoreCase)
    {
        ["fcw"] = Fcw,
        ["icw"] = Icw,
        ["lta"] = Lta,
        ["bsw"] = Bsw,
        ["dnpw"] = Dnpw,
        ["ebw"] = Ebw,
        ["avw"] = Avw,
        ["clw"] = Clw,
        ["hlw"] = Hlw,
        ["slw"] = Slw,
        ["rlvw"] = Rlvw,
        ["vrucw"] = Vrucw,
        ["glosa"] = Glosa,
        ["ivs"] = Ivs,
        ["tjw"] = Tjw,
        ["evw"] = Evw,
        ["winter"] = Winter,
    };

    public static IEnumerable<string> Kinds => Builders.Keys;

    public static bool TryBuild(string kind, int seed, bool negative, out ScenarioDraft? draft)
    {
        draft = Builders.TryGetValue(kind, out Func<int, bool, ScenarioDraft>? build) ? build(seed, negative) : null;
        return draft is not null;
    }

    // A scripted scene is sensed by the two RSUs nearest to where it starts (the ones whose coverage it is in), which
    // keeps the committed files small; random traffic is sensed by every RSU.
    private static ScenarioDraft Draft(Stage stage, ScenarioManifest manifest, Func<World, ExpectedEvents> expectations)
    {
        double x = stage.World.Actors.Average(a => a.StartX), y = stage.World.Actors.Average(a => a.StartY);
        stage.World.SensingRsus = stage.Zone.Rsus.OrderBy(r => ((r.XM - x) * (r.XM - x)) + ((r.YM - y) * (r.YM - y))).Take(2).Select(r => r.DeviceId).ToHashSet();
        return new() { Manifest = manifest, World = stage.World, Expectations = expectations };
    }

    // Bumper-to-bumper gap and TTC between a follower and its leader on one lane, from the truth.
    private static double Gap(TrackPoint follower, TrackPoint leader, double lengths = 4.8) => follower.AheadOf(leader) - lengths;

    private static double Ttc(TrackPoint f, TrackPoint l, double lengths = 4.8) =>
        f.SpeedMps - l.SpeedMps > 0.5 ? Gap(f, l, lengths) / (f.SpeedMps - l.SpeedMps) : double.PositiveInfinity;

    /// <summary>FCW: a car closing on a slow van in its lane mid-block; the near miss: the van is in the next lane.</summary>
    private static ScenarioDraft Fcw(int seed, bool negative)
    {
        Stage s = new(seed, Day + 60_000);
        Vehicle? van = null;
        long brakeAt = long.MaxValue;
        Vehicle host = s.Car(NeStraight, 250, 16, accel: c =>
        {
            double gap = van!.SM - c.SM - 4.8;
            if (!negative && brakeAt == long.MaxValue && c.SpeedMps - van.SpeedMps > 0.5 && gap / (c.SpeedMps - van.SpeedMps) < 2.5)
            {
                brakeAt = c.TMs + 800; // the driver reacts 0.8 s after the moment a warning is due
            }

            return c.TMs >= brakeAt ? (c.SpeedMps > van.SpeedMps ? -3.5 : Hold(c, van.SpeedMps)) : 0;
        });
        van = s.Car(negative ? NeKerb : NeStraight, 190, 8.3, connected: false, accel: c => 0);
        ScenarioManifest m = Manifest(
            negative ? "fcw-dongfeng-near-miss" : "fcw-dongfeng-rear-end",
            "FCW",
            negative
                ? "A car at 58 km/h overtakes a van doing 30 km/h in the next lane on Dongfeng Street: the same closing speed as the rear-end case, but not in its lane."
                : "A car at 58 km/h closes on a van doing 30 km/h in its lane on Dongfeng Street (the van is seen only by the roadside unit) and brakes late: a forward collision warning.",
            negative, seed, s.World.StartUtcMs, negative ? 5600 : 9000);
        return Draft(s, m, w =>
        {
            if (negative)
            {
                return new ExpectedEvents { Forbidden = [Forbid("FCW", host.Id)] };
            }

            long t = First(w, host.Id, van.Id, (a, b) => Ttc(a, b) < 2.5);
            TrackPoint h = new(w.Track[host.Id].First(p => p.T == t));
            TrackPoint v = new(w.Track[van.Id].First(p => p.T == t));
            return new ExpectedEvents { Expected = [Expect("FCW", t, t + (long)(Ttc(h, v) * 1000), host.Id, van.Id)] };
        });
    }

    /// <summary>ICW: two cars reach the Feiyue junction's crossing together with its signals dark; the near miss: 2.5 s after the first has cleared.</summary>
    private static ScenarioDraft Icw(int seed, bool negative)
    {
        Stage s = new(seed, Day + 120_000);
        const double Feiyue = 11.1;
        var (entryA, exitA, entryB, _) = Conflict(s, NeStraight, AllowedManeuvers.Straight, SbStraight, AllowedManeuvers.Straight);
        double arriveNe = 5.05;
        double arriveSb = negative ? arriveNe + ((exitA - entryA) / Kmh50) + 2.5 : 5.05;
        Vehicle ne = s.Car(NeStraight, (Kmh50 * arriveNe) - entryA, Kmh50, [AllowedManeuvers.Straight], accel: c => 0);
        Vehicle sb = s.Car(SbStraight, (Feiyue * arriveSb) - entryB, Feiyue, [AllowedManeuvers.Straight],
            accel: c => !negative && c.TMs >= 3800 ? -6 : 0); // the warned driver stops short of the crossing
        ScenarioManifest m = Manifest(
            negative ? "icw-feiyue-near-miss" : "icw-feiyue-crossing",
            "ICW",
            negative
                ? "With the Feiyue junction's signals dark, a south-bound car crosses Dongfeng Street 2.5 s after a north-east-bound car has cleared the crossing of their paths."
                : "With the Feiyue junction's signals dark, a north-east-bound car at 50 km/h and a south-bound car at 40 km/h reach the crossing of their paths together; the south-bound driver stops short at the last moment.",
            negative, seed, s.World.StartUtcMs, negative ? 10_000 : 7000);
        return Draft(s, m, w =>
        {
            if (negative)
            {
                return new ExpectedEvents { Forbidden = [Forbid("ICW")] };
            }

            long t = (long)((arriveNe - 3.0) * 1000);
            long conflict = (long)(arriveNe * 1000);
            return new ExpectedEvents { Expected = [Expect("ICW", t, conflict, ne.Id, sb.Id), Expect("ICW", t, conflict, sb.Id, ne.Id)] };
        });
    }

    /// <summary>LTA: a car waiting to turn left at Feiyue with an oncoming car under 5 s away; the near miss: the oncoming car stops at its stop line.</summary>
    private static ScenarioDraft Lta(int seed, bool negative)
    {
        Stage s = new(seed, Day + 180_000);
        const double Oncoming = 16.6;
        var (_, _, entryB, _) = Conflict(s, NeLeft, AllowedManeuvers.Left, SwStraight, AllowedManeuvers.Straight);
        const double ArriveS = 8.05;
        Vehicle turner = s.Car(NeLeft, 2, 0, [AllowedManeuvers.Left], accel: c => c.TMs < 9500 ? 0 : null);
        Vehicle oncoming = negative
            ? s.Car(SwStraight, 47, Oncoming, [AllowedManeuvers.Straight], accel: c => -3)
            : s.Car(SwStraight, (Oncoming * ArriveS) - entryB, Oncoming, [AllowedManeuvers.Straight], accel: c => 0);
        ScenarioManifest m = Manifest(
            negative ? "lta-feiyue-near-miss" : "lta-feiyue-left-turn",
            "LTA",
            negative
                ? "A car waits to turn left from Dongfeng Street at Feiyue Road while the oncoming car at 60 km/h brakes to a stop at its own stop line."
                : "A car waits to turn left from Dongfeng Street at Feiyue Road (signals dark) as an oncoming car at 60 km/h comes through; it turns once the car has passed.",
            negative, seed, s.World.StartUtcMs, negative ? 8000 : 12_000);
        return Draft(s, m, w => negative
            ? new ExpectedEvents { Forbidden = [Forbid("LTA")] }
            : new ExpectedEvents { Expected = [Expect("LTA", (long)((ArriveS - 5) * 1000), (long)(ArriveS * 1000), turner.Id, oncoming.Id)] });
    }

    /// <summary>BSW/LCW: a faster car overtakes through the host's blind spot while the host signals right; the near miss: it is 25 m back.</summary>
    private static ScenarioDraft Bsw(int seed, bool negative)
    {
        Stage s = new(seed, Day + 240_000);
        Vehicle host = s.Car(NeStraight, 300, 14, accel: c => 0,
            lateral: c => negative && c.TMs >= 2500 ? -3.5 : null,
            lights: t => (negative && t >= 1000 && t < 6500) || (!negative && t >= 2000 && t < 3500) ? ExteriorLights.RightTurnSignalOn : null);
        Vehicle rv = s.Car(NeKerb, negative ? 300 + 25 : 300 + 12, negative ? 14 : 17, accel: c => 0);
        ScenarioManifest m = Manifest(
            negative ? "bsw-dongfeng-near-miss" : "bsw-dongfeng-blind-spot",
            "BSW",
            negative
                ? "The host signals right and moves into the kerb lane with the car there 25 m behind at the same speed: outside the blind spot."
                : "A car at 61 km/h overtakes the host at 50 km/h through its blind spot in the kerb lane; the host signals right meanwhile (lane change warning) and cancels.",
            negative, seed, s.World.StartUtcMs, 7000);
        return Draft(s, m, w =>
        {
            if (negative)
            {
                return new ExpectedEvents { Forbidden = [Forbid("BSW", host.Id), Forbid("LCW", host.Id), Forbid("BSW", rv.Id)] };
            }

            long inHostZone = First(w, host.Id, rv.Id, (h, r) => h.AheadOf(r) is >= -15 and <= 3);
            long hostInRvZone = First(w, rv.Id, host.Id, (r, h) => r.AheadOf(h) is >= -15 and <= 3);
            return new ExpectedEvents
            {
                Expected =
                [
                    Expect("BSW", inHostZone, inHostZone + 4000, host.Id, rv.Id),
                    Expect("LCW", 2000, 2000, host.Id, rv.Id),
                    Expect("BSW", hostInRvZone, hostInRvZone, rv.Id, host.Id),
                ],
            };
        });
    }

    /// <summary>DNPW: the host pulls out to pass a bus with a car oncoming 8.6 s away, is warned and pulls back in; the near miss: 15 s away.</summary>
    private static ScenarioDraft Dnpw(int seed, bool negative)
    {
        Stage s = new(seed, Day + 300_000);
        Pose hostStart = s.Lane(1, 11, 1, 450);
        Vehicle host = s.Car(NeLeft, 450, 9,
            accel: c => c.TMs < 1000 ? 0 : c.TMs < 3500 ? 1.0 : Hold(c, 8.3, 1.5),
            lateral: c => c.TMs >= 1000 && c.TMs < 3500 ? 3.5 : 0,
            lights: t => t >= 500 && t < 3500 ? ExteriorLights.LeftTurnSignalOn : null);
        Vehicle bus = s.Car(NeLeft, 450 - 30, 8.3, accel: c => 0, lengthM: 12, vehicleClass: 40);
        double distance = negative ? 400 : 230;
        Vehicle oncoming = s.CarAt(hostStart.Left(3.5).Ahead(distance).Reversed(), 15, accel: c => 0);
        ScenarioManifest m = Manifest(
            negative ? "dnpw-dongfeng-near-miss" : "dnpw-dongfeng-overtake",
            "DNPW",
            negative
                ? "The host pulls out to pass a bus and pulls back in, with the oncoming car 400 m away: never under the 9 s passing time."
                : "Behind a bus in the inner lane, the host signals left and pulls into the opposing lane with a car oncoming 230 m away (under the 9 s passing time); warned, it pulls back in.",
            negative, seed, s.World.StartUtcMs, 7000);
        return Draft(s, m, w =>
        {
            if (negative)
            {
                return new ExpectedEvents { Forbidden = [Forbid("DNPW")] };
            }

            long t = First(w, host.Id, oncoming.Id, (h, o) => h.AheadOf(o) - 4.8 < 9 * (h.SpeedMps + o.SpeedMps));
            t = Math.Max(t, 1000);
            TrackPoint hp = new(w.Track[host.Id].First(p => p.T == t));
            TrackPoint op = new(w.Track[oncoming.Id].First(p => p.T == t));
            return new ExpectedEvents { Expected = [Expect("DNPW", t, t + (long)((hp.AheadOf(op) - 4.8) / (hp.SpeedMps + op.SpeedMps) * 1000), host.Id, oncoming.Id)] };
        });
    }

    /// <summary>EBW: the car 45 m ahead brakes at 4.5 m/s²; the near miss: at 3 m/s², under the 0.4 g threshold.</summary>
    private static ScenarioDraft Ebw(int seed, bool negative)
    {
        Stage s = new(seed, Day + 360_000);
        double decel = negative ? -3 : -4.5;
        Vehicle lead = s.Car(NeStraight, 300 - 45, 15, accel: c => c.TMs < 1000 ? 0 : c.SpeedMps > 5 ? decel : Hold(c, 5));
        Vehicle host = s.Car(NeStraight, 300, 15, accel: c => c.TMs < 1800 ? 0 : c.SpeedMps > 5 ? decel : Hold(c, 5));
        ScenarioManifest m = Manifest(
            negative ? "ebw-dongfeng-near-miss" : "ebw-dongfeng-hard-brake",
            "EBW",
            negative
                ? "The car 45 m ahead slows from 54 to 18 km/h at 3 m/s²: firm, but not emergency braking."
                : "The car 45 m ahead brakes hard (4.5 m/s²) from 54 to 18 km/h; the host follows suit 0.8 s later.",
            negative, seed, s.World.StartUtcMs, 6000);
        return Draft(s, m, w => negative
            ? new ExpectedEvents { Forbidden = [Forbid("EBW")] }
            : new ExpectedEvents { Expected = [Expect("EBW", 1000, 1000 + (long)(40.2 / 15 * 1000), host.Id, lead.Id)] });
    }

    /// <summary>AVW: a broken-down car stands in the lane mid-block, seen only by the roadside unit; the near miss: a sweeper crawling at 15 km/h.</summary>
    private static ScenarioDraft Avw(int seed, bool negative)
    {
        Stage s = new(seed, Day + 420_000);
        double aheadM = negative ? 100 : 150;
        Vehicle? other = null;
        Vehicle host = s.Car(NeStraight, 400, 15, accel: c => 0, lateral: c => other!.SM - c.SM < 90 ? -3.5 : null);
        other = s.Car(NeStraight, 400 - aheadM, negative ? 4.2 : 0, connected: false, accel: c => 0, vehicleClass: negative ? (byte)70 : (byte)10);
        ScenarioManifest m = Manifest(
            negative ? "avw-dongfeng-near-miss" : "avw-dongfeng-stopped-car",
            "AVW",
            negative
                ? "A street sweeper crawls at 15 km/h in lane 2 of Dongfeng Street (above the 10 km/h threshold); the host moves to the kerb lane to pass it."
                : "A broken-down car stands in lane 2 of Dongfeng Street, 250 m before the junction; only the roadside units see it. The host approaching at 54 km/h moves to the kerb lane.",
            negative, seed, s.World.StartUtcMs, negative ? 7000 : 8500);
        return Draft(s, m, w => negative
            ? new ExpectedEvents { Forbidden = [Forbid("AVW")] }
            : new ExpectedEvents { Expected = [Expect("AVW", 2000, (long)((aheadM - 4.8) / 15 * 1000), host.Id, other.Id)] });
    }

    /// <summary>CLW: the car 100 m ahead brakes on a slippery patch with ABS active; the near miss: the car with the stability control event is behind the host.</summary>
    private static ScenarioDraft Clw(int seed, bool negative)
    {
        Stage s = new(seed, Day + 480_000);
        Vehicle host = s.Car(NeStraight, 350, 15, accel: c => c.TMs >= 2000 && c.SpeedMps > 10 ? -1 : 0);
        Vehicle other = negative
            ? s.Car(NeStraight, 350 + 60, 15, accel: c => 0, events: t => t >= 1000 && t < 4000 ? VehicleEventFlags.StabilityControlActivated : null)
            : s.Car(NeStraight, 350 - 100, 15, accel: c => c.TMs >= 1000 && c.SpeedMps > 9 ? -3 : 0, events: t => t >= 1000 && t < 4500 ? VehicleEventFlags.AbsActivated : null);
        ScenarioManifest m = Manifest(
            negative ? "clw-dongfeng-near-miss" : "clw-dongfeng-abs",
            "CLW",
            negative
                ? "A car 60 m behind the host reports its stability control active: nobody ahead of it is warned."
                : "The car 100 m ahead brakes on a slippery patch with its ABS active for 3.5 s: the host is warned of the loss of control.",
            negative, seed, s.World.StartUtcMs, 6000);
        return Draft(s, m, w => negative
            ? new ExpectedEvents { Forbidden = [Forbid("CLW")] }
            : new ExpectedEvents { Expected = [Expect("CLW", 1000, 1000 + (long)(95.2 / 15 * 1000), host.Id, other.Id)] });
    }

    /// <summary>HLW: an RSU announces an obstacle in lane 2 with a reference path; the near miss: a car on the other carriageway passes it.</summary>
    private static ScenarioDraft Hlw(int seed, bool negative)
    {
        Stage s = new(seed, Day + 540_000);
        Pose at = s.Lane(1, 11, 2, 100);
        RteData obstacle = Rte(s, 3, 401, at, 5, 5, s.Lane(1, 11, 2, 400), s.Lane(1, 11, 2, 250), s.Lane(1, 11, 2, 90));
        s.World.RsiItems.Add(new RsiItem(s.Zone.NearestRsu(at.X, at.Y).DeviceId, 0, long.MaxValue, Event: obstacle));
        Vehicle car = negative
            ? s.CarAt(s.Lane(1, 11, 2, 20).Left(10.5).Reversed(), 12, accel: c => 0)
            : s.Car(NeStraight, 180, 12, accel: c => c.SM > 0 && c.ToStopLineM < 170 ? Hold(c, 8, 1.5) : 0, lateral: c => c.ToStopLineM < 150 ? -3.5 : null);
        ScenarioManifest m = Manifest(
            negative ? "hlw-dongfeng-near-miss" : "hlw-dongfeng-obstacle",
            "HLW",
            negative
                ? "The roadside unit announces an obstacle in the north-east-bound lane 2; a car on the south-west-bound carriageway drives past it."
                : "The roadside unit announces an obstacle in lane 2 of Dongfeng Street, 100 m before Feiyue Road, with a 300 m reference path; an approaching car is warned, slows and moves to the kerb lane.",
            negative, seed, s.World.StartUtcMs, 7000);
        return Draft(s, m, w => negative
            ? new ExpectedEvents { Forbidden = [Forbid("HLW")] }
            : new ExpectedEvents { Expected = [Expect("HLW", 0, (long)(80 / 12.0 * 1000), car.Id)] });
    }

    /// <summary>SLW: a car accelerates to 75 km/h on Dongfeng Street (limit 60); the near miss: 62 km/h, inside the 5 % tolerance.</summary>
    private static ScenarioDraft Slw(int seed, bool negative)
    {
        Stage s = new(seed, Day + 600_000);
        Vehicle car = s.Car(NeStraight, 400, negative ? 62 / 3.6 : 16, accel: c => negative ? 0 : Hold(c, 75 / 3.6, 1));
        ScenarioManifest m = Manifest(
            negative ? "slw-dongfeng-near-miss" : "slw-dongfeng-speeding",
            "SLW",
            negative
                ? "A car holds 62 km/h on Dongfeng Street (limit 60 km/h): within the 5 % tolerance."
                : "A car accelerates from 58 to 75 km/h on Dongfeng Street (limit 60 km/h) and keeps it.",
            negative, seed, s.World.StartUtcMs, 8000);
        return Draft(s, m, w =>
        {
            if (negative)
            {
                return new ExpectedEvents { Forbidden = [Forbid("SLW")] };
            }

            long over = First(w, car.Id, p => p.SpeedMps > 63 / 3.6 + 0.05);
            return new ExpectedEvents { Expected = [Expect("SLW", over + 1000, over + 1000, car.Id) with { ConflictMs = null }] };
        });
    }

    /// <summary>RLVW: a car at 50 km/h runs the red at Feiyue without braking; the near miss: it crosses on a yellow that lasts past its arrival.</summary>
    private static ScenarioDraft Rlvw(int seed, bool negative)
    {
        long start = negative
            ? SignalTimeline.FindInstant(GeneratorZone.Default, 1, 1, PhaseLight.Green, 4, Day + 660_000)
            : SignalTimeline.FindInstant(GeneratorZone.Default, 1, 1, PhaseLight.Red, 60, Day + 660_000);
        Stage s = new(seed, start);
        s.World.SpatNodes.Add(1);
        double from = negative ? 25 + (Kmh50 * 4) : 80;
        Vehicle car = s.Car(NeStraight, from, Kmh50, [AllowedManeuvers.Straight], accel: c => 0);
        ScenarioManifest m = Manifest(
            negative ? "rlvw-feiyue-near-miss" : "rlvw-feiyue-red-light",
            "RLVW",
            negative
                ? "The light turns yellow when a car at 50 km/h is 25 m from the Feiyue stop line; it arrives 1.8 s later, within the 3 s yellow."
                : "A distracted driver at 50 km/h does not brake for the red at Dongfeng St x Feiyue Rd and runs it (SPAT from the junction's real signal plan).",
            negative, seed, start, 8000);
        return Draft(s, m, w =>
        {
            if (negative)
            {
                return new ExpectedEvents { Forbidden = [Forbid("RLVW")] };
            }

            long t = (long)((from - 2.4 - (Kmh50 * Kmh50 / 7.0)) / Kmh50 * 1000); // where stopping needs 3.5 m/s²
            return new ExpectedEvents { Expected = [Expect("RLVW", t, (long)((from - 2.4) / Kmh50 * 1000), car.Id)] };
        });
    }

    /// <summary>VRUCW: a pedestrian crosses the Feiyue crosswalk in front of a car, which stops at the last moment; the near miss: a pedestrian on the sidewalk.</summary>
    private static ScenarioDraft Vrucw(int seed, bool negative)
    {
        Stage s = new(seed, Day + 720_000);
        const double Car = 11.1;
        Vehicle car;
        Walker pedestrian;
        if (negative)
        {
            car = s.Car(NeKerb, 150, Car, accel: c => 0);
            Pose side = s.Lane(1, 11, 3, 110).Left(-4);
            pedestrian = s.Walk(ActorKind.Pedestrian, 1.4, 0, side, side.Ahead(30));
        }
        else
        {
            Pose onCrosswalk = s.Lane(1, 11, 2, 0).Ahead(3.5);
            double meetS = 6 / 1.4;
            car = s.Car(NeStraight, (Car * meetS) - 3.5, Car, accel: c => c.TMs >= 2600 ? -6 : 0);
            pedestrian = s.Walk(ActorKind.Pedestrian, 1.4, 0, onCrosswalk.Left(-6), onCrosswalk.Left(14));
        }

        ScenarioManifest m = Manifest(
            negative ? "vrucw-feiyue-near-miss" : "vrucw-feiyue-crosswalk",
            "VRUCW",
            negative
                ? "A pedestrian walks along the sidewalk beside the kerb lane as a car at 40 km/h passes: their paths never meet."
                : "A pedestrian steps onto the crosswalk over Dongfeng Street at Feiyue Road in front of a car at 40 km/h (signals dark); the roadside units see the pedestrian; the driver stops at the last moment.",
            negative, seed, s.World.StartUtcMs, 8000);
        return Draft(s, m, w => negative
            ? new ExpectedEvents { Forbidden = [Forbid("VRUCW")] }
            : new ExpectedEvents { Expected = [Expect("VRUCW", (long)(((6 / 1.4) - 3.0) * 1000), (long)(6 / 1.4 * 1000), car.Id, pedestrian.Id)] });
    }

    /// <summary>GLOSA: a car at 50 km/h 200 m before a red with 20 s to go is advised to slow, and does; the near miss: already inside the band.</summary>
    private static ScenarioDraft Glosa(int seed, bool negative)
    {
        long start = SignalTimeline.FindInstant(GeneratorZone.Default, 1, 1, PhaseLight.Red, 20, Day + 780_000);
        Stage s = new(seed, start);
        s.World.SpatNodes.Add(1);
        Vehicle car = s.Car(NeStraight, 200, negative ? 8 : Kmh50, [AllowedManeuvers.Straight], accel: c => negative || c.TMs < 2000 ? 0 : Hold(c, 9.0, 1));
        ScenarioManifest m = Manifest(
            negative ? "glosa-feiyue-near-miss" : "glosa-feiyue-advice",
            "GLOSA",
            negative
                ? "A car at 29 km/h, 200 m before a red with 20 s to go at Feiyue Road: it will arrive on green as it is, no advice."
                : "A car at 50 km/h, 200 m before a red with 20 s to go at Feiyue Road, is advised to slow to at most 36 km/h to arrive on green, and does.",
            negative, seed, start, 8000);
        return Draft(s, m, w => negative
            ? new ExpectedEvents { Forbidden = [Forbid("GLOSA")] }
            : new ExpectedEvents { Expected = [Expect("GLOSA", 0, 0, car.Id) with { ConflictMs = null }] });
    }

    /// <summary>IVS: a school-zone sign broadcast by an RSU with its reference path; the near miss: a car on the other carriageway.</summary>
    private static ScenarioDraft Ivs(int seed, bool negative)
    {
        Stage s = new(seed, Day + 840_000);
        Pose at = s.Lane(1, 11, 2, 50);
        RtsData sign = new()
        {
            RtsId = 2,
            SignType = 127,
            SignPos = Offset(s, at),
            ReferencePaths = new ValueArray<ReferencePath>([Path(s, 5, s.Lane(1, 11, 2, 500), s.Lane(1, 11, 2, 300), s.Lane(1, 11, 2, 40))]),
        };
        s.World.RsiItems.Add(new RsiItem(s.Zone.NearestRsu(at.X, at.Y).DeviceId, 0, long.MaxValue, Sign: sign));
        Vehicle car = negative
            ? s.CarAt(s.Lane(1, 11, 2, 20).Left(10.5).Reversed(), 12, accel: c => 0)
            : s.Car(NeStraight, 250, 12, accel: c => 0);
        ScenarioManifest m = Manifest(
            negative ? "ivs-dongfeng-near-miss" : "ivs-dongfeng-school-zone",
            "IVS",
            negative
                ? "The school-zone sign applies to the north-east-bound lanes; a car on the south-west-bound carriageway passes it."
                : "The RSU broadcasts a school-zone sign 50 m before Feiyue Road for the north-east-bound lanes; a car 200 m before it is shown the sign.",
            negative, seed, s.World.StartUtcMs, 6000);
        return Draft(s, m, w => negative
            ? new ExpectedEvents { Forbidden = [Forbid("IVS")] }
            : new ExpectedEvents { Expected = [Expect("IVS", 0, 0, car.Id) with { ConflictMs = null }] });
    }

    /// <summary>TJW: twelve vehicles creep at 5 km/h mid-block; the near miss: ten cars wait at a red within 100 m of the stop line.</summary>
    private static ScenarioDraft Tjw(int seed, bool negative)
    {
        long start = SignalTimeline.FindInstant(GeneratorZone.Default, 1, 1, PhaseLight.Red, 50, Day + 900_000);
        Stage s = new(seed, start);
        int n = negative ? 10 : 12;
        double first = negative ? 3 : 150;
        double speed = negative ? 0 : 5 / 3.6;
        if (negative)
        {
            s.World.SpatNodes.Add(1);
        }

        for (int i = 0; i < n; i++)
        {
            s.Car(NeStraight, first + (i * 8), speed, connected: i % 2 == 0, accel: c => 0);
        }

        ScenarioManifest m = Manifest(
            negative ? "tjw-feiyue-near-miss" : "tjw-dongfeng-jam",
            "TJW",
            negative
                ? "Ten cars wait at the red at Feiyue Road, reaching 75 m back from the stop line: a signal queue, not a jam."
                : "Twelve vehicles creep at 5 km/h in lane 2 of Dongfeng Street, 150 m before Feiyue Road, half of them connected: a level 3 traffic jam.",
            negative, seed, start, 6000);
        return Draft(s, m, w => negative
            ? new ExpectedEvents { Forbidden = [Forbid("TJW")] }
            : new ExpectedEvents { Expected = [Expect("TJW", 1600, 1600) with { ConflictMs = null }] });
    }

    /// <summary>EVW: an ambulance with its siren on closes from behind; the near miss: the same ambulance, siren and lights off.</summary>
    private static ScenarioDraft Evw(int seed, bool negative)
    {
        Stage s = new(seed, Day + 960_000);
        VehicleEmergencyExtensions siren = new() { ResponseType = ResponseType.Emergency, SirenUse = SirenInUse.InUse, LightsUse = LightbarInUse.InUse };
        VehicleEmergencyExtensions quiet = new() { ResponseType = ResponseType.NonEmergency, SirenUse = SirenInUse.NotInUse, LightsUse = LightbarInUse.NotInUse };
        Vehicle host = s.Car(NeStraight, 300, 11, accel: c => 0, lateral: c => !negative && c.TMs >= 3000 ? -3.5 : null);
        Vehicle ambulance = s.Car(NeStraight, 450, 17, accel: c => 0, kind: ActorKind.Emergency, vehicleClass: 60, lengthM: 6,
            emergency: t => negative ? quiet : siren);
        ScenarioManifest m = Manifest(
            negative ? "evw-dongfeng-near-miss" : "evw-dongfeng-ambulance",
            "EVW",
            negative
                ? "An ambulance returning without siren or lights closes on the host at 61 km/h."
                : "An ambulance with siren and lights on closes on the host (40 km/h) from 150 m behind at 61 km/h; the host moves to the kerb lane.",
            negative, seed, s.World.StartUtcMs, 7000);
        return Draft(s, m, w => negative
            ? new ExpectedEvents { Forbidden = [Forbid("EVW")] }
            : new ExpectedEvents { Expected = [Expect("EVW", 0, 0, host.Id, ambulance.Id) with { ConflictMs = null }] });
    }

    /// <summary>
    /// Winter: a car at 50 km/h brakes at 3 m/s² to stop 14 m behind a car waiting at the red at Feiyue: safe on dry
    /// asphalt, but on ice (1.5 m/s²) it cannot stop for the line (RLVW) nor for the car ahead (FCW). The negative
    /// twin is the same drive on a dry road.
    /// </summary>
    private static ScenarioDraft Winter(int seed, bool negative)
    {
        long start = SignalTimeline.FindInstant(GeneratorZone.Default, 1, 1, PhaseLight.Red, 50, Day + 1_020_000);
        Stage s = new(seed, start);
        s.World.SpatNodes.Add(1);
        const double QueueCentre = 3 + 2.4;
        const double StopCentre = QueueCentre + 2.4 + 14 + 2.4;
        double braking = Kmh50 * Kmh50 / (2 * 3.0);
        double from = StopCentre + braking + (Kmh50 * 2.5);
        Vehicle host = s.Car(NeStraight, from, Kmh50, [AllowedManeuvers.Straight], accel: c => c.TMs < 2500 ? 0 : c.SpeedMps > 0 ? -3.0 : 0);
        Vehicle queued = s.Car(NeStraight, QueueCentre, 0, [AllowedManeuvers.Straight], accel: c => 0);
        ScenarioManifest m = Manifest(
            negative ? "winter-feiyue-dry-twin" : "winter-feiyue-ice-stop",
            "RLVW",
            negative
                ? "The ice scenario's drive on a dry road: braking at 3 m/s² from 50 km/h to stop 14 m behind a car waiting at the red is comfortable, no warning."
                : "On ice a car at 50 km/h brakes at 3 m/s² to stop behind a car waiting at the red at Feiyue Road: safe on dry asphalt, but ice allows 1.5 m/s², so it cannot stop for the line (RLVW) or the car ahead (FCW).",
            negative, seed, start, 9000, negative ? "dry" : "ice");
        return Draft(s, m, w =>
        {
            if (negative)
            {
                return new ExpectedEvents { Forbidden = [Forbid("RLVW"), Forbid("FCW")] };
            }

            // On ice RLVW holds once stopping for the line needs more than 1.5 m/s²; FCW once stopping the closing after 1 s needs more.
            long rlvw = (long)((from - (Kmh50 * Kmh50 / 3.0)) / Kmh50 * 1000);
            long fcw = (long)((from - QueueCentre - 4.8 - ((Kmh50 * Kmh50 / 3.0) + Kmh50)) / Kmh50 * 1000);
            // The conflict: braking at the 1.5 m/s² ice allows from 2.5 s, the car would reach the waiting car's rear.
            double gapAtBraking = from - QueueCentre - 4.8 - (Kmh50 * 2.5);
            double t = (Kmh50 - Math.Sqrt((Kmh50 * Kmh50) - (2 * 1.5 * gapAtBraking))) / 1.5;
            long lineAtIce = 2500 + (long)(t * 1000);
            return new ExpectedEvents
            {
                Expected =
                [
                    Expect("RLVW", rlvw, lineAtIce, host.Id),
                    Expect("FCW", fcw, lineAtIce, host.Id, queued.Id),
                ],
            };
        });
    }

    /// <summary>Entry and exit along the two lanes' connections (metres past each stop line) of the conflict area their manoeuvres share.</summary>
    private static (double EntryA, double ExitA, double EntryB, double ExitB) Conflict(Stage s, (ushort, ushort, byte) a, AllowedManeuvers ma, (ushort, ushort, byte) b, AllowedManeuvers mb)
    {
        int ca = ConnectionOf(s, a, ma), cb = ConnectionOf(s, b, mb);
        foreach (Engine.Map.MapConflictArea area in s.Map.ConflictAreas)
        {
            if (area.ConnectionA == ca && area.ConnectionB == cb)
            {
                return (area.EntryAM, area.ExitAM, area.EntryBM, area.ExitBM);
            }

            if (area.ConnectionA == cb && area.ConnectionB == ca)
            {
                return (area.EntryBM, area.ExitBM, area.EntryAM, area.ExitAM);
            }
        }

        throw new InvalidOperationException("the two paths do not meet");
    }

    private static int ConnectionOf(Stage s, (ushort Node, ushort Up, byte Lane) lane, AllowedManeuvers maneuver)
    {
        Engine.Map.MapLaneInfo info = s.Map.Lanes[s.Zone.Lane(lane.Node, lane.Up, lane.Lane)];
        for (int c = info.FirstConnection; c < info.FirstConnection + info.ConnectionCount; c++)
        {
            if ((s.Map.Connections[c].Maneuver & maneuver) != 0)
            {
                return c;
            }
        }

        throw new InvalidOperationException($"lane {lane} has no {maneuver} connection");
    }

    private static RteData Rte(Stage s, byte id, ushort type, Pose at, double radiusM, double pathRadiusM, params Pose[] path) => new()
    {
        RteId = id,
        EventType = type,
        EventSource = EventSource.Detection,
        EventPos = Offset(s, at),
        EventRadius = (ushort)Math.Round(radiusM * 10),
        ReferencePaths = new ValueArray<ReferencePath>([Path(s, pathRadiusM, path)]),
    };

    private static RoadPoint Offset(Stage s, Pose p)
    {
        (double olat, double olon) = s.Zone.Frame.ToWgs84(0, 0);
        Position3D origin = Position3D.FromDegrees(olat, olon);
        (double lat, double lon) = s.Zone.Frame.ToWgs84(p.X, p.Y);
        Position3D at = Position3D.FromDegrees(lat, lon);
        return new RoadPoint(at.Lat - origin.Lat, at.Long - origin.Long);
    }

    private static ReferencePath Path(Stage s, double radiusM, params Pose[] points) =>
        new() { ActivePath = new ValueArray<RoadPoint>([.. points.Select(p => Offset(s, p))]), PathRadius = (ushort)Math.Round(radiusM * 10) };
}
