using System.Collections.Concurrent;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;

namespace QiZhiChunCheng.Cloud;

/// <summary>Counters of the cloud tier, read by the summary, /metrics and tests. Thread-safe, lock-free.</summary>
public sealed class CloudMetrics
{
    private readonly long[] _accepted = new long[8];
    private readonly long[] _rejected = new long[16];
    private readonly long[] _events = new long[64];
    private readonly ConcurrentQueue<long> _latencies = new();
    private long _heartbeats;

    public long Accepted(MessageType type) => Interlocked.Read(ref _accepted[(int)type]);

    public long AcceptedTotal
    {
        get
        {
            long total = 0;
            for (int i = 0; i < _accepted.Length; i++)
            {
                total += Interlocked.Read(ref _accepted[i]);
            }

            return total;
        }
    }

    public long Rejected(RejectionKind kind) => Interlocked.Read(ref _rejected[(int)kind]);

    public long RejectedTotal
    {
        get
        {
            long total = 0;
            for (int i = 0; i < _rejected.Length; i++)
            {
                total += Interlocked.Read(ref _rejected[i]);
            }

            return total;
        }
    }

    public long Heartbeats => Interlocked.Read(ref _heartbeats);

    public long EventsOf(EventType type) => Interlocked.Read(ref _events[(int)type]);

    public IEnumerable<(EventType Type, long Count)> EventsByType()
    {
        foreach (EventType type in Enum.GetValues<EventType>())
        {
            long count = EventsOf(type);
            if (count > 0)
            {
                yield return (type, count);
            }
        }
    }

    /// <summary>Latencies (ms) from message generation to event detection of the onsets seen so far, sorted.</summary>
    public long[] DetectionLatenciesMs()
    {
        long[] values = [.. _latencies];
        Array.Sort(values);
        return values;
    }

    internal void CountAccepted(MessageType type) => Interlocked.Increment(ref _accepted[(int)type]);

    internal void CountRejected(RejectionKind kind) => Interlocked.Increment(ref _rejected[(int)kind]);

    internal void CountHeartbeat() => Interlocked.Increment(ref _heartbeats);

    internal void CountEvent(V2xEvent e)
    {
        if (e.Phase == EventPhase.Onset)
        {
            Interlocked.Increment(ref _events[(int)e.Type]);
            if (_latencies.Count < 100_000)
            {
                _latencies.Enqueue(Math.Max(0, e.DetectedUtcMs - e.EventTimeUtcMs));
            }
        }
    }
}
