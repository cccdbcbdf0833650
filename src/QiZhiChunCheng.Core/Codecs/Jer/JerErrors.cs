using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;

namespace QiZhiChunCheng.Core.Codecs.Jer;

/// <summary>
/// The checks before parsing (size, UTF-8) and the translation of parser and serializer exceptions into
/// rejections with the codec's field paths. Everything but <see cref="Precheck"/> runs only for bad input.
/// </summary>
internal static class JerErrors
{
    private static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    private static ReadOnlySpan<byte> Whitespace => " \t\r\n"u8;

    /// <summary>
    /// Refuses what must not reach a parser: too large, empty, not UTF-8. Drops a UTF-8 byte order mark, which
    /// some Windows tools write and JSON parsers refuse; <paramref name="baseOffset"/> keeps byte positions true.
    /// </summary>
    public static bool Precheck(ref ReadOnlySpan<byte> utf8, out int baseOffset, out Rejection rejection)
    {
        baseOffset = 0;
        rejection = default;
        if (utf8.Length > JsonCodec.MaxPayloadBytes)
        {
            rejection = new Rejection(
                RejectionKind.TooLarge,
                string.Create(CultureInfo.InvariantCulture, $"payload of {utf8.Length} bytes is over the {JsonCodec.MaxPayloadBytes}-byte limit"));
            return false;
        }

        if (utf8.StartsWith(Bom))
        {
            utf8 = utf8[Bom.Length..];
            baseOffset = Bom.Length;
        }

        if (utf8.Trim(Whitespace).IsEmpty)
        {
            rejection = new Rejection(RejectionKind.Malformed, "empty payload");
            return false;
        }

        if (!Utf8.IsValid(utf8))
        {
            rejection = new Rejection(
                RejectionKind.InvalidUtf8,
                string.Create(CultureInfo.InvariantCulture, $"invalid UTF-8 at byte {baseOffset + FirstInvalidUtf8(utf8)}"));
            return false;
        }

        return true;
    }

    /// <summary>A syntax error at the byte position the parser reports, or a payload cut short.</summary>
    public static Rejection Malformed(ReadOnlySpan<byte> utf8, JsonException exception, int baseOffset)
    {
        if (IsCutShort(utf8))
        {
            return new Rejection(
                RejectionKind.Malformed,
                string.Create(CultureInfo.InvariantCulture, $"JSON cut short at byte {baseOffset + utf8.Length}"));
        }

        long at = baseOffset + ByteOffset(utf8, exception.LineNumber ?? 0, exception.BytePositionInLine ?? 0);
        return new Rejection(
            RejectionKind.Malformed,
            string.Create(CultureInfo.InvariantCulture, $"malformed JSON at byte {at}: {Clean(exception.Message)}"));
    }

    // Cut short means a valid beginning of JSON that needs more data: a reader told more may follow reads it
    // all without a syntax error.
    private static bool IsCutShort(ReadOnlySpan<byte> utf8)
    {
        var r = new Utf8JsonReader(utf8, isFinalBlock: false, new JsonReaderState(JerReader.Options));
        try
        {
            while (r.Read())
            {
            }

            return r.CurrentDepth > 0 || r.BytesConsumed < utf8.TrimEnd(Whitespace).Length;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// A <see cref="JsonException"/> from the generated code: a syntax error, a JER converter's own error
    /// (<see cref="JerValueException"/>) or the serializer finding the wrong JSON type for an object or array.
    /// The serializer's path (<c>$.intersections[0]['position-LL1']</c>) becomes the codec's
    /// (<c>intersections[0].position-LL1</c>); for the serializer's own errors the expected type comes from
    /// the generated contract and the actual one from the input.
    /// </summary>
    public static Rejection FromSerializer(JsonException exception, ReadOnlySpan<byte> utf8, int baseOffset, JsonTypeInfo root)
    {
        if (exception.InnerException is JsonException)
        {
            return Malformed(utf8, exception, baseOffset);
        }

        List<Segment> path = ParsePath(exception.Path ?? "$");
        JerError error = exception is JerValueException value
            ? value.Error
            : new JerError(RejectionKind.WrongType, "", "expected " + Expected(root, path) + ", got " + Actual(utf8, path));
        for (int i = path.Count - 1; i >= 0; i--)
        {
            error = path[i].Name is { } name ? error.In(name) : error.At(path[i].Index);
        }

        return error.ToRejection();
    }

    private readonly record struct Segment(string? Name, int Index);

    private static List<Segment> ParsePath(string path)
    {
        var segments = new List<Segment>();
        int i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                int end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                segments.Add(new Segment(path[(i + 1)..end], 0));
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                int end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                end = end < 0 ? path.Length : end;
                segments.Add(new Segment(path[(i + 2)..end], 0));
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                int end = path.IndexOf(']', i);
                end = end < 0 ? path.Length : end;
                _ = int.TryParse(path.AsSpan(i + 1, end - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int index);
                segments.Add(new Segment(null, index));
                i = end + 1;
            }
            else
            {
                i++;
            }
        }

        return segments;
    }

    private static string Expected(JsonTypeInfo root, List<Segment> path)
    {
        JsonTypeInfo? info = root;
        foreach (Segment segment in path)
        {
            Type? next = null;
            if (segment.Name is null)
            {
                next = info.ElementType;
            }
            else
            {
                foreach (JsonPropertyInfo property in info.Properties)
                {
                    if (property.Name == segment.Name)
                    {
                        next = property.PropertyType;
                        break;
                    }
                }
            }

            info = next is null ? null : JerJsonContext.Default.GetTypeInfo(next);
            if (info is null)
            {
                return "another type";
            }
        }

        return info.Kind switch
        {
            JsonTypeInfoKind.Object => "an object",
            JsonTypeInfoKind.Enumerable => "an array",
            _ => (Nullable.GetUnderlyingType(info.Type) ?? info.Type) == typeof(string) ? "a string" : "a number",
        };
    }

    // What the input holds at the serializer's path: walked with a reader (not a JsonDocument) so that input
    // which is also broken further on still gets its first fault named.
    private static string Actual(ReadOnlySpan<byte> utf8, List<Segment> path)
    {
        try
        {
            var r = new Utf8JsonReader(utf8, JerReader.Options);
            r.Read();
            foreach (Segment segment in path)
            {
                if (!(segment.Name is { } name ? ToMember(ref r, name) : ToElement(ref r, segment.Index)))
                {
                    return "something else";
                }
            }

            return JerError.Describe(r.TokenType);
        }
        catch (JsonException)
        {
            return "something else";
        }
    }

    private static bool ToMember(ref Utf8JsonReader r, string name)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            bool match = r.ValueTextEquals(name);
            r.Read();
            if (match)
            {
                return true;
            }

            r.Skip();
        }

        return false;
    }

    private static bool ToElement(ref Utf8JsonReader r, int index)
    {
        if (r.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        for (int i = 0; r.Read() && r.TokenType != JsonTokenType.EndArray; i++)
        {
            if (i == index)
            {
                return true;
            }

            r.Skip();
        }

        return false;
    }

    private static long ByteOffset(ReadOnlySpan<byte> utf8, long line, long bytePositionInLine)
    {
        long start = 0;
        for (long l = 0; l < line; l++)
        {
            int newline = utf8[(int)start..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                break;
            }

            start += newline + 1;
        }

        return start + bytePositionInLine;
    }

    // The parser's message without its own position suffix, which the reason replaces with a byte offset.
    private static string Clean(string message)
    {
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        return (cut < 0 ? message : message[..cut]).Trim().TrimEnd('.', ' ', '|');
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        int i = 0;
        while (i < utf8.Length)
        {
            if (Rune.DecodeFromUtf8(utf8[i..], out _, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                return i;
            }

            i += consumed;
        }

        return i;
    }
}

/// <summary>The MessageFrame form (<c>{"bsmFrame": {...}}</c>), accepted beside the bare message.</summary>
internal static class JerFrame
{
    /// <summary>The MessageFrame alternatives, indexed by <see cref="MessageType"/>.</summary>
    public static readonly string[] Members = ["bsmFrame", "mapFrame", "rsmFrame", "spatFrame", "rsiFrame"];

    private static readonly byte[][] Names = Array.ConvertAll(Members, Encoding.UTF8.GetBytes);

    /// <summary>
    /// With the reader at the payload's first token: when the first member names a MessageFrame alternative,
    /// moves the reader to that member's value. Another message type's frame is refused.
    /// </summary>
    public static JerError? Enter(ref Utf8JsonReader r, MessageType expected, out bool framed)
    {
        framed = false;
        if (r.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        Utf8JsonReader peek = r;
        if (!peek.Read() || peek.TokenType != JsonTokenType.PropertyName)
        {
            return null;
        }

        // Most payloads are bare: a first member not ending in "Frame" settles it without the name compares.
        if (!peek.ValueIsEscaped && !peek.ValueSpan.EndsWith("Frame"u8))
        {
            return null;
        }

        int alternative = -1;
        for (int i = 0; i < Names.Length; i++)
        {
            if (peek.ValueTextEquals(Names[i]))
            {
                alternative = i;
            }
        }

        if (alternative < 0)
        {
            return null;
        }

        if (alternative != (int)expected)
        {
            return new JerError(
                RejectionKind.WrongType,
                Members[alternative],
                "expected a " + expected.ToString().ToUpperInvariant() + ", bare or as " + Members[(int)expected]);
        }

        peek.Read();
        r = peek;
        framed = true;
        return null;
    }

    /// <summary>After the message: skips the rest of the frame object, then checks nothing follows the payload.</summary>
    public static void Finish(ref Utf8JsonReader r, bool framed)
    {
        if (framed)
        {
            while (r.Read() && r.TokenType != JsonTokenType.EndObject)
            {
                r.Read();
                r.Skip();
            }
        }

        // Throws on trailing content; returns false at the end of the input.
        r.Read();
    }
}
