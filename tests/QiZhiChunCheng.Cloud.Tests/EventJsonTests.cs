using System.Text.Json;
using QiZhiChunCheng.Cloud.Downlink;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Testing;

namespace QiZhiChunCheng.Cloud.Tests;

/// <summary>The event JSON a vehicle's WARN/DOWN and v2x.events carry, written for every phase.</summary>
public sealed class EventJsonTests
{
    [Fact]
    public void A_phase_is_written_whole_and_each_array_stays_as_it_was_returned()
    {
        V2xEvent first = Phase("BSW-A-1", EventPhase.Onset, ["5645483030303601", "5645483030303701"]);
        V2xEvent second = Phase("FCW-B-2", EventPhase.Clear, ["5645483030303901"]) with { Location = null, TraceId = null };

        byte[] a = EventJson.Serialize(first);
        byte[] copy = [.. a];
        byte[] b = EventJson.Serialize(second); // the same thread's writer

        Assert.Equal(copy, a);
        using JsonDocument one = JsonDocument.Parse(a);
        JsonElement root = one.RootElement;
        Assert.Equal("BSW-A-1", root.GetProperty("id").GetString());
        Assert.Equal("BSW", root.GetProperty("type").GetString());
        Assert.Equal("onset", root.GetProperty("phase").GetString());
        Assert.Equal(1_795_922_123_302, root.GetProperty("ts").GetInt64());
        Assert.Equal(["5645483030303601", "5645483030303701"], root.GetProperty("participants").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(3.4, root.GetProperty("figures").GetProperty("distanceM").GetDouble());
        Assert.Equal("Dongfeng Street", root.GetProperty("location").GetString());
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", root.GetProperty("traceId").GetString());

        using JsonDocument two = JsonDocument.Parse(b);
        Assert.Equal("clear", two.RootElement.GetProperty("phase").GetString());
        Assert.False(two.RootElement.TryGetProperty("location", out _));
        Assert.False(two.RootElement.TryGetProperty("traceId", out _));
    }

    [Fact]
    public void Writing_a_phase_allocates_little_beyond_the_array_it_returns()
    {
        V2xEvent e = Phase("BSW-A-1", EventPhase.Update, ["5645483030303601", "5645483030303701"]);
        int length = EventJson.Serialize(e).Length;

        // A fresh writer per phase made about 5,300 bytes of garbage on top of the array.
        Assert.InRange(Allocations.PerCall(() => EventJson.Serialize(e)), length, length + 512);
    }

    private static V2xEvent Phase(string id, EventPhase phase, string[] participants) => new()
    {
        Id = id,
        Type = id.StartsWith("BSW", StringComparison.Ordinal) ? EventType.Bsw : EventType.Fcw,
        Phase = phase,
        Severity = 2,
        Participants = participants,
        LatitudeDeg = 43.845328,
        LongitudeDeg = 125.219617,
        Location = "Dongfeng Street",
        EventTimeUtcMs = 1_795_922_123_300,
        DetectedUtcMs = 1_795_922_123_302,
        Figures = new Dictionary<string, double> { ["distanceM"] = 3.4, ["speedMps"] = 13.9 },
        TraceId = "0af7651916cd43dd8448eb211c80319c",
    };
}
