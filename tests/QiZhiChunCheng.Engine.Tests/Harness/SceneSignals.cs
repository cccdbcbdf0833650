using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Time;

namespace QiZhiChunCheng.Engine.Tests.Harness;

/// <summary>
/// SPAT and RSI messages for <see cref="Scene"/>s: signal states in seconds relative to the SPAT's time (the
/// <c>counting</c> timing), RSI events and signs at <see cref="LanePose"/>s (offsets from the map's origin).
/// </summary>
internal static class SceneSignals
{
    /// <summary>A phase state with counting timing: <paramref name="light"/> from <paramref name="startS"/> to <paramref name="endS"/> seconds after the SPAT's time.</summary>
    public static PhaseState Counting(LightState light, double startS, double endS, double? nextStartS = null, double? nextDurationS = null) =>
        new(light, new TimeChangeDetails
        {
            Kind = TimingKind.Counting,
            StartTime = Tenths(startS),
            LikelyEndTime = Tenths(endS),
            NextStartTime = nextStartS is { } n ? Tenths(n) : null,
            NextDuration = nextDurationS is { } d ? Tenths(d) : null,
        });

    /// <summary>A phase state with UTC timing: TimeMarks within the hour of the given absolute instants.</summary>
    public static PhaseState Utc(LightState light, long startUtcMs, long endUtcMs) =>
        new(light, new TimeChangeDetails
        {
            Kind = TimingKind.UtcTiming,
            StartTime = TimeMark(startUtcMs),
            LikelyEndTime = TimeMark(endUtcMs),
        });

    public static Phase Phase(byte id, params PhaseState[] states) => new() { Id = id, PhaseStates = states };

    /// <summary>Red now for <paramref name="redS"/> more seconds, then green for <paramref name="greenS"/>, then yellow 3 s.</summary>
    public static Phase RedThenGreen(byte id, double redS, double greenS) => Phase(
        id,
        Counting(LightState.Red, 0, redS),
        Counting(LightState.ProtectedGreen, redS, redS + greenS),
        Counting(LightState.Yellow, redS + greenS, redS + greenS + 3));

    /// <summary>Green now for <paramref name="greenS"/> more seconds, then yellow 3 s, then red for <paramref name="redS"/>.</summary>
    public static Phase GreenThenRed(byte id, double greenS, double redS) => Phase(
        id,
        Counting(LightState.ProtectedGreen, 0, greenS),
        Counting(LightState.Yellow, greenS, greenS + 3),
        Counting(LightState.Red, greenS + 3, greenS + 3 + redS));

    /// <summary>Yellow now for <paramref name="yellowS"/> more seconds, and no later state given.</summary>
    public static Phase YellowOnly(byte id, double yellowS) => Phase(id, Counting(LightState.Yellow, 0, yellowS));

    /// <summary>A SPAT of intersection <paramref name="node"/> (MAP node id) <paramref name="tMs"/> after <see cref="Scene.Start"/>, timed by moy and timeStamp.</summary>
    public static V2xMessage Spat(this Scene scene, long tMs, ushort node, params Phase[] phases)
    {
        long utc = Scene.Start + tMs;
        Spat spat = new()
        {
            MsgCnt = (byte)(utc / 100 % 128),
            Moy = V2xTime.ToMoy(utc),
            TimeStamp = V2xTime.ToSecMark(utc),
            Intersections = new ValueArray<IntersectionState>([new IntersectionState { IntersectionId = new NodeReferenceId(node), Phases = phases }]),
        };
        Envelope envelope = new()
        {
            SourceKind = SourceKind.Rsu,
            SourceId = DeviceId.Parse("RSU-TEST"),
            Type = MessageType.Spat,
            GeneratedUtcMs = utc,
            IngestUtcMs = utc + 5,
        };
        return new V2xMessage(envelope, spat);
    }

    /// <summary>The offset of a pose from the map's origin (the RSI refPos of <see cref="Rsi"/>), 1e-7 deg.</summary>
    public static RoadPoint Offset(this Scene scene, LanePose pose)
    {
        Position3D origin = Origin(scene);
        (double lat, double lon) = scene.Map.Frame.ToWgs84(pose.X, pose.Y);
        Position3D p = Position3D.FromDegrees(lat, lon);
        return new RoadPoint(p.Lat - origin.Lat, p.Long - origin.Long);
    }

    /// <summary>
    /// An RTE of type <paramref name="eventType"/> at <paramref name="at"/> (null: none) with a radius, and a reference
    /// path through <paramref name="path"/> (first point upstream) with <paramref name="pathRadiusM"/>.
    /// </summary>
    public static RteData Rte(this Scene scene, byte rteId, ushort eventType, LanePose? at, double radiusM, double pathRadiusM = 0, RsiTimeDetails? time = null, params LanePose[] path) => new()
    {
        RteId = rteId,
        EventType = eventType,
        EventSource = EventSource.Detection,
        EventPos = at is { } a ? scene.Offset(a) : null,
        EventRadius = radiusM > 0 ? (ushort)Math.Round(radiusM * 10) : null,
        TimeDetails = time,
        ReferencePaths = path.Length == 0 ? default : new ValueArray<ReferencePath>([Path(scene, pathRadiusM, path)]),
    };

    /// <summary>An RTS of sign type <paramref name="signType"/> at <paramref name="at"/> with a reference path (first point upstream).</summary>
    public static RtsData Rts(this Scene scene, byte rtsId, ushort signType, LanePose? at, double pathRadiusM = 0, params LanePose[] path) => new()
    {
        RtsId = rtsId,
        SignType = signType,
        SignPos = at is { } a ? scene.Offset(a) : null,
        ReferencePaths = path.Length == 0 ? default : new ValueArray<ReferencePath>([Path(scene, pathRadiusM, path)]),
    };

    /// <summary>An RSI of RSU <paramref name="rsuId"/> <paramref name="tMs"/> after <see cref="Scene.Start"/>, refPos at the map's origin.</summary>
    public static V2xMessage Rsi(this Scene scene, ulong rsuId, long tMs, RteData[]? rtes = null, RtsData[]? rtss = null)
    {
        long utc = Scene.Start + tMs;
        Rsi rsi = new()
        {
            MsgCnt = (byte)(utc / 100 % 128),
            Moy = V2xTime.ToMoy(utc),
            Id = new OctetId8(rsuId),
            RefPos = Origin(scene),
            Rtes = rtes ?? [],
            Rtss = rtss ?? [],
        };
        Envelope envelope = new()
        {
            SourceKind = SourceKind.Rsu,
            SourceId = DeviceId.Parse("RSU-TEST"),
            Type = MessageType.Rsi,
            GeneratedUtcMs = utc,
            IngestUtcMs = utc + 5,
        };
        return new V2xMessage(envelope, rsi);
    }

    /// <summary>The MinuteOfTheYear of <paramref name="tMs"/> after <see cref="Scene.Start"/> (for RSI time details).</summary>
    public static uint Moy(long tMs) => V2xTime.ToMoy(Scene.Start + tMs);

    private static ReferencePath Path(Scene scene, double radiusM, LanePose[] points)
    {
        RoadPoint[] offsets = new RoadPoint[points.Length];
        for (int i = 0; i < points.Length; i++)
        {
            offsets[i] = scene.Offset(points[i]);
        }

        return new ReferencePath { ActivePath = offsets, PathRadius = (ushort)Math.Round(radiusM * 10) };
    }

    private static Position3D Origin(Scene scene)
    {
        (double lat, double lon) = scene.Map.Frame.ToWgs84(0, 0);
        return Position3D.FromDegrees(lat, lon, 215);
    }

    private static ushort Tenths(double seconds) => (ushort)Math.Round(seconds * 10);

    private static ushort TimeMark(long utcMs) => (ushort)(utcMs % V2xTime.MsPerHour / 100);

    /// <summary>
    /// Drives vehicle <paramref name="id"/> along lane <paramref name="laneId"/> of the link from
    /// <paramref name="upstream"/> into <paramref name="node"/>, starting <paramref name="beforeStopLineM"/> before
    /// its end at <paramref name="speedMps"/> with constant <paramref name="accelMps2"/> (until it stops), for
    /// <paramref name="durationMs"/>: a BSM every 100 ms, 1 ms before each tick (so a tick sees the vehicle as it was
    /// reported, not predicted), each preceded by the messages <paramref name="each"/> gives for that time.
    /// </summary>
    public static void Drive(
        this Scene scene, ulong id, ushort node, ushort upstream, byte laneId, double beforeStopLineM, double speedMps, double accelMps2, long durationMs,
        Func<long, IEnumerable<V2xMessage>>? each = null)
    {
        double stopS = accelMps2 < 0 ? speedMps / -accelMps2 : double.PositiveInfinity;
        for (long t = 99; t <= durationMs; t += 100)
        {
            double s = Math.Min(t, stopS * 1000) / 1000.0;
            double travelled = (speedMps * s) + (accelMps2 * s * s / 2);
            double v = Math.Max(0, speedMps + (accelMps2 * s));
            if (each is not null)
            {
                foreach (V2xMessage m in each(t))
                {
                    scene.Feed(m);
                }
            }

            scene.Feed(scene.Bsm(id, t, scene.Lane(node, upstream, laneId, beforeStopLineM - travelled), v, v > 0 ? accelMps2 : 0));
        }
    }

    /// <summary>
    /// Reports vehicle <paramref name="id"/> at a fixed pose for <paramref name="durationMs"/> (a BSM 1 ms before each
    /// tick); see <see cref="Drive"/>. With a speed above zero the pose and the speed disagree: the fused track
    /// believes the speed (0.2 m/s sigma) more than the position (0.61 m) and runs ahead of the pose, about 0.5 m per
    /// tick at 10 m/s. Fine where a few metres do not matter; a boundary case needs <see cref="Drive"/>.
    /// </summary>
    public static void Hold(this Scene scene, ulong id, LanePose pose, double speedMps, long durationMs, double accelMps2 = 0, Func<long, IEnumerable<V2xMessage>>? each = null)
    {
        for (long t = 99; t <= durationMs; t += 100)
        {
            if (each is not null)
            {
                foreach (V2xMessage m in each(t))
                {
                    scene.Feed(m);
                }
            }

            scene.Feed(scene.Bsm(id, t, pose, speedMps, accelMps2));
        }
    }
}
