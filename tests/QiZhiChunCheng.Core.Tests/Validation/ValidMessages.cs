using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Testing;

namespace QiZhiChunCheng.Core.Tests.Validation;

/// <summary>
/// Valid messages of every type with every optional member present, each with one element per level that a
/// test can change (the "target"): participants[3]; crumbData[1]; intersections[0].phases[2].phaseStates[1];
/// nodes[0].inLinks[1].lanes[0] (with connectsTo[1], speedLimits[0], points[1]); rtes[1] with
/// referencePaths[0].activePath[1]; rtss[0]. A changer that is null leaves its level as built.
/// </summary>
internal static class ValidMessages
{
    public static Bsm Bsm(Func<Bsm, Bsm>? message = null, Func<PathHistoryPoint, PathHistoryPoint>? crumb = null)
    {
        Bsm bsm = Samples.Bsm() with
        {
            EmergencyExt = new VehicleEmergencyExtensions
            {
                ResponseType = ResponseType.NonEmergency,
                SirenUse = SirenInUse.NotInUse,
                LightsUse = LightbarInUse.NotInUse,
            },
        };
        VehicleSafetyExtensions ext = bsm.SafetyExt!.Value with { PathPrediction = new PathPrediction(32767, 180) };
        if (crumb is not null)
        {
            PathHistoryPoint[] crumbs = ext.PathHistory!.Value.CrumbData.ToArray();
            crumbs[1] = crumb(crumbs[1]);
            ext = ext with { PathHistory = new PathHistory(crumbs) };
        }

        bsm = bsm with { SafetyExt = ext };
        return message is null ? bsm : message(bsm);
    }

    public static Rsm Rsm(Func<ParticipantData, ParticipantData>? participant = null, Func<Rsm, Rsm>? message = null)
    {
        Rsm rsm = Samples.Rsm16();
        if (participant is not null)
        {
            ParticipantData[] participants = rsm.Participants.AsSpan().ToArray();
            participants[3] = participant(participants[3]);
            rsm = rsm with { Participants = participants };
        }

        return message is null ? rsm : message(rsm);
    }

    public static Spat Spat(
        Func<PhaseState, PhaseState>? state = null,
        Func<Phase, Phase>? phase = null,
        Func<IntersectionState, IntersectionState>? intersection = null,
        Func<Spat, Spat>? message = null)
    {
        var phases = new Phase[3];
        for (int j = 0; j < phases.Length; j++)
        {
            PhaseState[] states =
            [
                new(LightState.Red, new TimeChangeDetails
                {
                    Kind = TimingKind.Counting,
                    StartTime = 0,
                    MinEndTime = 200,
                    MaxEndTime = 400,
                    LikelyEndTime = 300,
                    TimeConfidence = 160,
                    NextStartTime = 550,
                    NextDuration = 250,
                }),
                new(LightState.ProtectedGreen, new TimeChangeDetails
                {
                    Kind = TimingKind.UtcTiming,
                    StartTime = 24412,
                    MinEndTime = 24612,
                    MaxEndTime = 24812,
                    LikelyEndTime = 24712,
                    TimeConfidence = 180,
                    NextStartTime = 24962,
                    NextDuration = 300,
                }),
            ];
            if (j == 2 && state is not null)
            {
                states[1] = state(states[1]);
            }

            phases[j] = new Phase { Id = (byte)(j + 1), PhaseStates = states };
            if (j == 2 && phase is not null)
            {
                phases[j] = phase(phases[j]);
            }
        }

        var target = new IntersectionState
        {
            IntersectionId = new NodeReferenceId(101, 22),
            Status = 0x0400,
            Moy = 478_320,
            TimeStamp = 41200,
            Phases = phases,
        };
        Spat spat = new()
        {
            MsgCnt = 5,
            Moy = 478_320,
            TimeStamp = 41200,
            Name = "Dongfeng-Feiyue",
            Intersections = [intersection is null ? target : intersection(target)],
        };
        return message is null ? spat : message(spat);
    }

    public static RegulatorySpeedLimit SpeedLimit => new(SpeedLimitType.VehicleMaxSpeed, 833);

    public static RoadPoint Point(int i) => new(-1200 * i, 850 * i);

    public static MapLane Lane(byte id) => new()
    {
        LaneId = id,
        LaneWidth = 350,
        LaneAttributes = new LaneAttributes(LaneType.Vehicle, 0x01, 0x001),
        Maneuvers = AllowedManeuvers.Straight | AllowedManeuvers.Right,
        ConnectsTo =
        [
            new Connection(new NodeReferenceId(103), new ConnectingLane(1, AllowedManeuvers.Straight), 2),
            new Connection(new NodeReferenceId(104), new ConnectingLane(2, AllowedManeuvers.Right), 3),
        ],
        SpeedLimits = [SpeedLimit],
        Points = [Point(1), Point(2)],
    };

    public static MapLink Link(ushort upstream, Func<MapLane, MapLane>? lane = null) => new()
    {
        Name = "Dongfeng St EB",
        UpstreamNodeId = new NodeReferenceId(upstream),
        SpeedLimits = [SpeedLimit],
        LinkWidth = 1050,
        Points = [Point(3), Point(4)],
        Movements = [new Movement(new NodeReferenceId(103), 2)],
        Lanes = [lane is null ? Lane(1) : lane(Lane(1)), Lane(2)],
    };

    public static MapData Map(
        Func<MapLane, MapLane>? lane = null,
        Func<MapLink, MapLink>? link = null,
        Func<MapNode, MapNode>? node = null,
        Func<MapData, MapData>? message = null)
    {
        MapLink target = Link(102, lane);
        var intersection = new MapNode
        {
            Name = "Dongfeng-Feiyue",
            Id = new NodeReferenceId(101, 22),
            RefPos = new Position3D(438470800, 1252241100, 2150),
            InLinks = [Link(105), link is null ? target : link(target)],
        };

        // An upstream node without links of its own: inLinks is OPTIONAL in the standard.
        var upstream = new MapNode { Id = new NodeReferenceId(102, 22), RefPos = new Position3D(438490800, 1252201100) };
        MapData map = new()
        {
            MsgCnt = 9,
            TimeStamp = 478_320,
            Nodes = [node is null ? intersection : node(intersection), upstream],
        };
        return message is null ? map : message(map);
    }

    public static ReferencePath Path(int points = 3) => new()
    {
        ActivePath = Enumerable.Range(0, points).Select(Point).ToArray(),
        PathRadius = 50,
    };

    public static Rsi Rsi(
        Func<RteData, RteData>? rte = null,
        Func<RtsData, RtsData>? rts = null,
        Func<Rsi, Rsi>? message = null)
    {
        RteData Event(ushort type) => new()
        {
            RteId = (byte)type,
            EventType = type,
            EventSource = EventSource.Detection,
            EventPos = new RoadPoint(120, -80),
            EventRadius = 500,
            Description = "Congestion ahead",
            TimeDetails = new RsiTimeDetails(478_300, 478_360),
            Priority = 0xC0,
            ReferencePaths = [Path()],
            EventConfidence = 180,
        };

        RtsData sign = new()
        {
            RtsId = 1,
            SignType = 38,
            SignPos = new RoadPoint(-40, 60),
            Description = "No left turn",
            TimeDetails = new RsiTimeDetails(StartTime: 478_300),
            Priority = 0x80,
            ReferencePaths = [Path(2)],
        };

        Rsi rsi = new()
        {
            MsgCnt = 1,
            Moy = 478_320,
            Id = new OctetId8(0x5253553030303031),
            RefPos = new Position3D(438470800, 1252241100, 2150),
            Rtes = [Event(401), rte is null ? Event(707) : rte(Event(707))],
            Rtss = [rts is null ? sign : rts(sign)],
        };
        return message is null ? rsi : message(rsi);
    }
}
