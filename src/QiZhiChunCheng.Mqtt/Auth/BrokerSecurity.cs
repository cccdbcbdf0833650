using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace QiZhiChunCheng.Mqtt.Auth;

/// <summary>
/// Turns on device authentication and topic rights for an <see cref="EmbeddedBroker"/>: every CONNECT must name a
/// device of <see cref="Devices"/> (user name = device id, and its password; or a TLS client certificate whose
/// SHA-256 thumbprint is registered), and what a device publishes and subscribes to is checked against
/// <see cref="DeviceRights"/>.
/// </summary>
public sealed record BrokerSecurity(DeviceRegistry Devices)
{
    /// <summary>The topic scheme whose zone prefix the rights use (the cloud's own <see cref="V2xTopics"/>).</summary>
    public V2xTopics Topics { get; init; } = new();

    /// <summary>
    /// The broker's certificate, with its private key: when set the broker also listens with TLS on
    /// <see cref="TlsPort"/> and asks for (does not require) client certificates.
    /// </summary>
    public X509Certificate2? TlsCertificate { get; init; }

    /// <summary>The TLS port (8883 by convention; 0: a free one, see <see cref="EmbeddedBroker.TlsEndpoint"/>).</summary>
    public int TlsPort { get; init; } = 8883;

    /// <summary>Whether the plain TCP endpoint stays open beside TLS (passwords then cross the network in clear).</summary>
    public bool PlainEndpoint { get; init; } = true;

    /// <summary>Where refusals are reported, one line each (never a password); null: nowhere.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>At most one log line per device and reason in this interval; the rest are counted and summed up in the next line.</summary>
    public TimeSpan LogEvery { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>Why the secured broker refused something.</summary>
public enum RefusalReason
{
    /// <summary>CONNECT: no registered device has that user name or certificate.</summary>
    UnknownDevice,

    /// <summary>CONNECT: the password is not the device's.</summary>
    BadPassword,

    /// <summary>CONNECT: the device is registered with a certificate and did not present it.</summary>
    CertificateRequired,

    /// <summary>CONNECT: an rsu or vehicle used a client id other than its device id, or a client id is reserved or taken by a device.</summary>
    ClientIdNotAllowed,

    /// <summary>PUBLISH to a topic outside the device's rights.</summary>
    PublishNotAllowed,

    /// <summary>SUBSCRIBE to a filter outside the device's rights.</summary>
    SubscribeNotAllowed,
}

/// <summary>
/// Refusals counted per device and reason (connects of unknown devices under <see cref="UnknownDevice"/>, so a
/// stranger cannot grow the table), with rate-limited log lines. Thread-safe.
/// </summary>
public sealed class BrokerRefusals
{
    /// <summary>The device name counted for connects that matched no registered device.</summary>
    public const string UnknownDevice = "(unknown)";

    private readonly ConcurrentDictionary<(string Device, RefusalReason Reason), Counter> _counters = new();
    private readonly Action<string>? _log;
    private readonly long _logEveryMs;

    internal BrokerRefusals(Action<string>? log, TimeSpan logEvery)
    {
        _log = log;
        _logEveryMs = (long)logEvery.TotalMilliseconds;
    }

    /// <summary>How many times <paramref name="device"/> was refused for <paramref name="reason"/>.</summary>
    public long Count(string device, RefusalReason reason) => _counters.TryGetValue((device, reason), out Counter? c) ? Interlocked.Read(ref c.Total) : 0;

    /// <summary>Every refusal count, by device and reason.</summary>
    public IReadOnlyList<(string Device, RefusalReason Reason, long Count)> Snapshot()
    {
        List<(string, RefusalReason, long)> list = [];
        foreach (KeyValuePair<(string Device, RefusalReason Reason), Counter> pair in _counters)
        {
            list.Add((pair.Key.Device, pair.Key.Reason, Interlocked.Read(ref pair.Value.Total)));
        }

        list.Sort((a, b) => (string.CompareOrdinal(a.Item1, b.Item1), a.Item2.CompareTo(b.Item2)) switch { (0, int r) => r, (int d, _) => d });
        return list;
    }

    /// <summary>Counts a refusal and logs <paramref name="detail"/> unless this device and reason logged within the interval.</summary>
    internal void Refuse(string device, RefusalReason reason, string detail)
    {
        Counter counter = _counters.GetOrAdd((device, reason), static _ => new Counter());
        Interlocked.Increment(ref counter.Total);
        if (_log is null)
        {
            return;
        }

        long now = Environment.TickCount64;
        long last = Interlocked.Read(ref counter.LastLogMs);
        if (last != 0 && now - last < _logEveryMs)
        {
            Interlocked.Increment(ref counter.Suppressed);
            return;
        }

        if (Interlocked.CompareExchange(ref counter.LastLogMs, now, last) != last)
        {
            Interlocked.Increment(ref counter.Suppressed);
            return;
        }

        long suppressed = Interlocked.Exchange(ref counter.Suppressed, 0);
        _log(suppressed == 0 ? detail : string.Create(CultureInfo.InvariantCulture, $"{detail} (and {suppressed} more like it since the last report)"));
    }

    private sealed class Counter
    {
        public long Total;
        public long LastLogMs;
        public long Suppressed;
    }
}
