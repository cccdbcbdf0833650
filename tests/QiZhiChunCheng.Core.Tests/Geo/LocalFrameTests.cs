using QiZhiChunCheng.Core.Geo;

namespace QiZhiChunCheng.Core.Tests.Geo;

/// <summary>The zone's east-north-up frame: projecting and unprojecting agree to a millimetre over 20 km.</summary>
public sealed class LocalFrameTests
{
    private static readonly LocalFrame Frame = new(43.84708, 125.22411, 215);

    public static TheoryData<double> Distances => new() { 0, 1, 100, 1_000, 5_000, 10_000, 20_000 };

    [Theory]
    [MemberData(nameof(Distances))]
    public void Local_to_WGS84_and_back_is_within_a_millimetre(double distanceM)
    {
        for (int bearing = 0; bearing < 360; bearing += 15)
        {
            double east = distanceM * Math.Sin(double.DegreesToRadians(bearing));
            double north = distanceM * Math.Cos(double.DegreesToRadians(bearing));

            (double lat, double lon) = Frame.ToWgs84(east, north);
            (double e, double n) = Frame.ToLocal(lat, lon);

            Assert.True(Math.Abs(e - east) < 0.001 && Math.Abs(n - north) < 0.001, $"{distanceM} m at {bearing} deg: off by {e - east:E2}, {n - north:E2} m");
        }
    }

    [Theory]
    [MemberData(nameof(Distances))]
    public void WGS84_to_local_and_back_is_within_a_millimetre(double distanceM)
    {
        for (int bearing = 0; bearing < 360; bearing += 15)
        {
            // A point about distanceM away along the bearing (the sphere is close enough to place it).
            double lat = 43.84708 + double.RadiansToDegrees(distanceM * Math.Cos(double.DegreesToRadians(bearing)) / Geodesy.EarthRadiusM);
            double lon = 125.22411 + double.RadiansToDegrees(distanceM * Math.Sin(double.DegreesToRadians(bearing)) / (Geodesy.EarthRadiusM * Math.Cos(double.DegreesToRadians(43.84708))));

            (double e, double n) = Frame.ToLocal(lat, lon);
            (double lat2, double lon2) = Frame.ToWgs84(e, n);

            double errorM = Geodesy.DistanceM(lat, lon, lat2, lon2);
            Assert.True(errorM < 0.001, $"{distanceM} m at {bearing} deg: off by {errorM:E2} m");
        }
    }

    [Fact]
    public void Local_distances_match_the_great_circle_over_the_zone()
    {
        (double e, double n) = Frame.ToLocal(43.86319, 125.25743); // the north-east end of Dongfeng Street, 3.2 km away
        double great = Geodesy.DistanceM(43.84708, 125.22411, 43.86319, 125.25743);

        Assert.InRange(Math.Sqrt((e * e) + (n * n)) / great, 0.995, 1.005);
    }
}
