using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Tests.Harness;

namespace QiZhiChunCheng.Engine.Tests.Detectors;

/// <summary>A vehicle driving along its heading from a start pose at a constant acceleration (until it stops): a BSM every 100 ms.</summary>
internal sealed record Driver(ulong Id, LanePose Start, double SpeedMps, ExteriorLights? Lights = null, double AccelMps2 = 0)
{
    public LanePose At(long tMs)
    {
        double t = Math.Min(tMs / 1000.0, StopS);
        return Start.Ahead((SpeedMps * t) + (0.5 * AccelMps2 * t * t));
    }

    public double SpeedAt(long tMs) => Math.Max(0, SpeedMps + (AccelMps2 * tMs / 1000.0));

    public double AccelAt(long tMs) => tMs / 1000.0 < StopS ? AccelMps2 : 0;

    private double StopS => AccelMps2 < 0 ? SpeedMps / -AccelMps2 : double.PositiveInfinity;
}

/// <summary>A pedestrian or cyclist an RSU reports at constant speed along its heading.</summary>
internal sealed record Walker(ushort PtcId, ParticipantType Type, LanePose Start, double SpeedMps)
{
    public RsmTarget At(long tMs) => new(PtcId, Type, Start.Ahead(SpeedMps * tMs / 1000.0), SpeedMps);
}

/// <summary>Feeds drivers and walkers through a scene at 10 Hz with consistent kinematics.</summary>
internal static class ConflictDrive
{
    public const ulong RsuId = 0x5253550001;

    /// <summary>Messages every 100 ms from <paramref name="fromMs"/> to <paramref name="toMs"/> inclusive.</summary>
    public static void Run(Scene scene, long fromMs, long toMs, Driver[] drivers, Walker[]? walkers = null)
    {
        for (long t = fromMs; t <= toMs; t += 100)
        {
            foreach (Driver d in drivers)
            {
                scene.Feed(scene.Bsm(d.Id, t, d.At(t), d.SpeedAt(t), accelMps2: d.AccelAt(t), lights: d.Lights));
            }

            if (walkers is { Length: > 0 })
            {
                RsmTarget[] targets = new RsmTarget[walkers.Length];
                for (int i = 0; i < walkers.Length; i++)
                {
                    targets[i] = walkers[i].At(t);
                }

                scene.Feed(scene.Rsm(RsuId, t, targets));
            }
        }
    }

    public static string Name(ulong bsmId) => new OctetId8(bsmId).ToString();

    public static string RoadsideName(ushort ptcId) => $"{new OctetId8(RsuId)}:{ptcId}";
}

/// <summary>Looks up the map's conflict area between the connections two lanes take for given manoeuvres.</summary>
internal static class MapConflicts
{
    /// <summary>Entry and exit along each of the two connections (metres past its stop line) and the area's centroid.</summary>
    public static (double EntryA, double ExitA, double EntryB, double ExitB, double X, double Y) Between(
        Scene scene, (ushort Node, ushort Upstream, byte Lane) a, AllowedManeuvers maneuverA, (ushort Node, ushort Upstream, byte Lane) b, AllowedManeuvers maneuverB)
    {
        Engine.Map.LaneMap map = scene.Map;
        int ca = ConnectionOf(map, map.FindLane(new NodeReferenceId(a.Node), new NodeReferenceId(a.Upstream), a.Lane), maneuverA);
        int cb = ConnectionOf(map, map.FindLane(new NodeReferenceId(b.Node), new NodeReferenceId(b.Upstream), b.Lane), maneuverB);
        foreach (Engine.Map.MapConflictArea area in map.ConflictAreas)
        {
            if (area.ConnectionA == ca && area.ConnectionB == cb)
            {
                return (area.EntryAM, area.ExitAM, area.EntryBM, area.ExitBM, area.CentroidXM, area.CentroidYM);
            }

            if (area.ConnectionA == cb && area.ConnectionB == ca)
            {
                return (area.EntryBM, area.ExitBM, area.EntryAM, area.ExitAM, area.CentroidXM, area.CentroidYM);
            }
        }

        throw new InvalidOperationException("the two paths do not meet");
    }

    private static int ConnectionOf(Engine.Map.LaneMap map, int lane, AllowedManeuvers maneuver)
    {
        Engine.Map.MapLaneInfo info = map.Lanes[lane];
        for (int c = info.FirstConnection; c < info.FirstConnection + info.ConnectionCount; c++)
        {
            if ((map.Connections[c].Maneuver & maneuver) != 0)
            {
                return c;
            }
        }

        throw new InvalidOperationException($"lane {lane} has no {maneuver} connection");
    }
}
