using QiZhiChunCheng.Core.Bus;
using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Cloud.Bus;

/// <summary>
/// The bus key: the spatial tile of a message, so neighbours land on one worker. A tile is 0.005 deg of latitude by
/// 0.005 deg of longitude (about 555 m by 400 m in Changchun). Worked example: 43.8471 N 125.2241 E is in tile
/// row floor(43.8471 / 0.005) = 8769 and column floor(125.2241 / 0.005) = 25044; shifted to be non-negative
/// (+18000, +36000) the key is <c>(26769 &lt;&lt; 32) | 61044</c>. Messages without a position (SPAT) are keyed
/// by their intersection id with the top bit set.
/// <para>
/// Until the pipeline's halo copies and tile ownership exist, <see cref="For"/> gives every message of the zone
/// one key, <see cref="ZoneKey"/>, so one engine sees the whole zone. The detectors judge pairs (a vehicle and the
/// one ahead of it, a pedestrian and a turning car) and read the junction's SPAT: keyed by vehicle, two cars in
/// conflict would sit in different engines and never meet; keyed by tile without halos, a conflict across a tile
/// edge would be missed and a vehicle's state (SLW's timer, an active event) would split when it crossed. One key
/// gives the same events at any number of partitions or workers; it caps a zone at what one worker can fuse (the
/// benchmarks put that far above the demonstration corridor's traffic). <see cref="ForPosition"/> and
/// <see cref="ForVehicle"/> stay for the tiled pipeline.
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

    /// <summary>The one key of every message of the zone (bit 61 set), until tiles come with halo copies.</summary>
    public const ulong ZoneKey = 1UL << 61;

    /// <summary>The bus key of a message: <see cref="ZoneKey"/> for now (see the type's remarks).</summary>
    public static ulong For(in V2xMessage message)
    {
        _ = message.Type;
        return ZoneKey;
    }

    /// <summary>The tile key a message will have once tiles have halo copies: its position's tile, a vehicle's own key for BSMs.</summary>
    public static ulong TiledFor(in V2xMessage message) => message.Type switch
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
