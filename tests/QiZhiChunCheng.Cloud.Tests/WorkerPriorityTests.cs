using QiZhiChunCheng.Cloud.Workers;

namespace QiZhiChunCheng.Cloud.Tests;

/// <summary>The fusion workers' priority: on Linux the nice value of the worker's own thread, not of the process.</summary>
public sealed class WorkerPriorityTests
{
    [Fact]
    public void TryRaise_sets_the_nice_value_of_the_calling_thread_only()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("thread nice values are a Linux mechanism");
        }

        int before = NiceOfThisThread();
        int? workerNice = null;
        string? error = "not run";
        Thread worker = new(() =>
        {
            // Lowering a priority needs no privilege, so the test runs anywhere; raising it is the same call.
            error = WorkerPriority.TryRaise(before + 5);
            workerNice = NiceOfThisThread();
        });
        worker.Start();
        worker.Join();

        Assert.Null(error);
        Assert.Equal(before + 5, workerNice);
        Assert.Equal(before, NiceOfThisThread());
    }

    [Fact]
    public void Zero_leaves_the_thread_alone()
    {
        Assert.Null(WorkerPriority.TryRaise(0));
    }

    // Field 19 of /proc/thread-self/stat, counted after the command name in parentheses (which may hold spaces).
    private static int NiceOfThisThread()
    {
        string stat = File.ReadAllText("/proc/thread-self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture);
    }
}
