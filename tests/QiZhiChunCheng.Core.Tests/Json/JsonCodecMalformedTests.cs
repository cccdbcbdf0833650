using System.Globalization;
using System.Text;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;
using QiZhiChunCheng.Testing;
using Xunit;

namespace QiZhiChunCheng.Core.Tests.Json;

/// <summary>
/// Bad input, one case per line: the message type, the payload (JSON text, or <c>gen:name</c> for payloads that
/// are not text), the expected kind and a fragment of the expected reason. Every case must be refused without an
/// exception; BSM and RSM exercise the hand-written readers, SPAT, MAP and RSI the generated code.
/// </summary>
public sealed class JsonCodecMalformedTests
{
    private const string Bsm =
        """{"msgCnt": 17, "id": "51415A4343303031", "secMark": 41200, "pos": {"lat": 438471000, "long": 1252241000}, "transmission": "forwardGears", "speed": 675, "heading": 4880, "accelSet": {"long": -450, "lat": 0, "vert": 0, "yaw": 0}, "brakes": {}, "size": {"width": 185, "length": 498}, "vehicleClass": {"classification": 10}""";

    private const string Participant =
        """{"ptcType": "motor", "ptcId": 7, "source": "video", "secMark": 41200, "pos": {"offsetLL": {"position-LL1": {"lon": 1495, "lat": 452}}}, "posConfidence": {"pos": "a50cm"}, "speed": 500, "heading": 4880, "size": {"width": 185, "length": 480}""";

    private const string Rsm =
        """{"msgCnt": 3, "id": "5253553030303031", "refPos": {"lat": 438470800, "long": 1252241100}, "participants": [""";

    private const string Spat =
        """{"msgCnt": 1, "intersections": [{"intersectionId": {"id": 1001}, "status": "0400", "phases": [{"id": 1, "phaseStates": [""";

    private const string Map =
        """{"msgCnt": 1, "nodes": [{"id": {"id": 1001}, "refPos": {"lat": 438470800, "long": 1252241100}, "inLinks": [{"upstreamNodeId": {"id": 1000}, "lanes": [""";

    private const string Rsi =
        """{"msgCnt": 1, "id": "5253553030303031", "refPos": {"lat": 438470800, "long": 1252241100}""";

    public static readonly TheoryData<string, MessageType, string, RejectionKind, string> Corpus = new()
    {
        // Framing: size, encoding, syntax.
        { "10 MB payload", MessageType.Bsm, "gen:10MB", RejectionKind.TooLarge, "payload of 10485760 bytes is over the 1048576-byte limit" },
        { "10 MB SPAT", MessageType.Spat, "gen:10MB", RejectionKind.TooLarge, "over the 1048576-byte limit" },
        { "invalid UTF-8", MessageType.Bsm, "gen:invalid-utf8", RejectionKind.InvalidUtf8, "invalid UTF-8 at byte 22" },
        { "invalid UTF-8 in SPAT", MessageType.Spat, "gen:invalid-utf8", RejectionKind.InvalidUtf8, "invalid UTF-8 at byte" },
        { "empty", MessageType.Bsm, "", RejectionKind.Malformed, "empty payload" },
        { "whitespace only", MessageType.Rsm, " \r\n ", RejectionKind.Malformed, "empty payload" },
        { "empty SPAT", MessageType.Spat, "", RejectionKind.Malformed, "empty payload" },
        { "truncated", MessageType.Bsm, """{"msgCnt": 17, "id": "51415A4343303031", "secMark": 41""", RejectionKind.Malformed, "JSON cut short at byte" },
        { "truncated in a string", MessageType.Bsm, """{"msgCnt": 17, "id": "5141""", RejectionKind.Malformed, "cut short" },
        { "truncated after a comma", MessageType.Rsm, Rsm + Participant + "},", RejectionKind.Malformed, "cut short" },
        { "truncated SPAT", MessageType.Spat, Spat, RejectionKind.Malformed, "cut short" },
        { "truncated MAP", MessageType.Map, """{"msgCnt": 1, "nodes": [{"id""", RejectionKind.Malformed, "cut short" },
        { "not JSON", MessageType.Bsm, "msgCnt=17", RejectionKind.Malformed, "malformed JSON at byte 0" },
        { "trailing garbage", MessageType.Bsm, Bsm + "} x", RejectionKind.Malformed, "malformed JSON at byte" },
        { "trailing comma", MessageType.Bsm, Bsm + ",}", RejectionKind.Malformed, "malformed JSON at byte" },
        { "single quotes", MessageType.Spat, "{'msgCnt': 1}", RejectionKind.Malformed, "malformed JSON at byte 1" },
        { "deeply nested unknown member", MessageType.Bsm, "gen:deep-member", RejectionKind.Malformed, "depth" },
        { "deeply nested unknown member in SPAT", MessageType.Spat, "gen:deep-member", RejectionKind.Malformed, "depth" },
        { "deeply nested array", MessageType.Bsm, "gen:deep-array", RejectionKind.WrongType, "expected an object, got an array" },
        { "deeply nested array as RSI", MessageType.Rsi, "gen:deep-array", RejectionKind.WrongType, "expected an object, got an array" },

        // The payload is not a message object.
        { "JSON null", MessageType.Bsm, "null", RejectionKind.WrongType, "expected an object, got null" },
        { "JSON null RSM", MessageType.Rsm, "null", RejectionKind.WrongType, "expected an object, got null" },
        { "JSON null SPAT", MessageType.Spat, "null", RejectionKind.WrongType, "expected an object, got null" },
        { "array root", MessageType.Bsm, "[]", RejectionKind.WrongType, "expected an object, got an array" },
        { "array root MAP", MessageType.Map, "[1, 2]", RejectionKind.WrongType, "expected an object, got an array" },
        { "number root", MessageType.Rsi, "17", RejectionKind.WrongType, "expected an object, got a number" },
        { "another message's frame", MessageType.Bsm, """{"rsmFrame": {}}""", RejectionKind.WrongType, "rsmFrame: expected a BSM, bare or as bsmFrame" },
        { "another message's frame SPAT", MessageType.Spat, """{"mapFrame": {}}""", RejectionKind.WrongType, "mapFrame: expected a SPAT" },
        { "frame that is not an object", MessageType.Bsm, """{"bsmFrame": 17}""", RejectionKind.WrongType, "bsmFrame: expected an object, got a number" },
        { "frame that is not an object SPAT", MessageType.Spat, """{"spatFrame": []}""", RejectionKind.WrongType, "spatFrame: expected an object, got an array" },
        { "error inside a frame", MessageType.Bsm, """{"bsmFrame": """ + Bsm + """, "speed": "fast"}}""", RejectionKind.WrongType, "bsmFrame.speed: expected a number, got a string" },

        // Wrong JSON types.
        { "string for a number", MessageType.Bsm, Bsm + """, "secMark": "41200"}""", RejectionKind.WrongType, "secMark: expected a number, got a string" },
        { "boolean for a number", MessageType.Bsm, Bsm + """, "heading": true}""", RejectionKind.WrongType, "heading: expected a number, got a boolean" },
        { "fraction for an integer", MessageType.Bsm, Bsm + """, "heading": 4880.5}""", RejectionKind.WrongType, "heading: expected an integer, got 4880.5" },
        { "number for an enum", MessageType.Bsm, Bsm + """, "transmission": 2}""", RejectionKind.WrongType, "transmission: expected an identifier string, got a number" },
        { "array for an object", MessageType.Bsm, Bsm + """, "pos": []}""", RejectionKind.WrongType, "pos: expected an object, got an array" },
        { "object for an array", MessageType.Rsm, """{"msgCnt": 3, "id": "5253553030303031", "refPos": {"lat": 1, "long": 2}, "participants": {}}""", RejectionKind.WrongType, "participants: expected an array, got an object" },
        { "string for a number in a participant", MessageType.Rsm, Rsm + Participant + "}, " + Participant + """, "speed": "5"}]}""", RejectionKind.WrongType, "participants[1].speed: expected a number, got a string" },
        { "number for a string", MessageType.Spat, """{"msgCnt": 1, "name": 5, "intersections": []}""", RejectionKind.WrongType, "name: expected a string, got a number" },
        { "string for a number SPAT", MessageType.Spat, """{"msgCnt": "1", "intersections": []}""", RejectionKind.WrongType, "msgCnt: expected a number, got a string" },
        { "object for an array SPAT", MessageType.Spat, """{"msgCnt": 1, "intersections": [{"intersectionId": {"id": 1}, "status": "0000", "phases": {}}]}""", RejectionKind.WrongType, "intersections[0].phases: expected an array, got an object" },
        { "number for an object SPAT", MessageType.Spat, Spat + """{"light": "red", "timing": 5}]}]}]}""", RejectionKind.WrongType, "intersections[0].phases[0].phaseStates[0].timing: expected an object, got a number" },
        { "array for an object MAP", MessageType.Map, Map + """{"laneID": 1, "laneAttributes": []}]}]}]}""", RejectionKind.WrongType, "nodes[0].inLinks[0].lanes[0].laneAttributes: expected an object, got an array" },
        { "string for a number MAP", MessageType.Map, Map + """{"laneID": "1"}]}]}]}""", RejectionKind.WrongType, "nodes[0].inLinks[0].lanes[0].laneID: expected a number, got a string" },
        { "null element in an array", MessageType.Map, Map + "null]}]}]}", RejectionKind.WrongType, "nodes[0].inLinks[0].lanes[0]: expected an object, got null" },

        // Numbers that do not fit the model field (values that fit are kept for the validator).
        { "speed beyond ushort", MessageType.Bsm, Bsm + """, "speed": 70000}""", RejectionKind.OutOfRange, "speed: 70000 is outside 0..8191" },
        { "msgCnt beyond byte", MessageType.Bsm, Bsm + """, "msgCnt": 300}""", RejectionKind.OutOfRange, "msgCnt: 300 is outside 0..127" },
        { "negative speed", MessageType.Rsm, Rsm + Participant + """, "speed": -1}]}""", RejectionKind.OutOfRange, "participants[0].speed: -1 is outside 0..8191" },
        { "huge integer", MessageType.Bsm, Bsm + """, "heading": 123456789012345678901234567890}""", RejectionKind.OutOfRange, "heading: 123456789012345678901234567890 is outside 0..28800" },
        { "latitude beyond int", MessageType.Bsm, Bsm + """, "pos": {"lat": 3000000000, "long": 1}}""", RejectionKind.OutOfRange, "pos.lat: 3000000000 is outside -900000000..900000001" },
        { "phase id beyond byte", MessageType.Spat, """{"msgCnt": 1, "intersections": [{"intersectionId": {"id": 1}, "status": "0000", "phases": [{"id": 300, "phaseStates": []}]}]}""", RejectionKind.OutOfRange, "intersections[0].phases[0].id: 300 is outside 0..255" },
        { "lane width beyond ushort", MessageType.Map, Map + """{"laneID": 1, "laneWidth": 70000}]}]}]}""", RejectionKind.OutOfRange, "nodes[0].inLinks[0].lanes[0].laneWidth: 70000 is outside 0..32767" },
        { "LL1 offset out of its range", MessageType.Rsm, Rsm + Participant + """, "pos": {"offsetLL": {"position-LL1": {"lon": 5000, "lat": 452}}}}]}""", RejectionKind.OutOfRange, "participants[0].pos.offsetLL.position-LL1.lon: 5000 is outside -2048..2047" },
        { "LL6 offset out of its range in MAP", MessageType.Map, Map + """{"laneID": 1, "points": [{"posOffset": {"offsetLL": {"position-LL6": {"lon": 1, "lat": 3000000}}}}]}]}]}]}""", RejectionKind.OutOfRange, "nodes[0].inLinks[0].lanes[0].points[0].posOffset.offsetLL.position-LL6.lat: 3000000 is outside -2097152..2097151" },
        { "too many crumbs", MessageType.Bsm, "gen:24-crumbs", RejectionKind.OutOfRange, "safetyExt.pathHistory.crumbData: 24 points is outside 1..23" },
        { "too many participants", MessageType.Rsm, "gen:17-participants", RejectionKind.OutOfRange, "participants: 17 participants is outside 1..16" },

        // ENUMERATED, OCTET STRING and BIT STRING text.
        { "unknown enum identifier", MessageType.Bsm, Bsm + """, "transmission": "sideways"}""", RejectionKind.WrongType, "transmission: \"sideways\" is not a TransmissionState" },
        { "unknown enum in a participant", MessageType.Rsm, Rsm + Participant + """, "ptcType": "tram"}]}""", RejectionKind.WrongType, "participants[0].ptcType: \"tram\" is not a ParticipantType" },
        { "enum in the wrong case", MessageType.Rsm, Rsm + Participant + """, "source": "Video"}]}""", RejectionKind.WrongType, "participants[0].source: \"Video\" is not a SourceType" },
        { "unknown light state", MessageType.Spat, Spat + """{"light": "purple"}]}]}]}""", RejectionKind.WrongType, "intersections[0].phases[0].phaseStates[0].light: \"purple\" is not a LightState" },
        { "light state as a number", MessageType.Spat, Spat + """{"light": 6}]}]}]}""", RejectionKind.WrongType, "phaseStates[0].light: expected an identifier string, got a number" },
        { "bad hex id", MessageType.Bsm, Bsm + """, "id": "XYZ"}""", RejectionKind.WrongType, "id: \"XYZ\" is not 16 hex digits" },
        { "short hex id", MessageType.Bsm, Bsm + """, "id": "51415A43"}""", RejectionKind.WrongType, "id: \"51415A43\" is not 16 hex digits" },
        { "hex id with a non-hex digit", MessageType.Rsm, Rsm + Participant + """, "id": "51415A434330303G"}]}""", RejectionKind.WrongType, "participants[0].id: \"51415A434330303G\" is not 16 hex digits" },
        { "bad hex id RSI", MessageType.Rsi, """{"msgCnt": 1, "id": "RSU-1", "refPos": {"lat": 1, "long": 2}}""", RejectionKind.WrongType, "id: \"RSU-1\" is not 16 hex digits" },
        { "bad priority", MessageType.Rsi, Rsi + """, "rtes": [{"rteId": 1, "eventType": 707, "eventSource": "police", "priority": "C"}]}""", RejectionKind.WrongType, "rtes[0].priority: \"C\" is not 2 hex digits" },
        { "bit string of the wrong size", MessageType.Spat, """{"msgCnt": 1, "intersections": [{"intersectionId": {"id": 1}, "status": "04", "phases": []}]}""", RejectionKind.WrongType, "intersections[0].status: \"04\" is not 4 hex digits" },
        { "extensible bit string as plain hex", MessageType.Bsm, Bsm + """, "safetyExt": {"events": "0100"}}""", RejectionKind.WrongType, "safetyExt.events: expected an object, got a string" },
        { "extensible bit string too short", MessageType.Bsm, Bsm + """, "safetyExt": {"events": {"value": "01", "length": 13}}}""", RejectionKind.WrongType, "safetyExt.events.value: \"01\" is not 4 hex digits for a length of 13" },
        { "extensible bit string without length", MessageType.Bsm, Bsm + """, "safetyExt": {"lights": {"value": "8000"}}}""", RejectionKind.WrongType, "safetyExt.lights: missing required member \"length\"" },

        // CHOICE.
        { "two alternatives in one CHOICE", MessageType.Rsm, Rsm + Participant + """, "pos": {"offsetLL": {"position-LL1": {"lon": 1, "lat": 2}, "position-LL2": {"lon": 1, "lat": 2}}}}]}""", RejectionKind.WrongType, "participants[0].pos: the offsetLL CHOICE needs exactly one alternative" },
        { "no alternative in a CHOICE", MessageType.Rsm, Rsm + Participant + """, "pos": {"offsetLL": {}}}]}""", RejectionKind.WrongType, "participants[0].pos: the offsetLL CHOICE needs exactly one alternative" },
        { "two alternatives in offsetV", MessageType.Rsm, Rsm + Participant + """, "pos": {"offsetLL": {"position-LL1": {"lon": 1, "lat": 2}}, "offsetV": {"elevation": 1, "offset1": 2}}}]}""", RejectionKind.WrongType, "participants[0].pos: the offsetV CHOICE needs exactly one alternative" },
        { "two alternatives in timing", MessageType.Spat, Spat + """{"light": "red", "timing": {"counting": {"startTime": 0, "likelyEndTime": 1}, "utcTiming": {"startTime": 0, "likelyEndTime": 1}}}]}]}]}""", RejectionKind.WrongType, "intersections[0].phases[0].phaseStates[0]: the timing CHOICE needs exactly one alternative" },
        { "two alternatives in laneType", MessageType.Map, Map + """{"laneID": 1, "laneAttributes": {"laneType": {"vehicle": "00", "crosswalk": "0000"}}}]}]}]}""", RejectionKind.WrongType, "lanes[0].laneAttributes: the laneType CHOICE needs exactly one alternative" },
        { "two alternatives in a MAP point", MessageType.Map, Map + """{"laneID": 1, "points": [{"posOffset": {"offsetLL": {"position-LL1": {"lon": 1, "lat": 2}, "position-LatLon": {"lon": 1, "lat": 2}}}}]}]}]}]}""", RejectionKind.WrongType, "lanes[0].points[0].posOffset: the offsetLL CHOICE needs exactly one alternative" },
        { "GB2312 description", MessageType.Rsi, Rsi + """, "rtss": [{"rtsId": 1, "signType": 85, "description": {"textGB2312": "CFDECBD9"}}]}""", RejectionKind.WrongType, "rtss[0].description.textGB2312: GB2312 text is not supported" },

        // Missing required members (a null member counts as absent).
        { "missing ptcId", MessageType.Rsm, Rsm + Participant + "}, " + Participant + "}, " + """{"ptcType": "motor", "source": "video", "secMark": 1, "pos": {"offsetLL": {"position-LL1": {"lon": 1, "lat": 2}}}, "posConfidence": {"pos": "a1m"}, "speed": 1, "heading": 1, "size": {"width": 1, "length": 1}}]}""", RejectionKind.WrongType, "participants[2]: missing required member \"ptcId\"" },
        { "missing msgCnt", MessageType.Bsm, "{}", RejectionKind.WrongType, "missing required member \"msgCnt\"" },
        { "null for a required member", MessageType.Bsm, Bsm.Replace("675", "null", StringComparison.Ordinal) + "}", RejectionKind.WrongType, "missing required member \"speed\"" },
        { "missing lat", MessageType.Bsm, Bsm + """, "pos": {"long": 1}}""", RejectionKind.WrongType, "pos: missing required member \"lat\"" },
        { "missing offsetLL", MessageType.Rsm, Rsm + Participant + """, "pos": {}}]}""", RejectionKind.WrongType, "participants[0].pos: missing required member \"offsetLL\"" },
        { "missing crumb timeOffset", MessageType.Bsm, Bsm + """, "safetyExt": {"pathHistory": {"crumbData": [{"llvOffset": {"offsetLL": {"position-LL1": {"lon": 1, "lat": 2}}}}]}}}""", RejectionKind.WrongType, "safetyExt.pathHistory.crumbData[0]: missing required member \"timeOffset\"" },
        { "missing intersections", MessageType.Spat, """{"msgCnt": 1}""", RejectionKind.WrongType, "missing required member \"intersections\"" },
        { "missing likelyEndTime", MessageType.Spat, Spat + """{"light": "red", "timing": {"counting": {"startTime": 0}}}]}]}]}""", RejectionKind.WrongType, "phaseStates[0].timing.counting: missing required member \"likelyEndTime\"" },
        { "missing likelyEndUTCTime", MessageType.Spat, Spat + """{"light": "red", "timing": {"utcTiming": {"startUTCTime": 0}}}]}]}]}""", RejectionKind.WrongType, "phaseStates[0].timing.utcTiming: missing required member \"likelyEndUTCTime\"" },
        { "missing laneType", MessageType.Map, Map + """{"laneID": 1, "laneAttributes": {}}]}]}]}""", RejectionKind.WrongType, "lanes[0].laneAttributes: missing required member \"laneType\"" },
        { "missing refPos", MessageType.Rsi, """{"msgCnt": 1, "id": "5253553030303031"}""", RejectionKind.WrongType, "missing required member \"refPos\"" },
        { "missing pathRadius", MessageType.Rsi, Rsi + """, "rtes": [{"rteId": 1, "eventType": 707, "eventSource": "police", "referencePaths": [{"activePath": []}]}]}""", RejectionKind.WrongType, "rtes[0].referencePaths[0]: missing required member \"pathRadius\"" },
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Bad_input_is_refused_with_its_kind_and_reason(string name, MessageType type, string payload, RejectionKind kind, string reason)
    {
        Assert.False(JsonCodec.TryDecode(type, Payload(payload), Samples.Envelope(type), out _, out Rejection rejection), name);

        Assert.Equal(kind, rejection.Kind);
        Assert.Contains(reason, rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_whole_corpus_leaves_nothing_behind_for_the_next_message()
    {
        foreach (TheoryDataRow<string, MessageType, string, RejectionKind, string> row in Corpus)
        {
            (string _, MessageType type, string payload, RejectionKind _, string _) = row.Data;
            Assert.False(JsonCodec.TryDecode(type, Payload(payload), Samples.Envelope(type), out _, out _));
        }

        Assert.True(JsonCodec.TryDecodeBsm(GoldenFiles.Read("bsm.json"), out Bsm bsm, out Rejection rejection), rejection.ToString());
        Assert.Equal(Samples.Bsm().Id, bsm.Id);
        Assert.Equal(VehicleEventFlags.HardBraking, bsm.SafetyExt?.Events);
    }

    [Fact]
    public void A_value_inside_its_field_but_outside_the_standard_is_kept_for_the_validator()
    {
        byte[] payload = Encoding.UTF8.GetBytes(Bsm + """, "speed": 9000, "msgCnt": 200, "secMark": 60000}""");

        Assert.True(JsonCodec.TryDecodeBsm(payload, out Bsm bsm, out Rejection rejection), rejection.ToString());
        Assert.Equal(9000, bsm.Speed);
        Assert.Equal(200, bsm.MsgCnt);
        Assert.Equal(60000, bsm.SecMark);
    }

    [Fact]
    public void Unknown_members_are_skipped()
    {
        byte[] payload = Encoding.UTF8.GetBytes(Bsm + """, "motionCfd": {"speedCfd": "prec1ms"}, "futureExtension": [1, {"a": [true, null]}], "timeConfidence": "time-000-001"}""");

        Assert.True(JsonCodec.TryDecodeBsm(payload, out Bsm bsm, out Rejection rejection), rejection.ToString());
        Assert.Equal(675, bsm.Speed);
    }

    private static byte[] Payload(string payload) => payload switch
    {
        "gen:10MB" => TenMegabytes(),
        "gen:invalid-utf8" => [.. "{\"msgCnt\": 17, \"id\": \""u8, 0xC3, 0x28, .. "\"}"u8],
        "gen:deep-member" => Encoding.UTF8.GetBytes(Bsm + ", \"x\": " + new string('[', 500) + new string(']', 500) + "}"),
        "gen:deep-array" => Encoding.UTF8.GetBytes(new string('[', 10_000) + new string(']', 10_000)),
        "gen:24-crumbs" => Encoding.UTF8.GetBytes(Bsm + """, "safetyExt": {"pathHistory": {"crumbData": [""" + Crumbs(24) + "]}}}"),
        "gen:17-participants" => Encoding.UTF8.GetBytes(Rsm + string.Join(", ", Enumerable.Repeat(Participant + "}", 17)) + "]}"),
        _ => Encoding.UTF8.GetBytes(payload),
    };

    private static string Crumbs(int count) =>
        string.Join(", ", Enumerable.Range(1, count).Select(i =>
            "{\"llvOffset\": {\"offsetLL\": {\"position-LL1\": {\"lon\": " + (-i * 10).ToString(CultureInfo.InvariantCulture)
            + ", \"lat\": " + (-i * 5).ToString(CultureInfo.InvariantCulture) + "}}}, \"timeOffset\": " + (i * 10).ToString(CultureInfo.InvariantCulture) + "}"));

    private static byte[] TenMegabytes()
    {
        byte[] payload = new byte[10 * 1024 * 1024];
        payload.AsSpan().Fill((byte)' ');
        payload[0] = (byte)'{';
        payload[^1] = (byte)'}';
        return payload;
    }
}
