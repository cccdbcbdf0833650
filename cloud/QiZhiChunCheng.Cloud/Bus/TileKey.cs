using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Cloud.Bus;

/// <summary>
/// The bus key: the spatial tile of a message, so neighbours land on one worker. A tile is 0.005 deg of latitude by
/// 0.005 deg of longitude (about 555 m by 400 m in Changchun). Worked example: 43.8471 N 125.2241 E is in tile
/// row floor(43.8471 / 0.005) = 8769 and column floor(125.2241 / 0.005) = 25044; shifted to be non-negative
/// (+18000, +36000) the key is <c>(26769 &lt;&lt; 32) | 61044</c>. Messages without a position (SPAT) are keyed
/// by their intersection id with the top bit set.
/// <para>
/// BSMs are keyed by vehicle, not by tile (bit 62 set): a vehicle that crosses a tile edge would otherwise move
/// to another partition mid-event, and its per-vehicle state (SLW's one-second timer, an active event) would be
/// split between two engines, so the events would depend on the number of partitions. Tile keys for BSMs come
/// back with the halo copies and tile ownership of the pipeline, which hand a vehicle's state over at the edge.
/// </para>
/// Pure functions, allocation-free.
/// </summary>
public static class TileKey
{
    public const double TileDeg = 0.005;
    private const ulong NoPositionFlag = 1UL << 63;
    private const ulong VehicleFlag = 1UL << 62;

    public static ulong ForPosition(int lat1e7, int long1e7)
    {
        long latIndex = (long)Math.Floor((lat1e7 * 1e-7) / TileDeg) + 18000;
        long lonIndex = (long)Math.Floor((long1e7 * 1e-7) / TileDeg) + 36000;
        return ((ulong)latIndex << 32) | (uint)lonIndex;
    }

    /// <summary>The key of a vehicle's own stream: its 8-octet id in the low 62 bits, bit 62 set.</summary>
    public static ulong ForVehicle(OctetId8 id) => VehicleFlag | (id.Value & (VehicleFlag - 1));

    public static ulong For(in V2xMessage message) => message.Type switch
    {
        MessageType.Bsm => ForVehicle(message.Bsm.Id),
        MessageType.Rsm => ForPosition(message.Rsm.RefPos.Lat, message.Rsm.RefPos.Long),
        MessageType.Rsi => ForPosition(message.Rsi.RefPos.Lat, message.Rsi.RefPos.Long),
        MessageType.Map => message.Map.Nodes.Count > 0 ? ForPosition(message.Map.Nodes[0].RefPos.Lat, message.Map.Nodes[0].RefPos.Long) : NoPositionFlag,
        MessageType.Spat => NoPositionFlag | (message.Spat.Intersections.Count > 0 ? message.Spat.Intersections[0].IntersectionId.Id : 0u),
        _ => NoPositionFlag,
    };

    /// <summary>The partition of a key: a stable 64-bit mix (never string or object hash codes, which vary by process).</summary>
    public static int Partition(ulong key, int partitions)
    {
        ulong x = key;
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        return (int)(x % (ulong)partitions);
    }
}
