using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;
using QiZhiChunCheng.Testing;
using Xunit;

namespace QiZhiChunCheng.Core.Tests.Validation;

/// <summary>
/// The validator against the ranges of V2X-REFERENCE section 1 and the structure sizes of section 2. Fields are
/// named "type path" (<c>rsm participants[3].speed</c>); the path is the one the rejection must name. Boundary
/// theories try min and max (valid) and min-1 and max+1 (invalid) wherever the model's type can hold them.
/// </summary>
public class MessageValidatorTests
{
    private static readonly V2xMessage[] ValidBodies =
    [
        new(Samples.Envelope(MessageType.Bsm, "OBU-0001", SourceKind.Obu), Samples.Bsm()),
        new(Samples.Envelope(MessageType.Rsm), Samples.Rsm16()),
        new(Samples.Envelope(MessageType.Spat), ValidMessages.Spat()),
        new(Samples.Envelope(MessageType.Map), ValidMessages.Map()),
        new(Samples.Envelope(MessageType.Rsi), ValidMessages.Rsi()),
    ];

    // ---- valid messages

    [Fact]
    public void Sample_bsm_passes() => Assert.Null(Check(Samples.Bsm()));

    [Fact]
    public void Sample_rsm_with_16_participants_passes() => Assert.Null(Check(Samples.Rsm16()));

    [Fact]
    public void Messages_with_every_optional_member_pass()
    {
        Assert.Null(Check(ValidMessages.Bsm()));
        Assert.Null(Check(ValidMessages.Rsm()));
        Assert.Null(Check(ValidMessages.Spat()));
        Assert.Null(Check(ValidMessages.Map()));
        Assert.Null(Check(ValidMessages.Rsi()));
    }

    [Fact]
    public void Messages_without_optional_members_pass()
    {
        Assert.Null(Check(new Bsm()));
        Assert.Null(Check(ValidMessages.Rsm(p => new ParticipantData { SecMark = 100 })));
        Assert.Null(Check(new Spat { Intersections = [new IntersectionState { Phases = [new Phase { PhaseStates = [new PhaseState(LightState.Dark)] }] }] }));
        Assert.Null(Check(new MapData { Nodes = [new MapNode()] }));
        Assert.Null(Check(new Rsi()));
    }

    [Fact]
    public void Every_type_is_dispatched_through_V2xMessage()
    {
        foreach (V2xMessage message in ValidBodies)
        {
            Assert.True(MessageValidator.TryValidate(in message, out Rejection rejection), $"{message.Type}: {rejection.Reason}");
        }

        var rsm = new V2xMessage(Samples.Envelope(MessageType.Rsm), ValidMessages.Rsm(p => p with { Speed = 9000 }));
        Assert.False(MessageValidator.TryValidate(in rsm, out Rejection failure));
        Assert.Equal(new Rejection(RejectionKind.OutOfRange, "participants[3].speed: 9000 is outside 0..8191"), failure);
    }

    [Fact]
    public void Unavailable_latitude_and_longitude_are_in_range()
    {
        var unavailable = new Position3D(Position3D.LatitudeUnavailable, Position3D.LongitudeUnavailable, Position3D.ElevationUnavailable);
        Assert.Null(Check(Samples.Bsm() with { Pos = unavailable }));
        Assert.Null(Check(ValidMessages.Rsm(p => p with { Pos = unavailable })));
    }

    // ---- the reasons, word for word

    [Fact]
    public void Reason_names_the_participant_index_and_the_range() =>
        Assert.Equal(
            new Rejection(RejectionKind.OutOfRange, "participants[3].speed: 9000 is outside 0..8191"),
            Check(ValidMessages.Rsm(p => p with { Speed = 9000 })));

    [Fact]
    public void Reason_names_a_nested_list_size() =>
        Assert.Equal(
            new Rejection(RejectionKind.OutOfRange, "intersections[0].phases[2].phaseStates: 17 entries is outside 1..16"),
            Check(ValidMessages.Spat(phase: p => p with { PhaseStates = Enumerable.Repeat(new PhaseState(LightState.Red), 17).ToArray() })));

    [Fact]
    public void Reason_names_a_lane_four_levels_down() =>
        Assert.Equal(
            new Rejection(RejectionKind.OutOfRange, "nodes[0].inLinks[1].lanes[0].laneWidth: 40000 is outside 0..32767"),
            Check(ValidMessages.Map(lane: l => l with { LaneWidth = 40000 })));

    [Fact]
    public void Reason_names_a_path_history_crumb()
    {
        PathHistoryPoint[] crumbs = [.. Enumerable.Range(1, 5).Select(i => new PathHistoryPoint(-10 * i, -20 * i, (ushort)(10 * i)))];
        crumbs[4] = crumbs[4] with { TimeOffset = 0 };
        Bsm bsm = Samples.Bsm() with { SafetyExt = new VehicleSafetyExtensions { PathHistory = new PathHistory(crumbs) } };
        Assert.Equal(new Rejection(RejectionKind.OutOfRange, "safetyExt.pathHistory.crumbData[4].timeOffset: 0 is outside 1..65535"), Check(bsm));
    }

    [Fact]
    public void Reason_for_an_invalid_secMark() =>
        Assert.Equal(
            new Rejection(RejectionKind.InvalidTime, "secMark: 60000 is not a valid time (0..59999)"),
            Check(Samples.Bsm() with { SecMark = 60000 }));

    [Fact]
    public void Reason_for_an_invalid_moy() =>
        Assert.Equal(
            new Rejection(RejectionKind.InvalidTime, "moy: 527040 is not a valid time (0..527039)"),
            Check(ValidMessages.Spat(message: s => s with { Moy = 527040 })));

    [Fact]
    public void Reason_for_an_invalid_TimeMark_names_timing_without_the_choice_alternative() =>
        Assert.Equal(
            new Rejection(RejectionKind.InvalidTime, "intersections[0].phases[2].phaseStates[1].timing.startTime: 36001 is not a valid time (0..36000)"),
            Check(ValidMessages.Spat(state: s => s with { Timing = s.Timing!.Value with { StartTime = 36001 } })));

    [Fact]
    public void Reason_for_a_latitude_beyond_unavailable() =>
        Assert.Equal(
            new Rejection(RejectionKind.OutOfRange, "pos.lat: 900000002 is outside -900000000..900000001"),
            Check(Samples.Bsm() with { Pos = Samples.Bsm().Pos with { Lat = 900000002 } }));

    [Fact]
    public void Reason_for_an_undefined_enumerated_value() =>
        Assert.Equal(
            new Rejection(RejectionKind.OutOfRange, "transmission: 8 is not a defined value (0..7)"),
            Check(Samples.Bsm() with { Transmission = (TransmissionState)8 }));

    [Fact]
    public void Reason_for_undefined_bits() =>
        Assert.Equal(
            new Rejection(RejectionKind.OutOfRange, "safetyExt.events: 0x2080 sets bits outside 0x1FFF"),
            Check(ValidMessages.Bsm(b => b with { SafetyExt = b.SafetyExt!.Value with { Events = VehicleEventFlags.HardBraking | (VehicleEventFlags)0x2000 } })));

    [Fact]
    public void Reason_for_a_long_description() =>
        Assert.Equal(
            new Rejection(RejectionKind.OutOfRange, "rtss[0].description: 513 characters is outside 1..512"),
            Check(ValidMessages.Rsi(rts: s => s with { Description = new string('x', 513) })));

    [Fact]
    public void A_null_list_entry_is_a_wrong_type() =>
        Assert.Equal(
            new Rejection(RejectionKind.WrongType, "nodes[0].inLinks[1].lanes[1]: is null"),
            Check(ValidMessages.Map(link: l => l with { Lanes = [l.Lanes[0], null!] })));

    // ---- order

    [Fact]
    public void The_first_failure_in_field_order_is_reported()
    {
        Assert.StartsWith("speed:", Check(Samples.Bsm() with { Speed = 9000, Heading = 30000 })!.Value.Reason, StringComparison.Ordinal);
        Assert.StartsWith("secMark:", Check(Samples.Bsm() with { SecMark = 60000, Speed = 9000 })!.Value.Reason, StringComparison.Ordinal);

        ParticipantData[] participants = Samples.Rsm16().Participants.AsSpan().ToArray();
        participants[5] = participants[5] with { Speed = 9000 };
        participants[2] = participants[2] with { Heading = 30000 };
        Assert.Equal("participants[2].heading: 30000 is outside 0..28800", Check(Samples.Rsm16() with { Participants = participants })!.Value.Reason);
    }

    // ---- section 1 ranges: min and max pass, min-1 and max+1 fail with the field's path

    public static TheoryData<string, long, RejectionKind?> MsgCountCases =>
        Boundaries(V2xRanges.MsgCount, "bsm msgCnt", "rsm msgCnt", "spat msgCnt", "map msgCnt", "rsi msgCnt");

    public static TheoryData<string, long, RejectionKind?> LatitudeCases =>
        Boundaries(V2xRanges.Latitude, "bsm pos.lat", "rsm refPos.lat", "rsm participants[3].pos.lat", "map nodes[0].refPos.lat", "rsi refPos.lat");

    public static TheoryData<string, long, RejectionKind?> LongitudeCases =>
        Boundaries(V2xRanges.Longitude, "bsm pos.long", "rsm refPos.long", "rsm participants[3].pos.long", "map nodes[0].refPos.long", "rsi refPos.long");

    public static TheoryData<string, long, RejectionKind?> ElevationCases =>
        Boundaries(V2xRanges.Elevation, "bsm pos.elevation", "rsm refPos.elevation", "rsm participants[3].pos.elevation", "map nodes[0].refPos.elevation", "rsi refPos.elevation");

    public static TheoryData<string, long, RejectionKind?> SpeedCases =>
        Boundaries(
            V2xRanges.Speed,
            "bsm speed",
            "bsm safetyExt.pathHistory.crumbData[1].speed",
            "rsm participants[3].speed",
            "map nodes[0].inLinks[1].speedLimits[0].speed",
            "map nodes[0].inLinks[1].lanes[0].speedLimits[0].speed");

    public static TheoryData<string, long, RejectionKind?> HeadingCases =>
        Boundaries(V2xRanges.Heading, "bsm heading", "bsm safetyExt.pathHistory.crumbData[1].heading", "rsm participants[3].heading");

    public static TheoryData<string, long, RejectionKind?> SteeringWheelAngleCases =>
        Boundaries(V2xRanges.SteeringWheelAngle, "bsm angle", "rsm participants[3].angle");

    public static TheoryData<string, long, RejectionKind?> AccelerationCases =>
        Boundaries(V2xRanges.Acceleration, "bsm accelSet.long", "bsm accelSet.lat", "rsm participants[3].accelSet.long", "rsm participants[3].accelSet.lat");

    public static TheoryData<string, long, RejectionKind?> VerticalAccelerationCases =>
        Boundaries(V2xRanges.VerticalAcceleration, "bsm accelSet.vert", "rsm participants[3].accelSet.vert");

    public static TheoryData<string, long, RejectionKind?> YawRateCases =>
        Boundaries(V2xRanges.YawRate, "bsm accelSet.yaw", "rsm participants[3].accelSet.yaw");

    public static TheoryData<string, long, RejectionKind?> VehicleSizeCases
    {
        get
        {
            TheoryData<string, long, RejectionKind?> data = Boundaries(V2xRanges.VehicleWidth, "bsm size.width", "rsm participants[3].size.width");
            data.AddRange(Boundaries(V2xRanges.VehicleLength, "bsm size.length", "rsm participants[3].size.length"));
            data.AddRange(Boundaries(V2xRanges.VehicleHeight, "bsm size.height", "rsm participants[3].size.height"));
            return data;
        }
    }

    public static TheoryData<string, long, RejectionKind?> RadiusCases =>
        Boundaries(V2xRanges.Radius, "rsi rtes[1].eventRadius", "rsi rtes[1].referencePaths[0].pathRadius");

    public static TheoryData<string, long, RejectionKind?> LaneWidthCases =>
        Boundaries(V2xRanges.LaneWidth, "map nodes[0].inLinks[1].linkWidth", "map nodes[0].inLinks[1].lanes[0].laneWidth");

    public static TheoryData<string, long, RejectionKind?> ConfidenceCases =>
        Boundaries(
            V2xRanges.Confidence,
            "bsm safetyExt.pathPrediction.confidence",
            "spat intersections[0].phases[2].phaseStates[1].timing.timeConfidence",
            "rsi rtes[1].eventConfidence");

    public static TheoryData<string, long, RejectionKind?> TimeOffsetCases =>
        Boundaries(V2xRanges.TimeOffset, "bsm safetyExt.pathHistory.crumbData[1].timeOffset");

    public static TheoryData<string, long, RejectionKind?> OffsetLLCases =>
        Boundaries(
            V2xRanges.OffsetLL[^1],
            "bsm safetyExt.pathHistory.crumbData[1].llvOffset.offsetLL.lon",
            "bsm safetyExt.pathHistory.crumbData[1].llvOffset.offsetLL.lat",
            "map nodes[0].inLinks[1].points[1].posOffset.offsetLL.lon",
            "map nodes[0].inLinks[1].lanes[0].points[1].posOffset.offsetLL.lat",
            "rsi rtes[1].eventPos.offsetLL.lon",
            "rsi rtes[1].referencePaths[0].activePath[1].offsetLL.lat",
            "rsi rtss[0].signPos.offsetLL.lat");

    [Theory]
    [MemberData(nameof(MsgCountCases))]
    public void MsgCount(string field, long value, RejectionKind? expected) => AssertOutcome(field, value, expected);

    [Theory]
    [MemberData(nameof(LatitudeCases))]
    public void Latitude(string field, long value, RejectionKind? expected) => AssertOutcome(field, value, expected);

    [Theory]
    [MemberData(nameof(LongitudeCases))]
    public void Longitude(string field, long value, RejectionKind? expected) => AssertOutcome(field, value, expected);

    [Theory]
    [MemberData(nameof(ElevationCases))]
    public void Elevation(string field, long value, RejectionKind? expected) => AssertOutcome(field, value, expected);

    [Theory]
    [MemberData(nameof(SpeedCases))]
    public void Speed(string field, long value, RejectionKind? expected) => AssertOutcome(field, value, expected);

    [Theory]
    [MemberData(nameof(HeadingCases))]
    public void Heading(string field, long value, RejectionKind? expected) => AssertOutcome(field, value, expected);

    [Theory]
    [MemberData(nameof(SteeringWheelAngleCases))]
    public void SteeringWheelAngle(string field, long value, RejectionKind? expected) => AssertOutcome(field, value, expected);

    [Theory]
    [MemberData(nameof(AccelerationCases))]
    public void Acceleration(string field, long value, RejectionKind? expected) => AssertOutcome(field, value, expected);

    [Theory]
    [MemberData(nameof(VerticalAccelerationCases))]
    public void VerticalAcceleration(string field, long value, RejectionKind? expected) => AssertOutcome(field, value, expected);

    [Theory]
    [MemberData(nameof(YawRateCases))]
    public void YawRate(string field, long value, RejectionKind? expected) => AssertOutcome(field, value, expected);

    [Theory]
    [MemberData(nameof(VehicleSizeCases))]
    public void VehicleSize(string field, long value, RejectionKind? expected) => AssertOutcome(field, value, expected);

    [Theory]
    [MemberData(nameof(RadiusCases))]
    public void Radius(string field, long value, RejectionKind? expected) => AssertOutcome(field, value, expected);

    [Theory]
    [MemberData(nameof(LaneWidthCases))]
    public void LaneWidth(string field, long value, RejectionKind? expected) => AssertOutcome(field, value, expected);

    [Theory]
    [MemberData(nameof(ConfidenceCases))]
    public void Confidence(string field, long value, RejectionKind? expected) => AssertOutcome(field, value, expected);

    [Theory]
    [MemberData(nameof(TimeOffsetCases))]
    public void TimeOffset(string field, long value, RejectionKind? expected) => AssertOutcome(field, value, expected);

    [Theory]
    [MemberData(nameof(OffsetLLCases))]
    public void OffsetLL(string field, long value, RejectionKind? expected) => AssertOutcome(field, value, expected);

    // ---- time markers: the wire range holds values that are not valid times

    public static TheoryData<string, long, RejectionKind?> SecMarkCases =>
        TimeCases(
            V2xRanges.SecMarkValid,
            V2xRanges.DSecond,
            "bsm secMark",
            "rsm participants[3].secMark",
            "spat timeStamp",
            "spat intersections[0].timeStamp");

    public static TheoryData<string, long, RejectionKind?> MoyCases =>
        TimeCases(
            V2xRanges.MinuteOfTheYearValid,
            V2xRanges.MinuteOfTheYear,
            "spat moy",
            "spat intersections[0].moy",
            "map timeStamp",
            "rsi moy",
            "rsi rtes[1].timeDetails.startTime",
            "rsi rtes[1].timeDetails.endTime",
            "rsi rtss[0].timeDetails.startTime");

    public static TheoryData<string, long, RejectionKind?> TimeMarkCases =>
        TimeCases(
            V2xRanges.TimeMarkValid,
            V2xRanges.TimeMark,
            "spat intersections[0].phases[2].phaseStates[1].timing.startTime",
            "spat intersections[0].phases[2].phaseStates[1].timing.minEndTime",
            "spat intersections[0].phases[2].phaseStates[1].timing.maxEndTime",
            "spat intersections[0].phases[2].phaseStates[1].timing.likelyEndTime",
            "spat intersections[0].phases[2].phaseStates[1].timing.nextStartTime",
            "spat intersections[0].phases[2].phaseStates[1].timing.nextDuration",
            "spat intersections[0].phases[1].phaseStates[0].timing.startTime");

    [Theory]
    [MemberData(nameof(SecMarkCases))]
    public void SecMark(string field, long value, RejectionKind? expected) => AssertOutcome(field, value, expected);

    [Theory]
    [MemberData(nameof(MoyCases))]
    public void MinuteOfTheYear(string field, long value, RejectionKind? expected) => AssertOutcome(field, value, expected);

    [Theory]
    [MemberData(nameof(TimeMarkCases))]
    public void TimeMark(string field, long value, RejectionKind? expected) => AssertOutcome(field, value, expected);

    // ---- ENUMERATED and BIT STRING values

    [Theory]
    [InlineData("bsm posConfidence.pos", 16)]
    [InlineData("bsm transmission", 8)]
    [InlineData("bsm brakes.brakePadel", 3)]
    [InlineData("bsm brakes.traction", 4)]
    [InlineData("bsm brakes.abs", 4)]
    [InlineData("bsm brakes.scs", 4)]
    [InlineData("bsm brakes.brakeBoost", 3)]
    [InlineData("bsm brakes.auxBrakes", 4)]
    [InlineData("bsm emergencyExt.responseType", 7)]
    [InlineData("bsm emergencyExt.sirenUse", 4)]
    [InlineData("bsm emergencyExt.lightsUse", 8)]
    [InlineData("rsm participants[3].ptcType", 5)]
    [InlineData("rsm participants[3].source", 8)]
    [InlineData("rsm participants[3].posConfidence.pos", 16)]
    [InlineData("rsm participants[3].transmission", 8)]
    [InlineData("spat intersections[0].phases[2].phaseStates[1].light", 9)]
    [InlineData("spat intersections[0].phases[2].phaseStates[1].timing", 2)]
    [InlineData("map nodes[0].inLinks[1].speedLimits[0].type", 13)]
    [InlineData("map nodes[0].inLinks[1].lanes[0].laneAttributes.laneType", 8)]
    [InlineData("rsi rtes[1].eventSource", 6)]
    public void Enumerated_values_must_be_defined(string field, long firstUndefined)
    {
        AssertOutcome(field, 0, null);
        AssertOutcome(field, firstUndefined - 1, null);
        foreach (long value in new[] { firstUndefined, 255 })
        {
            Assert.Equal(
                new Rejection(RejectionKind.OutOfRange, $"{PathOf(field)}: {value} is not a defined value (0..{firstUndefined - 1})"),
                Fields[field].Validate(value));
        }
    }

    [Theory]
    [InlineData("bsm brakes.wheelBrakes", 0x1F)]
    [InlineData("bsm safetyExt.events", 0x1FFF)]
    [InlineData("bsm safetyExt.lights", 0x1FF)]
    [InlineData("map nodes[0].inLinks[1].lanes[0].laneAttributes.shareWith", 0x3FF)]
    [InlineData("map nodes[0].inLinks[1].lanes[0].laneAttributes.laneType.vehicle", 0xFF)]
    [InlineData("map nodes[0].inLinks[1].lanes[0].maneuvers", 0xFFF)]
    [InlineData("map nodes[0].inLinks[1].lanes[0].connectsTo[1].connectingLane.maneuver", 0xFFF)]
    public void Bit_strings_must_use_defined_bits_only(string field, long mask)
    {
        AssertOutcome(field, 0, null);
        AssertOutcome(field, mask, null);
        string path = PathOf(field).Replace(".vehicle", string.Empty, StringComparison.Ordinal);
        foreach (long value in new[] { mask + 1, mask | (mask + 1) })
        {
            Assert.Equal(
                new Rejection(RejectionKind.OutOfRange, $"{path}: 0x{value:X} sets bits outside 0x{mask:X}"),
                Fields[field].Validate(value));
        }
    }

    [Fact]
    public void Lane_types_other_than_vehicle_have_sixteen_attribute_bits() =>
        Assert.Null(Check(ValidMessages.Map(lane: l => l with { LaneAttributes = new LaneAttributes(LaneType.Crosswalk, 0xFFFF) })));

    // ---- SEQUENCE OF sizes: required lists need min entries, optional ones may be empty (absent)

    public static TheoryData<string, int, bool> ListSizeCases
    {
        get
        {
            TheoryData<string, int, bool> data = [];
            foreach ((string list, (IntRange size, bool required, int cap, _)) in Lists)
            {
                var counts = new SortedDictionary<long, bool>
                {
                    [size.Min] = true,
                    [size.Max] = true,
                    [size.Min - 1] = false,
                    [size.Max + 1] = false,
                };
                if (!required)
                {
                    counts[0] = true;
                }

                foreach ((long count, bool valid) in counts)
                {
                    if (count >= 0 && count <= cap)
                    {
                        data.Add(list, (int)count, valid);
                    }
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ListSizeCases))]
    public void List_sizes(string field, int count, bool valid)
    {
        (IntRange size, _, _, Func<int, Rejection?> validate) = Lists[field];
        Rejection? rejection = validate(count);
        if (valid)
        {
            Assert.Null(rejection);
        }
        else
        {
            Assert.Equal(new Rejection(RejectionKind.OutOfRange, $"{PathOf(field)}: {count} entries is outside {size}"), rejection);
        }
    }

    // ---- string lengths

    [Theory]
    [InlineData("spat name", 63)]
    [InlineData("map nodes[0].name", 63)]
    [InlineData("map nodes[0].inLinks[1].name", 63)]
    [InlineData("rsi rtes[1].description", 512)]
    [InlineData("rsi rtss[0].description", 512)]
    public void String_lengths(string field, int max)
    {
        AssertOutcome(field, 1, null);
        AssertOutcome(field, max, null);
        foreach (int length in new[] { 0, max + 1 })
        {
            Assert.Equal(
                new Rejection(RejectionKind.OutOfRange, $"{PathOf(field)}: {length} characters is outside 1..{max}"),
                Fields[field].Validate(length));
        }
    }

    // ---- cost

    [Fact]
    public void Validating_valid_messages_allocates_nothing()
    {
        Bsm bsm = Samples.Bsm();
        Rsm rsm = Samples.Rsm16();
        foreach (V2xMessage message in ValidBodies)
        {
            Assert.True(MessageValidator.TryValidate(in message, out _));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int passed = 0;
        for (int i = 0; i < 100; i++)
        {
            passed += MessageValidator.TryValidate(in bsm, out _) ? 1 : 0;
            passed += MessageValidator.TryValidate(rsm, out _) ? 1 : 0;
            foreach (ref readonly V2xMessage message in ValidBodies.AsSpan())
            {
                passed += MessageValidator.TryValidate(in message, out _) ? 1 : 0;
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(700, passed);
    }

    // ---- helpers

    private static Rejection? Check(in Bsm bsm) => MessageValidator.TryValidate(in bsm, out Rejection r) ? null : r;

    private static Rejection? Check(Rsm rsm) => MessageValidator.TryValidate(rsm, out Rejection r) ? null : r;

    private static Rejection? Check(Spat spat) => MessageValidator.TryValidate(spat, out Rejection r) ? null : r;

    private static Rejection? Check(MapData map) => MessageValidator.TryValidate(map, out Rejection r) ? null : r;

    private static Rejection? Check(Rsi rsi) => MessageValidator.TryValidate(rsi, out Rejection r) ? null : r;

    private static string PathOf(string field) => field[(field.IndexOf(' ', StringComparison.Ordinal) + 1)..];

    private static void AssertOutcome(string field, long value, RejectionKind? expected)
    {
        Rejection? rejection = Fields[field].Validate(value);
        if (expected is null)
        {
            Assert.Null(rejection);
            return;
        }

        Assert.NotNull(rejection);
        Assert.Equal(expected, rejection.Value.Kind);
        Assert.StartsWith($"{PathOf(field)}: {value} ", rejection.Value.Reason, StringComparison.Ordinal);
    }

    private static TheoryData<string, long, RejectionKind?> Boundaries(IntRange range, params string[] fields)
    {
        TheoryData<string, long, RejectionKind?> data = [];
        foreach (string field in fields)
        {
            Field f = Fields[field];
            data.Add(field, range.Min, null);
            data.Add(field, range.Max, null);
            if (range.Min - 1 >= f.TypeMin)
            {
                data.Add(field, range.Min - 1, RejectionKind.OutOfRange);
            }

            if (range.Max + 1 <= f.TypeMax)
            {
                data.Add(field, range.Max + 1, RejectionKind.OutOfRange);
            }
        }

        return data;
    }

    // Valid times pass; the rest of the wire range is an invalid time; beyond the wire range is out of range.
    private static TheoryData<string, long, RejectionKind?> TimeCases(IntRange valid, IntRange wire, params string[] fields)
    {
        TheoryData<string, long, RejectionKind?> data = [];
        foreach (string field in fields)
        {
            Field f = Fields[field];
            data.Add(field, valid.Min, null);
            data.Add(field, valid.Max, null);
            data.Add(field, valid.Max + 1, RejectionKind.InvalidTime);
            data.Add(field, wire.Max, RejectionKind.InvalidTime);
            if (wire.Max + 1 <= f.TypeMax)
            {
                data.Add(field, wire.Max + 1, RejectionKind.OutOfRange);
            }
        }

        return data;
    }

    private sealed record Field(long TypeMin, long TypeMax, Func<long, Rejection?> Validate);

    private static Field U8(Func<byte, Rejection?> f) => new(byte.MinValue, byte.MaxValue, v => f(checked((byte)v)));

    private static Field S8(Func<sbyte, Rejection?> f) => new(sbyte.MinValue, sbyte.MaxValue, v => f(checked((sbyte)v)));

    private static Field U16(Func<ushort, Rejection?> f) => new(ushort.MinValue, ushort.MaxValue, v => f(checked((ushort)v)));

    private static Field S16(Func<short, Rejection?> f) => new(short.MinValue, short.MaxValue, v => f(checked((short)v)));

    private static Field S32(Func<int, Rejection?> f) => new(int.MinValue, int.MaxValue, v => f(checked((int)v)));

    private static Field U32(Func<uint, Rejection?> f) => new(uint.MinValue, uint.MaxValue, v => f(checked((uint)v)));

    private static Field Text(Func<string, Rejection?> f) => new(0, 1000, v => f(new string('x', (int)v)));

    private static Rejection? Bsm(Func<Bsm, Bsm> change) => Check(ValidMessages.Bsm(change));

    private static Rejection? Crumb(Func<PathHistoryPoint, PathHistoryPoint> change) => Check(ValidMessages.Bsm(crumb: change));

    private static Rejection? Brakes(Func<BrakeSystemStatus, BrakeSystemStatus> change) => Bsm(b => b with { Brakes = change(b.Brakes) });

    private static Rejection? Emergency(Func<VehicleEmergencyExtensions, VehicleEmergencyExtensions> change) =>
        Bsm(b => b with { EmergencyExt = change(b.EmergencyExt!.Value) });

    private static Rejection? Safety(Func<VehicleSafetyExtensions, VehicleSafetyExtensions> change) =>
        Bsm(b => b with { SafetyExt = change(b.SafetyExt!.Value) });

    private static Rejection? Participant(Func<ParticipantData, ParticipantData> change) => Check(ValidMessages.Rsm(change));

    private static Rejection? Rsm(Func<Rsm, Rsm> change) => Check(ValidMessages.Rsm(message: change));

    private static Rejection? Timing(Func<TimeChangeDetails, TimeChangeDetails> change) =>
        Check(ValidMessages.Spat(state: s => s with { Timing = change(s.Timing!.Value) }));

    private static Rejection? Lane(Func<MapLane, MapLane> change) => Check(ValidMessages.Map(lane: change));

    private static Rejection? Link(Func<MapLink, MapLink> change) => Check(ValidMessages.Map(link: change));

    private static Rejection? Node(Func<MapNode, MapNode> change) => Check(ValidMessages.Map(node: change));

    private static Rejection? Rte(Func<RteData, RteData> change) => Check(ValidMessages.Rsi(rte: change));

    private static Rejection? Rts(Func<RtsData, RtsData> change) => Check(ValidMessages.Rsi(rts: change));

    private static Rejection? Rsi(Func<Rsi, Rsi> change) => Check(ValidMessages.Rsi(message: change));

    private static readonly Dictionary<string, Field> Fields = new()
    {
        // BSM
        ["bsm msgCnt"] = U8(v => Bsm(b => b with { MsgCnt = v })),
        ["bsm secMark"] = U16(v => Bsm(b => b with { SecMark = v })),
        ["bsm pos.lat"] = S32(v => Bsm(b => b with { Pos = b.Pos with { Lat = v } })),
        ["bsm pos.long"] = S32(v => Bsm(b => b with { Pos = b.Pos with { Long = v } })),
        ["bsm pos.elevation"] = S32(v => Bsm(b => b with { Pos = b.Pos with { Elevation = v } })),
        ["bsm posConfidence.pos"] = U8(v => Bsm(b => b with { PosConfidence = new PositionConfidenceSet((PositionConfidence)v) })),
        ["bsm transmission"] = U8(v => Bsm(b => b with { Transmission = (TransmissionState)v })),
        ["bsm speed"] = U16(v => Bsm(b => b with { Speed = v })),
        ["bsm heading"] = U16(v => Bsm(b => b with { Heading = v })),
        ["bsm angle"] = S8(v => Bsm(b => b with { Angle = v })),
        ["bsm accelSet.long"] = S16(v => Bsm(b => b with { AccelSet = b.AccelSet with { Long = v } })),
        ["bsm accelSet.lat"] = S16(v => Bsm(b => b with { AccelSet = b.AccelSet with { Lat = v } })),
        ["bsm accelSet.vert"] = S8(v => Bsm(b => b with { AccelSet = b.AccelSet with { Vert = v } })),
        ["bsm accelSet.yaw"] = S16(v => Bsm(b => b with { AccelSet = b.AccelSet with { Yaw = v } })),
        ["bsm brakes.brakePadel"] = U8(v => Brakes(s => s with { BrakePadel = (BrakePedalStatus)v })),
        ["bsm brakes.wheelBrakes"] = U8(v => Brakes(s => s with { WheelBrakes = (BrakeAppliedStatus)v })),
        ["bsm brakes.traction"] = U8(v => Brakes(s => s with { Traction = (TractionControlStatus)v })),
        ["bsm brakes.abs"] = U8(v => Brakes(s => s with { Abs = (AntiLockBrakeStatus)v })),
        ["bsm brakes.scs"] = U8(v => Brakes(s => s with { Scs = (StabilityControlStatus)v })),
        ["bsm brakes.brakeBoost"] = U8(v => Brakes(s => s with { BrakeBoost = (BrakeBoostApplied)v })),
        ["bsm brakes.auxBrakes"] = U8(v => Brakes(s => s with { AuxBrakes = (AuxiliaryBrakeStatus)v })),
        ["bsm size.width"] = U16(v => Bsm(b => b with { Size = b.Size with { Width = v } })),
        ["bsm size.length"] = U16(v => Bsm(b => b with { Size = b.Size with { Length = v } })),
        ["bsm size.height"] = U8(v => Bsm(b => b with { Size = b.Size with { Height = v } })),
        ["bsm safetyExt.events"] = U16(v => Safety(e => e with { Events = (VehicleEventFlags)v })),
        ["bsm safetyExt.pathHistory.crumbData[1].llvOffset.offsetLL.lon"] = S32(v => Crumb(c => c with { LonOffset = v })),
        ["bsm safetyExt.pathHistory.crumbData[1].llvOffset.offsetLL.lat"] = S32(v => Crumb(c => c with { LatOffset = v })),
        ["bsm safetyExt.pathHistory.crumbData[1].timeOffset"] = U16(v => Crumb(c => c with { TimeOffset = v })),
        ["bsm safetyExt.pathHistory.crumbData[1].speed"] = U16(v => Crumb(c => c with { Speed = v })),
        ["bsm safetyExt.pathHistory.crumbData[1].heading"] = U16(v => Crumb(c => c with { Heading = v })),
        ["bsm safetyExt.pathPrediction.confidence"] = U8(v => Safety(e => e with { PathPrediction = new PathPrediction(32767, v) })),
        ["bsm safetyExt.lights"] = U16(v => Safety(e => e with { Lights = (ExteriorLights)v })),
        ["bsm emergencyExt.responseType"] = U8(v => Emergency(e => e with { ResponseType = (ResponseType)v })),
        ["bsm emergencyExt.sirenUse"] = U8(v => Emergency(e => e with { SirenUse = (SirenInUse)v })),
        ["bsm emergencyExt.lightsUse"] = U8(v => Emergency(e => e with { LightsUse = (LightbarInUse)v })),

        // RSM
        ["rsm msgCnt"] = U8(v => Rsm(r => r with { MsgCnt = v })),
        ["rsm refPos.lat"] = S32(v => Rsm(r => r with { RefPos = r.RefPos with { Lat = v } })),
        ["rsm refPos.long"] = S32(v => Rsm(r => r with { RefPos = r.RefPos with { Long = v } })),
        ["rsm refPos.elevation"] = S32(v => Rsm(r => r with { RefPos = r.RefPos with { Elevation = v } })),
        ["rsm participants[3].ptcType"] = U8(v => Participant(p => p with { PtcType = (ParticipantType)v })),
        ["rsm participants[3].source"] = U8(v => Participant(p => p with { Source = (SourceType)v })),
        ["rsm participants[3].secMark"] = U16(v => Participant(p => p with { SecMark = v })),
        ["rsm participants[3].pos.lat"] = S32(v => Participant(p => p with { Pos = p.Pos with { Lat = v } })),
        ["rsm participants[3].pos.long"] = S32(v => Participant(p => p with { Pos = p.Pos with { Long = v } })),
        ["rsm participants[3].pos.elevation"] = S32(v => Participant(p => p with { Pos = p.Pos with { Elevation = v } })),
        ["rsm participants[3].posConfidence.pos"] = U8(v => Participant(p => p with { PosConfidence = new PositionConfidenceSet((PositionConfidence)v) })),
        ["rsm participants[3].transmission"] = U8(v => Participant(p => p with { Transmission = (TransmissionState)v })),
        ["rsm participants[3].speed"] = U16(v => Participant(p => p with { Speed = v })),
        ["rsm participants[3].heading"] = U16(v => Participant(p => p with { Heading = v })),
        ["rsm participants[3].angle"] = S8(v => Participant(p => p with { Angle = v })),
        ["rsm participants[3].accelSet.long"] = S16(v => Participant(p => p with { AccelSet = p.AccelSet!.Value with { Long = v } })),
        ["rsm participants[3].accelSet.lat"] = S16(v => Participant(p => p with { AccelSet = p.AccelSet!.Value with { Lat = v } })),
        ["rsm participants[3].accelSet.vert"] = S8(v => Participant(p => p with { AccelSet = p.AccelSet!.Value with { Vert = v } })),
        ["rsm participants[3].accelSet.yaw"] = S16(v => Participant(p => p with { AccelSet = p.AccelSet!.Value with { Yaw = v } })),
        ["rsm participants[3].size.width"] = U16(v => Participant(p => p with { Size = p.Size with { Width = v } })),
        ["rsm participants[3].size.length"] = U16(v => Participant(p => p with { Size = p.Size with { Length = v } })),
        ["rsm participants[3].size.height"] = U8(v => Participant(p => p with { Size = p.Size with { Height = v } })),

        // SPAT
        ["spat msgCnt"] = U8(v => Check(ValidMessages.Spat(message: s => s with { MsgCnt = v }))),
        ["spat moy"] = U32(v => Check(ValidMessages.Spat(message: s => s with { Moy = v }))),
        ["spat timeStamp"] = U16(v => Check(ValidMessages.Spat(message: s => s with { TimeStamp = v }))),
        ["spat name"] = Text(v => Check(ValidMessages.Spat(message: s => s with { Name = v }))),
        ["spat intersections[0].moy"] = U32(v => Check(ValidMessages.Spat(intersection: i => i with { Moy = v }))),
        ["spat intersections[0].timeStamp"] = U16(v => Check(ValidMessages.Spat(intersection: i => i with { TimeStamp = v }))),
        ["spat intersections[0].phases[2].phaseStates[1].light"] = U8(v => Check(ValidMessages.Spat(state: s => s with { Light = (LightState)v }))),
        ["spat intersections[0].phases[2].phaseStates[1].timing"] = U8(v => Timing(t => t with { Kind = (TimingKind)v })),
        ["spat intersections[0].phases[2].phaseStates[1].timing.startTime"] = U16(v => Timing(t => t with { StartTime = v })),
        ["spat intersections[0].phases[2].phaseStates[1].timing.minEndTime"] = U16(v => Timing(t => t with { MinEndTime = v })),
        ["spat intersections[0].phases[2].phaseStates[1].timing.maxEndTime"] = U16(v => Timing(t => t with { MaxEndTime = v })),
        ["spat intersections[0].phases[2].phaseStates[1].timing.likelyEndTime"] = U16(v => Timing(t => t with { LikelyEndTime = v })),
        ["spat intersections[0].phases[2].phaseStates[1].timing.timeConfidence"] = U8(v => Timing(t => t with { TimeConfidence = v })),
        ["spat intersections[0].phases[2].phaseStates[1].timing.nextStartTime"] = U16(v => Timing(t => t with { NextStartTime = v })),
        ["spat intersections[0].phases[2].phaseStates[1].timing.nextDuration"] = U16(v => Timing(t => t with { NextDuration = v })),

        // The counting alternative, on a phase the target helpers do not reach.
        ["spat intersections[0].phases[1].phaseStates[0].timing.startTime"] = U16(v => Check(ValidMessages.Spat(intersection: i =>
        {
            Phase[] phases = i.Phases.AsSpan().ToArray();
            PhaseState[] states = phases[1].PhaseStates.AsSpan().ToArray();
            Assert.Equal(TimingKind.Counting, states[0].Timing!.Value.Kind);
            states[0] = states[0] with { Timing = states[0].Timing!.Value with { StartTime = v } };
            phases[1] = phases[1] with { PhaseStates = states };
            return i with { Phases = phases };
        }))),

        // MAP
        ["map msgCnt"] = U8(v => Check(ValidMessages.Map(message: m => m with { MsgCnt = v }))),
        ["map timeStamp"] = U32(v => Check(ValidMessages.Map(message: m => m with { TimeStamp = v }))),
        ["map nodes[0].name"] = Text(v => Node(n => n with { Name = v })),
        ["map nodes[0].refPos.lat"] = S32(v => Node(n => n with { RefPos = n.RefPos with { Lat = v } })),
        ["map nodes[0].refPos.long"] = S32(v => Node(n => n with { RefPos = n.RefPos with { Long = v } })),
        ["map nodes[0].refPos.elevation"] = S32(v => Node(n => n with { RefPos = n.RefPos with { Elevation = v } })),
        ["map nodes[0].inLinks[1].name"] = Text(v => Link(l => l with { Name = v })),
        ["map nodes[0].inLinks[1].speedLimits[0].type"] = U8(v => Link(l => l with { SpeedLimits = [new RegulatorySpeedLimit((SpeedLimitType)v, 833)] })),
        ["map nodes[0].inLinks[1].speedLimits[0].speed"] = U16(v => Link(l => l with { SpeedLimits = [new RegulatorySpeedLimit(SpeedLimitType.VehicleMaxSpeed, v)] })),
        ["map nodes[0].inLinks[1].linkWidth"] = U16(v => Link(l => l with { LinkWidth = v })),
        ["map nodes[0].inLinks[1].points[1].posOffset.offsetLL.lon"] = S32(v => Link(l => l with { Points = [l.Points[0], l.Points[1] with { LonOffset = v }] })),
        ["map nodes[0].inLinks[1].lanes[0].laneWidth"] = U16(v => Lane(l => l with { LaneWidth = v })),
        ["map nodes[0].inLinks[1].lanes[0].laneAttributes.shareWith"] = U16(v => Lane(l => l with { LaneAttributes = l.LaneAttributes!.Value with { ShareWith = v } })),
        ["map nodes[0].inLinks[1].lanes[0].laneAttributes.laneType"] = U8(v => Lane(l => l with { LaneAttributes = l.LaneAttributes!.Value with { LaneType = (LaneType)v } })),
        ["map nodes[0].inLinks[1].lanes[0].laneAttributes.laneType.vehicle"] = U16(v => Lane(l => l with { LaneAttributes = new LaneAttributes(LaneType.Vehicle, v) })),
        ["map nodes[0].inLinks[1].lanes[0].maneuvers"] = U16(v => Lane(l => l with { Maneuvers = (AllowedManeuvers)v })),
        ["map nodes[0].inLinks[1].lanes[0].connectsTo[1].connectingLane.maneuver"] = U16(v => Lane(l => l with
        {
            ConnectsTo = [l.ConnectsTo[0], l.ConnectsTo[1] with { ConnectingLane = new ConnectingLane(2, (AllowedManeuvers)v) }],
        })),
        ["map nodes[0].inLinks[1].lanes[0].speedLimits[0].speed"] = U16(v => Lane(l => l with { SpeedLimits = [new RegulatorySpeedLimit(SpeedLimitType.VehicleMaxSpeed, v)] })),
        ["map nodes[0].inLinks[1].lanes[0].points[1].posOffset.offsetLL.lat"] = S32(v => Lane(l => l with { Points = [l.Points[0], l.Points[1] with { LatOffset = v }] })),

        // RSI
        ["rsi msgCnt"] = U8(v => Rsi(r => r with { MsgCnt = v })),
        ["rsi moy"] = U32(v => Rsi(r => r with { Moy = v })),
        ["rsi refPos.lat"] = S32(v => Rsi(r => r with { RefPos = r.RefPos with { Lat = v } })),
        ["rsi refPos.long"] = S32(v => Rsi(r => r with { RefPos = r.RefPos with { Long = v } })),
        ["rsi refPos.elevation"] = S32(v => Rsi(r => r with { RefPos = r.RefPos with { Elevation = v } })),
        ["rsi rtes[1].eventSource"] = U8(v => Rte(e => e with { EventSource = (EventSource)v })),
        ["rsi rtes[1].eventPos.offsetLL.lon"] = S32(v => Rte(e => e with { EventPos = e.EventPos!.Value with { LonOffset = v } })),
        ["rsi rtes[1].eventRadius"] = U16(v => Rte(e => e with { EventRadius = v })),
        ["rsi rtes[1].description"] = Text(v => Rte(e => e with { Description = v })),
        ["rsi rtes[1].timeDetails.startTime"] = U32(v => Rte(e => e with { TimeDetails = e.TimeDetails!.Value with { StartTime = v } })),
        ["rsi rtes[1].timeDetails.endTime"] = U32(v => Rte(e => e with { TimeDetails = e.TimeDetails!.Value with { EndTime = v } })),
        ["rsi rtes[1].referencePaths[0].activePath[1].offsetLL.lat"] = S32(v => Rte(e => e with
        {
            ReferencePaths = [ValidMessages.Path() with { ActivePath = [ValidMessages.Point(0), new RoadPoint(LatOffset: v, LonOffset: 0)] }],
        })),
        ["rsi rtes[1].referencePaths[0].pathRadius"] = U16(v => Rte(e => e with { ReferencePaths = [ValidMessages.Path() with { PathRadius = v }] })),
        ["rsi rtes[1].eventConfidence"] = U8(v => Rte(e => e with { EventConfidence = v })),
        ["rsi rtss[0].signPos.offsetLL.lat"] = S32(v => Rts(s => s with { SignPos = s.SignPos!.Value with { LatOffset = v } })),
        ["rsi rtss[0].description"] = Text(v => Rts(s => s with { Description = v })),
        ["rsi rtss[0].timeDetails.startTime"] = U32(v => Rts(s => s with { TimeDetails = s.TimeDetails!.Value with { StartTime = v } })),
    };

    // Each list: its size range, whether it is required, the largest count the model can hold, and a
    // validation of the target message with the list replaced by that many valid entries.
    private static readonly Dictionary<string, (IntRange Size, bool Required, int Cap, Func<int, Rejection?> Validate)> Lists = new()
    {
        ["bsm safetyExt.pathHistory.crumbData"] = (V2xRanges.PathHistoryPoints, true, PathHistory.MaxPoints, n =>
            Safety(e => e with { PathHistory = new PathHistory(Enumerable.Range(1, n).Select(i => new PathHistoryPoint(-10 * i, -20 * i, (ushort)i)).ToArray()) })),
        ["rsm participants"] = (V2xRanges.RsmParticipants, true, 64, n =>
            Rsm(r => r with { Participants = Enumerable.Range(0, n).Select(i => r.Participants[0] with { PtcId = (ushort)i }).ToArray() })),
        ["spat intersections"] = (V2xRanges.SpatIntersections, true, 64, n =>
            Check(ValidMessages.Spat(message: s => s with { Intersections = Enumerable.Repeat(s.Intersections[0], n).ToArray() }))),
        ["spat intersections[0].phases"] = (V2xRanges.SpatPhases, true, 64, n =>
            Check(ValidMessages.Spat(intersection: i => i with { Phases = Enumerable.Repeat(i.Phases[0], n).ToArray() }))),
        ["spat intersections[0].phases[2].phaseStates"] = (V2xRanges.SpatPhaseStates, true, 64, n =>
            Check(ValidMessages.Spat(phase: p => p with { PhaseStates = Enumerable.Repeat(p.PhaseStates[0], n).ToArray() }))),
        ["map nodes"] = (V2xRanges.MapNodes, true, 128, n =>
            Check(ValidMessages.Map(message: m => m with { Nodes = Enumerable.Repeat(m.Nodes[0], n).ToArray() }))),
        ["map nodes[0].inLinks"] = (V2xRanges.MapLinks, false, 64, n =>
            Node(d => d with { InLinks = Enumerable.Repeat(d.InLinks[0], n).ToArray() })),
        ["map nodes[0].inLinks[1].speedLimits"] = (V2xRanges.SpeedLimits, false, 64, n =>
            Link(l => l with { SpeedLimits = Enumerable.Repeat(ValidMessages.SpeedLimit, n).ToArray() })),
        ["map nodes[0].inLinks[1].points"] = (V2xRanges.RoadPoints, false, 64, n =>
            Link(l => l with { Points = Enumerable.Range(0, n).Select(ValidMessages.Point).ToArray() })),
        ["map nodes[0].inLinks[1].movements"] = (V2xRanges.MapMovements, false, 64, n =>
            Link(l => l with { Movements = Enumerable.Repeat(l.Movements[0], n).ToArray() })),
        ["map nodes[0].inLinks[1].lanes"] = (V2xRanges.MapLanes, true, 64, n =>
            Link(l => l with { Lanes = Enumerable.Range(0, n).Select(i => ValidMessages.Lane((byte)i)).ToArray() })),
        ["map nodes[0].inLinks[1].lanes[0].connectsTo"] = (V2xRanges.MapConnections, false, 64, n =>
            Lane(l => l with { ConnectsTo = Enumerable.Repeat(l.ConnectsTo[0], n).ToArray() })),
        ["map nodes[0].inLinks[1].lanes[0].speedLimits"] = (V2xRanges.SpeedLimits, false, 64, n =>
            Lane(l => l with { SpeedLimits = Enumerable.Repeat(ValidMessages.SpeedLimit, n).ToArray() })),
        ["map nodes[0].inLinks[1].lanes[0].points"] = (V2xRanges.RoadPoints, false, 64, n =>
            Lane(l => l with { Points = Enumerable.Range(0, n).Select(ValidMessages.Point).ToArray() })),
        ["rsi rtes"] = (V2xRanges.RsiRtes, false, 64, n =>
            Rsi(r => r with { Rtes = Enumerable.Repeat(r.Rtes[0], n).ToArray() })),
        ["rsi rtss"] = (V2xRanges.RsiRtss, false, 64, n =>
            Rsi(r => r with { Rtss = Enumerable.Repeat(r.Rtss[0], n).ToArray() })),
        ["rsi rtes[1].referencePaths"] = (V2xRanges.ReferencePaths, false, 64, n =>
            Rte(e => e with { ReferencePaths = Enumerable.Repeat(ValidMessages.Path(), n).ToArray() })),
        ["rsi rtes[1].referencePaths[0].activePath"] = (V2xRanges.PathPoints, true, 64, n =>
            Rte(e => e with { ReferencePaths = [ValidMessages.Path(n)] })),
    };
}
