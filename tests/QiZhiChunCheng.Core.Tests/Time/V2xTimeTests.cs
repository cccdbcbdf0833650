using QiZhiChunCheng.Core.Time;
using QiZhiChunCheng.Core.Validation;
using Xunit;

namespace QiZhiChunCheng.Core.Tests.Time;

public class V2xTimeTests
{
    private static long Utc(int year, int month, int day, int hour, int minute, int second, int ms = 0) =>
        new DateTimeOffset(year, month, day, hour, minute, second, ms, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static long ResolveSecMark(int secMark, long reference)
    {
        Assert.True(V2xTime.TryResolveSecMark(secMark, reference, out long utcMs, out Rejection rejection), rejection.Reason);
        return utcMs;
    }

    private static long ResolveMoy(uint moy, int secMark, long reference)
    {
        Assert.True(V2xTime.TryResolveMoy(moy, secMark, reference, out long utcMs, out Rejection rejection), rejection.Reason);
        return utcMs;
    }

    private static long ResolveTimeMark(int timeMark, long reference)
    {
        Assert.True(V2xTime.TryResolveTimeMark(timeMark, reference, out long utcMs, out Rejection rejection), rejection.Reason);
        return utcMs;
    }

    // ---- secMark

    [Fact]
    public void SecMark_within_the_same_minute_keeps_the_minute() =>
        Assert.Equal(Utc(2026, 11, 28, 12, 0, 41, 200), ResolveSecMark(41200, Utc(2026, 11, 28, 12, 0, 41, 250)));

    [Fact]
    public void SecMark_rolls_forward_into_the_next_minute() =>
        Assert.Equal(Utc(2026, 11, 28, 12, 1, 0, 30), ResolveSecMark(30, Utc(2026, 11, 28, 12, 0, 59, 950)));

    [Fact]
    public void SecMark_rolls_back_into_the_previous_minute() =>
        Assert.Equal(Utc(2026, 11, 28, 12, 0, 59, 990), ResolveSecMark(59990, Utc(2026, 11, 28, 12, 1, 0, 10)));

    [Fact]
    public void SecMark_rolls_over_the_year_too() =>
        Assert.Equal(Utc(2026, 12, 31, 23, 59, 59, 900), ResolveSecMark(59900, Utc(2027, 1, 1, 0, 0, 0, 100)));

    [Theory]
    [InlineData(0, 0)] // exactly half a minute either way: the earlier instant
    [InlineData(1, 1)] // 29.999 s before the reference
    [InlineData(59999, 59999)] // 29.999 s after it
    public void SecMark_half_a_minute_away_resolves_to_the_earlier_instant(int secMark, int expectedOffsetMs)
    {
        long reference = Utc(2026, 11, 28, 12, 0, 30);
        Assert.Equal(Utc(2026, 11, 28, 12, 0, 0) + expectedOffsetMs, ResolveSecMark(secMark, reference));
    }

    [Fact]
    public void SecMark_before_1970_uses_floor_minutes() =>
        Assert.Equal(Utc(1969, 12, 31, 23, 59, 59, 500), ResolveSecMark(59500, Utc(1969, 12, 31, 23, 59, 59, 400)));

    [Theory]
    [InlineData(60000)]
    [InlineData(65535)]
    [InlineData(-1)]
    public void Invalid_secMark_is_an_invalid_time(int secMark)
    {
        Assert.False(V2xTime.TryResolveSecMark(secMark, Utc(2026, 11, 28, 12, 0, 0), out _, out Rejection rejection));
        Assert.Equal(RejectionKind.InvalidTime, rejection.Kind);
        Assert.Equal($"secMark: {secMark} is not a valid time (0..59999)", rejection.Reason);
    }

    [Fact]
    public void A_reference_outside_the_calendar_cannot_place_a_time()
    {
        Assert.False(V2xTime.TryResolveSecMark(0, long.MaxValue, out _, out Rejection rejection));
        Assert.Equal(RejectionKind.InvalidTime, rejection.Kind);
        Assert.StartsWith("reference: ", rejection.Reason, StringComparison.Ordinal);
    }

    // ---- moy

    [Fact]
    public void Moy_in_the_reference_year()
    {
        // 28 November 2026 04:00 UTC is day 331 (0-based) of a common year: 331 * 1440 + 240 minutes.
        uint moy = (331 * 1440) + 240;
        Assert.Equal(Utc(2026, 11, 28, 4, 0, 41, 200), ResolveMoy(moy, 41200, Utc(2026, 11, 28, 4, 0, 41, 212)));
    }

    [Fact]
    public void Last_minute_of_a_leap_year_seen_on_1_January_is_the_old_year() =>
        Assert.Equal(Utc(2028, 12, 31, 23, 59, 59, 900), ResolveMoy(527039, 59900, Utc(2029, 1, 1, 0, 0, 0, 50)));

    [Fact]
    public void Last_minute_of_a_common_year_seen_on_1_January_is_the_old_year() =>
        Assert.Equal(Utc(2026, 12, 31, 23, 59, 59, 900), ResolveMoy(525599, 59900, Utc(2027, 1, 1, 0, 0, 0, 50)));

    [Fact]
    public void First_minute_seen_on_31_December_is_the_new_year() =>
        Assert.Equal(Utc(2027, 1, 1, 0, 0, 0, 100), ResolveMoy(0, 100, Utc(2026, 12, 31, 23, 59, 59, 950)));

    [Fact]
    public void Leap_day_and_the_last_day_of_a_leap_year_exist_in_2028()
    {
        Assert.Equal(Utc(2028, 2, 29, 12, 0, 0), ResolveMoy((59 * 1440) + 720, 0, Utc(2028, 2, 29, 12, 0, 1)));
        Assert.Equal(Utc(2028, 12, 31, 0, 0, 0), ResolveMoy(525600, 0, Utc(2028, 12, 31, 0, 0, 5)));
    }

    [Fact]
    public void A_leap_year_minute_in_a_common_year_is_an_invalid_time()
    {
        Assert.False(V2xTime.TryResolveMoy(525600, 0, Utc(2026, 12, 31, 0, 0, 5), out _, out Rejection rejection));
        Assert.Equal(RejectionKind.InvalidTime, rejection.Kind);
        Assert.Equal("moy: 525600 is beyond 525599, the last minute of 2026 (a common year)", rejection.Reason);
    }

    [Fact]
    public void The_last_minute_of_a_leap_year_on_1_January_after_a_common_year_is_not_moved_to_another_year()
    {
        // 2026 is the nearest year and has no minute 527039; 2028 does, but is two years away: never guess.
        Assert.False(V2xTime.TryResolveMoy(527039, 0, Utc(2027, 1, 1, 0, 0, 5), out _, out Rejection rejection));
        Assert.Equal(RejectionKind.InvalidTime, rejection.Kind);
        Assert.Equal("moy: 527039 is beyond 525599, the last minute of 2026 (a common year)", rejection.Reason);
    }

    [Theory]
    [InlineData(527040u)]
    [InlineData(600000u)]
    [InlineData(uint.MaxValue)]
    public void Invalid_moy_is_an_invalid_time(uint moy)
    {
        Assert.False(V2xTime.TryResolveMoy(moy, 0, Utc(2028, 6, 1, 0, 0, 0), out _, out Rejection rejection));
        Assert.Equal(RejectionKind.InvalidTime, rejection.Kind);
        Assert.Equal($"moy: {moy} is not a valid time (0..527039)", rejection.Reason);
    }

    [Fact]
    public void Moy_with_an_invalid_secMark_is_an_invalid_time()
    {
        Assert.False(V2xTime.TryResolveMoy(1000, 60000, Utc(2028, 6, 1, 0, 0, 0), out _, out Rejection rejection));
        Assert.Equal(new Rejection(RejectionKind.InvalidTime, "secMark: 60000 is not a valid time (0..59999)"), rejection);
    }

    [Theory]
    [InlineData(2026, 3, 1, 84960u)] // 31 + 28 days
    [InlineData(2028, 3, 1, 86400u)] // 31 + 29 days
    [InlineData(2028, 12, 31, 525600u)]
    [InlineData(2027, 1, 1, 0u)]
    public void ToMoy_counts_minutes_from_1_January(int year, int month, int day, uint expected) =>
        Assert.Equal(expected, V2xTime.ToMoy(Utc(year, month, day, 0, 0, 30)));

    [Fact]
    public void ToMoy_and_ToSecMark_round_trip_through_TryResolveMoy()
    {
        long t = Utc(2028, 12, 31, 23, 59, 59, 999);
        Assert.Equal(527039u, V2xTime.ToMoy(t));
        Assert.Equal(59999, V2xTime.ToSecMark(t));
        Assert.Equal(t, ResolveMoy(V2xTime.ToMoy(t), V2xTime.ToSecMark(t), t + 500));
    }

    [Theory]
    [InlineData(0L, 0)]
    [InlineData(59_999L, 59999)]
    [InlineData(60_000L, 0)]
    [InlineData(-1L, 59999)]
    [InlineData(-60_000L, 0)]
    public void ToSecMark_is_milliseconds_within_the_minute(long utcMs, int expected) =>
        Assert.Equal(expected, V2xTime.ToSecMark(utcMs));

    // ---- TimeMark

    [Fact]
    public void TimeMark_within_the_hour() =>
        Assert.Equal(Utc(2026, 11, 28, 12, 25, 0, 500), ResolveTimeMark(15005, Utc(2026, 11, 28, 12, 20, 0)));

    [Fact]
    public void TimeMark_rolls_forward_into_the_next_hour() =>
        Assert.Equal(Utc(2026, 11, 28, 13, 0, 0, 500), ResolveTimeMark(5, Utc(2026, 11, 28, 12, 59, 59)));

    [Fact]
    public void TimeMark_rolls_back_into_the_previous_hour() =>
        Assert.Equal(Utc(2026, 11, 28, 12, 59, 59), ResolveTimeMark(35990, Utc(2026, 11, 28, 13, 0, 0, 500)));

    [Fact]
    public void TimeMark_36000_is_the_end_of_the_hour()
    {
        Assert.Equal(Utc(2026, 11, 28, 13, 0, 0), ResolveTimeMark(36000, Utc(2026, 11, 28, 12, 59, 58)));
        Assert.Equal(Utc(2026, 11, 28, 13, 0, 0), ResolveTimeMark(36000, Utc(2026, 11, 28, 13, 0, 2)));
    }

    [Theory]
    [InlineData(36001)]
    [InlineData(36002)]
    [InlineData(-1)]
    public void Invalid_TimeMark_is_an_invalid_time(int timeMark)
    {
        Assert.False(V2xTime.TryResolveTimeMark(timeMark, Utc(2026, 11, 28, 12, 0, 0), out _, out Rejection rejection));
        Assert.Equal(RejectionKind.InvalidTime, rejection.Kind);
        Assert.Equal($"timeMark: {timeMark} is not a valid time (0..36000)", rejection.Reason);
    }

    // ---- cost

    [Fact]
    public void Resolving_valid_markers_allocates_nothing()
    {
        long reference = Utc(2028, 12, 31, 23, 59, 59, 950);
        ResolveSecMark(30, reference);
        ResolveMoy(527039, 59000, reference);
        ResolveTimeMark(35999, reference);

        long before = GC.GetAllocatedBytesForCurrentThread();
        long sum = 0;
        for (int i = 0; i < 1000; i++)
        {
            V2xTime.TryResolveSecMark(i * 59, reference, out long a, out _);
            V2xTime.TryResolveMoy(527039, i * 59, reference, out long b, out _);
            V2xTime.TryResolveTimeMark(i * 36, reference, out long c, out _);
            sum += a + b + c + V2xTime.ToMoy(reference) + V2xTime.ToSecMark(reference);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotEqual(0, sum);
    }
}
