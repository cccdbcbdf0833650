using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using QiZhiChunCheng.Edge.Agent;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Edge.Downlink;

/// <summary>
/// The agent's downlink (<c>V2X/RSU/{id}/RSI/DOWN</c> or <c>V2X/OBU/{id}/WARN/DOWN</c>): each message is logged with
/// its latency (now minus its <c>ts</c> user property, or a top-level <c>"ts"</c> member of the payload in UTC ms)
/// and its payload bytes forwarded unchanged as one UDP datagram to the V2X stack, when an endpoint is configured.
/// Thread-safe (MQTTnet delivers one message at a time per client anyway).
/// </summary>
public sealed class DownlinkForwarder : IAsyncDisposable
{
    private readonly IPEndPoint? _forward;
    private readonly AgentLog _log;
    private readonly AgentCounters _counters;
    private readonly TimeProvider _time;
    private readonly UdpClient? _udp;

    public DownlinkForwarder(IPEndPoint? forward, AgentLog log, AgentCounters counters, TimeProvider time)
    {
        _forward = forward;
        _log = log;
        _counters = counters;
        _time = time;
        _udp = forward is null ? null : new UdpClient(forward.AddressFamily);
    }

    public async ValueTask HandleAsync(DeviceDownlink message)
    {
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long? generated = message.GeneratedUtcMs ?? PayloadTs(message.Payload);
        string latency = generated is { } ts ? $"{now - ts} ms" : "unknown (no ts)";
        _counters.CountDownlink();
        string forwarded = "";
        if (_udp is not null)
        {
            try
            {
                await _udp.SendAsync(message.Payload, _forward!);
                forwarded = $", forwarded to udp {_forward}";
            }
            catch (SocketException ex)
            {
                forwarded = $", NOT forwarded to udp {_forward}: {ex.SocketErrorCode}";
            }
        }

        _log.Info($"downlink {message.Topic}: {message.Payload.Length} bytes, latency {latency}{forwarded}");
    }

    public ValueTask DisposeAsync()
    {
        _udp?.Dispose();
        return ValueTask.CompletedTask;
    }

    private static long? PayloadTs(byte[] payload)
    {
        try
        {
            Utf8JsonReader reader = new(payload);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("ts"u8) && reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long ts))
                {
                    return ts;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON: forwarded all the same, latency unknown.
        }

        return null;
    }
}
