namespace QiZhiChunCheng.Core.Validation;

/// <summary>Why an input was refused; the dead letter topic and the metrics count by kind.</summary>
public enum RejectionKind : byte
{
    /// <summary>Not JSON, or JSON cut short.</summary>
    Malformed = 1,

    /// <summary>Bytes that are not UTF-8.</summary>
    InvalidUtf8 = 2,

    /// <summary>A member of the wrong JSON type, a missing required member, a bad hex or enum text.</summary>
    WrongType = 3,

    /// <summary>A value outside the standard's range, or a list longer than the standard allows.</summary>
    OutOfRange = 4,

    /// <summary>An invalid time marker (secMark &gt;= 60000, moy 527040) or a time that cannot be placed.</summary>
    InvalidTime = 5,

    /// <summary>A topic or frame that names no Day-1 message type.</summary>
    UnknownMessageType = 6,

    /// <summary>A payload larger than the configured limit.</summary>
    TooLarge = 7,

    /// <summary>A binary frame with a bad header or an unknown version.</summary>
    BadFrame = 8,
}

/// <summary>
/// A refused input: its kind and a reason that names the field path and the rule, for example
/// <c>participants[3].speed: 9000 is outside 0..8191</c>. Expected bad input is a value, never an exception.
/// </summary>
public readonly record struct Rejection(RejectionKind Kind, string Reason)
{
    public override string ToString() => $"{Kind}: {Reason}";
}
