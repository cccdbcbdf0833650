namespace QiZhiChunCheng.Cloud.Bus;

/// <summary>
/// The bus key: the spatial tile of a position, so neighbours land on one worker. A tile is 0.005 deg of latitude by
/// 0.005 deg of longitude (about 555 m by 400 m in Changchun; the zone spans about 8 by 4 tiles). Worked example:
/// 43.8471 N 125.2241 E is in tile row floor(43.8471 / 0.005) = 8769 and column floor(125.2241 / 0.005) = 25044;
/// shifted to be non-negative (+18000, +36000) the key is <c>(26769 &lt;&lt; 32) | 61044</c>. Messages that go to
/// every partition (SPAT, MAP, RSI) carry <see cref="ZoneKey"/>. Which partitions a message goes to, with its halo
/// copies, is <see cref="TileRouter"/>'s decision. Pure functions, allocation-free.
/// </summary>
public static class TileKey
{
    public const double TileDeg = 0.005;

    /// <summary>The key of messages that every partition gets (bit 61 set: no tile has it).</summary>
    public const ulong ZoneKey = 1UL << 61;

    public static ulong ForPosition(int lat1e7, int long1e7) =>
        ForTile((long)Math.Floor((lat1e7 * 1e-7) / TileDeg), (long)Math.Floor((long1e7 * 1e-7) / TileDeg));

    /// <summary>The key of the tile in row <paramref name="row"/> (floor(lat / TileDeg)) and column <paramref name="column"/> (floor(lon / TileDeg)).</summary>
    public static ulong ForTile(long row, long column) => ((ulong)(row + 18000) << 32) | (uint)(column + 36000);

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
