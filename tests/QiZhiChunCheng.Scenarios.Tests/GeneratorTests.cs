using System.IO.Compression;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.Scenarios.Generation;

namespace QiZhiChunCheng.Scenarios.Tests;

/// <summary>The generator: same seed same bytes, sane kinematics, sensor statistics, and a library that cannot drift.</summary>
public sealed class GeneratorTests
{
    private static readonly Dictionary<string, double> ShortMixed = new() { ["participants"] = 40, ["durationS"] = 25 };

    [Fact]
    public void The_same_seed_gives_the_same_bytes_and_another_seed_differs()
    {
        string a = Temp(), b = Temp(), c = Temp();
        ScenarioGenerator.Generate("mixed", 7, false, ShortMixed, a);
        ScenarioGenerator.Generate("mixed", 7, false, ShortMixed, b);
        ScenarioGenerator.Generate("mixed", 8, false, ShortMixed, c);

        foreach (string file in new[] { ScenarioWriter.ManifestFile, ScenarioWriter.ExpectedFile })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, file)), File.ReadAllBytes(Path.Combine(b, file)));
        }

        foreach (string file in new[] { ScenarioWriter.MessagesFile, ScenarioWriter.TruthFile })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, file)), File.ReadAllBytes(Path.Combine(b, file)));
            Assert.NotEqual(Unzip(Path.Combine(a, file)), Unzip(Path.Combine(c, file)));
        }
    }

    [Fact]
    public void Random_traffic_keeps_to_the_limits_and_stops_at_red()
    {
        ScenarioDraft draft = ScenarioGenerator.Draft("mixed", 3, parameters: new Dictionary<string, double> { ["participants"] = 60, ["durationS"] = 60 });
        draft.Run();
        World world = draft.World;
        int vehicles = 0, stoppedAtRed = 0;
        foreach (Vehicle v in world.Actors.OfType<Vehicle>())
        {
            if (!world.Track.TryGetValue(v.Id, out var track))
            {
                continue;
            }

            vehicles++;
            double maxLimit = v.Route.Parts.Max(p => p.LimitMps);
            foreach (var p in track)
            {
                Assert.InRange(p.SpeedMps, 0, (maxLimit * 1.0) + 0.01); // nobody speeds in generated traffic
                Assert.InRange(p.AccelMps2, -8.01, 3.01); // within what tyres and engines do
            }
        }

        // Every vehicle that crossed a stop line did so on green or yellow, never on red.
        foreach (Vehicle v in world.Actors.OfType<Vehicle>())
        {
            if (!world.Track.TryGetValue(v.Id, out var track))
            {
                continue;
            }

            foreach (RoutePart part in v.Route.Parts.Where(p => p.StopNode != 0))
            {
                var pose = v.Route.At(part.EndM);
                for (int i = 1; i < track.Count; i++)
                {
                    double before = Along(track[i - 1], pose), after = Along(track[i], pose);
                    if (before < 0 && after >= 0 && Math.Abs(Lateral(track[i], pose)) < 4)
                    {
                        PhaseLight? light = SignalTimeline.Light(world.Zone, part.StopNode, part.StopPhase, world.StartUtcMs + track[i - 1].T, out _);
                        Assert.NotEqual(PhaseLight.Red, light);
                    }
                }
            }

            if (track.Any(p => p.SpeedMps == 0))
            {
                stoppedAtRed++;
            }
        }

        Assert.True(vehicles >= 40, $"{vehicles} vehicles drove");
        Assert.True(stoppedAtRed >= 5, $"only {stoppedAtRed} vehicles ever stopped");
    }

    [Fact]
    public void The_rsu_sensor_model_has_its_noise_and_dropout_rate()
    {
        // One stationary pedestrian in front of RSU-DF-01 for 200 s: 2,000 frames.
        GeneratorZone zone = GeneratorZone.Default;
        GeneratorRsu rsu = zone.Rsus.First(r => r.DeviceId == "RSU-DF-01");
        RsuSensorModel model = new() { PositionSigmaM = 0.5, DropoutProbability = 0.1, FalseTargetsPerFrame = 0, MessageLossProbability = 0 };
        World world = new(zone, 1_795_996_800_000, 11) { Sensors = model, Gnss = GnssModel.Perfect, SensingRsus = new HashSet<string> { rsu.DeviceId } };
        Pose at = new(rsu.XM + 20, rsu.YM + 10, 0);
        world.Add(new Walker("PED-0001", ActorKind.Pedestrian, 1.0, at, at.Ahead(1)) { StartWalkMs = long.MaxValue });
        world.Run(200_000);

        List<(double E, double N)> errors = [];
        foreach (GeneratedMessage m in world.Messages.Where(m => m.Topic.EndsWith("/RSM/UP", StringComparison.Ordinal)))
        {
            Assert.True(JsonCodec.TryDecodeRsm(m.Payload, out Rsm? rsm, out _));
            ParticipantData p = Assert.Single(rsm!.Participants.AsSpan().ToArray());
            (double e, double n) = zone.Frame.ToLocal(p.Pos.Lat * 1e-7, p.Pos.Long * 1e-7);
            errors.Add((e - at.X, n - at.Y));
        }

        double dropout = 1 - (errors.Count / 2000.0);
        Assert.InRange(dropout, 0.08, 0.12); // 10 % ± 2 (the binomial sigma over 2,000 frames is 0.7 %)
        double sigmaE = Math.Sqrt(errors.Average(x => x.E * x.E)), sigmaN = Math.Sqrt(errors.Average(x => x.N * x.N));
        Assert.InRange(sigmaE, 0.45, 0.55); // 0.5 m ± 10 % (about 4 standard errors over 1,800 samples), 1e-7 deg quantised
        Assert.InRange(sigmaN, 0.45, 0.55);
        Assert.InRange(errors.Average(x => x.E), -0.05, 0.05);
    }

    [Fact]
    public void The_gnss_model_drifts_with_its_sigma_and_loses_its_share_of_bsms()
    {
        GeneratorZone zone = GeneratorZone.Default;
        GnssModel gnss = new() { PositionSigmaM = 0.8, CorrelationS = 1, LossProbability = 0.05 };
        World world = new(zone, 1_795_996_800_000, 12) { Gnss = gnss, SensingRsus = new HashSet<string>() };
        Pose at = new(100, 100, 45);
        Walker parked = new("VEH-0001", ActorKind.Vehicle, 1, at, at.Ahead(1)) { StartWalkMs = long.MaxValue, BsmId = OctetId8.FromAscii("VEH00001") };
        world.Add(parked);
        world.Run(400_000);

        List<double> east = [];
        foreach (GeneratedMessage m in world.Messages.Where(m => m.Topic.EndsWith("/BSM/UP", StringComparison.Ordinal)))
        {
            Assert.True(JsonCodec.TryDecodeBsm(m.Payload, out Bsm bsm, out _));
            east.Add(zone.Frame.ToLocal(bsm.Pos.Lat * 1e-7, bsm.Pos.Long * 1e-7).EastM - at.X);
        }

        Assert.InRange(1 - (east.Count / 4000.0), 0.04, 0.06);
        double sigma = Math.Sqrt(east.Average(x => x * x));
        Assert.InRange(sigma, 0.68, 0.92); // 0.8 m; correlated over 1 s, so 400 s hold ~400 independent samples
        double lag1 = Enumerable.Range(1, east.Count - 1).Average(i => east[i] * east[i - 1]) / (sigma * sigma);
        Assert.InRange(lag1, 0.8, 0.95); // exp(-0.1 s / 1 s) = 0.905: a drift, not white noise
    }

    [Fact]
    public void The_committed_library_is_what_the_generator_writes()
    {
        // Regenerate with: dotnet run --project src/QiZhiChunCheng.Cli -- scenario generate library --out scenarios
        string dir = Temp();
        ScenarioGenerator.GenerateLibrary(dir);
        foreach (LibraryEntry e in ScenarioGenerator.Library)
        {
            string committed = Path.Combine(RepoPaths.Scenarios, e.Folder);
            Assert.True(Directory.Exists(committed), $"scenarios/{e.Folder} is missing: regenerate the library");
            foreach (string file in new[] { ScenarioWriter.ManifestFile, ScenarioWriter.ExpectedFile })
            {
                Assert.True(File.ReadAllText(Path.Combine(dir, e.Folder, file)) == File.ReadAllText(Path.Combine(committed, file)), $"scenarios/{e.Folder}/{file} differs from what the generator writes: regenerate the library");
            }

            // Compare the content, not the gzip bytes: another zlib build may compress the same lines differently.
            foreach (string file in new[] { ScenarioWriter.MessagesFile, ScenarioWriter.TruthFile })
            {
                Assert.True(Unzip(Path.Combine(dir, e.Folder, file)).SequenceEqual(Unzip(Path.Combine(committed, file))), $"scenarios/{e.Folder}/{file} differs from what the generator writes: regenerate the library");
            }
        }

        Assert.Equal(File.ReadAllText(Path.Combine(dir, "rush-hour", ScenarioWriter.ManifestFile)), File.ReadAllText(Path.Combine(RepoPaths.Scenarios, "rush-hour", ScenarioWriter.ManifestFile)));
    }

    [Fact]
    public void The_library_covers_every_application_with_a_positive_and_a_near_miss()
    {
        string[] apps = ["FCW", "ICW", "LTA", "BSW", "DNPW", "EBW", "AVW", "CLW", "HLW", "SLW", "RLVW", "VRUCW", "GLOSA", "IVS", "TJW", "EVW"];
        foreach (string app in apps)
        {
            Assert.Contains(ScenarioGenerator.Library, e => e.Folder.StartsWith(app.ToLowerInvariant() + "-", StringComparison.Ordinal) && !e.Negative);
            Assert.Contains(ScenarioGenerator.Library, e => e.Folder.StartsWith(app.ToLowerInvariant() + "-", StringComparison.Ordinal) && e.Negative && e.Folder.EndsWith("-near-miss", StringComparison.Ordinal));
        }

        Assert.Contains(ScenarioGenerator.Library, e => e.Kind == "winter" && !e.Negative);
        Assert.True(ScenarioGenerator.RushHourManifest().Generator!.Parameters["participants"] >= 300);
    }

    private static double Along((long T, double X, double Y, double H, double V, double A) p, Pose line)
    {
        double r = line.HeadingDeg * Math.PI / 180;
        return ((p.X - line.X) * Math.Sin(r)) + ((p.Y - line.Y) * Math.Cos(r));
    }

    private static double Lateral((long T, double X, double Y, double H, double V, double A) p, Pose line)
    {
        double r = line.HeadingDeg * Math.PI / 180;
        return ((p.X - line.X) * Math.Cos(r)) - ((p.Y - line.Y) * Math.Sin(r));
    }

    private static byte[] Unzip(string path)
    {
        using FileStream file = File.OpenRead(path);
        using GZipStream gzip = new(file, CompressionMode.Decompress);
        using MemoryStream memory = new();
        gzip.CopyTo(memory);
        return memory.ToArray();
    }

    private static string Temp()
    {
        string dir = Path.Combine(Path.GetTempPath(), "qzcc-gen-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
