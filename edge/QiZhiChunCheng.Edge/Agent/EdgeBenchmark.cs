using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Edge.Sources;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Edge.Agent;

/// <summary>
/// <c>bench</c>: the agent's load figures through a real broker (the embedded MQTTnet broker in the same process,
/// counting what it receives). Live: the RSU agent fed BSMs at a rate for a while, with the messages per second
/// the broker received and the process's peak resident memory. Drain: the agent spools a backlog with the broker
/// down, then the broker starts and the time until it has received the whole backlog gives the drain rate.
/// The resident memory includes the broker and the generator, so the agent alone uses less.
/// </summary>
public static class EdgeBenchmark
{
    /// <summary>The figures of one run.</summary>
    public sealed record Result(int RateAsked, double Seconds, long Received, double LiveRate, double PeakRssMb, long Backlog, double DrainSeconds, double DrainRate);

    internal static Command Command(string program)
    {
        Option<int> rate = new("--rate") { Description = "Messages per second offered in the live phase (0: as fast as possible)", DefaultValueFactory = _ => 2000 };
        Option<int> duration = new("--duration") { Description = "Seconds of the live phase", DefaultValueFactory = _ => 20 };
        Option<int> backlog = new("--backlog") { Description = "Messages spooled during the outage, then drained", DefaultValueFactory = _ => 100_000 };
        Option<string?> dir = new("--spool") { Description = "Folder for the benchmark's spools (default: a temporary folder, deleted after)" };
        Command command = new("bench", "Measure the RSU agent: messages/s and memory live, and the drain rate of a backlog after an outage");
        command.Options.Add(rate);
        command.Options.Add(duration);
        command.Options.Add(backlog);
        command.Options.Add(dir);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(rate) < 0 || parse.GetValue(duration) <= 0 || parse.GetValue(backlog) <= 0)
            {
                await Console.Error.WriteLineAsync($"{program} bench: --rate must be >= 0, --duration and --backlog > 0");
                return 2;
            }

            string root = parse.GetValue(dir) ?? Path.Combine(Path.GetTempPath(), "qzcc-edge-bench-" + Guid.NewGuid().ToString("N"));
            try
            {
                Result r = await RunAsync(parse.GetValue(rate), TimeSpan.FromSeconds(parse.GetValue(duration)), parse.GetValue(backlog), root, Console.Out, cancellationToken);
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"live:  {r.Received} messages in {r.Seconds:0.0} s = {r.LiveRate:0} messages/s received by the broker (offered {(r.RateAsked == 0 ? "max" : r.RateAsked.ToString(CultureInfo.InvariantCulture))}/s), peak RSS {r.PeakRssMb:0} MB (agent + broker + generator)"));
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"drain: {r.Backlog} spooled messages in {r.DrainSeconds:0.00} s after the broker came back = {r.DrainRate:0} messages/s"));
                return 0;
            }
            catch (OperationCanceledException)
            {
                return 130;
            }
            finally
            {
                if (parse.GetValue(dir) is null && Directory.Exists(root))
                {
                    Directory.Delete(root, recursive: true);
                }
            }
        });
        return command;
    }

    public static async Task<Result> RunAsync(int rate, TimeSpan duration, int backlog, string root, TextWriter progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        AgentLog quiet = new(TextWriter.Null);

        // Live.
        long received = 0;
        await using (EmbeddedBroker broker = new(new MqttEndpoint("127.0.0.1", 0), (p, _) =>
        {
            Interlocked.Increment(ref received);
            return ValueTask.CompletedTask;
        }))
        {
            await broker.StartAsync();
            EdgeAgent agent = new(Options(broker.Endpoint, Path.Combine(root, "live")), quiet, new LoadSource(rate));
            using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task<int> run = agent.RunAsync(stop.Token);
            progress.WriteLine($"live phase: {duration.TotalSeconds:0} s at {(rate == 0 ? "max" : rate.ToString(CultureInfo.InvariantCulture))} messages/s ...");
            double peak = 0;
            long before = 0;
            Stopwatch clock = Stopwatch.StartNew();
            bool started = false;
            using PeriodicTimer sample = new(TimeSpan.FromMilliseconds(250));
            while (await sample.WaitForNextTickAsync(stop.Token))
            {
                if (!started && agent.IsReady)
                {
                    // Measure from the first connected moment, not from process start.
                    started = true;
                    before = Interlocked.Read(ref received);
                    clock.Restart();
                }

                peak = Math.Max(peak, Process.GetCurrentProcess().WorkingSet64 / 1048576.0);
                if (started && clock.Elapsed >= duration)
                {
                    break;
                }
            }

            long got = Interlocked.Read(ref received) - before;
            double seconds = clock.Elapsed.TotalSeconds;
            await stop.CancelAsync();
            await run;

            // Drain: the broker is down while the backlog is spooled.
            progress.WriteLine($"drain phase: spooling {backlog} messages with the broker down ...");
            int port = MqttEndpoint.FreeLoopbackPort();
            long drained = 0;
            TaskCompletionSource all = new(TaskCreationOptions.RunContinuationsAsynchronously);
            EdgeAgent offline = new(Options(new MqttEndpoint("127.0.0.1", port), Path.Combine(root, "drain")) with { InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(100) }, quiet, new LoadSource(0, backlog));
            using CancellationTokenSource stopDrain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task<int> drainRun = offline.RunAsync(stopDrain.Token);
            using PeriodicTimer poll = new(TimeSpan.FromMilliseconds(50));
            while (offline.Spool is null || offline.Spool.PendingRecords < backlog)
            {
                await poll.WaitForNextTickAsync(cancellationToken);
            }

            await using EmbeddedBroker back = new(new MqttEndpoint("127.0.0.1", port), (p, _) =>
            {
                if (p.Topic.EndsWith("/BSM/UP", StringComparison.Ordinal) && Interlocked.Increment(ref drained) >= backlog)
                {
                    all.TrySetResult();
                }

                return ValueTask.CompletedTask;
            });
            progress.WriteLine("drain phase: broker back, draining ...");
            Stopwatch drainClock = Stopwatch.StartNew();
            await back.StartAsync();
            await all.Task.WaitAsync(TimeSpan.FromMinutes(5), cancellationToken);
            double drainSeconds = drainClock.Elapsed.TotalSeconds;
            await stopDrain.CancelAsync();
            await drainRun;
            return new Result(rate, seconds, got, got / seconds, peak, backlog, drainSeconds, backlog / drainSeconds);
        }
    }

    private static EdgeAgentOptions Options(MqttEndpoint endpoint, string spool) => new()
    {
        Kind = SourceKind.Rsu,
        DeviceId = DeviceId.Parse("RSU-BENCH"),
        Mqtt = endpoint,
        SpoolDir = spool,
        Spool = new Spool.SpoolOptions { MaxBytes = 1L << 30 },
    };
}
