using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace QiZhiChunCheng.Mqtt;

/// <summary>A broker address, <c>HOST:PORT</c> (port defaults to 1883).</summary>
public readonly record struct MqttEndpoint(string Host, int Port)
{
    public const int DefaultPort = 1883;

    public static MqttEndpoint Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        int colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            return new MqttEndpoint(text, DefaultPort);
        }

        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            throw new FormatException($"'{text}' is not HOST:PORT (the port must be 0..65535)");
        }

        return new MqttEndpoint(text[..colon], port);
    }

    /// <summary>A TCP port that was free a moment ago on loopback (for tests and the embedded broker's port 0).</summary>
    public static int FreeLoopbackPort()
    {
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public override string ToString() => $"{Host}:{Port}";
}
