namespace QiZhiChunCheng.Core.Validation;

/// <summary>An inclusive integer range of a wire element.</summary>
public readonly record struct IntRange(long Min, long Max)
{
    public bool Contains(long value) => value >= Min && value <= Max;

    public override string ToString() => $"{Min}..{Max}";
}

/// <summary>
/// The ranges of V2X-REFERENCE section 1 and of the message structures (section 2), in raw units. The one
/// source for the validator, the codecs and the test generators.
/// </summary>
public static class V2xRanges
{
    public static readonly IntRange MsgCount = new(0, 127);
    public static readonly IntRange Latitude = new(-900000000, 900000001);
    public static readonly IntRange Longitude = new(-1799999999, 1800000001);
    public static readonly IntRange Elevation = new(-4096, 61439);
    public static readonly IntRange Speed = new(0, 8191);
    public static readonly IntRange Heading = new(0, 28800);
    public static readonly IntRange SteeringWheelAngle = new(-126, 127);
    public static readonly IntRange Acceleration = new(-2000, 2001);
    public static readonly IntRange VerticalAcceleration = new(-127, 127);
    public static readonly IntRange YawRate = new(-32767, 32767);
    public static readonly IntRange VehicleWidth = new(0, 1023);
    public static readonly IntRange VehicleLength = new(0, 4095);
    public static readonly IntRange VehicleHeight = new(0, 127);
    public static readonly IntRange VehicleClass = new(0, 255);

    /// <summary>DSecond as a wire value (0..65535); 60000 and above are invalid times, reported as such.</summary>
    public static readonly IntRange DSecond = new(0, 65535);

    /// <summary>DSecond values that are valid times.</summary>
    public static readonly IntRange SecMarkValid = new(0, 59999);

    /// <summary>MinuteOfTheYear as a wire value; 527040 is invalid.</summary>
    public static readonly IntRange MinuteOfTheYear = new(0, 527040);

    /// <summary>MinuteOfTheYear values that are valid times (whether 525600.. fits depends on the year).</summary>
    public static readonly IntRange MinuteOfTheYearValid = new(0, 527039);

    public static readonly IntRange TimeMark = new(0, 36001);

    /// <summary>TimeMark values that are valid times; 36000 is the leap second allowance, the end of the hour.</summary>
    public static readonly IntRange TimeMarkValid = new(0, 36000);
    public static readonly IntRange Radius = new(0, 65535);
    public static readonly IntRange LaneWidth = new(0, 32767);
    public static readonly IntRange Confidence = new(0, 200);
    public static readonly IntRange SemiAxisLength = new(0, 255);
    public static readonly IntRange SemiMajorAxisOrientation = new(0, 65535);
    public static readonly IntRange RadiusOfCurvature = new(-32767, 32767);
    public static readonly IntRange TimeOffset = new(1, 65535);
    public static readonly IntRange PtcId = new(0, 65535);
    public static readonly IntRange PhaseId = new(0, 255);
    public static readonly IntRange LaneId = new(0, 255);
    public static readonly IntRange NodeId = new(0, 65535);
    public static readonly IntRange EventType = new(0, 65535);
    public static readonly IntRange SignType = new(0, 65535);

    // Fixed-size BIT STRINGs held as plain integers, every bit defined: the range is the mask.
    /// <summary>LaneSharing, BIT STRING SIZE(10).</summary>
    public static readonly IntRange LaneSharing = new(0, 0x3FF);

    /// <summary>LaneAttributes-Vehicle, BIT STRING SIZE(8,...).</summary>
    public static readonly IntRange VehicleLaneAttributes = new(0, 0xFF);

    /// <summary>The other LaneTypeAttributes alternatives (crosswalk, bikeLane, ...), BIT STRING SIZE(16).</summary>
    public static readonly IntRange LaneTypeAttributes = new(0, 0xFFFF);

    /// <summary>PositionOffsetLL alternatives position-LL1..LL6 (12 to 22 bit signed, 1e-7 deg).</summary>
    public static readonly IntRange[] OffsetLL =
    [
        new(-2048, 2047),
        new(-8192, 8191),
        new(-32768, 32767),
        new(-131072, 131071),
        new(-524288, 524287),
        new(-2097152, 2097151),
    ];

    // SEQUENCE OF sizes.
    public static readonly IntRange RsmParticipants = new(1, 16);
    public static readonly IntRange PathHistoryPoints = new(1, 23);
    public static readonly IntRange SpatIntersections = new(1, 32);
    public static readonly IntRange SpatPhases = new(1, 16);
    public static readonly IntRange SpatPhaseStates = new(1, 16);
    public static readonly IntRange MapNodes = new(1, 63);
    public static readonly IntRange MapLinks = new(1, 32);
    public static readonly IntRange MapLanes = new(1, 32);
    public static readonly IntRange MapConnections = new(1, 16);
    public static readonly IntRange MapMovements = new(1, 32);
    public static readonly IntRange SpeedLimits = new(1, 9);
    public static readonly IntRange RoadPoints = new(2, 31);
    public static readonly IntRange RsiRtes = new(1, 8);
    public static readonly IntRange RsiRtss = new(1, 16);
    public static readonly IntRange ReferencePaths = new(1, 8);
    public static readonly IntRange PathPoints = new(2, 32);
    public static readonly IntRange DescriptiveName = new(1, 63);
    public static readonly IntRange DescriptionText = new(1, 512);
}
