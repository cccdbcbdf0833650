using System.CommandLine;
using QiZhiChunCheng.Cli.Commands;
using QiZhiChunCheng.ML.Training;

namespace QiZhiChunCheng.ML.Tests;

/// <summary><c>qzcc ml train</c> through the real command line: bad input is a one-line reason and exit code 1.</summary>
public sealed class TrainCommandTests
{
    [Theory]
    [InlineData("nonsense", "KIND must be misbehavior or traffic")]
    [InlineData("traffic", "no such folder")]
    public async Task Bad_arguments_fail_with_one_line(string kind, string reason)
    {
        string dir = Temp.Dir();
        (int exit, string output, string error) = await RunAsync("ml", "train", kind, "--scenarios", Path.Combine(dir, "missing"), "--out", Path.Combine(dir, "m.zip"));

        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("qzcc ml train: ", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "m.zip")));
    }

    [Fact]
    public async Task A_folder_without_scenarios_fails_with_one_line()
    {
        string dir = Temp.Dir();
        Directory.CreateDirectory(Path.Combine(dir, "empty"));
        (int exit, _, string error) = await RunAsync("ml", "train", "misbehavior", "--scenarios", Path.Combine(dir, "empty"), "--out", Path.Combine(dir, "m.zip"));

        Assert.Equal(1, exit);
        Assert.Equal($"qzcc ml train: no scenario folders (with a scenario.json) in {Path.Combine(dir, "empty")}", error.TrimEnd());
    }

    [Fact]
    public async Task A_broken_scenario_fails_with_its_reason()
    {
        string dir = Temp.Dir();
        foreach (string name in new[] { "a", "b" })
        {
            Directory.CreateDirectory(Path.Combine(dir, name));
            File.WriteAllText(Path.Combine(dir, name, "scenario.json"), "{ not json");
        }

        (int exit, _, string error) = await RunAsync("ml", "train", "traffic", "--scenarios", dir, "--out", Path.Combine(dir, "m.zip"));

        Assert.Equal(1, exit);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("scenario.json", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Misbehaviour_training_without_a_misbehaving_source_says_what_is_missing()
    {
        // Two clean traffic recipes of one family (one is held out, the other has no fault to learn from).
        string dir = Temp.Dir();
        foreach (string name in new[] { "demand-30-31", "demand-80-32" })
        {
            Directory.CreateDirectory(Path.Combine(dir, name));
            File.Copy(Path.Combine(Repo.Root, "scenarios", "training", "traffic", name, "scenario.json"), Path.Combine(dir, name, "scenario.json"));
        }

        (int exit, _, string error) = await RunAsync("ml", "train", "misbehavior", "--scenarios", dir, "--out", Path.Combine(dir, "m.zip"));

        Assert.Equal(1, exit);
        Assert.Contains("qzcc ml train: no anomalous source windows in the training scenarios", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "m.zip")));
    }

    internal static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        RootCommand root = new("qzcc");
        root.Subcommands.Add(MlCommand.Create());
        using StringWriter output = new();
        using StringWriter error = new();
        int exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }
}

/// <summary>ARCHITECTURE.md: ML.NET stays in the ML adapter; the cloud gets the models through EngineOptions from the CLI.</summary>
public sealed class MlArchitectureTests
{
    [Fact]
    public void Neither_the_cloud_nor_the_engine_references_ML_NET()
    {
        foreach (System.Reflection.Assembly assembly in new[] { typeof(Cloud.CloudHost).Assembly, typeof(Engine.DetectionEngine).Assembly })
        {
            Assert.DoesNotContain(assembly.GetReferencedAssemblies(), a => a.Name!.StartsWith("Microsoft.ML", StringComparison.Ordinal) || a.Name == "QiZhiChunCheng.ML");
        }
    }
}

/// <summary>The same scenarios and seed give the same model file and figures; another seed another split.</summary>
public sealed class TrainReproducibilityTests
{
    [Fact]
    public async Task The_same_seed_gives_the_same_figures_and_model()
    {
        string dir = Temp.Dir();
        foreach (string name in new[] { "demand-30-31", "demand-80-32", "demand-120-33" })
        {
            Directory.CreateDirectory(Path.Combine(dir, "s", name));
            File.Copy(Path.Combine(Repo.Root, "scenarios", "training", "traffic", name, "scenario.json"), Path.Combine(dir, "s", name, "scenario.json"));
        }

        string[] outputs = new string[2];
        for (int i = 0; i < 2; i++)
        {
            (int exit, string output, string error) = await TrainCommandTests.RunAsync("ml", "train", "traffic", "--scenarios", Path.Combine(dir, "s"), "--out", Path.Combine(dir, $"t{i}.zip"), "--seed", "7");
            Assert.True(exit == 0, error);
            Assert.Contains("[3/3] train-traffic-", error, StringComparison.Ordinal);
            outputs[i] = string.Join('\n', output.Split('\n').Where(l => !l.StartsWith("trained in", StringComparison.Ordinal)));
        }

        Assert.Equal(outputs[0], outputs[1]);
        Assert.Contains("held out: accuracy ", outputs[0], StringComparison.Ordinal);
        TrafficStateModel a = TrafficStateModel.Load(Path.Combine(dir, "t0.zip")), b = TrafficStateModel.Load(Path.Combine(dir, "t1.zip"));
        Assert.Equal(a.Manifest.Quality, b.Manifest.Quality);
        Assert.Equal(a.Manifest.HeldOut, b.Manifest.HeldOut);
        foreach (SegmentWindow w in Synthetic.SegmentWindows(300, seed: 3))
        {
            for (int k = 0; k < 3; k++)
            {
                Assert.Equal(a.RawScore(k, w.Features), b.RawScore(k, w.Features));
            }
        }
    }

    [Fact]
    public void Scenarios_are_held_out_per_family_by_the_seed()
    {
        string[] names = ["f-a-1", "f-a-2", "f-a-3", "f-b-1", "f-b-2", "g"];
        List<ScenarioData> all = [.. names.Select(n => new ScenarioData { Name = n, Path = n, Sources = [], Segments = [] })];
        TrainingOptions options = new() { Scenarios = ["x"], OutPath = "x", Seed = 4 };
        (List<ScenarioData> train, List<ScenarioData> heldOut) = ModelTrainer.Split(all, options);
        (_, List<ScenarioData> again) = ModelTrainer.Split(all, options);

        Assert.Equal(heldOut.Select(s => s.Name), again.Select(s => s.Name));
        Assert.Single(heldOut, s => s.Name.StartsWith("f-a-", StringComparison.Ordinal));
        Assert.Single(heldOut, s => s.Name.StartsWith("f-b-", StringComparison.Ordinal));
        Assert.Contains(train, s => s.Name == "g");
        Assert.Equal("train-drift-radar", ModelTrainer.Family("train-drift-radar-12"));
        Assert.Equal("train-traffic", ModelTrainer.Family("train-traffic-30-31"));
    }
}
