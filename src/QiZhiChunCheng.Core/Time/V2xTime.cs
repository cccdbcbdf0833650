using System.Globalization;
using System.Runtime.CompilerServices;
using QiZhiChunCheng.Core.Validation;

namespace QiZhiChunCheng.Core.Time;

/// <summary>
/// Rebuilds absolute UTC time from the standard's partial time markers. secMark (DSecond) is milliseconds
/// within the UTC minute and only identifies a time modulo one minute; moy is minutes since 1 January 00:00 UTC.
/// Invalid markers are reported, never guessed. Thread-safe, allocation-free on success (a rejection formats
/// its reason, so a failure allocates one string).
/// </summary>
/// <remarks>
/// Times are Unix milliseconds (UTC, leap seconds not counted). A reference outside the years 1..9999 cannot
/// be placed and is rejected as <see cref="RejectionKind.InvalidTime"/>. When two candidates are equally near
/// the reference (exactly half a minute or half an hour away), the earlier one wins: a message is far more
/// often late than early.
/// </remarks>
public static class V2xTime
{
    public const int SecMarkInvalidFrom = 60000;
    public const uint MoyInvalid = 527040;
    public const int TimeMarkInvalid = 36001;

    public const long MsPerMinute = 60_000;
    public const long MsPerHour = 3_600_000;

    /// <summary>Minutes in a year of 365 days; a moy of 525600 and above exists only in leap years.</summary>
    public const uint MinutesPerCommonYear = 525_600;

    /// <summary>Minutes in a leap year; <see cref="MoyInvalid"/> equals it.</summary>
    public const uint MinutesPerLeapYear = 527_040;

    private const long MsPerTimeMark = 100;

    // The Unix milliseconds of 0001-01-01T00:00Z and of the last millisecond of 9999: DateTime's range.
    private const long MinReferenceUtcMs = -62_135_596_800_000;
    private const long MaxReferenceUtcMs = 253_402_300_799_999;

    /// <summary>Whether <paramref name="secMark"/> is a valid DSecond time (0..59999).</summary>
    public static bool IsValidSecMark(int secMark) => (uint)secMark < SecMarkInvalidFrom;

    /// <summary>Whether <paramref name="moy"/> can be a MinuteOfTheYear in some year (0..527039).</summary>
    public static bool IsValidMoy(uint moy) => moy < MoyInvalid;

    /// <summary>Whether <paramref name="timeMark"/> is a valid TimeMark (0..36000; 36000 is the end of the hour).</summary>
    public static bool IsValidTimeMark(int timeMark) => (uint)timeMark < TimeMarkInvalid;

    /// <summary>
    /// The UTC instant (ms) with the given secMark nearest to <paramref name="referenceUtcMs"/> (for example the
    /// envelope's generation time or the ingest time). Worked example: reference 12:00:59.950, secMark 30 gives
    /// 12:01:00.030, not 12:00:00.030; reference 12:01:00.010, secMark 59990 gives 12:00:59.990.
    /// The result lies in [reference - 30 s, reference + 30 s).
    /// </summary>
    public static bool TryResolveSecMark(int secMark, long referenceUtcMs, out long utcMs, out Rejection rejection)
    {
        utcMs = 0;
        if (!IsValidSecMark(secMark))
        {
            rejection = InvalidSecMark("secMark", secMark);
            return false;
        }

        if (!IsPlaceable(referenceUtcMs, out rejection))
        {
            return false;
        }

        utcMs = Nearest(FloorTo(referenceUtcMs, MsPerMinute) + secMark, referenceUtcMs, MsPerMinute);
        return true;
    }

    /// <summary>
    /// Absolute UTC from moy and secMark; the year is the one (of reference-1, reference, reference+1) that puts
    /// the instant nearest to the reference. Worked example: moy 527039 seen at 2029-01-01T00:00:05Z resolves to
    /// 2028-12-31T23:59 (2028 is a leap year). A moy beyond the minutes of the chosen year (525600 and above in
    /// a common year) is an invalid time, not moved to another year.
    /// </summary>
    public static bool TryResolveMoy(uint moy, int secMark, long referenceUtcMs, out long utcMs, out Rejection rejection)
    {
        utcMs = 0;
        if (!IsValidMoy(moy))
        {
            rejection = InvalidMoy("moy", moy);
            return false;
        }

        if (!IsValidSecMark(secMark))
        {
            rejection = InvalidSecMark("secMark", secMark);
            return false;
        }

        if (!IsPlaceable(referenceUtcMs, out rejection))
        {
            return false;
        }

        long offsetMs = (moy * MsPerMinute) + secMark;
        int referenceYear = DateTimeOffset.FromUnixTimeMilliseconds(referenceUtcMs).Year;
        int bestYear = 0;
        long best = 0;
        long bestDistance = long.MaxValue;
        for (int year = referenceYear - 1; year <= referenceYear + 1; year++)
        {
            if (year is < 1 or > 9999)
            {
                continue;
            }

            long candidate = YearStartUtcMs(year) + offsetMs;
            long distance = Math.Abs(candidate - referenceUtcMs);

            // Ascending years and a strict comparison: the earlier candidate wins a tie.
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
                bestYear = year;
            }
        }

        uint minutesInYear = DateTime.IsLeapYear(bestYear) ? MinutesPerLeapYear : MinutesPerCommonYear;
        if (moy >= minutesInYear)
        {
            rejection = MoyBeyondYear(moy, bestYear, minutesInYear);
            return false;
        }

        utcMs = best;
        return true;
    }

    /// <summary>
    /// Absolute UTC from a SPAT TimeMark (0.1 s within the UTC hour), nearest to the reference, across the hour
    /// roll-over both ways. 36000 is the leap second allowance and means the end of the hour (the same instant as
    /// 0 of the next hour). The result lies in [reference - 30 min, reference + 30 min).
    /// </summary>
    public static bool TryResolveTimeMark(int timeMark, long referenceUtcMs, out long utcMs, out Rejection rejection)
    {
        utcMs = 0;
        if (!IsValidTimeMark(timeMark))
        {
            rejection = InvalidTimeMark("timeMark", timeMark);
            return false;
        }

        if (!IsPlaceable(referenceUtcMs, out rejection))
        {
            return false;
        }

        utcMs = Nearest(FloorTo(referenceUtcMs, MsPerHour) + (timeMark * MsPerTimeMark), referenceUtcMs, MsPerHour);
        return true;
    }

    /// <summary>The secMark of an instant: milliseconds within its UTC minute.</summary>
    public static ushort ToSecMark(long utcMs) => (ushort)(utcMs - FloorTo(utcMs, MsPerMinute));

    /// <summary>The moy of an instant: whole minutes since 1 January 00:00 UTC of its year.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The instant is outside the years 1..9999.</exception>
    public static uint ToMoy(long utcMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(utcMs, MinReferenceUtcMs);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(utcMs, MaxReferenceUtcMs);
        int year = DateTimeOffset.FromUnixTimeMilliseconds(utcMs).Year;
        return (uint)((utcMs - YearStartUtcMs(year)) / MsPerMinute);
    }

    /// <summary>The Unix milliseconds of 1 January 00:00 UTC of <paramref name="year"/> (1..9999).</summary>
    public static long YearStartUtcMs(int year) =>
        (new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;

    // The reasons are shared with MessageValidator so that a marker is refused in the same words everywhere.
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static Rejection InvalidSecMark(string field, long value) =>
        new(RejectionKind.InvalidTime, string.Create(CultureInfo.InvariantCulture, $"{field}: {value} is not a valid time ({V2xRanges.SecMarkValid})"));

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static Rejection InvalidMoy(string field, long value) =>
        new(RejectionKind.InvalidTime, string.Create(CultureInfo.InvariantCulture, $"{field}: {value} is not a valid time ({V2xRanges.MinuteOfTheYearValid})"));

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static Rejection InvalidTimeMark(string field, long value) =>
        new(RejectionKind.InvalidTime, string.Create(CultureInfo.InvariantCulture, $"{field}: {value} is not a valid time ({V2xRanges.TimeMarkValid})"));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Rejection MoyBeyondYear(uint moy, int year, uint minutesInYear) =>
        new(RejectionKind.InvalidTime, string.Create(
            CultureInfo.InvariantCulture,
            $"moy: {moy} is beyond {minutesInYear - 1}, the last minute of {year} ({(minutesInYear == MinutesPerLeapYear ? "a leap year" : "a common year")})"));

    private static bool IsPlaceable(long referenceUtcMs, out Rejection rejection)
    {
        if (referenceUtcMs is >= MinReferenceUtcMs and <= MaxReferenceUtcMs)
        {
            rejection = default;
            return true;
        }

        rejection = new(RejectionKind.InvalidTime, string.Create(
            CultureInfo.InvariantCulture, $"reference: {referenceUtcMs} ms is outside the years 1..9999 and cannot place a time"));
        return false;
    }

    // Floor division, so that instants before 1970 fall into the right minute or hour.
    private static long FloorTo(long value, long unit)
    {
        long remainder = value % unit;
        return remainder < 0 ? value - remainder - unit : value - remainder;
    }

    // Moves the candidate by whole periods into [reference - period/2, reference + period/2).
    private static long Nearest(long candidate, long referenceUtcMs, long period)
    {
        long half = period / 2;
        long difference = candidate - referenceUtcMs;
        if (difference >= half)
        {
            return candidate - period;
        }

        return difference < -half ? candidate + period : candidate;
    }
}
