using System.Collections.Concurrent;
using System.CommandLine;
using System.Text.Json;
using QiZhiChunCheng.Cli.Bench;
using QiZhiChunCheng.Cli.Commands;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Cli.Tests;

/// <summary><c>qzcc bench load</c> and <c>qzcc bench e2e</c> at a low rate: the plumbing, not the speed (speed is what the harness itself reports).</summary>
public sealed class BenchCommandTests
{
    [Fact]
    public async Task Load_publishes_what_it_reports_to_a_real_broker_on_the_v2x_topics()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        ConcurrentDictionary<string, int> topics = new();
        long received = 0;
        MqttEndpoint endpoint = new("127.0.0.1", MqttEndpoint.FreeLoopbackPort());
        await using EmbeddedBroker broker = new(endpoint, (publish, _) =>
        {
            Interlocked.Increment(ref received);
            topics.AddOrUpdate(publish.Topic.Split('/')[3], 1, (_, n) => n + 1);
            Assert.NotNull(publish.Ts);
            return ValueTask.CompletedTask;
        });
        await broker.StartAsync();

        (int exit, string output, string error) = await RunAsync(ct, "bench", "load", "--mqtt", endpoint.ToString(), "--rate", "600", "--duration", "3", "--connections", "2", "--json");

        Assert.True(exit == 0, error);
        using JsonDocument report = JsonDocument.Parse(output);
        long published = report.RootElement.GetProperty("published").GetInt64();
        // How many fit in the 3 s depends on how busy the machine is (connecting comes first); what it reports it sent
        // must have arrived, on the vehicles' and roadside topics only.
        Assert.True(published > 0, "nothing published");
        await WaitUntil(() => Interlocked.Read(ref received) >= published, ct);
        Assert.Equal(published, Interlocked.Read(ref received));
        Assert.True(topics.ContainsKey("BSM"), string.Join(", ", topics.Keys));
        Assert.All(topics.Keys, t => Assert.Contains(t, (string[])["BSM", "RSM", "SPAT"]));
    }

    [Fact]
    public async Task Load_refuses_a_bad_broker_address_with_a_one_line_reason()
    {
        (int exit, _, string error) = await RunAsync(TestContext.Current.CancellationToken, "bench", "load", "--mqtt", "127.0.0.1:notaport");

        Assert.Equal(1, exit);
        Assert.StartsWith("qzcc bench load: --mqtt", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task E2e_with_the_generator_in_its_own_process_measures_every_message_and_loses_none()
    {
        E2eResult result = await E2eHarness.RunAsync(
            new E2eOptions { Rate = 800, DurationS = 4, WarmUpS = 2, Workers = 1, Connections = 2, SeparateProcess = true },
            progress: null,
            TestContext.Current.CancellationToken);

        Assert.Equal("process", result.Generator);
        Assert.True(result.Published > 0, "nothing published"); // how many depends on how busy the machine is
        Assert.Equal(0, result.Lost);
        Assert.Equal(result.Published, result.Accepted);
        Assert.True(result.Measured > 0 && result.P50Ms > 0 && result.P99Ms >= result.P50Ms && result.MaxMs >= result.P99Ms, $"measured {result.Measured}, p50 {result.P50Ms}, p99 {result.P99Ms}, max {result.MaxMs}");
        Assert.True(result.GeneratorCpuPercent > 0, "the generator process reports its CPU");
    }

    private static async Task WaitUntil(Func<bool> condition, CancellationToken ct)
    {
        for (int i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50, ct);
        }
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(CancellationToken ct, params string[] args)
    {
        RootCommand root = new("qzcc");
        root.Subcommands.Add(BenchCommand.Create());
        using StringWriter output = new();
        using StringWriter error = new();
        int exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, ct);
        return (exit, output.ToString(), error.ToString());
    }
}
