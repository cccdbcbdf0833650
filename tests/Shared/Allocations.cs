namespace QiZhiChunCheng.Testing;

/// <summary>What a call allocates on the calling thread, counted so that the JIT compiling on that thread is not.</summary>
public static class Allocations
{
    /// <summary>The least, over three rounds of <paramref name="calls"/> calls, of the bytes one call allocated.</summary>
    public static long PerCall(Action call, int calls = 100)
    {
        ArgumentNullException.ThrowIfNull(call);
        long least = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < calls; i++)
            {
                call();
            }

            least = Math.Min(least, (GC.GetAllocatedBytesForCurrentThread() - before) / calls);
        }

        return least;
    }
}
