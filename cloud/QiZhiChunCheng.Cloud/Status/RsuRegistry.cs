using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Cloud.Status;

/// <summary>The state of one RSU as <c>GET /api/rsus</c> shows it.</summary>
public sealed record RsuStatus(
    string Id,
    string? Name,
    double? LatitudeDeg,
    double? LongitudeDeg,
    bool Online,
    long? LastHeartbeatUtcMs,
    long? LastMessageUtcMs,
    long Messages,
    double MessagesPerSecond,
    IReadOnlyDictionary<string, double> RatesByType);

/// <summary>
/// What the cloud knows of each RSU: the zone's RSU sites, and from every uplink publish (fed by the broker's
/// callback) the last heartbeat, the last message and message rates by type over the last
/// <see cref="WindowSeconds"/> seconds. An RSU is online when it was heard (heartbeat or message) within
/// <see cref="OnlineAfterMs"/> (three heartbeat periods of 5 s). Thread-safe; one lock per publish.
/// </summary>
public sealed class RsuRegistry
{
    public const int WindowSeconds = 10;
    public const long OnlineAfterMs = 15_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Device> _devices = new(StringComparer.Ordinal);
    private readonly V2xTopics _topics;
    private readonly TimeProvider _time;

    public RsuRegistry(V2xTopics topics, TimeProvider time, IEnumerable<RsuSite> sites)
    {
        ArgumentNullException.ThrowIfNull(sites);
        _topics = topics;
        _time = time;
        foreach (RsuSite site in sites)
        {
            _devices[site.Id.ToString()] = new Device(site.Name, site.Pos.LatitudeDeg, site.Pos.LongitudeDeg);
        }
    }

    /// <summary>Counts one uplink publish by its topic (RSU topics only; vehicles and other topics are ignored).</summary>
    public void Observe(string topic)
    {
        if (!_topics.TryParse(topic, out TopicInfo info) || !info.Uplink || info.Kind != SourceKind.Rsu)
        {
            return;
        }

        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        string id = info.DeviceId.ToString();
        lock (_gate)
        {
            if (!_devices.TryGetValue(id, out Device? device))
            {
                device = new Device(null, null, null);
                _devices[id] = device;
            }

            if (info.Channel == TopicChannel.Heartbeat)
            {
                device.LastHeartbeat = now;
            }
            else if (info.Channel == TopicChannel.Message)
            {
                device.Count(info.MessageType, now);
            }
        }
    }

    public IReadOnlyList<RsuStatus> Snapshot()
    {
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        List<RsuStatus> result = [];
        lock (_gate)
        {
            foreach ((string id, Device d) in _devices.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                long heard = Math.Max(d.LastHeartbeat ?? long.MinValue, d.LastMessage ?? long.MinValue);
                Dictionary<string, double> rates = [];
                double total = 0;
                foreach (MessageType type in Enum.GetValues<MessageType>())
                {
                    long inWindow = d.InWindow(type, now);
                    if (inWindow > 0)
                    {
                        double rate = Math.Round(inWindow / (double)WindowSeconds, 1);
                        rates[V2xTopics.TypeSegment(type)] = rate;
                        total += rate;
                    }
                }

                result.Add(new RsuStatus(id, d.Name, d.Lat, d.Lon, heard != long.MinValue && now - heard <= OnlineAfterMs, d.LastHeartbeat, d.LastMessage, d.Messages, Math.Round(total, 1), rates));
            }
        }

        return result;
    }

    private sealed class Device(string? name, double? lat, double? lon)
    {
        // Per message type, a ring of per-second counts over the window (+1 slot for the second in progress).
        private readonly long[,] _counts = new long[8, WindowSeconds + 1];
        private readonly long[,] _seconds = new long[8, WindowSeconds + 1];

        public string? Name { get; } = name;

        public double? Lat { get; } = lat;

        public double? Lon { get; } = lon;

        public long? LastHeartbeat { get; set; }

        public long? LastMessage { get; private set; }

        public long Messages { get; private set; }

        public void Count(MessageType type, long nowMs)
        {
            int t = (int)type & 7;
            long second = nowMs / 1000;
            int slot = (int)(second % (WindowSeconds + 1));
            if (_seconds[t, slot] != second)
            {
                _seconds[t, slot] = second;
                _counts[t, slot] = 0;
            }

            _counts[t, slot]++;
            Messages++;
            LastMessage = nowMs;
        }

        /// <summary>Messages of the last <see cref="WindowSeconds"/> whole seconds.</summary>
        public long InWindow(MessageType type, long nowMs)
        {
            int t = (int)type & 7;
            long current = nowMs / 1000;
            long sum = 0;
            for (int slot = 0; slot <= WindowSeconds; slot++)
            {
                long second = _seconds[t, slot];
                if (second < current && second >= current - WindowSeconds)
                {
                    sum += _counts[t, slot];
                }
            }

            return sum;
        }
    }
}
