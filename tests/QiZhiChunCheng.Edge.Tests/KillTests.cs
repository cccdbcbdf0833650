using System.Globalization;
using QiZhiChunCheng.Edge.Spool;
using QiZhiChunCheng.Edge.Tests.Fixtures;

namespace QiZhiChunCheng.Edge.Tests;

/// <summary>The agent process is killed (SIGKILL) during an outage and started again: nothing spooled is lost.</summary>
public sealed class KillTests
{
    [Fact]
    public async Task Agent_killed_during_an_outage_and_restarted_sends_everything_it_spooled_in_order()
    {
        using TempDirectory dir = new();
        string spool = Path.Combine(dir.Path, "spool");
        await using TestBroker broker = new(); // not started yet: the outage
        string[] args = ["rsu", "--id", "RSU-K-01", "--mqtt", $"127.0.0.1:{broker.Port}", "--source", "sim:load:300", "--spool", spool, "--backoff-max", "0.5", "--heartbeat", "1"];

        long firstRunLast;
        using (AgentProcess first = AgentProcess.Start(args))
        {
            await TestData.WaitForAsync(() => SpoolBytes(spool) > 150_000 || first.HasExited, TestData.Patience, "the first run to spool");
            Assert.False(first.HasExited, first.Log);
            await first.KillAsync();
        }

        // What the killed run left: a torn last record, if any, is cut off here, exactly as the next run would.
        using (DurableSpool left = DurableSpool.Open(spool))
        {
            firstRunLast = left.NextSeq - 1;
            Assert.True(left.PendingRecords >= 300, $"only {left.PendingRecords} records spooled");
        }

        using AgentProcess second = AgentProcess.Start(args);
        long afterRestart = SpoolBytes(spool);
        await TestData.WaitForAsync(() => SpoolBytes(spool) > afterRestart + 50_000 || second.HasExited, TestData.Patience, "the second run to spool more");
        Assert.False(second.HasExited, second.Log);

        await broker.StartAsync();
        long target = firstRunLast + 600;
        await broker.Received.WaitUntilAsync(r => TestData.MaxSeq(r, "RSU-K-01") >= target, TestData.Patience, $"seq {target}");
        Assert.Equal(0, await second.InterruptAsync());

        (long max, int duplicates) = TestData.AssertContiguousInOrder(broker.Received.Snapshot(), "RSU-K-01");
        Assert.True(max >= target);
        Assert.Contains("left in the spool for the next run", second.Log, StringComparison.Ordinal);
        TestContext.Current.SendDiagnosticMessage(string.Create(CultureInfo.InvariantCulture, $"kill -9: first run spooled up to seq {firstRunLast}; {max} seqs in order; {duplicates} duplicates"));
    }

    private static long SpoolBytes(string spool)
    {
        string telemetry = Path.Combine(spool, "telemetry");
        return Directory.Exists(telemetry) ? Directory.GetFiles(telemetry, "*.seg").Sum(f => new FileInfo(f).Length) : 0;
    }
}
