using System.CommandLine;
using QiZhiChunCheng.Cli.Commands;

namespace QiZhiChunCheng.Cli.Tests;

/// <summary><c>qzcc cloud</c>'s refusals of option combinations it cannot honour, through the real command line.</summary>
public sealed class CloudCommandTests
{
    [Fact]
    public async Task A_device_registry_with_an_external_broker_is_refused_not_ignored()
    {
        string registry = Path.Combine(Path.GetTempPath(), $"qzcc-never-read-{Guid.NewGuid():N}.json");

        (int exit, string error) = await RunAsync("cloud", "--mqtt", "127.0.0.1:1", "--devices", registry, "--data", Path.GetTempPath());

        Assert.Equal(1, exit);
        Assert.Contains("--devices is enforced by the embedded broker", error, StringComparison.Ordinal);
        Assert.Contains("external broker", error, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Error)> RunAsync(params string[] args)
    {
        RootCommand root = new("qzcc");
        root.Subcommands.Add(CloudCommand.Create());
        using StringWriter output = new();
        using StringWriter error = new();
        int exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return (exit, error.ToString());
    }
}
