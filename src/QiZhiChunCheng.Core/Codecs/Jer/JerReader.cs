using System.Globalization;
using System.Text;
using System.Text.Json;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;

namespace QiZhiChunCheng.Core.Codecs.Jer;

/// <summary>
/// Readers for the JER leaves (INTEGER, ENUMERATED, OCTET STRING, BIT STRING) and the small SEQUENCEs that BSM
/// and RSM share, over a <see cref="Utf8JsonReader"/> positioned at the value. Used by the hand-written BSM and
/// RSM readers and, through the converters, by the generated code, so both report the same rules. Each returns
/// <c>null</c> on success or the error with its path relative to the caller's object; nothing allocates unless
/// the input is at fault (or a member name is written with escapes). Thread-safe.
/// </summary>
internal static partial class JerReader
{
    /// <summary>
    /// A list longer than the model can hold (it is inline or bounded): skips the rest of the array only to
    /// count it, so the reason says how many there were. The reader must be on the first element past the limit.
    /// </summary>
    public static JerError TooManyItems(ref Utf8JsonReader r, int read, string field, string noun, IntRange allowed)
    {
        int total = read;
        do
        {
            r.Skip();
            total++;
        }
        while (r.Read() && r.TokenType != JsonTokenType.EndArray);

        return new JerError(
            RejectionKind.OutOfRange,
            field,
            total.ToString(CultureInfo.InvariantCulture) + " " + noun + " is outside " + allowed);
    }

    /// <summary>Strict JSON (no comments, no trailing commas) with the serializer's default depth limit.</summary>
    public static readonly JsonReaderOptions Options = new() { MaxDepth = 64 };

    private const int MaxQuoted = 40;

    /// <summary>
    /// Moves from the object's start (or the previous member's value) to the next member's value and names it;
    /// false at the object's end. A member whose value is <c>null</c> counts as absent, as in the generated path.
    /// </summary>
    public static bool NextMember(ref Utf8JsonReader r, out ReadOnlySpan<byte> name)
    {
        while (true)
        {
            r.Read();
            if (r.TokenType == JsonTokenType.EndObject)
            {
                name = default;
                return false;
            }

            name = r.ValueIsEscaped ? Encoding.UTF8.GetBytes(r.GetString()!) : r.ValueSpan;
            r.Read();
            if (r.TokenType != JsonTokenType.Null)
            {
                return true;
            }
        }
    }

    public static JerError? ExpectObject(ref Utf8JsonReader r, string member) =>
        r.TokenType == JsonTokenType.StartObject ? null : JerError.WrongType(member, "an object", r.TokenType);

    public static JerError? ExpectArray(ref Utf8JsonReader r, string member) =>
        r.TokenType == JsonTokenType.StartArray ? null : JerError.WrongType(member, "an array", r.TokenType);

    /// <summary>
    /// An INTEGER that must fit the model field [<paramref name="min"/>, <paramref name="max"/>]; the message
    /// quotes the standard's <paramref name="wire"/> range. Values inside the field but outside the wire range
    /// are kept for <see cref="MessageValidator"/> to report.
    /// </summary>
    public static JerError? Integer(ref Utf8JsonReader r, string member, IntRange wire, long min, long max, out long value)
    {
        if (r.TokenType != JsonTokenType.Number)
        {
            value = 0;
            return JerError.WrongType(member, "a number", r.TokenType);
        }

        if (TryParsePlainInteger(r.ValueSpan, out value) || r.TryGetInt64(out value))
        {
            return value < min || value > max ? JerError.OutOfRange(member, value, wire) : null;
        }

        string text = Encoding.UTF8.GetString(r.ValueSpan);
        return text.AsSpan().IndexOfAny(".eE") >= 0
            ? new JerError(RejectionKind.WrongType, member, "expected an integer, got " + text)
            : JerError.OutOfRange(member, text, wire);
    }

    // The common case, up to 18 digits and an optional minus, without the general parser: the reader has
    // already checked the number's grammar, so only fractions and exponents need the slow path. The typed
    // readers below try it inline and fall back to Integer, which also words the errors.
    private static bool TryParsePlainInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        int i = text.Length > 0 && text[0] == (byte)'-' ? 1 : 0;
        if (text.Length - i is 0 or > 18)
        {
            return false;
        }

        long v = 0;
        for (; i < text.Length; i++)
        {
            uint digit = (uint)(text[i] - '0');
            if (digit > 9)
            {
                return false;
            }

            v = (v * 10) + digit;
        }

        value = text[0] == (byte)'-' ? -v : v;
        return true;
    }

    public static JerError? U8(ref Utf8JsonReader r, string member, IntRange wire, out byte value)
    {
        if (r.TokenType == JsonTokenType.Number && TryParsePlainInteger(r.ValueSpan, out long v) && v >= byte.MinValue && v <= byte.MaxValue)
        {
            value = (byte)v;
            return null;
        }

        JerError? e = Integer(ref r, member, wire, byte.MinValue, byte.MaxValue, out v);
        value = (byte)v;
        return e;
    }

    public static JerError? S8(ref Utf8JsonReader r, string member, IntRange wire, out sbyte value)
    {
        if (r.TokenType == JsonTokenType.Number && TryParsePlainInteger(r.ValueSpan, out long v) && v >= sbyte.MinValue && v <= sbyte.MaxValue)
        {
            value = (sbyte)v;
            return null;
        }

        JerError? e = Integer(ref r, member, wire, sbyte.MinValue, sbyte.MaxValue, out v);
        value = (sbyte)v;
        return e;
    }

    public static JerError? U16(ref Utf8JsonReader r, string member, IntRange wire, out ushort value)
    {
        if (r.TokenType == JsonTokenType.Number && TryParsePlainInteger(r.ValueSpan, out long v) && v >= ushort.MinValue && v <= ushort.MaxValue)
        {
            value = (ushort)v;
            return null;
        }

        JerError? e = Integer(ref r, member, wire, ushort.MinValue, ushort.MaxValue, out v);
        value = (ushort)v;
        return e;
    }

    public static JerError? S16(ref Utf8JsonReader r, string member, IntRange wire, out short value)
    {
        if (r.TokenType == JsonTokenType.Number && TryParsePlainInteger(r.ValueSpan, out long v) && v >= short.MinValue && v <= short.MaxValue)
        {
            value = (short)v;
            return null;
        }

        JerError? e = Integer(ref r, member, wire, short.MinValue, short.MaxValue, out v);
        value = (short)v;
        return e;
    }

    public static JerError? I32(ref Utf8JsonReader r, string member, IntRange wire, out int value)
    {
        if (r.TokenType == JsonTokenType.Number && TryParsePlainInteger(r.ValueSpan, out long v) && v >= int.MinValue && v <= int.MaxValue)
        {
            value = (int)v;
            return null;
        }

        JerError? e = Integer(ref r, member, wire, int.MinValue, int.MaxValue, out v);
        value = (int)v;
        return e;
    }

    /// <summary>An ENUMERATED identifier (<c>"forwardGears"</c>).</summary>
    public static JerError? Enumerated<T>(ref Utf8JsonReader r, string member, out T value)
        where T : struct, Enum
    {
        if (r.TokenType != JsonTokenType.String)
        {
            value = default;
            return JerError.WrongType(member, "an identifier string", r.TokenType);
        }

        return JerEnum<T>.TryRead(ref r, out value)
            ? null
            : new JerError(RejectionKind.WrongType, member, Quote(r.GetString()) + " is not a " + JerEnum<T>.TypeName);
    }

    /// <summary>An OCTET STRING (SIZE(8)) id as 16 hex digits.</summary>
    public static JerError? OctetId(ref Utf8JsonReader r, string member, out OctetId8 id)
    {
        id = default;
        if (r.TokenType != JsonTokenType.String)
        {
            return JerError.WrongType(member, "a hex string", r.TokenType);
        }

        if (!JerBits.TryParseHex(StringBytes(ref r), 16, out ulong value))
        {
            return new JerError(RejectionKind.WrongType, member, Quote(r.GetString()) + " is not 16 hex digits");
        }

        id = new OctetId8(value);
        return null;
    }

    /// <summary>An OCTET STRING (SIZE(1)) as 2 hex digits.</summary>
    public static JerError? Octet(ref Utf8JsonReader r, string member, out byte octet)
    {
        octet = 0;
        if (r.TokenType != JsonTokenType.String)
        {
            return JerError.WrongType(member, "a hex string", r.TokenType);
        }

        if (!JerBits.TryParseHex(StringBytes(ref r), 2, out ulong value))
        {
            return new JerError(RejectionKind.WrongType, member, Quote(r.GetString()) + " is not 2 hex digits");
        }

        octet = (byte)value;
        return null;
    }

    /// <summary>A fixed-size BIT STRING as hex (<c>"0400"</c> for SIZE(16) bit 5).</summary>
    public static JerError? FixedBits(ref Utf8JsonReader r, string member, int size, out ushort bits)
    {
        bits = 0;
        if (r.TokenType != JsonTokenType.String)
        {
            return JerError.WrongType(member, "a hex string", r.TokenType);
        }

        return JerBits.TryParseBits(StringBytes(ref r), size, out bits)
            ? null
            : new JerError(RejectionKind.WrongType, member, Quote(r.GetString()) + " is not " + Digits(JerBits.HexDigits(size)) + " hex digits");
    }

    /// <summary>An extensible BIT STRING as <c>{"value": "0100", "length": 13}</c>.</summary>
    public static JerError? ExtensibleBits(ref Utf8JsonReader r, string member, out ushort bits)
    {
        bits = 0;
        if (ExpectObject(ref r, member) is { } notObject)
        {
            return notObject;
        }

        ReadOnlySpan<byte> hex = default;
        bool hasValue = false;
        long length = -1;
        while (NextMember(ref r, out ReadOnlySpan<byte> name))
        {
            if (name.SequenceEqual("value"u8))
            {
                if (r.TokenType != JsonTokenType.String)
                {
                    return JerError.WrongType("value", "a hex string", r.TokenType).In(member);
                }

                hex = StringBytes(ref r);
                hasValue = true;
            }
            else if (name.SequenceEqual("length"u8))
            {
                if (Integer(ref r, "length", ExtensibleLengths, ExtensibleLengths.Min, ExtensibleLengths.Max, out length) is { } e)
                {
                    return e.In(member);
                }
            }
            else
            {
                r.Skip();
            }
        }

        if (!hasValue)
        {
            return JerError.Missing("value").In(member);
        }

        if (length < 0)
        {
            return JerError.Missing("length").In(member);
        }

        return JerBits.TryParseBits(hex, (int)length, out bits)
            ? null
            : new JerError(
                RejectionKind.WrongType,
                "value",
                Quote(Encoding.UTF8.GetString(hex)) + " is not " + Digits(JerBits.HexDigits((int)length)) + " hex digits for a length of " + length.ToString(CultureInfo.InvariantCulture)).In(member);
    }

    /// <summary>A sanity bound on the <c>length</c> of an extensible BIT STRING; the standard sets none.</summary>
    public static readonly IntRange ExtensibleLengths = new(0, 65535);

    public static JerError? Text(ref Utf8JsonReader r, string member, out string text)
    {
        if (r.TokenType != JsonTokenType.String)
        {
            text = "";
            return JerError.WrongType(member, "a string", r.TokenType);
        }

        text = r.GetString()!;
        return null;
    }

    /// <summary>A quoted excerpt of bad input for a reason: long strings are cut so a reason stays a line.</summary>
    public static string Quote(string? text)
    {
        text ??= "";
        return text.Length <= MaxQuoted ? "\"" + text + "\"" : "\"" + text[..MaxQuoted] + "...\"";
    }

    private static string Digits(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static ReadOnlySpan<byte> StringBytes(scoped ref Utf8JsonReader r) =>
        r.ValueIsEscaped ? Encoding.UTF8.GetBytes(r.GetString()!) : r.ValueSpan;
}
