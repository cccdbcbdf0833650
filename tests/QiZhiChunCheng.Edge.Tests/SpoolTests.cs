using QiZhiChunCheng.Edge.Spool;
using QiZhiChunCheng.Edge.Tests.Fixtures;

namespace QiZhiChunCheng.Edge.Tests;

/// <summary>The spool on real files: order, restarts, torn records, and the drop policy to the record.</summary>
public sealed class SpoolTests : IDisposable
{
    private const string BsmTopic = "V2X/RSU/RSU-T-01/BSM/UP";
    private const string RsiTopic = "V2X/RSU/RSU-T-01/RSI/UP";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Records_come_back_in_seq_order_across_both_classes_and_survive_a_reopen()
    {
        using (DurableSpool spool = DurableSpool.Open(_dir.Path))
        {
            for (int i = 0; i < 100; i++)
            {
                UplinkKind kind = i % 10 == 3 ? UplinkKind.Rsi : UplinkKind.Bsm;
                spool.Append(kind, kind == UplinkKind.Rsi ? RsiTopic : BsmTopic, 1000 + i, Payload(i), out long seq);
                Assert.Equal(i + 1, seq);
            }

            // Send and acknowledge the first 40.
            for (int i = 0; i < 40; i++)
            {
                Assert.True(spool.TryReadNext(out SpoolEntry e));
                Assert.Equal(i + 1, e.Seq);
            }

            spool.Acknowledge(spool.SendMark);
            // 20 more sent but never acknowledged (the connection dropped): they must come again.
            for (int i = 0; i < 20; i++)
            {
                Assert.True(spool.TryReadNext(out _));
            }
        }

        using DurableSpool reopened = DurableSpool.Open(_dir.Path);
        Assert.Equal(101, reopened.NextSeq);
        Assert.Equal(60, reopened.PendingRecords);
        for (int i = 40; i < 100; i++)
        {
            Assert.True(reopened.TryReadNext(out SpoolEntry e));
            Assert.Equal(i + 1, e.Seq);
            Assert.Equal(1000 + i, e.GeneratedUtcMs);
            Assert.Equal(i % 10 == 3 ? RsiTopic : BsmTopic, e.Topic);
            Assert.Equal(Payload(i), e.Payload);
        }

        Assert.False(reopened.TryReadNext(out _));
    }

    [Fact]
    public void A_torn_last_record_is_detected_and_skipped_not_replayed()
    {
        using (DurableSpool spool = DurableSpool.Open(_dir.Path))
        {
            for (int i = 0; i < 10; i++)
            {
                spool.Append(UplinkKind.Bsm, BsmTopic, 1000 + i, Payload(i), out _);
            }
        }

        // A crash in the middle of the 11th write: its header and half its body reached the disk.
        string segment = Directory.GetFiles(Path.Combine(_dir.Path, "telemetry"), "*.seg").Single();
        long intact = new FileInfo(segment).Length;
        using (DurableSpool probe = DurableSpool.Open(Path.Combine(_dir.Path, "scratch")))
        {
            probe.Append(UplinkKind.Bsm, BsmTopic, 2000, Payload(10), out _);
        }

        byte[] whole = File.ReadAllBytes(Directory.GetFiles(Path.Combine(_dir.Path, "scratch", "telemetry"), "*.seg").Single());
        using (FileStream f = new(segment, FileMode.Append))
        {
            f.Write(whole.AsSpan(0, whole.Length / 2));
        }

        using DurableSpool reopened = DurableSpool.Open(_dir.Path);
        Assert.Equal(1, reopened.TornRecords);
        Assert.Equal(intact, new FileInfo(segment).Length);
        Assert.Equal(11, reopened.NextSeq);
        List<long> seqs = [];
        while (reopened.TryReadNext(out SpoolEntry e))
        {
            seqs.Add(e.Seq);
            Assert.Equal(Payload((int)e.Seq - 1), e.Payload);
        }

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), seqs);
        reopened.Append(UplinkKind.Bsm, BsmTopic, 3000, Payload(10), out long next);
        Assert.Equal(11, next);
    }

    [Fact]
    public void A_record_whose_checksum_fails_ends_its_segment()
    {
        using (DurableSpool spool = DurableSpool.Open(_dir.Path))
        {
            for (int i = 0; i < 5; i++)
            {
                spool.Append(UplinkKind.Bsm, BsmTopic, 1000 + i, Payload(i), out _);
            }
        }

        string segment = Directory.GetFiles(Path.Combine(_dir.Path, "telemetry"), "*.seg").Single();
        byte[] bytes = File.ReadAllBytes(segment);
        bytes[^3] ^= 0xFF; // a flipped byte in the last record's payload
        File.WriteAllBytes(segment, bytes);

        using DurableSpool reopened = DurableSpool.Open(_dir.Path);
        Assert.Equal(1, reopened.TornRecords);
        int count = 0;
        while (reopened.TryReadNext(out _))
        {
            count++;
        }

        Assert.Equal(4, count);
    }

    [Fact]
    public void When_full_the_oldest_telemetry_segments_are_dropped_whole_and_counted()
    {
        // Every record is the same size, so a segment holds exactly 10 of them and the spool 4 segments.
        int size = RecordSize(BsmTopic, Payload(0).Length);
        SpoolOptions options = new() { SegmentBytes = 10 * size, MaxBytes = 40 * size };
        List<string> log = [];
        using DurableSpool spool = DurableSpool.Open(_dir.Path, options, log.Add);
        for (int i = 0; i < 40; i++)
        {
            Assert.Equal(SpoolAppend.Appended, spool.Append(UplinkKind.Bsm, BsmTopic, i, Payload(i), out _));
        }

        Assert.Equal(0, spool.Dropped(UplinkKind.Bsm));
        // The 41st needs room: the oldest telemetry segment (seqs 1..10) goes.
        spool.Append(UplinkKind.Bsm, BsmTopic, 40, Payload(40), out _);
        Assert.Equal(10, spool.Dropped(UplinkKind.Bsm));
        Assert.Contains(log, l => l.Contains("dropped the oldest telemetry segment, 10 unsent records", StringComparison.Ordinal));

        List<long> seqs = [];
        while (spool.TryReadNext(out SpoolEntry e))
        {
            seqs.Add(e.Seq);
        }

        Assert.Equal(Enumerable.Range(11, 31).Select(i => (long)i), seqs);
        Assert.True(spool.Bytes <= options.MaxBytes);
    }

    [Fact]
    public void When_only_critical_records_remain_new_telemetry_is_refused_and_counted_while_RSI_is_kept()
    {
        int size = RecordSize(RsiTopic, Payload(0).Length);
        SpoolOptions options = new() { SegmentBytes = 10 * size, MaxBytes = 20 * size };
        using DurableSpool spool = DurableSpool.Open(_dir.Path, options);
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(SpoolAppend.Appended, spool.Append(UplinkKind.Rsi, RsiTopic, i, Payload(i), out _));
        }

        Assert.Equal(SpoolAppend.Refused, spool.Append(UplinkKind.Bsm, BsmTopic, 20, Payload(20), out long refusedSeq));
        Assert.Equal(21, refusedSeq);
        Assert.Equal(1, spool.Refused(UplinkKind.Bsm));
        Assert.Equal(SpoolAppend.Appended, spool.Append(UplinkKind.Rsi, RsiTopic, 21, Payload(21), out _));
        Assert.Equal(21, spool.PendingRecords);
    }

    [Fact]
    public void Acknowledged_segments_are_deleted_and_the_seq_goes_on_after_a_reopen()
    {
        int size = RecordSize(BsmTopic, Payload(0).Length);
        SpoolOptions options = new() { SegmentBytes = 10 * size };
        using (DurableSpool spool = DurableSpool.Open(_dir.Path, options))
        {
            for (int i = 0; i < 35; i++)
            {
                spool.Append(UplinkKind.Bsm, BsmTopic, i, Payload(i), out _);
            }

            while (spool.TryReadNext(out _))
            {
            }

            spool.Acknowledge(spool.SendMark);
            Assert.Equal(0, spool.PendingRecords);
            Assert.Single(Directory.GetFiles(Path.Combine(_dir.Path, "telemetry"), "*.seg"));
        }

        using DurableSpool reopened = DurableSpool.Open(_dir.Path, options);
        Assert.Equal(36, reopened.NextSeq);
        Assert.False(reopened.TryReadNext(out _));
    }

    [Fact]
    public void A_second_agent_cannot_open_a_spool_in_use()
    {
        using DurableSpool first = DurableSpool.Open(_dir.Path);
        Core.InfrastructureException ex = Assert.Throws<Core.InfrastructureException>(() => DurableSpool.Open(_dir.Path));
        Assert.Contains("in use", ex.Message, StringComparison.Ordinal);
    }

    private static byte[] Payload(int i) => System.Text.Encoding.UTF8.GetBytes($"{{\"msgCnt\":{i % 128:D3},\"pad\":\"{new string('x', 100)}\",\"i\":{i:D6}}}");

    private static int RecordSize(string topic, int payload) => 8 + 20 + topic.Length + payload;
}
