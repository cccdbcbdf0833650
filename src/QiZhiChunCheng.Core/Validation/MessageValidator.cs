using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Core.Validation;

/// <summary>
/// Checks decoded messages against the ranges of V2X-REFERENCE section 1. A failure names the field path and
/// the rule: <c>participants[3].speed: 9000 is outside 0..8191</c>. Thread-safe; allocates only on failure.
/// </summary>
public static class MessageValidator
{
    public static bool TryValidate(in V2xMessage message, out Rejection rejection) =>
        throw new NotImplementedException();

    public static bool TryValidate(in Bsm bsm, out Rejection rejection) =>
        throw new NotImplementedException();

    public static bool TryValidate(Rsm rsm, out Rejection rejection) =>
        throw new NotImplementedException();

    public static bool TryValidate(Spat spat, out Rejection rejection) =>
        throw new NotImplementedException();

    public static bool TryValidate(MapData map, out Rejection rejection) =>
        throw new NotImplementedException();

    public static bool TryValidate(Rsi rsi, out Rejection rejection) =>
        throw new NotImplementedException();
}
