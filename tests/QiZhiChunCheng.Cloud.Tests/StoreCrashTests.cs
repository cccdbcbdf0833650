using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using QiZhiChunCheng.Cloud.Store;
using QiZhiChunCheng.Core.Events;

namespace QiZhiChunCheng.Cloud.Tests;

/// <summary>
/// A writer killed with SIGKILL in the middle of its work leaves a store that reopens consistent. The writer is a
/// real process (<c>qzcc store seed</c>, writing batches in transactions as fast as it can); it is killed right after
/// it reports a commit, so the next transaction is under way. Three rounds on the same file.
/// </summary>
public sealed class StoreCrashTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task A_store_whose_writer_is_killed_mid_write_reopens_consistent_with_every_committed_event()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string path = Path.Combine(_dir.Path, "events.db");
        long committed = 0;
        for (int round = 1; round <= 3; round++)
        {
            long reported = await WriteUntilKilledAsync(path, seed: round, ct);
            committed += reported;

            await using SqliteEventStore store = await SqliteEventStore.OpenAsync(path, ct);
            Assert.Empty(await store.CheckAsync(ct));
            long count = await store.CountAsync(ct);
            Assert.True(count >= committed, $"round {round}: {count} events stored, {committed} reported committed");
            committed = count; // what the killed transaction may have added is committed too, or absent as a whole

            // The last event the writer reported is there with its phases, and every event reads back.
            string last = string.Create(CultureInfo.InvariantCulture, $"SYN{round}-{reported - 1:D9}");
            Assert.NotEmpty((await store.GetDetailAsync(last, ct))!.Phases);
            long read = 0;
            for (int page = 1; ; page++)
            {
                EventPage p = await store.QueryAsync(new EventQuery { Page = page, PageSize = 1000 }, ct);
                read += p.Items.Count;
                if (p.Items.Count < 1000)
                {
                    break;
                }
            }

            Assert.Equal(count, read);
        }
    }

    /// <summary>Starts <c>qzcc store seed</c>, waits for its third reported commit, kills it; returns the events it reported committed.</summary>
    private static async Task<long> WriteUntilKilledAsync(string path, int seed, CancellationToken ct)
    {
        string qzcc = Path.Combine(AppContext.BaseDirectory, "qzcc.dll");
        Assert.True(File.Exists(qzcc), $"{qzcc} is built beside the tests");
        ProcessStartInfo start = new(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])[qzcc, "store", "seed", "--store", path, "--events", "100000000", "--batch", "300", "--seed", seed.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(arg);
        }

        // Lines go through a channel: a pipe read cannot be cancelled, a channel read can.
        Channel<string?> lines = Channel.CreateUnbounded<string?>();
        using Process writer = new() { StartInfo = start };
        writer.OutputDataReceived += (_, e) => lines.Writer.TryWrite(e.Data);
        writer.ErrorDataReceived += (_, e) => lines.Writer.TryWrite(e.Data is null ? null : "stderr: " + e.Data);
        writer.Start();
        writer.BeginOutputReadLine();
        writer.BeginErrorReadLine();
        long reported = 0;
        int commits = 0;
        try
        {
            using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Patience);
            while (commits < 3)
            {
                string? line = await lines.Reader.ReadAsync(timeout.Token);
                Assert.True(line is not null && !line.StartsWith("stderr: ", StringComparison.Ordinal), $"the writer failed: {line}");
                if (line.StartsWith("committed ", StringComparison.Ordinal))
                {
                    reported = long.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
                    commits++;
                }
            }
        }
        finally
        {
            writer.Kill(); // SIGKILL: no chance to finish the transaction or close the file
            await writer.WaitForExitAsync(ct);
        }

        Assert.NotEqual(0, writer.ExitCode);
        return reported;
    }

    public void Dispose() => _dir.Dispose();
}
