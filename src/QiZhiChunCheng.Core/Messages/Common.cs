using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace QiZhiChunCheng.Core.Messages;

/// <summary>
/// A WGS-84 position in the standard's raw units: <c>lat</c> and <c>long</c> in 1e-7 degree,
/// <c>elevation</c> in 0.1 m (optional). Value type, allocation-free.
/// </summary>
public readonly record struct Position3D(int Lat, int Long, int? Elevation = null)
{
    public const int LatitudeUnavailable = 900000001;
    public const int LongitudeUnavailable = 1800000001;
    public const int ElevationUnavailable = -4096;

    public double LatitudeDeg => Lat * 1e-7;

    public double LongitudeDeg => Long * 1e-7;

    public double? ElevationM => Elevation * 0.1;

    public static Position3D FromDegrees(double latitudeDeg, double longitudeDeg, double? elevationM = null) =>
        new(checked((int)Math.Round(latitudeDeg * 1e7)),
            checked((int)Math.Round(longitudeDeg * 1e7)),
            elevationM is { } e ? checked((int)Math.Round(e * 10)) : null);
}

/// <summary>PositionalAccuracy: semi-major and semi-minor axes (0.05 m, 0..255) and orientation (0.0054932479 deg, 0..65535).</summary>
public readonly record struct PositionalAccuracy(byte SemiMajor, byte SemiMinor, ushort Orientation);

/// <summary>AccelerationSet4Way: <c>long</c>, <c>lat</c> in 0.01 m/s^2 (-2000..2001), <c>vert</c> in 0.02 g (-127..127), <c>yaw</c> in 0.01 deg/s.</summary>
public readonly record struct AccelerationSet4Way(short Long, short Lat, sbyte Vert, short Yaw)
{
    public const short AccelerationUnavailable = 2001;

    public double LongMps2 => Long * 0.01;

    public double LatMps2 => Lat * 0.01;

    public double YawRateDegPerS => Yaw * 0.01;
}

/// <summary>VehicleSize: width (cm, 0..1023), length (cm, 0..4095), height (5 cm, 0..127, optional).</summary>
public readonly record struct VehicleSize(ushort Width, ushort Length, byte? Height = null)
{
    public double WidthM => Width * 0.01;

    public double LengthM => Length * 0.01;
}

/// <summary>VehicleClassification: <c>classification</c> is the BasicVehicleClass (10 passenger car, 60..69 emergency, 82 pedestrian, 85 bicycle ...).</summary>
public readonly record struct VehicleClassification(byte Classification);

/// <summary>TransmissionState (ENUMERATED).</summary>
public enum TransmissionState : byte
{
    Neutral = 0,
    Park = 1,
    ForwardGears = 2,
    ReverseGears = 3,
    Reserved1 = 4,
    Reserved2 = 5,
    Reserved3 = 6,
    Unavailable = 7,
}

/// <summary>PositionConfidence (ENUMERATED): 95 % radius of horizontal position error.</summary>
public enum PositionConfidence : byte
{
    Unavailable = 0,
    A500m = 1,
    A200m = 2,
    A100m = 3,
    A50m = 4,
    A20m = 5,
    A10m = 6,
    A5m = 7,
    A2m = 8,
    A1m = 9,
    A50cm = 10,
    A20cm = 11,
    A10cm = 12,
    A5cm = 13,
    A2cm = 14,
    A1cm = 15,
}

/// <summary>PositionConfidenceSet (only the horizontal member is modelled).</summary>
public readonly record struct PositionConfidenceSet(PositionConfidence Pos);

/// <summary>
/// An identifier of eight octets (OCTET STRING SIZE(8)): the BSM vehicle id, the RSU id of RSM and RSI.
/// Stored big-endian in a <see cref="ulong"/> so it costs no allocation; written as 16 hex digits.
/// </summary>
public readonly record struct OctetId8(ulong Value)
{
    public static OctetId8 FromAscii(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 8)
        {
            throw new ArgumentException("an 8-octet id holds at most 8 ASCII characters", nameof(text));
        }

        Span<byte> bytes = stackalloc byte[8];
        bytes.Clear();
        Encoding.ASCII.GetBytes(text, bytes);
        return new OctetId8(BinaryPrimitives.ReadUInt64BigEndian(bytes));
    }

    public static bool TryParseHex(ReadOnlySpan<char> hex, out OctetId8 id)
    {
        id = default;
        if (hex.Length != 16 || !ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong v))
        {
            return false;
        }

        id = new OctetId8(v);
        return true;
    }

    public override string ToString() => Value.ToString("X16", CultureInfo.InvariantCulture);
}

/// <summary>NodeReferenceID: an intersection id (0..65535), unique within its region (optional, 0..65535).</summary>
public readonly record struct NodeReferenceId(ushort Id, ushort? Region = null);
