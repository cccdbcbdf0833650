namespace QiZhiChunCheng.Core.Geo;

/// <summary>
/// A local east-north-up frame (metres) tangent to the WGS-84 ellipsoid at an origin, for the few kilometres
/// of a zone. Exact transform through ECEF, so round trips are good to millimetres over the zone. Immutable and
/// thread-safe; no allocation.
/// </summary>
public sealed class LocalFrame
{
    private const double A = 6378137.0;
    private const double F = 1 / 298.257223563;
    private const double E2 = F * (2 - F);

    private readonly double _x0;
    private readonly double _y0;
    private readonly double _z0;
    private readonly double _sinLat;
    private readonly double _cosLat;
    private readonly double _sinLon;
    private readonly double _cosLon;

    public LocalFrame(double originLatDeg, double originLonDeg, double originHeightM = 0)
    {
        OriginLatDeg = originLatDeg;
        OriginLonDeg = originLonDeg;
        OriginHeightM = originHeightM;
        (_x0, _y0, _z0) = ToEcef(originLatDeg, originLonDeg, originHeightM);
        double lat = double.DegreesToRadians(originLatDeg);
        double lon = double.DegreesToRadians(originLonDeg);
        (_sinLat, _cosLat) = Math.SinCos(lat);
        (_sinLon, _cosLon) = Math.SinCos(lon);
    }

    public double OriginLatDeg { get; }

    public double OriginLonDeg { get; }

    public double OriginHeightM { get; }

    /// <summary>WGS-84 degrees to local east and north (metres) at the origin's height.</summary>
    public (double EastM, double NorthM) ToLocal(double latDeg, double lonDeg)
    {
        (double e, double n, _) = ToEnu(latDeg, lonDeg, OriginHeightM);
        return (e, n);
    }

    public (double EastM, double NorthM, double UpM) ToEnu(double latDeg, double lonDeg, double heightM)
    {
        (double x, double y, double z) = ToEcef(latDeg, lonDeg, heightM);
        double dx = x - _x0;
        double dy = y - _y0;
        double dz = z - _z0;
        double east = (-_sinLon * dx) + (_cosLon * dy);
        double north = (-_sinLat * _cosLon * dx) - (_sinLat * _sinLon * dy) + (_cosLat * dz);
        double up = (_cosLat * _cosLon * dx) + (_cosLat * _sinLon * dy) + (_sinLat * dz);
        return (east, north, up);
    }

    /// <summary>
    /// Local east and north (metres) back to WGS-84 degrees: the exact inverse of <see cref="ToLocal"/>, to well under
    /// a millimetre at 20 km. <see cref="ToLocal"/> projects a point at the origin's height onto the tangent plane; a
    /// point of the plane lies above that surface by about d^2 / 2R (31 m at 20 km), so simply dropping it would land
    /// 10 cm off at 20 km. Three corrections in the plane remove that. About four times the cost of ToLocal.
    /// </summary>
    public (double LatDeg, double LonDeg) ToWgs84(double eastM, double northM)
    {
        double east = eastM;
        double north = northM;
        (double lat, double lon) = PlaneToWgs84(east, north);
        for (int i = 0; i < 3; i++)
        {
            (double e, double n) = ToLocal(lat, lon);
            east += eastM - e;
            north += northM - n;
            (lat, lon) = PlaneToWgs84(east, north);
        }

        return (lat, lon);
    }

    // The WGS-84 position straight below (along the ellipsoid normal) a point of the tangent plane.
    private (double LatDeg, double LonDeg) PlaneToWgs84(double eastM, double northM)
    {
        double dx = (-_sinLon * eastM) - (_sinLat * _cosLon * northM);
        double dy = (_cosLon * eastM) - (_sinLat * _sinLon * northM);
        double dz = _cosLat * northM;
        (double lat, double lon, _) = FromEcef(_x0 + dx, _y0 + dy, _z0 + dz);
        return (lat, lon);
    }

    private static (double X, double Y, double Z) ToEcef(double latDeg, double lonDeg, double h)
    {
        (double sinLat, double cosLat) = Math.SinCos(double.DegreesToRadians(latDeg));
        (double sinLon, double cosLon) = Math.SinCos(double.DegreesToRadians(lonDeg));
        double n = A / Math.Sqrt(1 - (E2 * sinLat * sinLat));
        return ((n + h) * cosLat * cosLon, (n + h) * cosLat * sinLon, ((n * (1 - E2)) + h) * sinLat);
    }

    private static (double LatDeg, double LonDeg, double H) FromEcef(double x, double y, double z)
    {
        double lon = Math.Atan2(y, x);
        double p = Math.Sqrt((x * x) + (y * y));
        double lat = Math.Atan2(z, p * (1 - E2));
        double h = 0;
        for (int i = 0; i < 5; i++)
        {
            double sinLat = Math.Sin(lat);
            double n = A / Math.Sqrt(1 - (E2 * sinLat * sinLat));
            h = (p / Math.Cos(lat)) - n;
            lat = Math.Atan2(z, p * (1 - (E2 * n / (n + h))));
        }

        return (double.RadiansToDegrees(lat), double.RadiansToDegrees(lon), h);
    }
}

/// <summary>Great-circle helpers on the sphere; good to 0.5 % over a zone, for distances that are not on the hot path.</summary>
public static class Geodesy
{
    public const double EarthRadiusM = 6371008.8;

    public static double DistanceM(double lat1Deg, double lon1Deg, double lat2Deg, double lon2Deg)
    {
        double p1 = double.DegreesToRadians(lat1Deg);
        double p2 = double.DegreesToRadians(lat2Deg);
        double dp = p2 - p1;
        double dl = double.DegreesToRadians(lon2Deg - lon1Deg);
        double a = (Math.Sin(dp / 2) * Math.Sin(dp / 2)) + (Math.Cos(p1) * Math.Cos(p2) * Math.Sin(dl / 2) * Math.Sin(dl / 2));
        return 2 * EarthRadiusM * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    /// <summary>Initial bearing from point 1 to point 2, degrees clockwise from true north, 0..360.</summary>
    public static double BearingDeg(double lat1Deg, double lon1Deg, double lat2Deg, double lon2Deg)
    {
        double p1 = double.DegreesToRadians(lat1Deg);
        double p2 = double.DegreesToRadians(lat2Deg);
        double dl = double.DegreesToRadians(lon2Deg - lon1Deg);
        double y = Math.Sin(dl) * Math.Cos(p2);
        double x = (Math.Cos(p1) * Math.Sin(p2)) - (Math.Sin(p1) * Math.Cos(p2) * Math.Cos(dl));
        return (double.RadiansToDegrees(Math.Atan2(y, x)) + 360) % 360;
    }
}
