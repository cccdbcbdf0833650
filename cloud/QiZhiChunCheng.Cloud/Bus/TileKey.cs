using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Cloud.Bus;

/// <summary>
/// The bus key: the spatial tile of a message, so neighbours land on one worker. A tile is 0.005 deg of latitude by
/// 0.005 deg of longitude (about 555 m by 400 m in Changchun). Worked example: 43.8471 N 125.2241 E is tile
/// (lat index 8769, lon index 25044), key <c>(8769 &lt;&lt; 32) | 25044</c>. Messages without a position
/// (SPAT) are keyed by their intersection id with the top bit set. Pure functions, allocation-free.
/// </summary>
public static class TileKey
{
    public const double TileDeg = 0.005;
    private const ulong NoPositionFlag = 1UL << 63;

    public static ulong ForPosition(int lat1e7, int long1e7)
    {
        long latIndex = (long)Math.Floor((lat1e7 * 1e-7) / TileDeg) + 18000;
        long lonIndex = (long)Math.Floor((long1e7 * 1e-7) / TileDeg) + 36000;
        return ((ulong)latIndex << 32) | (uint)lonIndex;
    }

    public static ulong For(in V2xMessage message) => message.Type switch
    {
        MessageType.Bsm => ForPosition(message.Bsm.Pos.Lat, message.Bsm.Pos.Long),
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
