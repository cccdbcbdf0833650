using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Map;

namespace QiZhiChunCheng.Engine.Tests.Harness;

/// <summary>A pose in the lane map's local frame: metres east and north of the origin, heading clockwise from north.</summary>
internal readonly record struct LanePose(double X, double Y, double HeadingDeg)
{
    private double Rad => HeadingDeg * Math.PI / 180;

    /// <summary>Moved <paramref name="metres"/> along the heading (negative: back).</summary>
    public LanePose Ahead(double metres) => this with { X = X + (metres * Math.Sin(Rad)), Y = Y + (metres * Math.Cos(Rad)) };

    /// <summary>Moved <paramref name="metres"/> to the left of the heading (negative: right).</summary>
    public LanePose Left(double metres) => this with { X = X - (metres * Math.Cos(Rad)), Y = Y + (metres * Math.Sin(Rad)) };

    /// <summary>The same place, facing the other way.</summary>
    public LanePose Reversed() => this with { HeadingDeg = (HeadingDeg + 180) % 360 };

    public LanePose Turned(double degrees) => this with { HeadingDeg = ((HeadingDeg + degrees) % 360 + 360) % 360 };
}

/// <summary>A participant an RSU reports in an RSM frame.</summary>
internal readonly record struct RsmTarget(ushort PtcId, ParticipantType Type, LanePose Pose, double SpeedMps, ulong? BsmId = null, double AccelMps2 = double.NaN);

/// <summary>
/// A scene on the default zone's lane map for engine tests: builds BSM and RSM messages at local poses and times
/// (ms after <see cref="Start"/>), feeds them through a real <see cref="DetectionEngine"/> and keeps the events.
/// Lanes are found by the MAP's ids: node 1 is Dongfeng St x Feiyue Rd; upstream 11 is Dongfeng SW (north-east-bound
/// approach), 39 Dongfeng NE (south-west-bound, via node 2), 12 Feiyue N (south-bound), 13 Feiyue S (north-bound).
/// On Dongfeng approaches lane 1 is the left-turn lane, 2 straight, 3 straight and right.
/// </summary>
internal sealed class Scene
{
    /// <summary>08:00:00 UTC on 28 November 2026: event time zero of every scene.</summary>
    public static readonly long Start = new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    public Scene(EngineOptions? options = null)
    {
        Options = options ?? ZoneFixture.Options;
        Engine = new DetectionEngine(Options);
    }

    public EngineOptions Options { get; }

    public DetectionEngine Engine { get; }

    public LaneMap Map => Engine.Map;

    public List<V2xEvent> Events { get; } = [];

    public void Feed(in V2xMessage message) => Engine.Process(message, Events);

    /// <summary>Advances event time to <paramref name="tMs"/> (evaluating the ticks due) without a message.</summary>
    public void AdvanceTo(long tMs)
    {
        Engine.AdvanceTo(Start + tMs);
        Engine.DrainEvents(Events);
    }

    public List<V2xEvent> Of(EventType type) => Events.Where(e => e.Type == type).ToList();

    public List<V2xEvent> Onsets(EventType type) => Events.Where(e => e.Type == type && e.Phase == EventPhase.Onset).ToList();

    /// <summary>
    /// The pose on lane <paramref name="laneId"/> of the link from <paramref name="upstreamNode"/> into
    /// <paramref name="node"/>, <paramref name="beforeStopLineM"/> metres back from where the lane ends (its stop line
    /// at an intersection), facing along the lane.
    /// </summary>
    public LanePose Lane(ushort node, ushort upstreamNode, byte laneId, double beforeStopLineM)
    {
        int lane = Map.FindLane(new NodeReferenceId(node), new NodeReferenceId(upstreamNode), laneId);
        if (lane < 0)
        {
            throw new ArgumentException($"no lane {laneId} from {upstreamNode} into {node}");
        }

        MapLaneInfo info = Map.Lanes[lane];
        int last = info.FirstPoint + info.PointCount - 1;
        double remaining = beforeStopLineM;
        for (int p = last; p > info.FirstPoint; p--)
        {
            double ax = Map.PointX[p - 1], ay = Map.PointY[p - 1], bx = Map.PointX[p], by = Map.PointY[p];
            double len = Math.Sqrt(((bx - ax) * (bx - ax)) + ((by - ay) * (by - ay)));
            double heading = (Math.Atan2(bx - ax, by - ay) * 180 / Math.PI + 360) % 360;
            if (remaining <= len || p - 1 == info.FirstPoint)
            {
                double f = remaining / len;
                return new LanePose(bx - ((bx - ax) * f), by - ((by - ay) * f), heading);
            }

            remaining -= len;
        }

        throw new ArgumentException("lane without points");
    }

    /// <summary>A BSM of vehicle <paramref name="id"/> at <paramref name="pose"/>, <paramref name="tMs"/> after <see cref="Start"/>.</summary>
    public V2xMessage Bsm(
        ulong id,
        long tMs,
        LanePose pose,
        double speedMps,
        double accelMps2 = 0,
        byte vehicleClass = 10,
        VehicleEventFlags? events = null,
        ExteriorLights? lights = null,
        VehicleEmergencyExtensions? emergency = null,
        BrakeSystemStatus brakes = default,
        double lengthM = 4.8,
        double widthM = 1.85,
        double yawRateDps = 0)
    {
        long utc = Start + tMs;
        (double lat, double lon) = Map.Frame.ToWgs84(pose.X, pose.Y);
        Bsm bsm = new()
        {
            MsgCnt = (byte)(utc / 100 % 128),
            Id = new OctetId8(id),
            SecMark = (ushort)(utc % 60000),
            Pos = Position3D.FromDegrees(lat, lon, 215),
            Transmission = TransmissionState.ForwardGears,
            Speed = (ushort)Math.Round(speedMps / 0.02),
            Heading = (ushort)(Math.Round(((pose.HeadingDeg % 360) + 360) % 360 / 0.0125) % 28800),
            AccelSet = new AccelerationSet4Way((short)Math.Round(accelMps2 * 100), 0, 0, (short)Math.Round(yawRateDps * 100)),
            Brakes = brakes,
            Size = new VehicleSize((ushort)Math.Round(widthM * 100), (ushort)Math.Round(lengthM * 100)),
            VehicleClass = new VehicleClassification(vehicleClass),
            SafetyExt = events is null && lights is null ? null : new VehicleSafetyExtensions { Events = events, Lights = lights },
            EmergencyExt = emergency,
        };
        Envelope envelope = new()
        {
            SourceKind = SourceKind.Obu,
            SourceId = DeviceId.Parse("VEH-TEST"),
            Type = MessageType.Bsm,
            GeneratedUtcMs = utc,
            IngestUtcMs = utc + 5,
        };
        return new V2xMessage(envelope, bsm);
    }

    /// <summary>An RSM of RSU <paramref name="rsuId"/> with <paramref name="targets"/> seen <paramref name="tMs"/> after <see cref="Start"/>.</summary>
    public V2xMessage Rsm(ulong rsuId, long tMs, params RsmTarget[] targets)
    {
        long utc = Start + tMs;
        (double refLat, double refLon) = Map.Frame.ToWgs84(0, 0);
        ParticipantData[] participants = new ParticipantData[targets.Length];
        for (int i = 0; i < targets.Length; i++)
        {
            RsmTarget t = targets[i];
            (double lat, double lon) = Map.Frame.ToWgs84(t.Pose.X, t.Pose.Y);
            participants[i] = new ParticipantData
            {
                PtcType = t.Type,
                PtcId = t.PtcId,
                Source = SourceType.Integrated,
                Id = t.BsmId is { } b ? new OctetId8(b) : null,
                SecMark = (ushort)(utc % 60000),
                Pos = Position3D.FromDegrees(lat, lon, 215),
                PosConfidence = new PositionConfidenceSet(PositionConfidence.A50cm),
                Speed = (ushort)Math.Round(t.SpeedMps / 0.02),
                Heading = (ushort)(Math.Round(((t.Pose.HeadingDeg % 360) + 360) % 360 / 0.0125) % 28800),
                AccelSet = double.IsNaN(t.AccelMps2) ? null : new AccelerationSet4Way((short)Math.Round(t.AccelMps2 * 100), 0, 0, 0),
                Size = t.Type == ParticipantType.Pedestrian ? new VehicleSize(50, 50) : new VehicleSize(185, 480),
            };
        }

        Rsm rsm = new()
        {
            MsgCnt = (byte)(utc / 100 % 128),
            Id = new OctetId8(rsuId),
            RefPos = Position3D.FromDegrees(refLat, refLon, 215),
            Participants = new ValueArray<ParticipantData>(participants),
        };
        Envelope envelope = new()
        {
            SourceKind = SourceKind.Rsu,
            SourceId = DeviceId.Parse("RSU-TEST"),
            Type = MessageType.Rsm,
            GeneratedUtcMs = utc,
            IngestUtcMs = utc + 5,
        };
        return new V2xMessage(envelope, rsm);
    }
}
