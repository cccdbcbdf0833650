using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Map;

namespace QiZhiChunCheng.Engine.Detectors.Road;

/// <summary>
/// Facts about a map's links the same-road detectors look up per tick, computed once per map: each link's opposing
/// link (the link from this link's node back to its upstream node) and the id of its innermost vehicle lane (the
/// one beside the centre line: the lowest lane id, as the MAP numbers lanes from the left). Allocates only when
/// built; read-only afterwards, so thread-safe.
/// </summary>
internal sealed class RoadTopology
{
    private readonly int[] _opposing;
    private readonly byte[] _innermostLaneId;

    public RoadTopology(LaneMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        ReadOnlySpan<MapLinkInfo> links = map.Links;
        _opposing = new int[links.Length];
        _innermostLaneId = new byte[links.Length];
        for (int l = 0; l < links.Length; l++)
        {
            _opposing[l] = -1;
            MapLinkInfo link = links[l];
            NodeReferenceId nodeId = map.Nodes[link.Node].Id;
            for (int o = 0; o < links.Length; o++)
            {
                if (o != l && link.UpstreamNode >= 0 && links[o].Node == link.UpstreamNode && links[o].UpstreamId == nodeId)
                {
                    _opposing[l] = o;
                    break;
                }
            }
        }

        ReadOnlySpan<MapLaneInfo> lanes = map.Lanes;
        for (int i = 0; i < lanes.Length; i++)
        {
            ref readonly MapLaneInfo lane = ref lanes[i];
            if (lane.Type == LaneType.Vehicle && (_innermostLaneId[lane.Link] == 0 || lane.LaneId < _innermostLaneId[lane.Link]))
            {
                _innermostLaneId[lane.Link] = lane.LaneId;
            }
        }
    }

    /// <summary>The link travelling the other way between the same two nodes, or -1.</summary>
    public int OpposingLink(int link) => (uint)link < (uint)_opposing.Length ? _opposing[link] : -1;

    /// <summary>The lane id of the link's lane beside the centre line, or 0 when the link has no vehicle lane.</summary>
    public byte InnermostLaneId(int link) => (uint)link < (uint)_innermostLaneId.Length ? _innermostLaneId[link] : (byte)0;
}
