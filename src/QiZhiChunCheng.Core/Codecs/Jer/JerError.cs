using System.Globalization;
using System.Text.Json;
using QiZhiChunCheng.Core.Validation;

namespace QiZhiChunCheng.Core.Codecs.Jer;

/// <summary>
/// A decode failure on its way up from the member that caused it. Each level of the decoder prefixes its own
/// member name or array index, so the field path (<c>participants[3].speed</c>) is built only when decoding fails:
/// the success path allocates nothing for it.
/// </summary>
internal sealed class JerError(RejectionKind kind, string path, string rule)
{
    public RejectionKind Kind { get; } = kind;

    /// <summary>The path relative to the object being decoded; empty when the object itself is at fault.</summary>
    public string Path { get; private set; } = path;

    public string Rule { get; } = rule;

    public JerError In(string member)
    {
        Path = Path.Length == 0 ? member : Path[0] == '[' ? member + Path : member + "." + Path;
        return this;
    }

    public JerError At(int index)
    {
        string at = "[" + index.ToString(CultureInfo.InvariantCulture) + "]";
        Path = Path.Length == 0 ? at : Path[0] == '[' ? at + Path : at + "." + Path;
        return this;
    }

    public Rejection ToRejection() => new(Kind, Path.Length == 0 ? Rule : Path + ": " + Rule);

    public static JerError Missing(string member) =>
        new(RejectionKind.WrongType, "", "missing required member \"" + member + "\"");

    public static JerError WrongType(string member, string expected, JsonTokenType actual) =>
        new(RejectionKind.WrongType, member, "expected " + expected + ", got " + Describe(actual));

    public static JerError OutOfRange(string member, long value, IntRange range) =>
        OutOfRange(member, value.ToString(CultureInfo.InvariantCulture), range);

    public static JerError OutOfRange(string member, string value, IntRange range) =>
        new(RejectionKind.OutOfRange, member, value + " is outside " + range);

    /// <summary>A CHOICE object with no known alternative or more than one; reported at the object holding the CHOICE.</summary>
    public static JerError Choice(string choice) =>
        new(RejectionKind.WrongType, "", "the " + choice + " CHOICE needs exactly one alternative");

    public static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => "nothing",
    };

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => "nothing",
    };
}

/// <summary>
/// Thrown by the JER converters inside System.Text.Json so that the codec's own error (kind, rule, path below
/// the converted value) survives the serializer, which adds the JSON path above it; the codec turns it back into
/// a <see cref="Rejection"/>. Never escapes the codec.
/// </summary>
internal sealed class JerValueException : JsonException
{
    public JerValueException(JerError error)
        : base(error.Rule)
    {
        Error = error;
    }

    public JerValueException()
    {
        Error = new JerError(RejectionKind.WrongType, "", "invalid value");
    }

    public JerValueException(string message)
        : base(message)
    {
        Error = new JerError(RejectionKind.WrongType, "", message);
    }

    public JerValueException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = new JerError(RejectionKind.WrongType, "", message);
    }

    public JerError Error { get; }
}
