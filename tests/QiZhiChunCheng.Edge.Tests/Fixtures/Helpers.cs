using System.Text;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Edge.Agent;
using QiZhiChunCheng.Edge.Sources;
using QiZhiChunCheng.Mqtt;
using QiZhiChunCheng.Testing;

namespace QiZhiChunCheng.Edge.Tests.Fixtures;

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "qzcc-edge-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a file for a moment; the temp folder is cleaned by the system.
        }
    }
}

/// <summary>A log that tests can read while the agent writes to it.</summary>
public sealed class CapturedLog : TextWriter
{
    private readonly StringBuilder _text = new();
    private readonly Lock _gate = new();

    public override Encoding Encoding => Encoding.UTF8;

    public string Text
    {
        get
        {
            lock (_gate)
            {
                return _text.ToString();
            }
        }
    }

    public override void Write(char value)
    {
        lock (_gate)
        {
            _text.Append(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_gate)
        {
            _text.Append(value);
        }
    }
}

/// <summary>An agent running in this process, stopped (like Ctrl-C) on dispose.</summary>
public sealed class RunningAgent : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    public RunningAgent(EdgeAgentOptions options, IMessageSource? source = null)
    {
        Agent = new EdgeAgent(options, new AgentLog(Log), source);
        Run = Task.Run(() => Agent.RunAsync(_stop.Token));
    }

    public EdgeAgent Agent { get; }

    public CapturedLog Log { get; } = new();

    public Task<int> Run { get; }

    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        return await Run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!Run.IsCompleted)
        {
            await StopAsync();
        }

        // Keep the agent's log of every test run for a failure's post-mortem.
        string logs = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "qzcc-edge-tests", "logs");
        Directory.CreateDirectory(logs);
        await File.WriteAllTextAsync(System.IO.Path.Combine(logs, $"{TestContext.Current.Test?.TestDisplayName ?? "agent"}-{Guid.NewGuid():N}.log".Replace('/', '_')), Log.Text);
        _stop.Dispose();
    }
}

public static class TestData
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static EdgeAgentOptions Rsu(MqttEndpoint broker, string spool, string id = "RSU-T-01") => new()
    {
        Kind = SourceKind.Rsu,
        DeviceId = DeviceId.Parse(id),
        Mqtt = broker,
        SpoolDir = spool,
        InitialBackoff = TimeSpan.FromMilliseconds(100),
        MaxBackoff = TimeSpan.FromMilliseconds(500),
        HeartbeatInterval = TimeSpan.FromHours(1),
    };

    public static byte[] Bsm(int i)
    {
        Bsm bsm = Samples.Bsm() with { MsgCnt = (byte)(i % 128), SecMark = (ushort)(i % 60000) };
        return JsonCodec.Encode(new V2xMessage(default, bsm));
    }

    public static byte[] Golden(string name) => File.ReadAllBytes(System.IO.Path.Combine(AppContext.BaseDirectory, "Golden", name + ".json"));

    /// <summary>
    /// The uplink publishes of one device with a seq: checks that the first arrival of each seq came in increasing
    /// order and that the seqs are exactly 1..max; returns max and how many arrived twice (at-least-once).
    /// </summary>
    public static (long Max, int Duplicates) AssertContiguousInOrder(IReadOnlyList<Received> received, string deviceId)
    {
        HashSet<long> seen = [];
        long last = 0;
        int duplicates = 0;
        foreach (Received r in received)
        {
            if (r.Seq is not { } seq || !r.Topic.Contains($"/{deviceId}/", StringComparison.Ordinal))
            {
                continue;
            }

            if (!seen.Add(seq))
            {
                duplicates++;
                continue;
            }

            Assert.True(seq > last, $"seq {seq} arrived (first time) after seq {last}: order broken");
            Assert.True(seq == last + 1, $"seq {last + 1}..{seq - 1} missing: first new seq after {last} was {seq}");
            last = seq;
        }

        return (last, duplicates);
    }

    /// <summary>Waits for a condition on state that has no event to wait on (the agent's spool depth), checking every 50 ms.</summary>
    public static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        using CancellationTokenSource cts = new(timeout);
        using PeriodicTimer timer = new(TimeSpan.FromMilliseconds(50));
        while (!condition())
        {
            try
            {
                await timer.WaitForNextTickAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {what}");
            }
        }
    }

    public static long MaxSeq(IReadOnlyList<Received> received, string deviceId)
    {
        long max = 0;
        foreach (Received r in received)
        {
            if (r.Seq is { } seq && r.Topic.Contains($"/{deviceId}/", StringComparison.Ordinal))
            {
                max = Math.Max(max, seq);
            }
        }

        return max;
    }
}
