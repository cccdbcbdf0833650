using System.CommandLine;
using QiZhiChunCheng.Cli.Commands;

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
        string dir = Temp.Dir();
        Scenarios.Generation.ScenarioGenerator.Generate("fcw", 3, false, null, Path.Combine(dir, "fcw"));
        Scenarios.Generation.ScenarioGenerator.Generate("fcw", 4, true, null, Path.Combine(dir, "fcw-near"));
        Scenarios.Generation.ScenarioGenerator.Generate("slw", 5, false, null, Path.Combine(dir, "slw"));

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
