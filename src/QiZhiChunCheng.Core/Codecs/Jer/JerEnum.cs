using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace QiZhiChunCheng.Core.Codecs.Jer;

/// <summary>
/// The ENUMERATED identifiers of one enum, in UTF-8, for the hand-written readers and the converters. The
/// spelling comes from <see cref="JsonStringEnumConverter{TEnum}"/> with the camelCase policy (the model's
/// <c>ForwardGears</c> is <c>forwardGears</c>, <c>A50cm</c> is <c>a50cm</c>) and, for the identifiers the
/// policy cannot produce, <see cref="JsonStringEnumMemberNameAttribute"/> on the JER mirror enums
/// (<c>non-motor</c>, <c>protected-green</c>): System.Text.Json owns the spelling, this table only makes
/// the lookup a span compare. Built once per type; thread-safe; lookups allocate nothing.
/// </summary>
internal static class JerEnum<T>
    where T : struct, Enum
{
    private static readonly T[] Values = Enum.GetValues<T>();
    private static readonly byte[][] Names = BuildNames();
    private static readonly JsonEncodedText[] Encoded = Array.ConvertAll(Names, n => JsonEncodedText.Encode(n));

    /// <summary>The ASN.1 type name for messages: the model's name, without the <c>Jer</c> of a mirror enum.</summary>
    public static readonly string TypeName = typeof(T).Name.StartsWith("Jer", StringComparison.Ordinal) ? typeof(T).Name[3..] : typeof(T).Name;

    /// <summary>Reads the identifier at the reader's string token.</summary>
    public static bool TryRead(ref Utf8JsonReader reader, out T value)
    {
        if (!reader.ValueIsEscaped)
        {
            ReadOnlySpan<byte> text = reader.ValueSpan;
            for (int i = 0; i < Names.Length; i++)
            {
                if (text.SequenceEqual(Names[i]))
                {
                    value = Values[i];
                    return true;
                }
            }

            value = default;
            return false;
        }

        for (int i = 0; i < Names.Length; i++)
        {
            if (reader.ValueTextEquals(Names[i]))
            {
                value = Values[i];
                return true;
            }
        }

        value = default;
        return false;
    }

    public static JsonEncodedText Identifier(T value)
    {
        for (int i = 0; i < Values.Length; i++)
        {
            if (EqualityComparer<T>.Default.Equals(Values[i], value))
            {
                return Encoded[i];
            }
        }

        throw new ArgumentOutOfRangeException(nameof(value), value, $"{value} is not a value of the ENUMERATED {TypeName}");
    }

    private static byte[][] BuildNames()
    {
        var options = new JsonSerializerOptions();
        var converter = (JsonConverter<T>)new JsonStringEnumConverter<T>(JsonNamingPolicy.CamelCase, allowIntegerValues: false)
            .CreateConverter(typeof(T), options);
        var buffer = new ArrayBufferWriter<byte>(64);
        var names = new byte[Values.Length][];
        for (int i = 0; i < Values.Length; i++)
        {
            buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                converter.Write(writer, Values[i], options);
            }

            names[i] = buffer.WrittenSpan[1..^1].ToArray();
        }

        return names;
    }
}

/// <summary>ParticipantType as JER spells it (<c>non-motor</c>); same values as the model's enum.</summary>
internal enum JerParticipantType : byte
{
    Unknown = 0,
    Motor = 1,
    [JsonStringEnumMemberName("non-motor")]
    NonMotor = 2,
    Pedestrian = 3,
    Rsu = 4,
}

/// <summary>LightState as JER spells it (<c>protected-green</c>); same values as the model's enum.</summary>
internal enum JerLightState : byte
{
    Unavailable = 0,
    Dark = 1,
    [JsonStringEnumMemberName("flashing-red")]
    FlashingRed = 2,
    Red = 3,
    [JsonStringEnumMemberName("flashing-green")]
    FlashingGreen = 4,
    [JsonStringEnumMemberName("permissive-green")]
    PermissiveGreen = 5,
    [JsonStringEnumMemberName("protected-green")]
    ProtectedGreen = 6,
    Yellow = 7,
    [JsonStringEnumMemberName("flashing-yellow")]
    FlashingYellow = 8,
}

/// <summary>Reads and writes a model enum as its ENUMERATED identifier, with the codec's error messages.</summary>
internal sealed class JerEnumConverter<T> : JsonConverter<T>
    where T : struct, Enum
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JerReader.Enumerated(ref reader, "", out T value) is { } error ? throw new JerValueException(error) : value;

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteStringValue(JerEnum<T>.Identifier(value));
}
