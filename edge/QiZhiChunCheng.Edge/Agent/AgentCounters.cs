using QiZhiChunCheng.Edge.Spool;

namespace QiZhiChunCheng.Edge.Agent;

/// <summary>What an agent has done, for its heartbeat, the benchmark and tests. Thread-safe, lock-free.</summary>
public sealed class AgentCounters
{
    private readonly long[] _generated = new long[6];
    private readonly long[] _published = new long[6];
    private long _rejectedInput;
    private long _brokerRefused;
    private long _downlinks;
    private long _connects;
    private long _connectFailures;
    private string? _lastRejection;

    /// <summary>Messages handed to the agent by its source, by kind.</summary>
    public long Generated(UplinkKind kind) => Interlocked.Read(ref _generated[(int)kind]);

    /// <summary>Messages the broker has confirmed (QoS 1 acknowledgement, or a ping after QoS 0 publishes), by kind.</summary>
    public long Published(UplinkKind kind) => Interlocked.Read(ref _published[(int)kind]);

    public long PublishedTotal
    {
        get
        {
            long total = 0;
            for (int i = 0; i < _published.Length; i++)
            {
                total += Interlocked.Read(ref _published[i]);
            }

            return total;
        }
    }

    /// <summary>Source input refused before publishing (malformed UDP datagrams, bad replay lines).</summary>
    public long RejectedInput => Interlocked.Read(ref _rejectedInput);

    public string? LastRejection => Volatile.Read(ref _lastRejection);

    /// <summary>QoS 1 publishes the broker refused with a reason code (not retried).</summary>
    public long BrokerRefused => Interlocked.Read(ref _brokerRefused);

    public long Downlinks => Interlocked.Read(ref _downlinks);

    public long Connects => Interlocked.Read(ref _connects);

    public long ConnectFailures => Interlocked.Read(ref _connectFailures);

    internal void CountGenerated(UplinkKind kind) => Interlocked.Increment(ref _generated[(int)kind]);

    internal void CountPublished(UplinkKind kind) => Interlocked.Increment(ref _published[(int)kind]);

    internal void CountRejected(string reason)
    {
        Volatile.Write(ref _lastRejection, reason);
        Interlocked.Increment(ref _rejectedInput);
    }

    internal void CountBrokerRefused() => Interlocked.Increment(ref _brokerRefused);

    internal void CountDownlink() => Interlocked.Increment(ref _downlinks);

    internal void CountConnect() => Interlocked.Increment(ref _connects);

    internal void CountConnectFailure() => Interlocked.Increment(ref _connectFailures);
}
