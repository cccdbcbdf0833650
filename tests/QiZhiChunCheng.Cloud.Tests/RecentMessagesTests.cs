using QiZhiChunCheng.Cloud.Store;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Testing;

namespace QiZhiChunCheng.Cloud.Tests;

/// <summary>The ring of recent frames the store reads the messages behind an event from.</summary>
public sealed class RecentMessagesTests
{
    [Fact]
    public void A_message_is_found_by_its_trace_id_as_jer_json()
    {
        RecentMessages recent = new(64 * 1024);
        (TraceId trace, byte[] frame) = Frame(1, speed: 777);
        recent.Add(trace.ToString(), frame);

        EventMessage? found = recent.Find(trace.ToString(), "FCW-1");

        Assert.NotNull(found);
        Assert.Equal("BSM", found.MessageType);
        Assert.Equal("VEH-0001", found.SourceId);
        Assert.Contains("\"speed\":777", found.Json, StringComparison.Ordinal);
        Assert.Null(recent.Find(new TraceId(9, 9).ToString(), "FCW-1"));
        Assert.Null(recent.Find("not a trace id", "FCW-1"));
    }

    [Fact]
    public void The_newest_frames_are_kept_and_the_ones_the_ring_has_overwritten_are_forgotten()
    {
        RecentMessages recent = new(64 * 1024);
        List<TraceId> traces = [];
        for (int i = 1; i <= 2000; i++)
        {
            (TraceId trace, byte[] frame) = Frame(i, speed: (ushort)i);
            recent.Add(trace.ToString(), frame);
            traces.Add(trace);
        }

        int frameBytes = Frame(1, 1).Frame.Length;
        int fits = (64 * 1024) / frameBytes;
        Assert.True(fits < 2000, "the test must overwrite the ring");

        // Everything of the last ring's worth is found with its own content; the oldest are gone, nothing is mixed up.
        for (int i = 2000 - (fits / 2); i <= 2000; i++)
        {
            EventMessage? found = recent.Find(traces[i - 1].ToString(), "E");
            Assert.NotNull(found);
            Assert.Contains($"\"speed\":{i}", found.Json, StringComparison.Ordinal);
        }

        for (int i = 1; i <= 2000 - fits - 1; i++)
        {
            Assert.Null(recent.Find(traces[i - 1].ToString(), "E"));
        }

        Assert.InRange(recent.Count, fits / 2, fits + 1);
    }

    [Fact]
    public void A_retransmitted_trace_id_keeps_the_first_frame()
    {
        RecentMessages recent = new(64 * 1024);
        (TraceId trace, byte[] first) = Frame(3, speed: 100);
        (_, byte[] second) = Frame(3, speed: 200);
        recent.Add(trace.ToString(), first);
        recent.Add(trace.ToString(), second);

        Assert.Contains("\"speed\":100", recent.Find(trace.ToString(), "E")!.Json, StringComparison.Ordinal);
        Assert.Equal(1, recent.Count);
    }

    [Fact]
    public void Adding_a_frame_allocates_nothing()
    {
        RecentMessages recent = new(64 * 1024);
        byte[] frame = Frame(5, speed: 5).Frame;
        string[] ids = [.. Enumerable.Range(1, 3000).Select(i => new TraceId((ulong)i << 20, (ulong)i).ToString())];
        recent.Add(ids[0], frame); // first use: the lock's one-time costs

        // Three thousand new ids through a ring that holds a few hundred frames: copies, evictions and wrap-arounds.
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1; i < ids.Length; i++)
        {
            recent.Add(ids[i], frame);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static (TraceId Trace, byte[] Frame) Frame(int n, ushort speed)
    {
        TraceId trace = new((ulong)n * 0x9E3779B97F4A7C15UL, (ulong)n);
        Bsm bsm = Samples.Bsm() with { Speed = speed };
        V2xMessage message = new(new Envelope { SourceKind = SourceKind.Obu, SourceId = DeviceId.Parse($"VEH-{n % 10000:D4}"), Type = MessageType.Bsm, GeneratedUtcMs = 1_795_852_800_000 + n, TraceId = trace }, bsm);
        return (trace, BinaryCodec.Encode(message));
    }
}
