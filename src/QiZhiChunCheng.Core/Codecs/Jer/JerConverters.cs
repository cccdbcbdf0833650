using System.Text.Json;
using System.Text.Json.Serialization;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;

namespace QiZhiChunCheng.Core.Codecs.Jer;

// Converters for the JER leaves. They read through JerReader so the generated path reports the same rules as
// the hand-written BSM/RSM readers, and throw JerValueException so that rule survives the serializer.

/// <summary>INTEGER: a JSON number without fraction or exponent. DTOs hold <see cref="long"/>; the mapping to
/// the model checks that the value fits its field.</summary>
internal sealed class JerIntegerConverter : JsonConverter<long>
{
    private static readonly IntRange AnyLong = new(long.MinValue, long.MaxValue);

    public override long Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JerReader.Integer(ref reader, "", AnyLong, long.MinValue, long.MaxValue, out long value) is { } error
            ? throw new JerValueException(error)
            : value;

    public override void Write(Utf8JsonWriter writer, long value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value);
}

/// <summary>Character strings (IA5String, UTF8String): a JSON string.</summary>
internal sealed class JerTextConverter : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JerReader.Text(ref reader, "", out string text) is { } error ? throw new JerValueException(error) : text;

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}

/// <summary>OCTET STRING (SIZE(8)) ids: 16 hex digits.</summary>
internal sealed class JerOctetId8Converter : JsonConverter<OctetId8>
{
    public override OctetId8 Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JerReader.OctetId(ref reader, "", out OctetId8 id) is { } error ? throw new JerValueException(error) : id;

    public override void Write(Utf8JsonWriter writer, OctetId8 value, JsonSerializerOptions options)
    {
        Span<byte> hex = stackalloc byte[16];
        JerBits.WriteHex(value.Value, hex);
        writer.WriteStringValue(hex);
    }
}

/// <summary>OCTET STRING (SIZE(1)), such as RSIPriority: 2 hex digits.</summary>
internal sealed class JerOctetConverter : JsonConverter<byte>
{
    public override byte Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JerReader.Octet(ref reader, "", out byte octet) is { } error ? throw new JerValueException(error) : octet;

    public override void Write(Utf8JsonWriter writer, byte value, JsonSerializerOptions options)
    {
        Span<byte> hex = stackalloc byte[2];
        JerBits.WriteHex(value, hex);
        writer.WriteStringValue(hex);
    }
}

/// <summary>A fixed-size BIT STRING as hex, first bit in the most significant position.</summary>
internal abstract class JerFixedBitsConverter(int size) : JsonConverter<ushort>
{
    public override ushort Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JerReader.FixedBits(ref reader, "", size, out ushort bits) is { } error ? throw new JerValueException(error) : bits;

    public override void Write(Utf8JsonWriter writer, ushort value, JsonSerializerOptions options)
    {
        Span<byte> hex = stackalloc byte[JerBits.HexDigits(size)];
        JerBits.WriteBits(value, size, hex);
        writer.WriteStringValue(hex);
    }
}

/// <summary>BrakeAppliedStatus, SIZE(5).</summary>
internal sealed class JerBits5Converter() : JerFixedBitsConverter(5);

/// <summary>LaneAttributes-Vehicle, 8 bits.</summary>
internal sealed class JerBits8Converter() : JerFixedBitsConverter(8);

/// <summary>LaneSharing, SIZE(10).</summary>
internal sealed class JerBits10Converter() : JerFixedBitsConverter(10);

/// <summary>AllowedManeuvers, SIZE(12).</summary>
internal sealed class JerBits12Converter() : JerFixedBitsConverter(12);

/// <summary>IntersectionStatusObject and the lane-type attributes other than vehicle, SIZE(16).</summary>
internal sealed class JerBits16Converter() : JerFixedBitsConverter(16);

/// <summary>An extensible BIT STRING as <c>{"value": hex, "length": n}</c>.</summary>
internal abstract class JerExtensibleBitsConverter(int rootSize) : JsonConverter<ushort>
{
    public override ushort Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JerReader.ExtensibleBits(ref reader, "", out ushort bits) is { } error ? throw new JerValueException(error) : bits;

    public override void Write(Utf8JsonWriter writer, ushort value, JsonSerializerOptions options)
    {
        int length = JerBits.ExtensibleLength(value, rootSize);
        Span<byte> hex = stackalloc byte[JerBits.HexDigits(length)];
        JerBits.WriteBits(value, length, hex);
        writer.WriteStartObject();
        writer.WriteString("value"u8, hex);
        writer.WriteNumber("length"u8, length);
        writer.WriteEndObject();
    }
}

/// <summary>VehicleEventFlags, SIZE(13,...).</summary>
internal sealed class JerEventFlagsConverter() : JerExtensibleBitsConverter(13);

/// <summary>ExteriorLights, SIZE(9,...).</summary>
internal sealed class JerExteriorLightsConverter() : JerExtensibleBitsConverter(9);
