using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;
using QiZhiChunCheng.Engine;
using QiZhiChunCheng.Engine.Trust;

namespace QiZhiChunCheng.Cloud;

/// <summary>Counters of the cloud tier, read by the summary, /metrics and tests. Thread-safe, lock-free.</summary>
public sealed class CloudMetrics
{
    private readonly long[] _accepted = new long[8];
    private readonly long[] _rejected = new long[16];
    private readonly long[] _events = new long[64];
    private readonly ConcurrentQueue<long> _latencies = new();
    private readonly ConcurrentDictionary<(SourceKind Kind, DeviceId Device), DeviceSequence> _devices = new();
    private readonly ConcurrentDictionary<int, PartitionProgress> _partitions = new();
    private long _heartbeats;
    private long _sinkFailures;

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

    /// <summary>
    /// Milliseconds from each message's generation (its <c>ts</c>, else ingest) to the moment a fusion worker has applied it
    /// to the world model and run any detection it completes: the message-to-track-update or message-to-event latency.
    /// Replayed (warm-up) messages are not counted.
    /// </summary>
    public LatencyHistogram MessageLatency { get; } = new();

    /// <summary>
    /// From a message's generation (its <c>ts</c>) to the broker handing it to ingest, every uplink that carries one
    /// (1 ms steps: both times are whole ms). The part of <see cref="MessageLatency"/> spent before the cloud.
    /// </summary>
    public LatencyHistogram IngestLatency { get; } = new();

    /// <summary>Messages processed by the workers (halo copies count once per partition that processes them).</summary>
    public long Processed => _partitions.Values.Sum(p => Interlocked.Read(ref p.Processed));

    /// <summary>Event batches a sink failed to take after its retries.</summary>
    public long SinkFailures => Interlocked.Read(ref _sinkFailures);

    /// <summary>Progress of each partition: processed messages and lag (records waiting on the bus).</summary>
    public IReadOnlyDictionary<int, PartitionProgress> Partitions => _partitions;

    internal PartitionProgress Partition(int partition) => _partitions.GetOrAdd(partition, static p => new PartitionProgress(p));

    internal void CountSinkFailure() => Interlocked.Increment(ref _sinkFailures);

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

    /// <summary>The <c>seq</c> bookkeeping of every device seen, by kind and id.</summary>
    public IReadOnlyDictionary<(SourceKind Kind, DeviceId Device), DeviceSequence> Devices => _devices;

    /// <summary>Missing messages over all devices: the sum of the jumps in their <c>seq</c>.</summary>
    public long GapsTotal => _devices.Values.Sum(d => d.Gaps);

    /// <summary>Publishes whose <c>seq</c> was not new (at-least-once resends after an outage).</summary>
    public long DuplicatesTotal => _devices.Values.Sum(d => d.Duplicates);

    /// <summary>Latencies (ms) from generation (<c>ts</c>) to ingest of the uplink publishes seen so far (first 100,000), sorted.</summary>
    /// <summary>
    /// The pipeline in the Prometheus text format: messages in by type, rejected by reason, per partition the lag,
    /// messages processed and replayed and events emitted, the message-to-result latency histogram, sink failures.
    /// </summary>
    public void WritePipeline(StringBuilder text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text.Append("# HELP qzcc_messages_accepted_total Messages accepted by ingest, by message type.\n# TYPE qzcc_messages_accepted_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"qzcc_messages_accepted_total {AcceptedTotal}\n");
        foreach (MessageType type in Enum.GetValues<MessageType>())
        {
            if ((int)type < _accepted.Length && Accepted(type) is > 0 and long count)
            {
                text.Append(CultureInfo.InvariantCulture, $"qzcc_messages_accepted_by_type_total{{type=\"{type.ToString().ToUpperInvariant()}\"}} {count}\n");
            }
        }

        text.Append("# HELP qzcc_messages_rejected_total Messages refused (sent to v2x.deadletter), by reason.\n# TYPE qzcc_messages_rejected_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"qzcc_messages_rejected_total {RejectedTotal}\n");
        foreach (RejectionKind kind in Enum.GetValues<RejectionKind>())
        {
            if ((int)kind < _rejected.Length && Rejected(kind) is > 0 and long count)
            {
                text.Append(CultureInfo.InvariantCulture, $"qzcc_messages_rejected_by_reason_total{{reason=\"{kind}\"}} {count}\n");
            }
        }

        text.Append("# HELP qzcc_partition_lag Records on the bus not yet taken by the partition's worker.\n# TYPE qzcc_partition_lag gauge\n");
        foreach (PartitionProgress p in _partitions.Values.OrderBy(p => p.Partition))
        {
            text.Append(CultureInfo.InvariantCulture, $"qzcc_partition_lag{{partition=\"{p.Partition}\"}} {p.LagCount}\n");
        }

        foreach (PartitionProgress p in _partitions.Values.OrderBy(p => p.Partition))
        {
            text.Append(CultureInfo.InvariantCulture, $"qzcc_partition_processed_total{{partition=\"{p.Partition}\"}} {p.ProcessedCount}\n");
            text.Append(CultureInfo.InvariantCulture, $"qzcc_partition_replayed_total{{partition=\"{p.Partition}\"}} {p.ReplayedCount}\n");
            text.Append(CultureInfo.InvariantCulture, $"qzcc_partition_events_total{{partition=\"{p.Partition}\"}} {p.EventsEmittedCount}\n");
            text.Append(CultureInfo.InvariantCulture, $"qzcc_partition_events_not_owned_total{{partition=\"{p.Partition}\"}} {p.EventsNotOwnedCount}\n");
        }

        WriteTrust(text);

        MessageLatency.WritePrometheus(text, "qzcc_message_latency_ms", "From a message's generation (ts) to the fusion worker having applied it and run the detection it completes.");
        text.Append(CultureInfo.InvariantCulture, $"qzcc_sink_failures_total {SinkFailures}\n");
    }

    // The plausibility checks of every partition's engine. A source near a tile edge is checked by each partition that
    // sees it (home and halo), so the totals count such sightings more than once; quarantines are per partition.
    private void WriteTrust(StringBuilder text)
    {
        List<(int Partition, TrustCounters Trust)> engines = [];
        foreach (PartitionProgress p in _partitions.Values.OrderBy(p => p.Partition))
        {
            if (p.EngineCounters is { } counters)
            {
                engines.Add((p.Partition, counters.Trust));
            }
        }

        if (engines.Count == 0)
        {
            return;
        }

        text.Append("# HELP qzcc_trust_sightings_total Sightings (a BSM or an RSM participant) the plausibility checks looked at.\n# TYPE qzcc_trust_sightings_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"qzcc_trust_sightings_total {engines.Sum(e => e.Trust.Sightings)}\n");
        text.Append(CultureInfo.InvariantCulture, $"qzcc_trust_failed_sightings_total {engines.Sum(e => e.Trust.FailedSightings)}\n");
        text.Append(CultureInfo.InvariantCulture, $"qzcc_trust_dropped_total {engines.Sum(e => e.Trust.Dropped)}\n");
        text.Append("# HELP qzcc_trust_failures_total Plausibility-rule failures by rule.\n# TYPE qzcc_trust_failures_total counter\n");
        for (int r = 1; r < TrustRules.Count; r++)
        {
            TrustRule rule = (TrustRule)r;
            text.Append(CultureInfo.InvariantCulture, $"qzcc_trust_failures_total{{rule=\"{TrustRules.Name(rule)}\"}} {engines.Sum(e => e.Trust.Failures(rule))}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"qzcc_trust_quarantines_total {engines.Sum(e => e.Trust.Quarantines)}\n");
        text.Append(CultureInfo.InvariantCulture, $"qzcc_trust_anomalous_windows_total {engines.Sum(e => e.Trust.AnomalousWindows)}\n");
        text.Append(CultureInfo.InvariantCulture, $"qzcc_trust_explained_windows_total {engines.Sum(e => e.Trust.ExplainedWindows)}\n");
        text.Append("# HELP qzcc_trust_quarantined_sources Sources whose messages no longer feed detection, per partition.\n# TYPE qzcc_trust_quarantined_sources gauge\n");
        foreach ((int partition, TrustCounters trust) in engines)
        {
            text.Append(CultureInfo.InvariantCulture, $"qzcc_trust_quarantined_sources{{partition=\"{partition}\"}} {trust.Quarantined}\n");
        }
    }

    /// <summary>The transport counters in the Prometheus text format: per-device gaps, duplicates, resets; ingest latency.</summary>
    public void WriteTransport(StringBuilder text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (((SourceKind kind, DeviceId device), DeviceSequence s) in _devices)
        {
            string labels = $"kind=\"{(kind == SourceKind.Rsu ? "rsu" : "obu")}\",device=\"{device}\"";
            text.Append(CultureInfo.InvariantCulture, $"qzcc_device_seq_last{{{labels}}} {s.Last}\n");
            text.Append(CultureInfo.InvariantCulture, $"qzcc_device_seq_gaps_total{{{labels}}} {s.Gaps}\n");
            text.Append(CultureInfo.InvariantCulture, $"qzcc_device_seq_duplicates_total{{{labels}}} {s.Duplicates}\n");
            text.Append(CultureInfo.InvariantCulture, $"qzcc_device_seq_resets_total{{{labels}}} {s.Resets}\n");
        }

        IngestLatency.WritePrometheus(text, "qzcc_ingest_latency_ms", "From a message's generation (ts) to the broker handing it to ingest, in 1 ms steps.");
    }

    /// <summary>Counts one uplink's <c>seq</c> for its device (gaps, duplicates, resets).</summary>
    internal void CountSequence(SourceKind kind, DeviceId device, long seq) =>
        _devices.GetOrAdd((kind, device), static _ => new DeviceSequence()).See(seq);

    internal void CountIngestLatency(long latencyMs) => IngestLatency.RecordMs(Math.Max(0, latencyMs));

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

/// <summary>One partition's progress, updated by the worker that owns it.</summary>
public sealed class PartitionProgress(int partition)
{
    internal long Processed;
    internal long Replayed;
    internal long Lag;
    internal long EventsEmitted;
    internal long EventsNotOwned;
    internal int Owner = -1;
    internal EngineCounters? Engine;
    internal long Beat;

    public int Partition { get; } = partition;

    /// <summary>The worker that owns the partition now; -1 while nobody does (between a crash and the rebalance).</summary>
    public int OwnerWorker => Volatile.Read(ref Owner);

    public long ProcessedCount => Interlocked.Read(ref Processed);

    /// <summary>
    /// When the owning worker last went round its loop (UTC ms, 0: never), about every 200 ms while it runs, busy or
    /// idle. A worker stuck on one record, or held by sinks that do not confirm, stops beating (<c>/healthz</c>).
    /// </summary>
    public long LastBeatUtcMs => Interlocked.Read(ref Beat);

    public long ReplayedCount => Interlocked.Read(ref Replayed);

    /// <summary>Records on the bus not yet taken by the worker, as last measured.</summary>
    public long LagCount => Interlocked.Read(ref Lag);

    public long EventsEmittedCount => Interlocked.Read(ref EventsEmitted);

    /// <summary>Event phases this partition's engine raised but left to the partition that owns their tile.</summary>
    public long EventsNotOwnedCount => Interlocked.Read(ref EventsNotOwned);

    /// <summary>
    /// The counters of the engine that runs the partition now (null before a worker owns it): read without a lock by
    /// /metrics, each figure a whole 64-bit value, the set of them not a snapshot of one moment.
    /// </summary>
    public EngineCounters? EngineCounters => Volatile.Read(ref Engine);
}

/// <summary>
/// One device's <c>seq</c> as ingest saw it. A jump forward by n counts n - 1 missing messages (a gap); a seq at or
/// below the last one is a duplicate (an at-least-once resend after an outage) unless it is more than
/// <see cref="ResetDistance"/> below, which counts as a reset (a device that lost its counter) and restarts the
/// count from there. Worked example: 1, 2, 5, 3, 6, 2000000, 7 gives gaps 2 (3 and 4), duplicates 1 (the 3),
/// then 6, then a jump of 1999993 counted as gaps, and 7 as a reset. Thread-safe (a lock per device).
/// </summary>
public sealed class DeviceSequence
{
    public const long ResetDistance = 100_000;

    private readonly Lock _gate = new();

    public long Last { get; private set; }

    public long Gaps { get; private set; }

    public long Duplicates { get; private set; }

    public long Resets { get; private set; }

    /// <summary>Counts one seq (ingest calls it for each uplink of the device).</summary>
    public void See(long seq)
    {
        lock (_gate)
        {
            if (Last == 0)
            {
                Last = seq;
            }
            else if (seq > Last)
            {
                Gaps += seq - Last - 1;
                Last = seq;
            }
            else if (Last - seq > ResetDistance)
            {
                Resets++;
                Last = seq;
            }
            else
            {
                Duplicates++;
            }
        }
    }
}
