using System.Runtime.InteropServices;

namespace QiZhiChunCheng.Cloud.Workers;

/// <summary>
/// Raises the scheduling priority of the calling thread (a fusion worker's) where the operating system lets it. On a
/// small machine the worker shares the cores with the broker's connections, the store and the downlink; a message
/// waits on the bus whenever the worker is ready but not running. Measured with the end-to-end harness at 20,000
/// msg/s on two cores, the time from ingest to the worker having applied a message was 11.8 ms at the 90th percentile
/// with the worker at the default priority and 4.2 to 5.1 ms at nice -10.
/// <para>
/// .NET's <see cref="Thread.Priority"/> changes nothing on Linux, so on Linux this sets the thread's nice value with
/// <c>setpriority(PRIO_PROCESS, tid, nice)</c>. A negative value needs <c>CAP_SYS_NICE</c> (root, or a service unit
/// with <c>AmbientCapabilities=CAP_SYS_NICE</c>); without it the call fails and the worker runs at the default
/// priority, which is only slower. Elsewhere it is <see cref="ThreadPriority.AboveNormal"/>.
/// </para>
/// </summary>
public static partial class WorkerPriority
{
    private const int PrioProcess = 0;

    /// <summary>Tries to give the calling thread <paramref name="nice"/> (Linux) or above-normal priority; the error text when it could not, else null.</summary>
    public static string? TryRaise(int nice)
    {
        if (nice == 0)
        {
            return null;
        }

        try
        {
            if (OperatingSystem.IsLinux())
            {
                return setpriority(PrioProcess, gettid(), nice) == 0
                    ? null
                    : $"setpriority({nice}) failed with errno {Marshal.GetLastPInvokeError()} (raising a thread's priority needs CAP_SYS_NICE)";
            }

            Thread.CurrentThread.Priority = nice < 0 ? ThreadPriority.AboveNormal : ThreadPriority.BelowNormal;
            return null;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or PlatformNotSupportedException or ThreadStateException)
        {
            return ex.Message;
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setpriority(int which, int who, int prio);

    [LibraryImport("libc")]
    private static partial int gettid();
}
