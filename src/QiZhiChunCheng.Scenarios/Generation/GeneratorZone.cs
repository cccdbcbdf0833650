using QiZhiChunCheng.Core.Geo;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.NetTopologySuite;

namespace QiZhiChunCheng.Scenarios.Generation;

/// <summary>An RSU of the zone in the lane map's local frame.</summary>
public sealed record GeneratorRsu(RsuSite Site, double XM, double YM)
{
    public string DeviceId => Site.Id.ToString();

    public OctetId8 RsuId => Site.RsuId;
}

/// <summary>
/// The default zone as the generator drives it: the compiled lane map (lanes, connections through the junctions,
/// crosswalks), the RSUs and the fixed-time signal plans. Built once; immutable and thread-safe.
/// </summary>
public sealed class GeneratorZone
{
    private static readonly Lazy<GeneratorZone> DefaultZone = new(() => new GeneratorZone(ZoneMapLoader.Default));

    public GeneratorZone(ZoneMap zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        Map = zone.RequireLaneMap();
        List<GeneratorRsu> rsus = [];
        foreach (RsuSite site in zone.Rsus)
        {
            (double x, double y) = Map.Frame.ToLocal(site.Pos.Lat * 1e-7, site.Pos.Long * 1e-7);
            rsus.Add(new GeneratorRsu(site, x, y));
        }

        Rsus = rsus;
        SignalPlans = zone.SignalPlans;
    }

    /// <summary>The embedded default zone (qizhi-dongfeng).</summary>
    public static GeneratorZone Default => DefaultZone.Value;

    public LaneMap Map { get; }

    public LocalFrame Frame => Map.Frame;

    public IReadOnlyList<GeneratorRsu> Rsus { get; }

    public IReadOnlyList<IntersectionSignalPlan> SignalPlans { get; }

    public IntersectionSignalPlan? PlanOf(ushort node)
    {
        foreach (IntersectionSignalPlan p in SignalPlans)
        {
            if (p.Id.Id == node)
            {
                return p;
            }
        }

        return null;
    }

    /// <summary>The lane index of lane <paramref name="laneId"/> of the link from <paramref name="upstream"/> into <paramref name="node"/>.</summary>
    public int Lane(ushort node, ushort upstream, byte laneId)
    {
        int lane = Map.FindLane(new NodeReferenceId(node), new NodeReferenceId(upstream), laneId);
        return lane >= 0 ? lane : throw new ArgumentException($"the zone has no lane {laneId} from node {upstream} into node {node}");
    }

    /// <summary>The RSU nearest to a point (the one that publishes a junction's SPAT, or an RSI there).</summary>
    public GeneratorRsu NearestRsu(double x, double y)
    {
        GeneratorRsu best = Rsus[0];
        double bestD = double.MaxValue;
        foreach (GeneratorRsu r in Rsus)
        {
            double d = ((r.XM - x) * (r.XM - x)) + ((r.YM - y) * (r.YM - y));
            if (d < bestD)
            {
                bestD = d;
                best = r;
            }
        }

        return best;
    }

    /// <summary>The position of MAP node <paramref name="node"/>.</summary>
    public (double X, double Y) NodePosition(ushort node)
    {
        int n = Map.FindNode(new NodeReferenceId(node));
        return n >= 0 ? (Map.Nodes[n].XM, Map.Nodes[n].YM) : throw new ArgumentException($"the zone has no node {node}");
    }

    /// <summary>The crosswalk over the arm of <paramref name="node"/> whose approach comes from <paramref name="upstream"/>: kerb to kerb.</summary>
    public (double X1, double Y1, double X2, double Y2) Crosswalk(ushort node, ushort upstream)
    {
        int nodeIndex = Map.FindNode(new NodeReferenceId(node));
        foreach (MapCrosswalkInfo c in Map.Crosswalks)
        {
            MapLaneInfo lane = Map.Lanes[c.Lane];
            MapLinkInfo link = Map.Links[lane.Link];
            if (lane.Node == nodeIndex && link.UpstreamId.Id == upstream)
            {
                int a = lane.FirstPoint, b = lane.FirstPoint + lane.PointCount - 1;
                return (Map.PointX[a], Map.PointY[a], Map.PointX[b], Map.PointY[b]);
            }
        }

        throw new ArgumentException($"no crosswalk on the arm of node {node} towards node {upstream}");
    }
}
