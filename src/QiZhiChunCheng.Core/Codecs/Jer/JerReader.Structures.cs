using System.Text.Json;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;

namespace QiZhiChunCheng.Core.Codecs.Jer;

/// <summary>A PositionOffsetLLV as read, before it is placed against its reference position.</summary>
internal struct LlvOffset
{
    /// <summary>Latitude: an offset in 1e-7 deg, or the absolute latitude when <see cref="Absolute"/>.</summary>
    public int Lat;

    public int Lon;

    /// <summary>The <c>position-LatLon</c> alternative: absolute, not an offset.</summary>
    public bool Absolute;

    /// <summary>The <c>offsetV</c> <c>elevation</c> alternative (0.1 m, absolute).</summary>
    public int? Elevation;

    /// <summary>The <c>offsetV</c> <c>offset1..offset6</c> alternatives (0.1 m from the reference elevation).</summary>
    public int? VerticalOffset;
}

/// <summary>The SEQUENCEs shared by BSM and RSM, and the PositionOffsetLLV CHOICEs.</summary>
internal static partial class JerReader
{
    /// <summary>The PositionOffsetLL alternatives; index 0..5 are LL1..LL6 with <see cref="V2xRanges.OffsetLL"/>.</summary>
    public static readonly string[] OffsetLLNames =
        ["position-LL1", "position-LL2", "position-LL3", "position-LL4", "position-LL5", "position-LL6", "position-LatLon"];

    public const int LatLonAlternative = 6;

    /// <summary>VerticalOffset alternatives offset1..offset6 (VertOffset-B07..B12, 0.1 m), then elevation.</summary>
    public static readonly string[] OffsetVNames = ["offset1", "offset2", "offset3", "offset4", "offset5", "offset6", "elevation"];

    public static readonly IntRange[] VertOffsets =
        [new(-64, 63), new(-128, 127), new(-256, 255), new(-512, 511), new(-1024, 1023), new(-2048, 2047)];

    private static readonly JerNames Position3DMembers = new("lat", "long", "elevation");
    private static readonly JerNames AccuracyMembers = new("semiMajor", "semiMinor", "orientation");
    private static readonly JerNames ConfidenceMembers = new("pos");
    private static readonly JerNames AccelMembers = new("long", "lat", "vert", "yaw");
    private static readonly JerNames SizeMembers = new("width", "length", "height");
    private static readonly JerNames ClassMembers = new("classification");
    private static readonly JerNames OffsetLlvMembers = new("offsetLL", "offsetV");
    private static readonly JerNames LonLatMembers = new("lon", "lat");

    public static JerError? ReadPosition3D(ref Utf8JsonReader r, string member, out Position3D pos)
    {
        pos = default;
        if (ExpectObject(ref r, member) is { } notObject)
        {
            return notObject;
        }

        int lat = 0, lon = 0, seen = 0, next = 0;
        int? elevation = null;
        while (NextMember(ref r, out ReadOnlySpan<byte> name))
        {
            int index = Position3DMembers.Find(name, ref next);
            JerError? e;
            switch (index)
            {
                case 0:
                    e = I32(ref r, "lat", V2xRanges.Latitude, out lat);
                    break;
                case 1:
                    e = I32(ref r, "long", V2xRanges.Longitude, out lon);
                    break;
                case 2:
                    e = I32(ref r, "elevation", V2xRanges.Elevation, out int value);
                    elevation = value;
                    break;
                default:
                    r.Skip();
                    continue;
            }

            if (e is not null)
            {
                return e.In(member);
            }

            seen |= 1 << index;
        }

        pos = new Position3D(lat, lon, elevation);
        return Position3DMembers.Require(seen, 3)?.In(member);
    }

    public static JerError? ReadPositionalAccuracy(ref Utf8JsonReader r, string member, out PositionalAccuracy accuracy)
    {
        accuracy = default;
        if (ExpectObject(ref r, member) is { } notObject)
        {
            return notObject;
        }

        byte semiMajor = 0, semiMinor = 0;
        ushort orientation = 0;
        int seen = 0, next = 0;
        while (NextMember(ref r, out ReadOnlySpan<byte> name))
        {
            int index = AccuracyMembers.Find(name, ref next);
            JerError? e;
            switch (index)
            {
                case 0:
                    e = U8(ref r, "semiMajor", V2xRanges.SemiAxisLength, out semiMajor);
                    break;
                case 1:
                    e = U8(ref r, "semiMinor", V2xRanges.SemiAxisLength, out semiMinor);
                    break;
                case 2:
                    e = U16(ref r, "orientation", V2xRanges.SemiMajorAxisOrientation, out orientation);
                    break;
                default:
                    r.Skip();
                    continue;
            }

            if (e is not null)
            {
                return e.In(member);
            }

            seen |= 1 << index;
        }

        accuracy = new PositionalAccuracy(semiMajor, semiMinor, orientation);
        return AccuracyMembers.Require(seen, 7)?.In(member);
    }

    /// <summary>PositionConfidenceSet: <c>pos</c>; the optional <c>elevation</c> confidence is not modelled and is skipped.</summary>
    public static JerError? ReadPositionConfidence(ref Utf8JsonReader r, string member, out PositionConfidenceSet confidence)
    {
        confidence = default;
        if (ExpectObject(ref r, member) is { } notObject)
        {
            return notObject;
        }

        PositionConfidence pos = default;
        int seen = 0, next = 0;
        while (NextMember(ref r, out ReadOnlySpan<byte> name))
        {
            if (ConfidenceMembers.Find(name, ref next) != 0)
            {
                r.Skip();
                continue;
            }

            if (Enumerated(ref r, "pos", out pos) is { } e)
            {
                return e.In(member);
            }

            seen = 1;
        }

        confidence = new PositionConfidenceSet(pos);
        return ConfidenceMembers.Require(seen, 1)?.In(member);
    }

    public static JerError? ReadAccelSet(ref Utf8JsonReader r, string member, out AccelerationSet4Way accel)
    {
        accel = default;
        if (ExpectObject(ref r, member) is { } notObject)
        {
            return notObject;
        }

        short lon = 0, lat = 0, yaw = 0;
        sbyte vert = 0;
        int seen = 0, next = 0;
        while (NextMember(ref r, out ReadOnlySpan<byte> name))
        {
            int index = AccelMembers.Find(name, ref next);
            JerError? e;
            switch (index)
            {
                case 0:
                    e = S16(ref r, "long", V2xRanges.Acceleration, out lon);
                    break;
                case 1:
                    e = S16(ref r, "lat", V2xRanges.Acceleration, out lat);
                    break;
                case 2:
                    e = S8(ref r, "vert", V2xRanges.VerticalAcceleration, out vert);
                    break;
                case 3:
                    e = S16(ref r, "yaw", V2xRanges.YawRate, out yaw);
                    break;
                default:
                    r.Skip();
                    continue;
            }

            if (e is not null)
            {
                return e.In(member);
            }

            seen |= 1 << index;
        }

        accel = new AccelerationSet4Way(lon, lat, vert, yaw);
        return AccelMembers.Require(seen, 15)?.In(member);
    }

    public static JerError? ReadVehicleSize(ref Utf8JsonReader r, string member, out VehicleSize size)
    {
        size = default;
        if (ExpectObject(ref r, member) is { } notObject)
        {
            return notObject;
        }

        ushort width = 0, length = 0;
        byte? height = null;
        int seen = 0, next = 0;
        while (NextMember(ref r, out ReadOnlySpan<byte> name))
        {
            int index = SizeMembers.Find(name, ref next);
            JerError? e;
            switch (index)
            {
                case 0:
                    e = U16(ref r, "width", V2xRanges.VehicleWidth, out width);
                    break;
                case 1:
                    e = U16(ref r, "length", V2xRanges.VehicleLength, out length);
                    break;
                case 2:
                    e = U8(ref r, "height", V2xRanges.VehicleHeight, out byte value);
                    height = value;
                    break;
                default:
                    r.Skip();
                    continue;
            }

            if (e is not null)
            {
                return e.In(member);
            }

            seen |= 1 << index;
        }

        size = new VehicleSize(width, length, height);
        return SizeMembers.Require(seen, 3)?.In(member);
    }

    /// <summary>VehicleClassification: <c>classification</c>; the optional <c>fuelType</c> is not modelled and is skipped.</summary>
    public static JerError? ReadVehicleClass(ref Utf8JsonReader r, string member, out VehicleClassification vehicleClass)
    {
        vehicleClass = default;
        if (ExpectObject(ref r, member) is { } notObject)
        {
            return notObject;
        }

        byte classification = 0;
        int seen = 0, next = 0;
        while (NextMember(ref r, out ReadOnlySpan<byte> name))
        {
            if (ClassMembers.Find(name, ref next) != 0)
            {
                r.Skip();
                continue;
            }

            if (U8(ref r, "classification", V2xRanges.VehicleClass, out classification) is { } e)
            {
                return e.In(member);
            }

            seen = 1;
        }

        vehicleClass = new VehicleClassification(classification);
        return ClassMembers.Require(seen, 1)?.In(member);
    }

    /// <summary>
    /// PositionOffsetLLV: <c>offsetLL</c> (required CHOICE) and, when <paramref name="vertical"/>, <c>offsetV</c>;
    /// otherwise <c>offsetV</c> is skipped because the model has nowhere to keep it.
    /// </summary>
    public static JerError? ReadOffsetLlv(ref Utf8JsonReader r, string member, bool vertical, out LlvOffset offset)
    {
        offset = default;
        if (ExpectObject(ref r, member) is { } notObject)
        {
            return notObject;
        }

        int seen = 0, next = 0;
        while (NextMember(ref r, out ReadOnlySpan<byte> name))
        {
            int index = OffsetLlvMembers.Find(name, ref next);
            JerError? e;
            switch (index)
            {
                case 0:
                    e = ReadOffsetLL(ref r, ref offset);
                    break;
                case 1 when vertical:
                    e = ReadOffsetV(ref r, ref offset);
                    break;
                default:
                    r.Skip();
                    continue;
            }

            if (e is not null)
            {
                return e.In(member);
            }

            seen |= 1 << index;
        }

        return OffsetLlvMembers.Require(seen, 1)?.In(member);
    }

    /// <summary>The alternative index of a PositionOffsetLL member name, or -1.</summary>
    public static int OffsetLLAlternative(ReadOnlySpan<byte> name)
    {
        if (name.Length == 12 && name.StartsWith("position-LL"u8))
        {
            int digit = name[11] - '1';
            return digit is >= 0 and <= 5 ? digit : -1;
        }

        return name.SequenceEqual("position-LatLon"u8) ? LatLonAlternative : -1;
    }

    // A CHOICE error is reported at the object holding offsetLL ("pos: the offsetLL CHOICE ..."), a value error
    // inside it with the full path ("pos.offsetLL.position-LL1.lon: ...").
    private static JerError? ReadOffsetLL(ref Utf8JsonReader r, ref LlvOffset offset)
    {
        if (ExpectObject(ref r, "offsetLL") is { } notObject)
        {
            return notObject;
        }

        int alternatives = 0;
        while (NextMember(ref r, out ReadOnlySpan<byte> name))
        {
            int alternative = OffsetLLAlternative(name);
            if (alternative < 0)
            {
                r.Skip();
                continue;
            }

            if (++alternatives > 1)
            {
                return JerError.Choice("offsetLL");
            }

            if (ReadLonLat(ref r, alternative, ref offset) is { } e)
            {
                return e.In("offsetLL");
            }
        }

        return alternatives == 1 ? null : JerError.Choice("offsetLL");
    }

    private static JerError? ReadLonLat(ref Utf8JsonReader r, int alternative, ref LlvOffset offset)
    {
        string member = OffsetLLNames[alternative];
        if (ExpectObject(ref r, member) is { } notObject)
        {
            return notObject;
        }

        bool absolute = alternative == LatLonAlternative;
        IntRange latRange = absolute ? V2xRanges.Latitude : V2xRanges.OffsetLL[alternative];
        IntRange lonRange = absolute ? V2xRanges.Longitude : V2xRanges.OffsetLL[alternative];
        long lat = 0, lon = 0;
        int seen = 0, next = 0;
        while (NextMember(ref r, out ReadOnlySpan<byte> name))
        {
            // An offset alternative's range is the structure itself (the model keeps no offset), so the codec
            // enforces it; an absolute latitude only has to fit the model's int.
            int index = LonLatMembers.Find(name, ref next);
            JerError? e;
            switch (index)
            {
                case 0:
                    e = absolute
                        ? Integer(ref r, "lon", lonRange, int.MinValue, int.MaxValue, out lon)
                        : Integer(ref r, "lon", lonRange, lonRange.Min, lonRange.Max, out lon);
                    break;
                case 1:
                    e = absolute
                        ? Integer(ref r, "lat", latRange, int.MinValue, int.MaxValue, out lat)
                        : Integer(ref r, "lat", latRange, latRange.Min, latRange.Max, out lat);
                    break;
                default:
                    r.Skip();
                    continue;
            }

            if (e is not null)
            {
                return e.In(member);
            }

            seen |= 1 << index;
        }

        offset.Lat = (int)lat;
        offset.Lon = (int)lon;
        offset.Absolute = absolute;
        return LonLatMembers.Require(seen, 3)?.In(member);
    }

    private static JerError? ReadOffsetV(ref Utf8JsonReader r, ref LlvOffset offset)
    {
        if (ExpectObject(ref r, "offsetV") is { } notObject)
        {
            return notObject;
        }

        int alternatives = 0;
        while (NextMember(ref r, out ReadOnlySpan<byte> name))
        {
            int alternative = OffsetVAlternative(name);
            if (alternative < 0)
            {
                r.Skip();
                continue;
            }

            if (++alternatives > 1)
            {
                return JerError.Choice("offsetV");
            }

            string member = OffsetVNames[alternative];
            if (alternative == 6)
            {
                if (I32(ref r, member, V2xRanges.Elevation, out int elevation) is { } e)
                {
                    return e.In("offsetV");
                }

                offset.Elevation = elevation;
            }
            else
            {
                IntRange range = VertOffsets[alternative];
                if (Integer(ref r, member, range, range.Min, range.Max, out long value) is { } e)
                {
                    return e.In("offsetV");
                }

                offset.VerticalOffset = (int)value;
            }
        }

        return alternatives == 1 ? null : JerError.Choice("offsetV");
    }

    private static int OffsetVAlternative(ReadOnlySpan<byte> name)
    {
        if (name.Length == 7 && name.StartsWith("offset"u8))
        {
            int digit = name[6] - '1';
            return digit is >= 0 and <= 5 ? digit : -1;
        }

        return name.SequenceEqual("elevation"u8) ? 6 : -1;
    }

    /// <summary>
    /// An absolute position from an offset and its reference; the elevation comes from <c>offsetV</c> only
    /// (an <c>offsetN</c> needs the reference elevation, else it is unknown).
    /// </summary>
    public static JerError? ToAbsolute(in LlvOffset offset, in Position3D reference, out Position3D position)
    {
        long lat = offset.Absolute ? offset.Lat : (long)reference.Lat + offset.Lat;
        long lon = offset.Absolute ? offset.Lon : (long)reference.Long + offset.Lon;
        int? elevation = offset.Elevation
            ?? (offset.VerticalOffset is { } v && reference.Elevation is { } e ? e + v : null);
        position = default;
        if (lat is < int.MinValue or > int.MaxValue)
        {
            return JerError.OutOfRange("lat", lat, V2xRanges.Latitude);
        }

        if (lon is < int.MinValue or > int.MaxValue)
        {
            return JerError.OutOfRange("long", lon, V2xRanges.Longitude);
        }

        position = new Position3D((int)lat, (int)lon, elevation);
        return null;
    }

    /// <summary>An offset from its reference (a <c>position-LatLon</c> alternative is turned into one).</summary>
    public static JerError? ToOffset(in LlvOffset offset, in Position3D reference, out int latOffset, out int lonOffset)
    {
        long lat = offset.Absolute ? (long)offset.Lat - reference.Lat : offset.Lat;
        long lon = offset.Absolute ? (long)offset.Lon - reference.Long : offset.Lon;
        latOffset = lonOffset = 0;
        IntRange widest = V2xRanges.OffsetLL[^1];
        if (lat is < int.MinValue or > int.MaxValue)
        {
            return JerError.OutOfRange("lat", lat, widest);
        }

        if (lon is < int.MinValue or > int.MaxValue)
        {
            return JerError.OutOfRange("lon", lon, widest);
        }

        latOffset = (int)lat;
        lonOffset = (int)lon;
        return null;
    }
}
