using System.IO.Compression;
using System.Text.Json;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;
using QiZhiChunCheng.Scenarios.Format;
using QiZhiChunCheng.Scenarios.Generation;

namespace QiZhiChunCheng.Scenarios.Tests;

/// <summary>
/// The generator's injected faults (kind <c>misbehavior</c>): the same seed gives the same bytes, and each fault is
/// really in the messages, measured against the truth: the drift grows to about 3 m, the frozen clock's secMarks stop,
/// the replayed stream repeats earlier payloads, the ghost is never sensed although covered.
/// </summary>
public sealed class FaultScenarioTests
{
    // Light background traffic keeps these fast; the fault is the same.
    private static readonly Dictionary<string, double> Light = new() { ["participants"] = 12 };

    [Theory]
    [InlineData("drift-radar")]
    [InlineData("ghost-vehicle")]
    [InlineData("replayed-bsm")]
    [InlineData("frozen-clock")]
    public void Each_fault_is_reproducible_byte_for_byte_from_the_seed(string fault)
    {
        using TempDirectory a = new(), b = new(), c = new();
        Dictionary<string, double> p = new(Light) { ["durationS"] = 50 };
        ScenarioGenerator.Generate("misbehavior", 5, false, p, a.Path, Choices(fault));
        ScenarioGenerator.Generate("misbehavior", 5, false, p, b.Path, Choices(fault));
        ScenarioGenerator.Generate("misbehavior", 6, false, p, c.Path, Choices(fault));

        foreach (string file in new[] { ScenarioWriter.ManifestFile, ScenarioWriter.ExpectedFile, ScenarioWriter.MessagesFile, ScenarioWriter.TruthFile })
        {
            Assert.True(File.ReadAllBytes(Path.Combine(a.Path, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b.Path, file))), $"{fault}: {file} differs between two runs of seed 5");
        }

        Assert.False(Unzip(Path.Combine(a.Path, ScenarioWriter.MessagesFile)).AsSpan().SequenceEqual(Unzip(Path.Combine(c.Path, ScenarioWriter.MessagesFile))));
        Assert.Empty(ScenarioFolder.Open(a.Path).Validate());
    }

    [Fact]
    public void The_drifting_radar_is_off_by_about_3_m_against_the_truth_at_the_end_and_honest_at_the_start()
    {
        // 1.5 m a minute from 10 s: 3 m at 130 s, towards 331.6 degrees.
        ScenarioDraft draft = Run("drift-radar", new() { ["durationS"] = 130 });
        World w = draft.World;
        double bearing = 331.6 * Math.PI / 180;
        (double ux, double uy) = (Math.Sin(bearing), Math.Cos(bearing));

        (double along, double across, int n) early = MeanError(w, "RSU-DF-01", 0, 10_000, ux, uy);
        (double along, double across, int n) late = MeanError(w, "RSU-DF-01", 120_000, 130_000, ux, uy);
        (double along, double across, int n) honest = MeanError(w, "RSU-DF-02", 120_000, 130_000, ux, uy);

        Assert.True(early.n > 50 && late.n > 50 && honest.n > 50, $"too few sightings: {early.n}, {late.n}, {honest.n}");
        Assert.InRange(early.along, -0.2, 0.2);
        Assert.InRange(late.along, 2.6, 3.3); // 2.75 m at 120 s .. 3 m at 130 s
        Assert.InRange(late.across, -0.2, 0.2);
        Assert.InRange(honest.along, -0.2, 0.2);
        Assert.InRange(honest.across, -0.2, 0.2);
    }

    [Fact]
    public void The_frozen_clock_keeps_its_secMark_and_generation_time_while_the_positions_move()
    {
        ScenarioDraft draft = Run("frozen-clock", new() { ["durationS"] = 40, ["startS"] = 20 });
        World w = draft.World;
        List<GeneratedMessage> rsm = [.. w.Messages.Where(m => m.Topic == "V2X/RSU/RSU-DF-01/RSM/UP")];
        List<GeneratedMessage> before = [.. rsm.Where(m => m.T < 19_000)];
        List<GeneratedMessage> after = [.. rsm.Where(m => m.T > 21_000)];
        Assert.True(before.Count > 100 && after.Count > 100, $"{before.Count} RSMs before the freeze, {after.Count} after");

        Assert.All(before, m => Assert.Null(m.GeneratedT));
        long frozenAt = after[0].GeneratedT!.Value;
        Assert.InRange(frozenAt, 20_000, 20_200);
        Assert.All(after, m => Assert.Equal(frozenAt, m.GeneratedT));

        HashSet<int> secMarksAfter = [.. after.SelectMany(m => Participants(m.Payload)).Select(p => p.SecMark)];
        int frozenSecMark = Assert.Single(secMarksAfter);
        Assert.Equal((int)((w.StartUtcMs + 20_000) % 60_000), frozenSecMark - (frozenSecMark % 100));
        Assert.True(before.SelectMany(m => Participants(m.Payload)).Select(p => p.SecMark).Distinct().Count() > 100);

        // The positions are current: the participants keep moving under the frozen clock.
        Assert.True(after.SelectMany(m => Participants(m.Payload)).Select(p => (p.Lat, p.Lon)).Distinct().Count() > after.Count / 2);

        // The line files carry the wrong stamp; the other RSUs keep time.
        Assert.DoesNotContain(w.Messages, m => m.GeneratedT is not null && !m.Topic.Contains("RSU-DF-01", StringComparison.Ordinal));
    }

    [Fact]
    public void The_replayed_stream_repeats_the_cars_earlier_payloads_byte_for_byte_seconds_later()
    {
        ScenarioDraft draft = Run("replayed-bsm", new(Light) { ["durationS"] = 40, ["startS"] = 10, ["delayS"] = 5 });
        World w = draft.World;
        List<GeneratedMessage> bsms = [.. w.Messages.Where(m => m.Topic == "V2X/OBU/VEH-9001/BSM/UP")];
        Dictionary<string, long> firstSeen = [];
        int repeats = 0;
        foreach (GeneratedMessage m in bsms)
        {
            string key = Convert.ToBase64String(m.Payload);
            if (firstSeen.TryGetValue(key, out long t0))
            {
                repeats++;
                Assert.Equal(5000, m.T - t0);
                Assert.InRange(m.T, 15_000, 40_000);

                // Old secMark: the payload says it was measured 5 s before it was published.
                int age = (int)(((w.StartUtcMs + m.T - SecMark(m.Payload)) % 60_000) + 60_000) % 60_000;
                Assert.InRange(age, 5000, 5100);
            }
            else
            {
                firstSeen[key] = m.T;
            }
        }

        int originals = firstSeen.Values.Count(t => t is >= 10_000 and < 35_000);
        Assert.InRange(repeats, 200, 260); // 25 s of a 10 Hz stream, less the 2 % lost
        Assert.InRange(originals, repeats - 5, repeats + 5);
    }

    [Fact]
    public void The_ghost_sends_plausible_BSMs_inside_RSU_coverage_but_no_RSU_ever_reports_it()
    {
        ScenarioDraft draft = Run("ghost-vehicle", new(Light) { ["durationS"] = 50 });
        World w = draft.World;
        Actor ghost = w.Actors.Single(a => a.Id == "VEH-9900");
        Assert.True(ghost.Phantom);
        Assert.All(w.Truth.Where(s => s.Id == ghost.Id), s =>
        {
            Assert.Equal("ghost", s.Kind);
            Assert.Null(s.Ptc); // no RSU gave it a participant id
        });

        List<(double X, double Y)> reported = [.. w.Messages.Where(m => m.Topic == "V2X/OBU/VEH-9900/BSM/UP").Select(m => Local(w, BsmPosition(m.Payload)))];
        Assert.True(reported.Count > 300, $"{reported.Count} ghost BSMs");
        int covered = reported.Count(p => w.Zone.Rsus.Any(r => Math.Sqrt(((p.X - r.XM) * (p.X - r.XM)) + ((p.Y - r.YM) * (p.Y - r.YM))) < r.Site.SensorRangeM - 10));
        Assert.Equal(reported.Count, covered);

        // Nothing any RSU reports is ever where the ghost says it is (the real car behind it is, before it pulls out).
        foreach (GeneratedMessage m in w.Messages.Where(m => m.Topic.EndsWith("/RSM/UP", StringComparison.Ordinal) && m.T is > 5_000 and < 30_000))
        {
            (double gx, double gy) = TruthAt(w, ghost.Id, m.T - 80);
            foreach (var p in Participants(m.Payload))
            {
                (double x, double y) = Local(w, (p.Lat, p.Lon));
                Assert.True(Math.Sqrt(((x - gx) * (x - gx)) + ((y - gy) * (y - gy))) > 1.5, $"an RSU reported something at the ghost's place at {m.T} ms");
            }
        }

        // It brakes in front of the real car: 60 m ahead while cruising, under 20 m once it has braked.
        (double cx, double cy) = TruthAt(w, "VEH-9001", 20_000);
        (double hx, double hy) = TruthAt(w, ghost.Id, 20_000);
        Assert.InRange(Math.Sqrt(((cx - hx) * (cx - hx)) + ((cy - hy) * (cy - hy))), 50, 70);
    }

    [Fact]
    public void Expectations_name_the_faulty_source_and_forbid_the_warnings_and_MISBEHAVIOR_of_honest_sources()
    {
        ExpectedEvents ghost = ScenarioGenerator.Draft("misbehavior", 3, parameters: Light, choices: Choices("ghost-vehicle")).Run();
        ExpectedEvent e = Assert.Single(ghost.Expected);
        Assert.Equal(("MISBEHAVIOR", "VEH-9900", 5000L, 55_000L), (e.Type, Assert.Single(e.Participants), e.FromMs, e.ToMs));
        Assert.Contains(ghost.Forbidden, f => f.Type == "FCW" && f.Participants.SequenceEqual(["VEH-9001", "VEH-9900"]));
        Assert.Contains(ghost.Forbidden, f => f.Type == "MISBEHAVIOR" && f.Participants.SequenceEqual(["RSU-DF-01"]));
        Assert.Contains(ghost.Forbidden, f => f.Type == "MISBEHAVIOR" && f.Participants.SequenceEqual(["VEH-9001"]));
        Assert.DoesNotContain(ghost.Forbidden, f => f.Type == "MISBEHAVIOR" && f.Participants.Contains("VEH-9900") && f.ToMs is null);

        ExpectedEvents frozen = ScenarioGenerator.Draft("misbehavior", 3, parameters: new Dictionary<string, double>(Light) { ["durationS"] = 40 }, choices: Choices("frozen-clock", "RSU-DF-03")).Run();
        e = Assert.Single(frozen.Expected);
        Assert.Equal(("RSU-DF-03", 20_000L, 50_000L), (Assert.Single(e.Participants), e.FromMs, e.ToMs));
        Assert.Contains(frozen.Forbidden, f => f.Type == "MISBEHAVIOR" && f.Participants.SequenceEqual(["RSU-DF-03"]) && f.ToMs == 19_999);
        Assert.Equal(6, frozen.Forbidden.Count(f => f.Type == "MISBEHAVIOR" && f.Participants.Count == 1 && f.Participants[0].StartsWith("RSU-", StringComparison.Ordinal) && f.ToMs is null));

        ExpectedEvents clean = ScenarioGenerator.Draft("misbehavior", 3, parameters: new Dictionary<string, double>(Light) { ["durationS"] = 40 }, choices: Choices("none")).Run();
        Assert.Empty(clean.Expected);
        Assert.Equal("MISBEHAVIOR", Assert.Single(clean.Forbidden).Type);
    }

    [Fact]
    public void Unknown_faults_and_RSUs_are_refused_with_the_valid_names()
    {
        ArgumentException fault = Assert.Throws<ArgumentException>(() => ScenarioGenerator.Draft("misbehavior", 1, choices: Choices("solar-flare")));
        Assert.Contains("drift-radar, ghost-vehicle, replayed-bsm, frozen-clock", fault.Message, StringComparison.Ordinal);
        ArgumentException rsu = Assert.Throws<ArgumentException>(() => ScenarioGenerator.Draft("misbehavior", 1, choices: Choices("frozen-clock", "RSU-XX-01")));
        Assert.Contains("RSU-DF-01", rsu.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ScenarioGenerator.Draft("misbehavior", 1));

        Dictionary<string, double> numbers = ScenarioGenerator.ParseArguments(["fault=drift-radar", "rsu=RSU-DF-02", "driftMPerMin=2.5"], out Dictionary<string, string> words);
        Assert.Equal(2.5, numbers["driftMPerMin"]);
        Assert.Equal(("drift-radar", "RSU-DF-02"), (words["fault"], words["rsu"]));
        Assert.Throws<FormatException>(() => ScenarioGenerator.ParseArguments(["rate=1,5"], out _));
    }

    internal static Dictionary<string, string> Choices(string fault, string rsu = "RSU-DF-01") => new() { ["fault"] = fault, ["rsu"] = rsu };

    private static ScenarioDraft Run(string fault, Dictionary<string, double> parameters)
    {
        ScenarioDraft draft = ScenarioGenerator.Draft("misbehavior", 4, parameters: parameters, choices: Choices(fault));
        draft.Run();
        return draft;
    }

    // Mean error of an RSU's sightings of the truth's participants measured in [from, to): along and across a unit vector.
    private static (double Along, double Across, int N) MeanError(World w, string rsu, long from, long to, double ux, double uy)
    {
        string hex = w.Zone.Rsus.Single(r => r.DeviceId == rsu).RsuId.ToString();
        Dictionary<int, string> byPtc = [];
        foreach (TruthSample s in w.Truth)
        {
            if (s.Ptc is { } map && map.TryGetValue(hex, out int ptc))
            {
                byPtc.TryAdd(ptc, s.Id);
            }
        }

        double along = 0, across = 0;
        int n = 0;
        foreach (GeneratedMessage m in w.Messages.Where(m => m.Topic == $"V2X/RSU/{rsu}/RSM/UP"))
        {
            foreach (var p in Participants(m.Payload))
            {
                // The measurement time from the secMark, within the minute of the message.
                long measured = m.T - ((((w.StartUtcMs + m.T - p.SecMark) % 60_000) + 60_000) % 60_000);
                if (measured < from || measured >= to || !byPtc.TryGetValue(p.PtcId, out string? id))
                {
                    continue;
                }

                (double tx, double ty) = TruthAt(w, id, measured);
                (double x, double y) = Local(w, (p.Lat, p.Lon));
                along += ((x - tx) * ux) + ((y - ty) * uy);
                across += ((x - tx) * uy) - ((y - ty) * ux);
                n++;
            }
        }

        return n == 0 ? (double.NaN, double.NaN, 0) : (along / n, across / n, n);
    }

    // The truth of a participant at any instant, interpolated between its 100 ms steps.
    private static (double X, double Y) TruthAt(World w, string id, long t)
    {
        var track = w.Track[id];
        for (int i = 1; i < track.Count; i++)
        {
            if (track[i].T >= t)
            {
                var (a, b) = (track[i - 1], track[i]);
                double f = Math.Clamp((double)(t - a.T) / (b.T - a.T), 0, 1);
                return (a.X + ((b.X - a.X) * f), a.Y + ((b.Y - a.Y) * f));
            }
        }

        return (track[^1].X, track[^1].Y);
    }

    private static (double X, double Y) Local(World w, (double Lat, double Lon) p) => w.Zone.Frame.ToLocal(p.Lat, p.Lon);

    private static List<(int PtcId, int SecMark, double Lat, double Lon)> Participants(byte[] rsm)
    {
        Envelope envelope = new() { SourceKind = SourceKind.Rsu, Type = MessageType.Rsm };
        Assert.True(JsonCodec.TryDecode(MessageType.Rsm, rsm, envelope, out V2xMessage message, out Rejection rejection), rejection.Reason);
        List<(int PtcId, int SecMark, double Lat, double Lon)> list = [];
        foreach (ParticipantData p in message.Rsm.Participants)
        {
            list.Add((p.PtcId, p.SecMark, p.Pos.LatitudeDeg, p.Pos.LongitudeDeg));
        }

        return list;
    }

    private static (double Lat, double Lon) BsmPosition(byte[] bsm)
    {
        using JsonDocument doc = JsonDocument.Parse(bsm);
        JsonElement pos = doc.RootElement.GetProperty("pos");
        return (pos.GetProperty("lat").GetInt32() * 1e-7, pos.GetProperty("long").GetInt32() * 1e-7);
    }

    private static int SecMark(byte[] bsm)
    {
        using JsonDocument doc = JsonDocument.Parse(bsm);
        return doc.RootElement.GetProperty("secMark").GetInt32();
    }

    private static byte[] Unzip(string path)
    {
        using GZipStream gz = new(File.OpenRead(path), CompressionMode.Decompress);
        using MemoryStream ms = new();
        gz.CopyTo(ms);
        return ms.ToArray();
    }
}
