using System.Text.Json.Nodes;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Scenarios.Replay;

namespace QiZhiChunCheng.Scenarios.Tests;

/// <summary>Moving a payload's own time markers with its generation time, across minute and hour roll-overs.</summary>
public sealed class PayloadTimeShiftTests
{
    // 2026-11-28T08:00:59.950Z
    private static readonly long Generated = new DateTimeOffset(2026, 11, 28, 8, 0, 59, 950, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static long I(JsonNode? node) => long.Parse(node!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void A_BSM_secMark_crosses_the_minute_both_in_its_frame_form()
    {
        JsonNode bare = JsonNode.Parse("""{"secMark": 59950, "speed": 500}""")!;
        JsonNode framed = JsonNode.Parse("""{"bsmFrame": {"secMark": 59950}}""")!;

        PayloadTimeShift.Shift(bare, MessageType.Bsm, Generated, 90_000);
        PayloadTimeShift.Shift(framed, MessageType.Bsm, Generated, 90_000);

        Assert.Equal(29950, I(bare["secMark"]!));
        Assert.Equal(500, I(bare["speed"]!));
        Assert.Equal(29950, I(framed["bsmFrame"]!["secMark"]!));
    }

    [Fact]
    public void RSM_participants_SPAT_moy_timeStamp_and_UTC_timings_and_RSI_minutes_all_move()
    {
        JsonNode rsm = JsonNode.Parse("""{"participants": [{"secMark": 59900}, {"secMark": 60000}]}""")!;
        // moy 478560 is 2026-11-28T08:00Z (day 331 of 2026 starts at minute 476640, + 8 h).
        JsonNode spat = JsonNode.Parse("""{"moy": 478560, "timeStamp": 59950, "intersections": [{"moy": 478560, "timeStamp": 59950, "phases": [{"phaseStates": [{"timing": {"utcTiming": {"startUTCTime": 35990, "likelyEndUTCTime": 600}}}, {"timing": {"counting": {"startTime": 0, "likelyEndTime": 50}}}]}]}]}""")!;
        JsonNode rsi = JsonNode.Parse("""{"moy": 478560, "rtes": [{"timeDetails": {"startTime": 478550, "endTime": 478620}}]}""")!;

        PayloadTimeShift.Shift(rsm, MessageType.Rsm, Generated, 90_000);
        PayloadTimeShift.Shift(spat, MessageType.Spat, Generated, 3_600_000 + 90_000);
        PayloadTimeShift.Shift(rsi, MessageType.Rsi, Generated, 3_600_000);

        Assert.Equal(29900, I(rsm["participants"]![0]!["secMark"]!));
        Assert.Equal(60000, I(rsm["participants"]![1]!["secMark"]!)); // invalid stays invalid: it is part of the test
        Assert.Equal((478560 + 62, 29950), (I(spat["moy"]!), I(spat["timeStamp"]!)));
        JsonNode intersection = spat["intersections"]![0]!;
        Assert.Equal((478560 + 62, 29950), (I(intersection["moy"]!), I(intersection["timeStamp"]!)));
        JsonNode utc = intersection["phases"]![0]!["phaseStates"]![0]!["timing"]!["utcTiming"]!;
        Assert.Equal((890, 1500), (I(utc["startUTCTime"]!), I(utc["likelyEndUTCTime"]!))); // 07:59:59.0 + 1 h 1.5 min = 09:01:29.0
        Assert.Equal(50, I(intersection["phases"]![0]!["phaseStates"]![1]!["timing"]!["counting"]!["likelyEndTime"]!));
        Assert.Equal((478620, 478610, 478680), (I(rsi["moy"]!), I(rsi["rtes"]![0]!["timeDetails"]!["startTime"]!), I(rsi["rtes"]![0]!["timeDetails"]!["endTime"]!)));
    }
}
