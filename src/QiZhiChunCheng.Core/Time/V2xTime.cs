using QiZhiChunCheng.Core.Validation;

namespace QiZhiChunCheng.Core.Time;

/// <summary>
/// Rebuilds absolute UTC time from the standard's partial time markers. secMark (DSecond) is milliseconds
/// within the UTC minute and only identifies a time modulo one minute; moy is minutes since 1 January 00:00 UTC.
/// Invalid markers are reported, never guessed. Thread-safe, allocation-free on success.
/// </summary>
public static class V2xTime
{
    public const int SecMarkInvalidFrom = 60000;
    public const uint MoyInvalid = 527040;
    public const int TimeMarkInvalid = 36001;

    /// <summary>
    /// The UTC instant (ms) with the given secMark nearest to <paramref name="referenceUtcMs"/> (for example the
    /// envelope's generation time or the ingest time). Worked example: reference 12:00:59.950, secMark 30 gives
    /// 12:01:00.030, not 12:00:00.030.
    /// </summary>
    public static bool TryResolveSecMark(int secMark, long referenceUtcMs, out long utcMs, out Rejection rejection) =>
        throw new NotImplementedException();

    /// <summary>Absolute UTC from moy and secMark; the year is the one (of reference-1, reference, reference+1) nearest to the reference.</summary>
    public static bool TryResolveMoy(uint moy, int secMark, long referenceUtcMs, out long utcMs, out Rejection rejection) =>
        throw new NotImplementedException();

    /// <summary>Absolute UTC from a SPAT TimeMark (0.1 s within the UTC hour), nearest to the reference.</summary>
    public static bool TryResolveTimeMark(int timeMark, long referenceUtcMs, out long utcMs, out Rejection rejection) =>
        throw new NotImplementedException();

    public static ushort ToSecMark(long utcMs) => throw new NotImplementedException();

    public static uint ToMoy(long utcMs) => throw new NotImplementedException();
}
