using System.Buffers;
using System.Globalization;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;
using QiZhiChunCheng.Core;

namespace QiZhiChunCheng.Mqtt;

/// <summary>
/// An MQTT 5 client that publishes a device's messages with the <c>seq</c> and <c>ts</c> user properties, and
/// receives its downlink. Not thread-safe for concurrent publishes of one device when order matters: one
/// device, one publishing loop.
/// </summary>
public sealed class MqttPublisher : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly MqttClientOptions _options;

    public MqttPublisher(MqttEndpoint endpoint, string clientId, Func<string, ReadOnlyMemory<byte>, ValueTask>? onDownlink = null)
    {
        _client = new MqttClientFactory().CreateMqttClient();
        _options = new MqttClientOptionsBuilder()
            .WithTcpServer(endpoint.Host, endpoint.Port)
            .WithClientId(clientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build();
        if (onDownlink is not null)
        {
            _client.ApplicationMessageReceivedAsync += async e =>
                await onDownlink(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray());
        }
    }

    public bool IsConnected => _client.IsConnected;

    /// <summary>Connects; an unreachable broker is an <see cref="InfrastructureException"/> that may be retried.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.ConnectAsync(_options, cancellationToken);
        }
        catch (MqttCommunicationException ex)
        {
            throw new InfrastructureException($"cannot reach the MQTT broker: {ex.Message}", retryable: true, ex);
        }
    }

    public async Task SubscribeAsync(string topicFilter, CancellationToken cancellationToken)
    {
        MqttClientSubscribeOptions options = new MqttClientFactory().CreateSubscribeOptionsBuilder()
            .WithTopicFilter(topicFilter, MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        await _client.SubscribeAsync(options, cancellationToken);
    }

    /// <summary>Publishes one message; QoS 0 for 10 Hz telemetry, QoS 1 for MAP, RSI and heartbeats.</summary>
    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, long sequence, long generatedUtcMs, bool atLeastOnce, CancellationToken cancellationToken)
    {
        MqttApplicationMessage message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(new ReadOnlySequence<byte>(payload))
            .WithQualityOfServiceLevel(atLeastOnce ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce)
            .WithContentType("application/json")
            .WithUserProperty("seq", Utf8(sequence))
            .WithUserProperty("ts", Utf8(generatedUtcMs))
            .Build();
        try
        {
            await _client.PublishAsync(message, cancellationToken);
        }
        catch (MqttCommunicationException ex)
        {
            throw new InfrastructureException($"publish to {topic} failed: {ex.Message}", retryable: true, ex);
        }
    }

    private static ReadOnlyMemory<byte> Utf8(long value) =>
        System.Text.Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
            }
            catch (MqttCommunicationException)
            {
                // The broker is already gone (shutdown order); nothing left to close politely.
            }
        }

        _client.Dispose();
    }
}
