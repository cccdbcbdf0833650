using System.Text;
using System.Text.Json.Nodes;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;
using QiZhiChunCheng.Testing;
using Xunit;

namespace QiZhiChunCheng.Core.Tests.Json;

/// <summary>Positions carried as offsets (position-LL1..LL6) or absolute (position-LatLon).</summary>
public sealed class JsonCodecPositionTests
{
    // The RSM golden participant: 452 and 1495 (1e-7 deg) north and east of refPos 438470800, 1252241100.
    private static readonly Position3D Expected = new(438470800 + 452, 1252241100 + 1495);

    [Theory]
    [InlineData("""{"position-LL1": {"lon": 1495, "lat": 452}}""")]
    [InlineData("""{"position-LL6": {"lon": 1495, "lat": 452}}""")]
    [InlineData("""{"position-LatLon": {"lon": 1252242595, "lat": 438471252}}""")]
    public void Rsm_participant_as_offset_or_absolute_decodes_to_the_same_position(string offsetLL)
    {
        Assert.True(JsonCodec.TryDecodeRsm(Rsm(offsetLL, refPosFirst: true), out Rsm? rsm, out Rejection rejection), rejection.ToString());
        Assert.Equal(Expected, rsm!.Participants[0].Pos);

        // JSON does not order members: refPos after the participants changes nothing.
        Assert.True(JsonCodec.TryDecodeRsm(Rsm(offsetLL, refPosFirst: false), out rsm, out rejection), rejection.ToString());
        Assert.Equal(Expected, rsm!.Participants[0].Pos);
    }

    [Theory]
    [InlineData("""{"elevation": 2170}""", 2170)]
    [InlineData("""{"offset1": -20}""", 2130)]
    public void Rsm_participant_elevation_comes_from_offsetV(string offsetV, int elevation)
    {
        string json = Encoding.UTF8.GetString(Rsm("""{"position-LL1": {"lon": 1495, "lat": 452}}""", refPosFirst: true))
            .Replace("""{"offsetLL":""", """{"offsetV": """ + offsetV + """, "offsetLL":""", StringComparison.Ordinal);

        Assert.True(JsonCodec.TryDecodeRsm(Encoding.UTF8.GetBytes(json), out Rsm? rsm, out Rejection rejection), rejection.ToString());
        Assert.Equal(Expected with { Elevation = elevation }, rsm!.Participants[0].Pos);
    }

    [Fact]
    public void Encode_writes_a_small_offset_as_position_LL1_and_a_far_one_as_position_LatLon()
    {
        Rsm sample = Samples.Rsm16();
        var participants = sample.Participants.AsSpan().ToArray();
        participants[0] = participants[0] with { Pos = new Position3D(sample.RefPos.Lat + 452, sample.RefPos.Long + 1495) };
        participants[1] = participants[1] with { Pos = new Position3D(sample.RefPos.Lat + 5_000_000, sample.RefPos.Long - 5_000_000, 2200) };
        participants[2] = participants[2] with { Pos = new Position3D(sample.RefPos.Lat + 10_000, sample.RefPos.Long) };
        Rsm rsm = sample with { Participants = participants };

        byte[] encoded = JsonCodec.Encode(new V2xMessage(Samples.Envelope(MessageType.Rsm), rsm));

        JsonArray written = JsonNode.Parse(encoded)!["participants"]!.AsArray();
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"offsetLL": {"position-LL1": {"lon": 1495, "lat": 452}}}"""),
            written[0]!["pos"]));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"offsetLL": {"position-LatLon": {"lon": 1247241100, "lat": 443470800}}, "offsetV": {"elevation": 2200}}"""),
            written[1]!["pos"]));
        Assert.NotNull(written[2]!["pos"]!["offsetLL"]!["position-LL3"]);

        Assert.True(JsonCodec.TryDecodeRsm(encoded, out Rsm? decoded, out Rejection rejection), rejection.ToString());
        Assert.Equal(rsm, decoded);
    }

    [Fact]
    public void Map_point_sent_as_position_LatLon_becomes_an_offset_from_the_node()
    {
        byte[] map = Encoding.UTF8.GetBytes("""
            {"msgCnt": 1, "nodes": [{"id": {"id": 1001}, "refPos": {"lat": 438470800, "long": 1252241100},
             "inLinks": [{"upstreamNodeId": {"id": 1000},
              "points": [{"posOffset": {"offsetLL": {"position-LatLon": {"lon": 1252241000, "lat": 438471000}}}}],
              "lanes": [{"laneID": 1}]}]}]}
            """);

        Assert.True(JsonCodec.TryDecodeMap(map, out MapData? decoded, out Rejection rejection), rejection.ToString());
        Assert.Equal(new RoadPoint(200, -100), decoded!.Nodes[0].InLinks[0].Points[0]);
    }

    [Fact]
    public void Bsm_crumb_sent_as_position_LatLon_becomes_an_offset_from_pos()
    {
        string json = Encoding.UTF8.GetString(GoldenFiles.Read("bsm.json")).Replace(
            "\"safetyExt\": {",
            "\"safetyExt\": {\"pathHistory\": {\"crumbData\": [{\"llvOffset\": {\"offsetLL\": {\"position-LatLon\": {\"lon\": 1252240770, \"lat\": 438470880}}}, \"timeOffset\": 10}]}, ",
            StringComparison.Ordinal);

        Assert.True(JsonCodec.TryDecodeBsm(Encoding.UTF8.GetBytes(json), out Bsm bsm, out Rejection rejection), rejection.ToString());
        PathHistoryPoint crumb = Assert.Single(bsm.SafetyExt!.Value.PathHistory!.Value.CrumbData.ToArray());
        Assert.Equal(new PathHistoryPoint(-120, -230, 10), crumb);
    }

    [Fact]
    public void Map_and_rsi_points_are_written_with_the_smallest_alternative()
    {
        var map = new MapData
        {
            MsgCnt = 1,
            Nodes =
            [
                new MapNode
                {
                    Id = new NodeReferenceId(1001),
                    RefPos = new Position3D(438470800, 1252241100),
                    InLinks =
                    [
                        new MapLink
                        {
                            UpstreamNodeId = new NodeReferenceId(1000),
                            Points = [new RoadPoint(2047, -2048), new RoadPoint(2048, 0), new RoadPoint(0, 2_097_152)],
                            Lanes = [new MapLane { LaneId = 1 }],
                        },
                    ],
                },
            ],
        };

        byte[] encoded = JsonCodec.Encode(new V2xMessage(Samples.Envelope(MessageType.Map), map));

        JsonArray points = JsonNode.Parse(encoded)!["nodes"]![0]!["inLinks"]![0]!["points"]!.AsArray();
        Assert.NotNull(points[0]!["posOffset"]!["offsetLL"]!["position-LL1"]);
        Assert.NotNull(points[1]!["posOffset"]!["offsetLL"]!["position-LL2"]);
        Assert.Equal(1252241100 + 2_097_152, (long)points[2]!["posOffset"]!["offsetLL"]!["position-LatLon"]!["lon"]!);
        Assert.True(JsonCodec.TryDecodeMap(encoded, out MapData? decoded, out Rejection rejection), rejection.ToString());
        Assert.Equal(map.Nodes[0].InLinks[0].Points, decoded!.Nodes[0].InLinks[0].Points);
    }

    private static byte[] Rsm(string offsetLL, bool refPosFirst)
    {
        const string RefPos = "\"refPos\": {\"lat\": 438470800, \"long\": 1252241100, \"elevation\": 2150}";
        string participants = """
            "participants": [{"ptcType": "pedestrian", "ptcId": 412, "source": "video", "secMark": 41200,
              "pos": {"offsetLL": OFFSET}, "posConfidence": {"pos": "a50cm"}, "speed": 65, "heading": 14400,
              "size": {"width": 50, "length": 50}}]
            """.Replace("OFFSET", offsetLL, StringComparison.Ordinal);
        string body = refPosFirst ? RefPos + ", " + participants : participants + ", " + RefPos;
        return Encoding.UTF8.GetBytes("""{"msgCnt": 3, "id": "5253553030303031", """ + body + "}");
    }
}
