using System.Text.Json.Nodes;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;
using QiZhiChunCheng.Testing;
using Xunit;

namespace QiZhiChunCheng.Core.Tests.Json;

/// <summary>One golden sample per message: the decoded fields, and encode then decode giving the same model.</summary>
public sealed class JsonCodecGoldenTests
{
    [Fact]
    public void Bsm_golden_decodes_to_the_reference_values()
    {
        Assert.True(JsonCodec.TryDecodeBsm(GoldenFiles.Read("bsm.json"), out Bsm bsm, out Rejection rejection), rejection.ToString());

        Assert.Equal(17, bsm.MsgCnt);
        Assert.Equal(new OctetId8(0x51415A4343303031), bsm.Id);
        Assert.Equal(41200, bsm.SecMark);
        Assert.Equal(new Position3D(438471000, 1252241000, 2150), bsm.Pos);
        Assert.Null(bsm.PosAccuracy);
        Assert.Null(bsm.PosConfidence);
        Assert.Equal(TransmissionState.ForwardGears, bsm.Transmission);
        Assert.Equal(675, bsm.Speed);
        Assert.Equal(4880, bsm.Heading);
        Assert.Null(bsm.Angle);
        Assert.Equal(new AccelerationSet4Way(-450, 0, 0, 0), bsm.AccelSet);
        Assert.Equal(new BrakeSystemStatus { BrakePadel = BrakePedalStatus.On }, bsm.Brakes);
        Assert.Equal(new VehicleSize(185, 498, 30), bsm.Size);
        Assert.Equal(10, bsm.VehicleClass.Classification);
        Assert.Equal(VehicleEventFlags.HardBraking, bsm.SafetyExt?.Events);
        Assert.Null(bsm.SafetyExt?.PathHistory);
        Assert.Null(bsm.SafetyExt?.Lights);
        Assert.Null(bsm.EmergencyExt);
    }

    [Fact]
    public void Bsm_golden_re_encodes_to_the_same_json()
    {
        byte[] golden = GoldenFiles.Read("bsm.json");
        Assert.True(JsonCodec.TryDecodeBsm(golden, out Bsm bsm, out _));

        byte[] encoded = JsonCodec.Encode(new V2xMessage(Samples.Envelope(MessageType.Bsm), bsm));

        JsonNode? expected = JsonNode.Parse(golden);
        JsonNode? actual = JsonNode.Parse(encoded);
        Assert.True(JsonNode.DeepEquals(expected, actual), actual?.ToJsonString());
    }

    [Fact]
    public void Rsm_golden_decodes_to_the_reference_values()
    {
        Assert.True(JsonCodec.TryDecodeRsm(GoldenFiles.Read("rsm.json"), out Rsm? rsm, out Rejection rejection), rejection.ToString());

        Assert.Equal(3, rsm!.MsgCnt);
        Assert.Equal(new OctetId8(0x5253553030303031), rsm.Id);
        Assert.Equal(new Position3D(438470800, 1252241100, 2150), rsm.RefPos);
        ParticipantData p = Assert.Single(rsm.Participants);
        Assert.Equal(ParticipantType.Pedestrian, p.PtcType);
        Assert.Equal(412, p.PtcId);
        Assert.Equal(SourceType.Video, p.Source);
        Assert.Null(p.Id);
        Assert.Equal(41200, p.SecMark);

        // 12 m east and 5 m north of the RSU: the offset is resolved against refPos; no offsetV, no elevation.
        Assert.Equal(new Position3D(438470800 + 452, 1252241100 + 1495), p.Pos);
        Assert.Equal(PositionConfidence.A50cm, p.PosConfidence.Pos);
        Assert.Null(p.Transmission);
        Assert.Equal(65, p.Speed);
        Assert.Equal(14400, p.Heading);
        Assert.Null(p.AccelSet);
        Assert.Equal(new VehicleSize(50, 50), p.Size);
        Assert.Null(p.VehicleClass);
    }

    [Fact]
    public void Spat_golden_decodes_to_the_reference_values()
    {
        Assert.True(JsonCodec.TryDecodeSpat(GoldenFiles.Read("spat.json"), out Spat? spat, out Rejection rejection), rejection.ToString());

        Assert.Equal(42, spat!.MsgCnt);
        Assert.Equal(476880u, spat.Moy);
        Assert.Equal((ushort)41200, spat.TimeStamp);
        Assert.Equal("Dongfeng-Feiyue", spat.Name);
        IntersectionState intersection = Assert.Single(spat.Intersections);
        Assert.Equal(new NodeReferenceId(1001, 220), intersection.IntersectionId);
        Assert.Equal(1 << 5, intersection.Status); // "0400": bit 5, fixedTimeOperation
        Assert.Equal(4, intersection.Phases.Count);

        Phase first = intersection.Phases[0];
        Assert.Equal(1, first.Id);
        Assert.Equal(3, first.PhaseStates.Count);
        PhaseState green = first.PhaseStates[0];
        Assert.Equal(LightState.ProtectedGreen, green.Light);
        Assert.Equal(
            new TimeChangeDetails
            {
                Kind = TimingKind.Counting,
                StartTime = 0,
                MinEndTime = 200,
                MaxEndTime = 250,
                LikelyEndTime = 215,
                TimeConfidence = 180,
                NextStartTime = 615,
                NextDuration = 300,
            },
            green.Timing);
        Assert.Equal(LightState.Yellow, first.PhaseStates[1].Light);
        Assert.Null(first.PhaseStates[1].Timing?.MinEndTime);
        Assert.Equal(LightState.PermissiveGreen, intersection.Phases[1].PhaseStates[1].Light);

        PhaseState utc = intersection.Phases[2].PhaseStates[0];
        Assert.Equal(TimingKind.UtcTiming, utc.Timing?.Kind);
        Assert.Equal((ushort)412, utc.Timing?.StartTime);
        Assert.Equal((ushort)657, utc.Timing?.LikelyEndTime);

        Assert.Equal(new PhaseState(LightState.FlashingYellow), intersection.Phases[3].PhaseStates[0]);
    }

    [Fact]
    public void Spat_utcTiming_is_written_with_the_standard_names_and_read_with_either()
    {
        Assert.True(JsonCodec.TryDecodeSpat(GoldenFiles.Read("spat.json"), out Spat? spat, out _));
        JsonNode written = JsonNode.Parse(JsonCodec.Encode(new V2xMessage(Samples.Envelope(MessageType.Spat), spat!)))!;
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"utcTiming": {"startUTCTime": 412, "likelyEndUTCTime": 657, "timeConfidence": 200}}"""),
            written["intersections"]![0]!["phases"]![2]!["phaseStates"]![0]!["timing"]));

        // Some senders reuse the TimeCountingDown names inside utcTiming.
        byte[] aliased = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(GoldenFiles.Read("spat.json"))
            .Replace("\"startUTCTime\"", "\"startTime\"", StringComparison.Ordinal)
            .Replace("\"likelyEndUTCTime\"", "\"likelyEndTime\"", StringComparison.Ordinal));
        Assert.True(JsonCodec.TryDecodeSpat(aliased, out Spat? fromAliases, out Rejection rejection), rejection.ToString());
        Assert.Equal(spat!.Intersections[0].Phases[2], fromAliases!.Intersections[0].Phases[2]);
    }

    [Fact]
    public void Map_golden_decodes_to_the_reference_values()
    {
        Assert.True(JsonCodec.TryDecodeMap(GoldenFiles.Read("map.json"), out MapData? map, out Rejection rejection), rejection.ToString());

        Assert.Equal(5, map!.MsgCnt);
        Assert.Equal(476880u, map.TimeStamp);
        MapNode node = Assert.Single(map.Nodes);
        Assert.Equal("Dongfeng-Feiyue", node.Name);
        Assert.Equal(new NodeReferenceId(1001, 220), node.Id);
        Assert.Equal(new Position3D(438470800, 1252241100, 2150), node.RefPos);
        Assert.Equal(2, node.InLinks.Count);

        MapLink dongfeng = node.InLinks[0];
        Assert.Equal("Dongfeng Street eastbound", dongfeng.Name);
        Assert.Equal(new NodeReferenceId(1000, 220), dongfeng.UpstreamNodeId);
        Assert.Equal(
            [new RegulatorySpeedLimit(SpeedLimitType.VehicleMaxSpeed, 833), new RegulatorySpeedLimit(SpeedLimitType.VehicleMinSpeed, 278)],
            dongfeng.SpeedLimits);
        Assert.Equal(1050, dongfeng.LinkWidth);
        Assert.Equal([new RoadPoint(-1530, -3811), new RoadPoint(-8740, -21780)], dongfeng.Points);
        Assert.Equal([new Movement(new NodeReferenceId(1003, 220), 1), new Movement(new NodeReferenceId(1004, 220), 2)], dongfeng.Movements);
        Assert.Equal(3, dongfeng.Lanes.Count);

        MapLane left = dongfeng.Lanes[0];
        Assert.Equal(1, left.LaneId);
        Assert.Equal((ushort)350, left.LaneWidth);
        Assert.Equal(new LaneAttributes(LaneType.Vehicle), left.LaneAttributes);
        Assert.Equal(AllowedManeuvers.Left, left.Maneuvers);
        Assert.Equal(
            new Connection(new NodeReferenceId(1004, 220), new ConnectingLane(3, AllowedManeuvers.Left), 2),
            Assert.Single(left.ConnectsTo));
        Assert.True(left.SpeedLimits.IsEmpty);
        Assert.Equal(new RoadPoint(-1610, -3760), left.Points[0]);

        MapLane straightRight = dongfeng.Lanes[1];
        Assert.Equal(AllowedManeuvers.Straight | AllowedManeuvers.Right, straightRight.Maneuvers);
        Assert.Equal(new LaneAttributes(LaneType.Vehicle, 0, 0), straightRight.LaneAttributes);
        Assert.Equal(AllowedManeuvers.Right, straightRight.ConnectsTo[1].ConnectingLane?.Maneuver);
        Assert.Equal(new RegulatorySpeedLimit(SpeedLimitType.VehicleMaxSpeed, 833), Assert.Single(straightRight.SpeedLimits));

        MapLane crosswalk = dongfeng.Lanes[2];
        Assert.Equal(9, crosswalk.LaneId);
        Assert.Equal(new LaneAttributes(LaneType.Crosswalk), crosswalk.LaneAttributes);
        Assert.Null(crosswalk.Maneuvers);
        Assert.True(crosswalk.ConnectsTo.IsEmpty);

        MapLink feiyue = node.InLinks[1];
        Assert.Equal(new RoadPoint(2003, -1414), feiyue.Points[0]);
        Assert.Equal(AllowedManeuvers.Straight | AllowedManeuvers.Left, Assert.Single(feiyue.Lanes).Maneuvers);
        Assert.Equal((byte?)4, feiyue.Lanes[0].ConnectsTo[1].PhaseId);
    }

    [Fact]
    public void Rsi_golden_decodes_to_the_reference_values()
    {
        Assert.True(JsonCodec.TryDecodeRsi(GoldenFiles.Read("rsi.json"), out Rsi? rsi, out Rejection rejection), rejection.ToString());

        Assert.Equal(8, rsi!.MsgCnt);
        Assert.Equal(476880u, rsi.Moy);
        Assert.Equal(new OctetId8(0x5253553030303031), rsi.Id);
        Assert.Equal(new Position3D(438470800, 1252241100, 2150), rsi.RefPos);

        RteData congestion = Assert.Single(rsi.Rtes);
        Assert.Equal(1, congestion.RteId);
        Assert.Equal(707, congestion.EventType);
        Assert.Equal(EventSource.Detection, congestion.EventSource);
        Assert.Equal(new RoadPoint(8740, 21780), congestion.EventPos);
        Assert.Equal((ushort)1500, congestion.EventRadius);
        Assert.Equal("Congestion on Dongfeng Street eastbound", congestion.Description);
        Assert.Equal(new RsiTimeDetails(476870, 476940), congestion.TimeDetails);
        Assert.Equal((byte)0xC0, congestion.Priority);
        ReferencePath path = Assert.Single(congestion.ReferencePaths);
        Assert.Equal([new RoadPoint(1530, 3811), new RoadPoint(8740, 21780), new RoadPoint(17480, 43560)], path.ActivePath);
        Assert.Equal(200, path.PathRadius);
        Assert.Equal((byte)180, congestion.EventConfidence);

        RtsData sign = Assert.Single(rsi.Rtss);
        Assert.Equal(1, sign.RtsId);
        Assert.Equal(85, sign.SignType);
        Assert.Equal(new RoadPoint(-8740, -21780), sign.SignPos);
        Assert.Equal("Speed limit 60 km/h", sign.Description);
        Assert.Equal(new RsiTimeDetails(476880), sign.TimeDetails);
        Assert.Equal((byte)0xA0, sign.Priority);
        Assert.Equal(2, Assert.Single(sign.ReferencePaths).ActivePath.Count);
    }

    [Theory]
    [InlineData(MessageType.Bsm, "bsm.json")]
    [InlineData(MessageType.Rsm, "rsm.json")]
    [InlineData(MessageType.Spat, "spat.json")]
    [InlineData(MessageType.Map, "map.json")]
    [InlineData(MessageType.Rsi, "rsi.json")]
    public void Golden_message_survives_encode_then_decode(MessageType type, string file)
    {
        Envelope envelope = Samples.Envelope(type);
        Assert.True(JsonCodec.TryDecode(type, GoldenFiles.Read(file), envelope, out V2xMessage decoded, out Rejection rejection), rejection.ToString());

        byte[] encoded = JsonCodec.Encode(decoded);

        Assert.True(JsonCodec.TryDecode(type, encoded, envelope, out V2xMessage again, out rejection), rejection.ToString());
        Assert.True(decoded.BodyEquals(again), System.Text.Encoding.UTF8.GetString(encoded));
    }

    [Theory]
    [InlineData(MessageType.Bsm, "bsm.json", "bsmFrame")]
    [InlineData(MessageType.Rsm, "rsm.json", "rsmFrame")]
    [InlineData(MessageType.Spat, "spat.json", "spatFrame")]
    [InlineData(MessageType.Map, "map.json", "mapFrame")]
    [InlineData(MessageType.Rsi, "rsi.json", "rsiFrame")]
    public void MessageFrame_form_decodes_like_the_bare_message(MessageType type, string file, string frame)
    {
        byte[] bare = GoldenFiles.Read(file);
        byte[] framed = [.. "{\""u8, .. System.Text.Encoding.UTF8.GetBytes(frame), .. "\": "u8, .. bare, .. "}"u8];
        Envelope envelope = Samples.Envelope(type);

        Assert.True(JsonCodec.TryDecode(type, bare, envelope, out V2xMessage fromBare, out Rejection rejection), rejection.ToString());
        Assert.True(JsonCodec.TryDecode(type, framed, envelope, out V2xMessage fromFrame, out rejection), rejection.ToString());
        Assert.True(fromBare.BodyEquals(fromFrame));
    }
}
