using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;

namespace QiZhiChunCheng.Core.Codecs.Jer;

/// <summary>
/// Reads a BasicSafetyMessage straight from UTF-8 JSON: the hot path (10 Hz per vehicle), so it works on the
/// reader with stack buffers for the path history and allocates nothing for a well-formed message. Members may
/// come in any order; crumbs written as <c>position-LatLon</c> are turned into offsets once <c>pos</c> is known.
/// Thread-safe (no state).
/// </summary>
[SkipLocalsInit]
internal static class BsmReader
{
    private const int MsgCnt = 0, Id = 1, SecMark = 2, Pos = 3, PosAccuracy = 4, PosConfidence = 5, Transmission = 6,
        Speed = 7, Heading = 8, Angle = 9, AccelSet = 10, Brakes = 11, Size = 12, VehicleClass = 13, SafetyExt = 14,
        EmergencyExt = 15;

    private static readonly JerNames Members = new(
        "msgCnt", "id", "secMark", "pos", "posAccuracy", "posConfidence", "transmission", "speed", "heading", "angle",
        "accelSet", "brakes", "size", "vehicleClass", "safetyExt", "emergencyExt");

    private const int Required = (1 << MsgCnt) | (1 << Id) | (1 << SecMark) | (1 << Pos) | (1 << Transmission) | (1 << Speed)
        | (1 << Heading) | (1 << AccelSet) | (1 << Brakes) | (1 << Size) | (1 << VehicleClass);

    private static readonly JerNames BrakeMembers = new("brakePadel", "wheelBrakes", "traction", "abs", "scs", "brakeBoost", "auxBrakes");
    private static readonly JerNames SafetyMembers = new("events", "pathHistory", "pathPrediction", "lights");
    private static readonly JerNames PathHistoryMembers = new("crumbData");
    private static readonly JerNames CrumbMembers = new("llvOffset", "timeOffset", "speed", "heading");
    private static readonly JerNames PredictionMembers = new("radiusOfCurve", "confidence");
    private static readonly JerNames EmergencyMembers = new("responseType", "sirenUse", "lightsUse");

    /// <summary>Reads the BSM object at the reader (positioned at its start) through its end.</summary>
    public static JerError? Read(ref Utf8JsonReader r, out Bsm bsm)
    {
        bsm = default;
        if (JerReader.ExpectObject(ref r, "") is { } notObject)
        {
            return notObject;
        }

        byte msgCnt = 0;
        OctetId8 id = default;
        ushort secMark = 0, speed = 0, heading = 0;
        Position3D pos = default;
        PositionalAccuracy? posAccuracy = null;
        PositionConfidenceSet? posConfidence = null;
        TransmissionState transmission = default;
        sbyte? angle = null;
        AccelerationSet4Way accelSet = default;
        BrakeSystemStatus brakes = default;
        VehicleSize size = default;
        VehicleClassification vehicleClass = default;
        VehicleEmergencyExtensions? emergencyExt = null;
        SafetyParts safety = default;
        Span<PathHistoryPoint> crumbs = stackalloc PathHistoryPoint[PathHistory.MaxPoints];
        int seen = 0, next = 0;
        while (JerReader.NextMember(ref r, out ReadOnlySpan<byte> name))
        {
            int member = Members.Find(name, ref next);
            JerError? e;
            switch (member)
            {
                case MsgCnt:
                    e = JerReader.U8(ref r, "msgCnt", V2xRanges.MsgCount, out msgCnt);
                    break;
                case Id:
                    e = JerReader.OctetId(ref r, "id", out id);
                    break;
                case SecMark:
                    e = JerReader.U16(ref r, "secMark", V2xRanges.DSecond, out secMark);
                    break;
                case Pos:
                    e = JerReader.ReadPosition3D(ref r, "pos", out pos);
                    break;
                case PosAccuracy:
                    e = JerReader.ReadPositionalAccuracy(ref r, "posAccuracy", out PositionalAccuracy accuracy);
                    posAccuracy = accuracy;
                    break;
                case PosConfidence:
                    e = JerReader.ReadPositionConfidence(ref r, "posConfidence", out PositionConfidenceSet confidence);
                    posConfidence = confidence;
                    break;
                case Transmission:
                    e = JerReader.Enumerated(ref r, "transmission", out transmission);
                    break;
                case Speed:
                    e = JerReader.U16(ref r, "speed", V2xRanges.Speed, out speed);
                    break;
                case Heading:
                    e = JerReader.U16(ref r, "heading", V2xRanges.Heading, out heading);
                    break;
                case Angle:
                    e = JerReader.S8(ref r, "angle", V2xRanges.SteeringWheelAngle, out sbyte steering);
                    angle = steering;
                    break;
                case AccelSet:
                    e = JerReader.ReadAccelSet(ref r, "accelSet", out accelSet);
                    break;
                case Brakes:
                    e = ReadBrakes(ref r, out brakes);
                    break;
                case Size:
                    e = JerReader.ReadVehicleSize(ref r, "size", out size);
                    break;
                case VehicleClass:
                    e = JerReader.ReadVehicleClass(ref r, "vehicleClass", out vehicleClass);
                    break;
                case SafetyExt:
                    e = ReadSafetyExt(ref r, crumbs, out safety);
                    break;
                case EmergencyExt:
                    e = ReadEmergencyExt(ref r, out VehicleEmergencyExtensions emergency);
                    emergencyExt = emergency;
                    break;
                default:
                    r.Skip();
                    continue;
            }

            if (e is not null)
            {
                return e;
            }

            seen |= 1 << member;
        }

        if (Members.Require(seen, Required) is { } missing)
        {
            return missing;
        }

        if (safety.HasPathHistory && PlaceCrumbs(crumbs[..safety.CrumbCount], safety.AbsoluteCrumbs, pos) is { } placeError)
        {
            return placeError;
        }

        // The head from one initializer, then the safety extension written in place: the path history is
        // copied once, from the stack buffer into bsm, instead of through the temporaries of init-only
        // construction (each of which would move the whole inline path history).
        bsm = new Bsm
        {
            MsgCnt = msgCnt,
            Id = id,
            SecMark = secMark,
            Pos = pos,
            PosAccuracy = posAccuracy,
            PosConfidence = posConfidence,
            Transmission = transmission,
            Speed = speed,
            Heading = heading,
            Angle = angle,
            AccelSet = accelSet,
            Brakes = brakes,
            Size = size,
            VehicleClass = vehicleClass,
            EmergencyExt = emergencyExt,
        };
        if (safety.Present)
        {
            ref VehicleSafetyExtensions ext = ref Bsm.InitSafetyExt(ref bsm);
            if (safety.HasPathHistory)
            {
                crumbs[..safety.CrumbCount].CopyTo(PathHistory.Fill(ref VehicleSafetyExtensions.InitPathHistory(ref ext), safety.CrumbCount));
            }

            VehicleSafetyExtensions.SetMembers(ref ext, safety.Events, safety.Prediction, safety.Lights);
        }

        return null;
    }

    // Crumbs sent as position-LatLon are absolute: make them offsets from pos, as the model keeps them.
    private static JerError? PlaceCrumbs(Span<PathHistoryPoint> points, int absoluteMask, in Position3D pos)
    {
        for (int i = 0; absoluteMask != 0 && i < points.Length; i++)
        {
            if ((absoluteMask & (1 << i)) == 0)
            {
                continue;
            }

            PathHistoryPoint p = points[i];
            var absolute = new LlvOffset { Lat = p.LatOffset, Lon = p.LonOffset, Absolute = true };
            if (JerReader.ToOffset(absolute, pos, out int lat, out int lon) is { } e)
            {
                return e.In("llvOffset").At(i).In("crumbData").In("pathHistory").In("safetyExt");
            }

            points[i] = p with { LatOffset = lat, LonOffset = lon };
        }

        return null;
    }

    private static JerError? ReadBrakes(ref Utf8JsonReader r, out BrakeSystemStatus brakes)
    {
        brakes = default;
        if (JerReader.ExpectObject(ref r, "brakes") is { } notObject)
        {
            return notObject;
        }

        BrakePedalStatus? brakePadel = null;
        BrakeAppliedStatus? wheelBrakes = null;
        TractionControlStatus? traction = null;
        AntiLockBrakeStatus? abs = null;
        StabilityControlStatus? scs = null;
        BrakeBoostApplied? brakeBoost = null;
        AuxiliaryBrakeStatus? auxBrakes = null;
        int next = 0;
        while (JerReader.NextMember(ref r, out ReadOnlySpan<byte> name))
        {
            JerError? e;
            switch (BrakeMembers.Find(name, ref next))
            {
                case 0:
                    e = JerReader.Enumerated(ref r, "brakePadel", out BrakePedalStatus pedal);
                    brakePadel = pedal;
                    break;
                case 1:
                    e = JerReader.FixedBits(ref r, "wheelBrakes", 5, out ushort bits);
                    wheelBrakes = (BrakeAppliedStatus)bits;
                    break;
                case 2:
                    e = JerReader.Enumerated(ref r, "traction", out TractionControlStatus tractionStatus);
                    traction = tractionStatus;
                    break;
                case 3:
                    e = JerReader.Enumerated(ref r, "abs", out AntiLockBrakeStatus absStatus);
                    abs = absStatus;
                    break;
                case 4:
                    e = JerReader.Enumerated(ref r, "scs", out StabilityControlStatus scsStatus);
                    scs = scsStatus;
                    break;
                case 5:
                    e = JerReader.Enumerated(ref r, "brakeBoost", out BrakeBoostApplied boost);
                    brakeBoost = boost;
                    break;
                case 6:
                    e = JerReader.Enumerated(ref r, "auxBrakes", out AuxiliaryBrakeStatus aux);
                    auxBrakes = aux;
                    break;
                default:
                    r.Skip();
                    continue;
            }

            if (e is not null)
            {
                return e.In("brakes");
            }
        }

        brakes = new BrakeSystemStatus
        {
            BrakePadel = brakePadel,
            WheelBrakes = wheelBrakes,
            Traction = traction,
            Abs = abs,
            Scs = scs,
            BrakeBoost = brakeBoost,
            AuxBrakes = auxBrakes,
        };
        return null;
    }

    private struct SafetyParts
    {
        public bool Present;
        public VehicleEventFlags? Events;
        public ExteriorLights? Lights;
        public PathPrediction? Prediction;
        public bool HasPathHistory;
        public int CrumbCount;
        public int AbsoluteCrumbs;
    }

    private static JerError? ReadSafetyExt(ref Utf8JsonReader r, scoped Span<PathHistoryPoint> crumbs, out SafetyParts parts)
    {
        parts = default;
        if (JerReader.ExpectObject(ref r, "safetyExt") is { } notObject)
        {
            return notObject;
        }

        parts.Present = true;
        int next = 0;
        while (JerReader.NextMember(ref r, out ReadOnlySpan<byte> name))
        {
            JerError? e;
            switch (SafetyMembers.Find(name, ref next))
            {
                case 0:
                    e = JerReader.ExtensibleBits(ref r, "events", out ushort events);
                    parts.Events = (VehicleEventFlags)events;
                    break;
                case 1:
                    e = ReadPathHistory(ref r, crumbs, out parts.CrumbCount, out parts.AbsoluteCrumbs);
                    parts.HasPathHistory = true;
                    break;
                case 2:
                    e = ReadPathPrediction(ref r, out PathPrediction prediction);
                    parts.Prediction = prediction;
                    break;
                case 3:
                    e = JerReader.ExtensibleBits(ref r, "lights", out ushort lights);
                    parts.Lights = (ExteriorLights)lights;
                    break;
                default:
                    r.Skip();
                    continue;
            }

            if (e is not null)
            {
                return e.In("safetyExt");
            }
        }

        return null;
    }

    private static JerError? ReadPathHistory(ref Utf8JsonReader r, scoped Span<PathHistoryPoint> crumbs, out int count, out int absoluteMask)
    {
        count = absoluteMask = 0;
        if (JerReader.ExpectObject(ref r, "pathHistory") is { } notObject)
        {
            return notObject;
        }

        // initialPosition and currGNSSstatus are not modelled and are skipped.
        int seen = 0, next = 0;
        while (JerReader.NextMember(ref r, out ReadOnlySpan<byte> name))
        {
            if (PathHistoryMembers.Find(name, ref next) != 0)
            {
                r.Skip();
                continue;
            }

            seen = 1;
            count = absoluteMask = 0;
            if (JerReader.ExpectArray(ref r, "crumbData") is { } notArray)
            {
                return notArray.In("pathHistory");
            }

            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                if (count == crumbs.Length)
                {
                    return JerReader.TooManyItems(ref r, count, "crumbData", "points", V2xRanges.PathHistoryPoints).In("pathHistory");
                }

                if (ReadCrumb(ref r, out crumbs[count], out bool absolute) is { } e)
                {
                    return e.At(count).In("crumbData").In("pathHistory");
                }

                absoluteMask |= absolute ? 1 << count : 0;
                count++;
            }
        }

        return PathHistoryMembers.Require(seen, 1)?.In("pathHistory");
    }

    private static JerError? ReadCrumb(ref Utf8JsonReader r, out PathHistoryPoint point, out bool absolute)
    {
        point = default;
        absolute = false;
        if (JerReader.ExpectObject(ref r, "") is { } notObject)
        {
            return notObject;
        }

        LlvOffset offset = default;
        ushort timeOffset = 0;
        ushort? speed = null, heading = null;
        int seen = 0, next = 0;
        while (JerReader.NextMember(ref r, out ReadOnlySpan<byte> name))
        {
            int member = CrumbMembers.Find(name, ref next);
            JerError? e;
            switch (member)
            {
                case 0:
                    e = JerReader.ReadOffsetLlv(ref r, "llvOffset", vertical: false, out offset);
                    break;
                case 1:
                    e = JerReader.U16(ref r, "timeOffset", V2xRanges.TimeOffset, out timeOffset);
                    break;
                case 2:
                    e = JerReader.U16(ref r, "speed", V2xRanges.Speed, out ushort crumbSpeed);
                    speed = crumbSpeed;
                    break;
                case 3:
                    e = JerReader.U16(ref r, "heading", V2xRanges.Heading, out ushort crumbHeading);
                    heading = crumbHeading;
                    break;
                default:
                    r.Skip();
                    continue;
            }

            if (e is not null)
            {
                return e;
            }

            seen |= 1 << member;
        }

        point = new PathHistoryPoint(offset.Lat, offset.Lon, timeOffset, speed, heading);
        absolute = offset.Absolute;
        return CrumbMembers.Require(seen, 3);
    }

    private static JerError? ReadPathPrediction(ref Utf8JsonReader r, out PathPrediction prediction)
    {
        prediction = default;
        if (JerReader.ExpectObject(ref r, "pathPrediction") is { } notObject)
        {
            return notObject;
        }

        short radius = 0;
        byte confidence = 0;
        int seen = 0, next = 0;
        while (JerReader.NextMember(ref r, out ReadOnlySpan<byte> name))
        {
            int member = PredictionMembers.Find(name, ref next);
            JerError? e;
            switch (member)
            {
                case 0:
                    e = JerReader.S16(ref r, "radiusOfCurve", V2xRanges.RadiusOfCurvature, out radius);
                    break;
                case 1:
                    e = JerReader.U8(ref r, "confidence", V2xRanges.Confidence, out confidence);
                    break;
                default:
                    r.Skip();
                    continue;
            }

            if (e is not null)
            {
                return e.In("pathPrediction");
            }

            seen |= 1 << member;
        }

        prediction = new PathPrediction(radius, confidence);
        return PredictionMembers.Require(seen, 3)?.In("pathPrediction");
    }

    private static JerError? ReadEmergencyExt(ref Utf8JsonReader r, out VehicleEmergencyExtensions emergency)
    {
        emergency = default;
        if (JerReader.ExpectObject(ref r, "emergencyExt") is { } notObject)
        {
            return notObject;
        }

        ResponseType? responseType = null;
        SirenInUse? sirenUse = null;
        LightbarInUse? lightsUse = null;
        int next = 0;
        while (JerReader.NextMember(ref r, out ReadOnlySpan<byte> name))
        {
            JerError? e;
            switch (EmergencyMembers.Find(name, ref next))
            {
                case 0:
                    e = JerReader.Enumerated(ref r, "responseType", out ResponseType response);
                    responseType = response;
                    break;
                case 1:
                    e = JerReader.Enumerated(ref r, "sirenUse", out SirenInUse siren);
                    sirenUse = siren;
                    break;
                case 2:
                    e = JerReader.Enumerated(ref r, "lightsUse", out LightbarInUse lights);
                    lightsUse = lights;
                    break;
                default:
                    r.Skip();
                    continue;
            }

            if (e is not null)
            {
                return e.In("emergencyExt");
            }
        }

        emergency = new VehicleEmergencyExtensions { ResponseType = responseType, SirenUse = sirenUse, LightsUse = lightsUse };
        return null;
    }
}
