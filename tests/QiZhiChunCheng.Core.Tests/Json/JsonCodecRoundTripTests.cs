using System.Text;
using System.Text.Json.Nodes;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Codecs.Jer;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;
using QiZhiChunCheng.Testing;
using Xunit;

namespace QiZhiChunCheng.Core.Tests.Json;

/// <summary>The shared samples through encode and decode, and the JER spelling of enums and bit strings.</summary>
public sealed class JsonCodecRoundTripTests
{
    [Fact]
    public void Sample_bsm_round_trips()
    {
        Bsm bsm = Samples.Bsm();

        byte[] encoded = JsonCodec.Encode(new V2xMessage(Samples.Envelope(MessageType.Bsm), bsm));

        Assert.True(JsonCodec.TryDecodeBsm(encoded, out Bsm decoded, out Rejection rejection), rejection.ToString());
        Assert.Equal(bsm, decoded);
    }

    [Fact]
    public void Sample_rsm_with_16_participants_round_trips()
    {
        Rsm rsm = Samples.Rsm16();

        byte[] encoded = JsonCodec.Encode(new V2xMessage(Samples.Envelope(MessageType.Rsm), rsm));

        Assert.True(JsonCodec.TryDecodeRsm(encoded, out Rsm? decoded, out Rejection rejection), rejection.ToString());
        Assert.Equal(rsm, decoded);
    }

    [Fact]
    public void Bsm_with_every_optional_member_round_trips()
    {
        Bsm bsm = Samples.Bsm() with
        {
            Brakes = new BrakeSystemStatus
            {
                BrakePadel = BrakePedalStatus.On,
                WheelBrakes = BrakeAppliedStatus.LeftFront | BrakeAppliedStatus.RightRear,
                Traction = TractionControlStatus.Engaged,
                Abs = AntiLockBrakeStatus.Engaged,
                Scs = StabilityControlStatus.On,
                BrakeBoost = BrakeBoostApplied.On,
                AuxBrakes = AuxiliaryBrakeStatus.Reserved,
            },
            SafetyExt = Samples.Bsm().SafetyExt!.Value with
            {
                Events = VehicleEventFlags.HardBraking | VehicleEventFlags.AirBagDeployment | (VehicleEventFlags)(1 << 14),
                PathPrediction = new PathPrediction(-1200, 180),
                Lights = ExteriorLights.LeftTurnSignalOn | ExteriorLights.ParkingLightsOn,
            },
            EmergencyExt = new VehicleEmergencyExtensions
            {
                ResponseType = ResponseType.StopAndGoMovement,
                SirenUse = SirenInUse.InUse,
                LightsUse = LightbarInUse.SchooldBusLights,
            },
        };

        byte[] encoded = JsonCodec.Encode(new V2xMessage(Samples.Envelope(MessageType.Bsm), bsm));

        JsonNode json = JsonNode.Parse(encoded)!;
        Assert.Equal("48", (string?)json["brakes"]!["wheelBrakes"]); // bits 1 and 4 of SIZE(5): 0100 1000
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"value": "010A", "length": 15}"""), json["safetyExt"]!["events"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"value": "2080", "length": 9}"""), json["safetyExt"]!["lights"]));
        Assert.Equal("stopAndGoMovement", (string?)json["emergencyExt"]!["responseType"]);
        Assert.True(JsonCodec.TryDecodeBsm(encoded, out Bsm decoded, out Rejection rejection), rejection.ToString());
        Assert.Equal(bsm, decoded);
    }

    [Fact]
    public void Empty_optional_lists_are_left_out()
    {
        var rsi = new Rsi { MsgCnt = 1, Id = new OctetId8(1), RefPos = new Position3D(1, 2) };

        string json = Encoding.UTF8.GetString(JsonCodec.Encode(new V2xMessage(Samples.Envelope(MessageType.Rsi), rsi)));

        Assert.Equal("""{"msgCnt":1,"id":"0000000000000001","refPos":{"lat":1,"long":2}}""", json);
    }

    [Fact]
    public void Text_is_written_as_utf8_not_escaped()
    {
        var spat = new Spat { MsgCnt = 1, Name = "东风大街-飞跃路", Intersections = [] };

        byte[] encoded = JsonCodec.Encode(new V2xMessage(Samples.Envelope(MessageType.Spat), spat));

        Assert.Contains("东风大街-飞跃路", Encoding.UTF8.GetString(encoded), StringComparison.Ordinal);
        Assert.True(JsonCodec.TryDecodeSpat(encoded, out Spat? decoded, out Rejection rejection), rejection.ToString());
        Assert.Equal("东风大街-飞跃路", decoded!.Name);
    }

    [Fact]
    public void Ids_are_written_in_upper_case_and_read_in_either()
    {
        byte[] lower = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(GoldenFiles.Read("bsm.json")).Replace("51415A4343303031", "51415a4343303031", StringComparison.Ordinal));

        Assert.True(JsonCodec.TryDecodeBsm(lower, out Bsm bsm, out Rejection rejection), rejection.ToString());
        Assert.Equal(new OctetId8(0x51415A4343303031), bsm.Id);
        Assert.Contains("\"51415A4343303031\"", Encoding.UTF8.GetString(JsonCodec.Encode(new V2xMessage(default, bsm))), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("transmission", "forwardGears", (byte)TransmissionState.ForwardGears)]
    [InlineData("ptcType", "non-motor", (byte)ParticipantType.NonMotor)]
    [InlineData("source", "microwaveRadar", (byte)SourceType.MicrowaveRadar)]
    [InlineData("source", "v2x", (byte)SourceType.V2x)]
    [InlineData("light", "protected-green", (byte)LightState.ProtectedGreen)]
    [InlineData("light", "flashing-red", (byte)LightState.FlashingRed)]
    [InlineData("pos", "a50cm", (byte)PositionConfidence.A50cm)]
    [InlineData("type", "vehicleMaxSpeed", (byte)SpeedLimitType.VehicleMaxSpeed)]
    [InlineData("responseType", "notInUseOrNotEquipped", (byte)ResponseType.NotInUseOrNotEquipped)]
    public void Enumerated_identifiers_follow_the_standard(string member, string identifier, byte value)
    {
        string written = member switch
        {
            "transmission" => JerEnum<TransmissionState>.Identifier((TransmissionState)value).ToString(),
            "ptcType" => JerEnum<JerParticipantType>.Identifier((JerParticipantType)value).ToString(),
            "source" => JerEnum<SourceType>.Identifier((SourceType)value).ToString(),
            "light" => JerEnum<JerLightState>.Identifier((JerLightState)value).ToString(),
            "pos" => JerEnum<PositionConfidence>.Identifier((PositionConfidence)value).ToString(),
            "type" => JerEnum<SpeedLimitType>.Identifier((SpeedLimitType)value).ToString(),
            _ => JerEnum<ResponseType>.Identifier((ResponseType)value).ToString(),
        };

        Assert.Equal(identifier, written);
    }

    [Theory]
    [InlineData("0400", 16, 1 << 5)]
    [InlineData("8000", 12, 1 << 0)]
    [InlineData("0010", 12, 1 << 11)]
    [InlineData("08", 5, 1 << 4)]
    [InlineData("0100", 13, 1 << 7)]
    [InlineData("ffff", 16, 0xFFFF)]
    public void Bit_strings_put_their_first_bit_in_the_most_significant_position(string hex, int size, int bits)
    {
        Assert.True(JerBits.TryParseBits(Encoding.ASCII.GetBytes(hex), size, out ushort parsed));
        Assert.Equal(bits, parsed);

        Span<byte> written = stackalloc byte[JerBits.HexDigits(size)];
        JerBits.WriteBits(parsed, size, written);
        Assert.Equal(hex.ToUpperInvariant(), Encoding.ASCII.GetString(written));
    }
}
