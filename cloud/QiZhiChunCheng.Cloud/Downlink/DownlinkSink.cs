using System.Globalization;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Cloud.Downlink;

/// <summary>Publishes one downlink message (QoS 1): the embedded broker's injection, or an MQTT client of an external broker.</summary>
public delegate Task DownlinkPublisher(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

/// <summary>
/// Sends warnings back to the road. For each event phase raised (onset, update, clear):
/// <list type="bullet">
/// <item>to every RSU of the zone whose coverage polygon contains the event, an RSI on <c>V2X/RSU/{id}/RSI/DOWN</c>
/// for the RSU to broadcast: the RSU's own id, the event's position as reference, one road traffic event (RTE) with
/// the platform's event code, a 50 m radius, the priority from the severity, and a description
/// <c>"{TYPE} {phase} {event id}"</c> (a clear tells the RSU to stop broadcasting it);</item>
/// <item>to every test vehicle among the participants whose BSM id ingest has seen on its own uplink
/// (<see cref="VehicleDirectory"/>), the event as JSON (<see cref="EventJson"/>) on <c>V2X/OBU/{id}/WARN/DOWN</c>.</item>
/// </list>
/// Counted in <see cref="Sent"/>; a failed publish is retried by the worker with the whole batch (devices see a
/// phase at least once; the event id tells repeats apart).
/// </summary>
public sealed class DownlinkSink : IEventSink
{
    /// <summary>RTE event codes 900 + the platform's event type: a private range for cloud-computed warnings.</summary>
    public const ushort EventCodeBase = 900;

    private readonly DownlinkPublisher _publish;
    private readonly V2xTopics _topics;
    private readonly IReadOnlyList<RsuSite> _rsus;
    private readonly VehicleDirectory _vehicles;
    private long _toRsus;
    private long _toVehicles;
    private int _msgCnt;

    public DownlinkSink(DownlinkPublisher publish, V2xTopics topics, IReadOnlyList<RsuSite> rsus, VehicleDirectory vehicles)
    {
        _publish = publish;
        _topics = topics;
        _rsus = rsus;
        _vehicles = vehicles;
    }

    /// <summary>RSI messages published to RSUs.</summary>
    public long SentToRsus => Interlocked.Read(ref _toRsus);

    /// <summary>Warnings published to vehicles.</summary>
    public long SentToVehicles => Interlocked.Read(ref _toVehicles);

    public long Sent => SentToRsus + SentToVehicles;

    public async ValueTask WriteAsync(IReadOnlyList<V2xEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        List<Task> sends = [];
        foreach (V2xEvent e in events)
        {
            int lat = (int)Math.Round(e.LatitudeDeg * 1e7);
            int lon = (int)Math.Round(e.LongitudeDeg * 1e7);
            foreach (RsuSite rsu in _rsus)
            {
                if (Covers(rsu.Coverage.AsSpan(), lat, lon))
                {
                    byte[] payload = JsonCodec.Encode(new V2xMessage(default, RsiFor(e, rsu, lat, lon)));
                    Interlocked.Increment(ref _toRsus);
                    sends.Add(_publish(_topics.Downlink(SourceKind.Rsu, rsu.Id), payload, cancellationToken));
                }
            }

            byte[]? warning = null;
            foreach (string participant in e.Participants)
            {
                if (_vehicles.TryFind(participant, out DeviceId vehicle))
                {
                    warning ??= EventJson.Serialize(e);
                    Interlocked.Increment(ref _toVehicles);
                    sends.Add(_publish(_topics.Downlink(SourceKind.Obu, vehicle), warning, cancellationToken));
                }
            }
        }

        await Task.WhenAll(sends);
    }

    /// <summary>The RSI an RSU broadcasts for an event.</summary>
    public Rsi RsiFor(V2xEvent e, RsuSite rsu, int lat, int lon)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(rsu);
        string description = string.Create(CultureInfo.InvariantCulture, $"{V2xEvent.TypeCode(e.Type)} {e.Phase.ToString().ToLowerInvariant()} {e.Id}");
        return new Rsi
        {
            MsgCnt = (byte)((Interlocked.Increment(ref _msgCnt) & int.MaxValue) % 128),
            Moy = MinuteOfYear(e.EventTimeUtcMs),
            Id = rsu.RsuId,
            RefPos = new Position3D(lat, lon),
            Rtes = new ValueArray<RteData>([
                new RteData
                {
                    RteId = (byte)(BusEventSink.StableHash(e.Id) % 256),
                    EventType = (ushort)(EventCodeBase + (int)e.Type),
                    EventSource = EventSource.Detection,
                    EventPos = new RoadPoint(0, 0),
                    EventRadius = 50 * 10,
                    Description = description.Length <= 256 ? description : description[..256],
                    Priority = (byte)Math.Clamp(e.Severity * 2, 0, 7),
                },
            ]),
        };
    }

    private static uint MinuteOfYear(long utcMs)
    {
        DateTimeOffset t = DateTimeOffset.FromUnixTimeMilliseconds(utcMs);
        return (uint)(t - new DateTimeOffset(t.Year, 1, 1, 0, 0, 0, TimeSpan.Zero)).TotalMinutes;
    }

    /// <summary>Ray casting over the polygon's vertices (1e-7 degree; the polygon is not closed).</summary>
    public static bool Covers(ReadOnlySpan<Position3D> polygon, int lat, int lon)
    {
        bool inside = false;
        for (int i = 0, j = polygon.Length - 1; i < polygon.Length; j = i++)
        {
            double yi = polygon[i].Lat, xi = polygon[i].Long, yj = polygon[j].Lat, xj = polygon[j].Long;
            if ((yi > lat) != (yj > lat) && lon < ((xj - xi) * (lat - yi) / (yj - yi)) + xi)
            {
                inside = !inside;
            }
        }

        return inside;
    }
}
