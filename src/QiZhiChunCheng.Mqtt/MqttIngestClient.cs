using System.Buffers;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;
using QiZhiChunCheng.Core;

namespace QiZhiChunCheng.Mqtt;

/// <summary>
/// Ingest from an external MQTT 5 broker (EMQX, Mosquitto 2): subscribes to the uplink topics, with a shared
/// subscription (<c>$share/{group}/...</c>) when several ingest instances run so each publish reaches one of them,
/// hands every publish to the same callback the embedded broker's interception uses, and publishes the downlink.
/// Reconnects with back-off when the broker goes away (QoS 1 subscriptions on a persistent session, so the broker
/// keeps QoS 1 messages for it meanwhile). The callback is awaited before the next message is acknowledged.
/// </summary>
public sealed class MqttIngestClient : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly MqttClientOptions _options;
    private readonly IReadOnlyList<string> _filters;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _reconnect;

    /// <param name="endpoint">The broker.</param>
    /// <param name="clientId">This instance's client id (unique per instance).</param>
    /// <param name="filters">The uplink filters (<see cref="V2xTopics.UplinkFilters"/>).</param>
    /// <param name="sharedGroup">The shared subscription group; null to subscribe plainly (one ingest instance).</param>
    /// <param name="onPublish">Ingest.</param>
    /// <param name="username">Optional credentials.</param>
    /// <param name="password">Optional credentials.</param>
    public MqttIngestClient(MqttEndpoint endpoint, string clientId, IReadOnlyList<string> filters, string? sharedGroup, Func<InboundPublish, CancellationToken, ValueTask> onPublish, string? username = null, string? password = null)
    {
        ArgumentNullException.ThrowIfNull(filters);
        ArgumentNullException.ThrowIfNull(onPublish);
        _filters = sharedGroup is null ? filters : [.. filters.Select(f => $"$share/{sharedGroup}/{f}")];
        _client = new MqttClientFactory().CreateMqttClient();
        MqttClientOptionsBuilder builder = new MqttClientOptionsBuilder()
            .WithTcpServer(endpoint.Host, endpoint.Port)
            .WithClientId(clientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(3600)
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (username is not null)
        {
            builder = builder.WithCredentials(username, password);
        }

        _options = builder.Build();
        _client.ApplicationMessageReceivedAsync += async e =>
            await onPublish(InboundPublish.From(e.ClientId, e.ApplicationMessage), _stopping.Token);
    }

    public bool IsConnected => _client.IsConnected;


    /// <summary>Connects and subscribes; then keeps the connection up until disposed.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await ConnectAsync(cancellationToken);
        _reconnect = Task.Run(() => KeepConnectedAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>Publishes one downlink message at QoS 1.</summary>
    public Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        MqttApplicationMessage message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(new ReadOnlySequence<byte>(payload))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        return _client.PublishAsync(message, cancellationToken);
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.ConnectAsync(_options, cancellationToken);
        }
        catch (MqttCommunicationException ex)
        {
            throw new InfrastructureException($"cannot reach the MQTT broker: {ex.Message}", retryable: true, ex);
        }

        MqttClientSubscribeOptionsBuilder subscribe = new MqttClientFactory().CreateSubscribeOptionsBuilder();
        foreach (string filter in _filters)
        {
            subscribe = subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await _client.SubscribeAsync(subscribe.Build(), cancellationToken);
    }

    private async Task KeepConnectedAsync(CancellationToken cancellationToken)
    {
        TimeSpan delay = TimeSpan.FromMilliseconds(200);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
                if (_client.IsConnected)
                {
                    delay = TimeSpan.FromMilliseconds(200);
                    continue;
                }

                await ConnectAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is InfrastructureException or MqttCommunicationException or InvalidOperationException)
            {
                await Task.Delay(delay, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_reconnect is not null)
        {
            await _reconnect;
        }

        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
        _stopping.Dispose();
    }
}
