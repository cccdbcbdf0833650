using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Cloud.Bus;

/// <summary>
/// Decides which partitions a message goes to, the same way for every bus (in-process or Kafka): the partition of
/// its home tile plus those of the tiles within <see cref="HaloM"/> of it (the halo copies), and which partition owns
/// an event (the partition of the tile its position is in). A worker sees everything within interaction range of
/// its own tiles and emits only the events anchored in them, so the set of events does not depend on the number of
/// partitions or workers.
/// <list type="bullet">
/// <item>BSM: the vehicle's position.</item>
/// <item>RSM: every participant's position (and the RSU's reference position), so one copy of the frame reaches
/// each partition that any of its participants matters to.</item>
/// <item>SPAT, MAP, RSI: every partition. They are few (a junction's SPAT is 10 Hz, MAP and RSI about 1 Hz) and
/// every engine needs the signal state, the lane map and the road events of its area; sending them everywhere is
/// cheaper than working out reach for each.</item>
/// </list>
/// The halo is a latitude/longitude box around each position, widened to whole tiles: a superset of the circle of
/// <see cref="HaloM"/>, never less. Thread-safe and allocation-free.
/// </summary>
public sealed class TileRouter
{
    /// <summary>
    /// The default halo: the longest interaction range of the detectors (300 m for AVW, CLW, EVW, GLOSA and IVS) plus
    /// 20 m for a vehicle's length and the distance it covers in one message interval.
    /// </summary>
    public const double DefaultHaloM = 320;

    private const double MetresPerDegreeLat = 111_320;

    public TileRouter(int partitions, double haloM = DefaultHaloM)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(haloM);
        Partitions = partitions;
        HaloM = haloM;
    }

    public int Partitions { get; }

    public double HaloM { get; }

    /// <summary>The largest number of partitions <see cref="Route"/> can write (its span must be this long).</summary>
    public int MaxRoutes => Partitions;

    /// <summary>
    /// Writes the distinct partitions the message goes to into <paramref name="partitions"/> (at least
    /// <see cref="MaxRoutes"/> long) and returns how many; the first is the home tile's partition.
    /// </summary>
    public int Route(in V2xMessage message, Span<int> partitions)
    {
        if (Partitions == 1)
        {
            partitions[0] = 0;
            return 1;
        }

        int count = 0;
        switch (message.Type)
        {
            case MessageType.Bsm:
                count = AddWithHalo(message.Bsm.Pos, partitions, count);
                break;
            case MessageType.Rsm:
                Rsm rsm = message.Rsm;
                count = AddWithHalo(rsm.RefPos, partitions, count);
                for (int i = 0; i < rsm.Participants.Count && count < Partitions; i++)
                {
                    count = AddWithHalo(rsm.Participants[i].Pos, partitions, count);
                }

                break;
            default:
                for (int p = 0; p < Partitions; p++)
                {
                    partitions[p] = p;
                }

                return Partitions;
        }

        return count;
    }

    /// <summary>The bus key of a message: its home tile (<see cref="TileKey.ForPosition"/>), or the zone key for broadcast types.</summary>
    public static ulong KeyOf(in V2xMessage message) => message.Type switch
    {
        MessageType.Bsm => TileKey.ForPosition(message.Bsm.Pos.Lat, message.Bsm.Pos.Long),
        MessageType.Rsm => TileKey.ForPosition(message.Rsm.RefPos.Lat, message.Rsm.RefPos.Long),
        _ => TileKey.ZoneKey,
    };

    /// <summary>The partition that owns the tile of a position.</summary>
    public int OwnerOf(double latitudeDeg, double longitudeDeg) =>
        Partitions == 1 ? 0 : TileKey.Partition(TileKey.ForPosition((int)Math.Round(latitudeDeg * 1e7), (int)Math.Round(longitudeDeg * 1e7)), Partitions);

    /// <summary>True when <paramref name="partition"/> owns the position, so its worker emits events anchored there.</summary>
    public bool Owns(int partition, double latitudeDeg, double longitudeDeg) => OwnerOf(latitudeDeg, longitudeDeg) == partition;

    private int AddWithHalo(Position3D pos, Span<int> partitions, int count)
    {
        double lat = pos.Lat * 1e-7;
        double lon = pos.Long * 1e-7;
        double dLat = HaloM / MetresPerDegreeLat;
        double dLon = HaloM / (MetresPerDegreeLat * Math.Max(0.01, Math.Cos(lat * Math.PI / 180)));
        long row0 = (long)Math.Floor((lat - dLat) / TileKey.TileDeg);
        long row1 = (long)Math.Floor((lat + dLat) / TileKey.TileDeg);
        long col0 = (long)Math.Floor((lon - dLon) / TileKey.TileDeg);
        long col1 = (long)Math.Floor((lon + dLon) / TileKey.TileDeg);

        // The home tile first, so Route's first entry is the home partition.
        count = Add(TileKey.Partition(TileKey.ForPosition(pos.Lat, pos.Long), Partitions), partitions, count);
        for (long row = row0; row <= row1; row++)
        {
            for (long col = col0; col <= col1; col++)
            {
                count = Add(TileKey.Partition(TileKey.ForTile(row, col), Partitions), partitions, count);
            }
        }

        return count;
    }

    private static int Add(int partition, Span<int> partitions, int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (partitions[i] == partition)
            {
                return count;
            }
        }

        partitions[count] = partition;
        return count + 1;
    }
}
