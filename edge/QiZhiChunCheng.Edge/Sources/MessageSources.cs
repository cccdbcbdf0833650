using System.Globalization;
using System.Net;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Edge.Sources;

/// <summary>Turns a <c>--source</c> text into a source.</summary>
public static class MessageSources
{
    /// <summary>
    /// <c>sim:dongfeng</c> (default), <c>sim:PATH</c> (a scenario folder with <c>truth.jsonl</c>),
    /// <c>sim:load:RATE</c>, <c>udp:PORT</c>, <c>udp:HOST:PORT</c>, <c>replay:FILE</c>. Throws
    /// <see cref="FormatException"/> with a reason for anything else.
    /// </summary>
    public static IMessageSource Parse(string spec, V2xTopics topics)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        string scheme = colon < 0 ? spec : spec[..colon];
        string rest = colon < 0 ? "" : spec[(colon + 1)..];
        switch (scheme)
        {
            case "sim" when rest is "" or "dongfeng":
                return SimulationSource.Dongfeng();
            case "sim" when rest.StartsWith("load:", StringComparison.Ordinal):
                return int.TryParse(rest.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int rate)
                    ? new LoadSource(rate)
                    : throw new FormatException($"'{spec}': sim:load:RATE needs a whole number of messages per second");
            case "sim":
                return Directory.Exists(rest)
                    ? SimulationSource.FromScenario(rest)
                    : throw new FormatException($"'{spec}': '{rest}' is neither 'dongfeng' nor a scenario folder");
            case "udp":
                return new UdpSource(ParseBind(spec, rest));
            case "replay":
                return File.Exists(rest) ? new ReplaySource(rest, topics) : throw new FormatException($"'{spec}': no file '{rest}'");
            default:
                throw new FormatException($"'{spec}' is not a source: use sim:dongfeng, sim:PATH, sim:load:RATE, udp:PORT or replay:FILE");
        }
    }

    private static IPEndPoint ParseBind(string spec, string rest)
    {
        int colon = rest.LastIndexOf(':');
        string host = colon < 0 ? "0.0.0.0" : rest[..colon];
        string port = colon < 0 ? rest : rest[(colon + 1)..];
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p > 65535 || !IPAddress.TryParse(host, out IPAddress? address))
        {
            throw new FormatException($"'{spec}': expected udp:PORT or udp:ADDRESS:PORT");
        }

        return new IPEndPoint(address, p);
    }
}
