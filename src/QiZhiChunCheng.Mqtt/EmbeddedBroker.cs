using System.Buffers;
using System.Net;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace QiZhiChunCheng.Mqtt;

/// <summary>
/// A publish as the broker received it, with the two user properties the platform's devices send:
/// <c>seq</c> (a per-device counter) and <c>ts</c> (generation time, UTC ms). Valid only during the callback:
/// the payload belongs to the broker.
/// </summary>
public readonly struct InboundPublish
{
    public InboundPublish(string clientId, string topic, ReadOnlySequence<byte> payload, string? seq, string? ts)
    {
        ClientId = clientId;
        Topic = topic;
        Payload = payload;
        Seq = seq;
        Ts = ts;
    }

    public string ClientId { get; }

    public string Topic { get; }

    public ReadOnlySequence<byte> Payload { get; }

    public string? Seq { get; }

    public string? Ts { get; }
}

/// <summary>
/// The MQTT broker embedded in the cloud process (MQTTnet's server). Ingest sees every publish through the
/// server's interception, with no client hop; messages are still delivered to subscribers (a recorder, a dashboard).
/// The callback runs on the broker's receive path for that client: it must be quick and must not throw.
/// </summary>
public sealed class EmbeddedBroker : IAsyncDisposable
{
    private readonly MqttServer _server;
    private readonly Func<InboundPublish, CancellationToken, ValueTask> _onPublish;

    public EmbeddedBroker(MqttEndpoint endpoint, Func<InboundPublish, CancellationToken, ValueTask> onPublish)
    {
        ArgumentNullException.ThrowIfNull(onPublish);
        Port = endpoint.Port == 0 ? MqttEndpoint.FreeLoopbackPort() : endpoint.Port;
        Endpoint = endpoint with { Port = Port };
        _onPublish = onPublish;
        IPAddress address = endpoint.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(endpoint.Host);
        MqttServerOptions options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(address)
            .WithDefaultEndpointPort(Port)
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(options);
        _server.InterceptingPublishAsync += OnInterceptingPublishAsync;
    }

    /// <summary>The port actually bound (a free one when 0 was asked for).</summary>
    public int Port { get; }

    public MqttEndpoint Endpoint { get; }

    public Task StartAsync() => _server.StartAsync();

    /// <summary>Publishes from the broker itself (the downlink), QoS 1 unless told otherwise.</summary>
    public Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool atLeastOnce = true, CancellationToken cancellationToken = default)
    {
        MqttApplicationMessage message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(new ReadOnlySequence<byte>(payload))
            .WithQualityOfServiceLevel(atLeastOnce ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce)
            .Build();
        return _server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message) { SenderClientId = "qzcc-cloud" }, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _server.InterceptingPublishAsync -= OnInterceptingPublishAsync;
        if (_server.IsStarted)
        {
            await _server.StopAsync();
        }

        _server.Dispose();
    }

    private async Task OnInterceptingPublishAsync(InterceptingPublishEventArgs e)
    {
        if (e.ClientId == "qzcc-cloud")
        {
            return;
        }

        MqttApplicationMessage message = e.ApplicationMessage;
        string? seq = null;
        string? ts = null;
        if (message.UserProperties is { } properties)
        {
            foreach (var property in properties)
            {
                if (property.Name == "seq")
                {
                    seq = property.ReadValueAsString();
                }
                else if (property.Name == "ts")
                {
                    ts = property.ReadValueAsString();
                }
            }
        }

        await _onPublish(new InboundPublish(e.ClientId, message.Topic, message.Payload, seq, ts), e.CancellationToken);
    }
}
