using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;
using QiZhiChunCheng.Mqtt.Auth;

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

    /// <summary>A received message with its <c>seq</c> and <c>ts</c> user properties, however it arrived (broker or client).</summary>
    public static InboundPublish From(string clientId, MqttApplicationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
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

        return new InboundPublish(clientId, message.Topic, message.Payload, seq, ts);
    }
}

/// <summary>
/// The MQTT broker embedded in the cloud process (MQTTnet's server). Ingest sees every publish through the
/// server's interception, with no client hop; messages are still delivered to subscribers (a recorder, a dashboard).
/// The callback runs on the broker's receive path for that client: it must be quick and must not throw.
/// Without <see cref="BrokerSecurity"/> the broker is open (anyone may connect, publish and subscribe); with it,
/// only registered devices connect, and a publish outside the device's rights is refused before the callback sees it.
/// </summary>
public sealed class EmbeddedBroker : IAsyncDisposable
{
    /// <summary>The client id of the broker's own publishes (the downlink); no device may connect with it.</summary>
    public const string CloudClientId = "qzcc-cloud";

    private readonly MqttServer _server;
    private readonly Func<InboundPublish, CancellationToken, ValueTask> _onPublish;
    private readonly BrokerSecurity? _security;
    private readonly ConcurrentDictionary<string, DeviceEntry> _clients = new(StringComparer.Ordinal);
    private DeviceRegistry? _devices;

    public EmbeddedBroker(MqttEndpoint endpoint, Func<InboundPublish, CancellationToken, ValueTask> onPublish, BrokerSecurity? security = null)
    {
        ArgumentNullException.ThrowIfNull(onPublish);
        Port = endpoint.Port == 0 ? MqttEndpoint.FreeLoopbackPort() : endpoint.Port;
        Endpoint = endpoint with { Port = Port };
        _onPublish = onPublish;
        _security = security;
        IPAddress address = endpoint.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(endpoint.Host);
        MqttServerOptionsBuilder builder = new();
        if (security is null || security.PlainEndpoint)
        {
            builder.WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(address).WithDefaultEndpointPort(Port);
        }
        else
        {
            builder.WithoutDefaultEndpoint();
        }

        if (security?.TlsCertificate is { } certificate)
        {
            int tlsPort = security.TlsPort == 0 ? MqttEndpoint.FreeLoopbackPort() : security.TlsPort;
            TlsEndpoint = endpoint with { Port = tlsPort };

            // Ask every client for a certificate but accept any, or none: the certificate is only an identity, checked
            // by its thumbprint against the registry at CONNECT, where a refusal has an MQTT reason code.
            builder.WithEncryptedEndpoint().WithEncryptedEndpointBoundIPAddress(address).WithEncryptedEndpointPort(tlsPort)
                .WithEncryptionCertificate(certificate)
                .WithClientCertificate(AcceptClientCertificate, false);
        }

        _server = new MqttServerFactory().CreateMqttServer(builder.Build());
        _server.InterceptingPublishAsync += OnInterceptingPublishAsync;
        if (security is not null)
        {
            _devices = security.Devices;
            Refusals = new BrokerRefusals(security.Log, security.LogEvery);
            _server.ValidatingConnectionAsync += OnValidatingConnectionAsync;
            _server.InterceptingSubscriptionAsync += OnInterceptingSubscriptionAsync;
        }
    }

    /// <summary>The port actually bound (a free one when 0 was asked for).</summary>
    public int Port { get; }

    public MqttEndpoint Endpoint { get; }

    /// <summary>The TLS endpoint (with the port actually used), or null without a TLS certificate.</summary>
    public MqttEndpoint? TlsEndpoint { get; }

    /// <summary>Refusals by device and reason; null when the broker is open (no <see cref="BrokerSecurity"/>).</summary>
    public BrokerRefusals? Refusals { get; }

    /// <summary>
    /// The registry in force (null when open). Setting it (a reloaded file) applies to the next CONNECT; a connected
    /// device takes its new rights from its next packet on, and a device no longer registered is refused from then on.
    /// </summary>
    public DeviceRegistry? Devices
    {
        get => Volatile.Read(ref _devices);
        set
        {
            if (_security is null)
            {
                throw new InvalidOperationException("the broker was started open (without BrokerSecurity); it cannot take a device registry later");
            }

            ArgumentNullException.ThrowIfNull(value);
            Volatile.Write(ref _devices, value);
            foreach (KeyValuePair<string, DeviceEntry> client in _clients)
            {
                if (value.Find(client.Value.Id) is { } now && now.Kind == client.Value.Kind)
                {
                    _clients.TryUpdate(client.Key, now, client.Value);
                }
                else
                {
                    _clients.TryRemove(client);
                }
            }
        }
    }

    public Task StartAsync() => _server.StartAsync();

    /// <summary>Publishes from the broker itself (the downlink), QoS 1 unless told otherwise.</summary>
    public Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool atLeastOnce = true, CancellationToken cancellationToken = default)
    {
        MqttApplicationMessage message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(new ReadOnlySequence<byte>(payload))
            .WithQualityOfServiceLevel(atLeastOnce ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce)
            .Build();
        return _server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message) { SenderClientId = CloudClientId }, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _server.InterceptingPublishAsync -= OnInterceptingPublishAsync;
        if (_security is not null)
        {
            _server.ValidatingConnectionAsync -= OnValidatingConnectionAsync;
            _server.InterceptingSubscriptionAsync -= OnInterceptingSubscriptionAsync;
        }

        if (_server.IsStarted)
        {
            await _server.StopAsync();
        }

        _server.Dispose();
    }

    private async Task OnInterceptingPublishAsync(InterceptingPublishEventArgs e)
    {
        if (e.ClientId == CloudClientId)
        {
            // The broker's own downlink (a secured broker refuses devices that claim this client id).
            return;
        }

        MqttApplicationMessage message = e.ApplicationMessage;
        if (_security is not null)
        {
            // Rights first: a refused publish is neither forwarded, nor retained, nor seen by ingest.
            DeviceEntry? device = _clients.GetValueOrDefault(e.ClientId);
            if (device is null || !DeviceRights.MayPublish(device, _security.Topics, message.Topic))
            {
                e.ProcessPublish = false;
                e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
                string name = device?.Id ?? BrokerRefusals.UnknownDevice;
                Refusals!.Refuse(name, RefusalReason.PublishNotAllowed, $"mqtt: refused PUBLISH from {Printable(name)} (client {Printable(e.ClientId)}) to '{Printable(message.Topic)}': {(device is null ? "not a registered connection" : $"outside the rights of a{(device.Kind == DeviceKind.Rsu ? "n" : "")} {DeviceRegistry.KindName(device.Kind)}")}");
                return;
            }
        }

        await _onPublish(InboundPublish.From(e.ClientId, message), e.CancellationToken);
    }

    private Task OnValidatingConnectionAsync(ValidatingConnectionEventArgs e)
    {
        DeviceRegistry devices = Devices!;
        string clientId = e.ClientId ?? "";
        string? user = string.IsNullOrEmpty(e.UserName) ? null : e.UserName;
        X509Certificate2? certificate = e.ClientCertificate;
        string? thumbprint = certificate is null ? null : DeviceRegistry.Thumbprint(certificate);
        DeviceEntry? device;
        if (user is not null)
        {
            device = devices.Find(user);
            if (device is null)
            {
                devices.VerifyPassword(null, e.RawPassword ?? []); // the same cost as a known device, so timing tells less
                return Refuse(e, BrokerRefusals.UnknownDevice, RefusalReason.UnknownDevice, MqttConnectReasonCode.BadUserNameOrPassword, $"user name '{Printable(user)}' is not a registered device");
            }

            bool certified = thumbprint is not null && thumbprint == device.CertificateThumbprint;
            if (!certified && device.Password is null)
            {
                return Refuse(e, device.Id, RefusalReason.CertificateRequired, MqttConnectReasonCode.NotAuthorized, $"the device is registered with a client certificate and presented {(certificate is null ? "none" : $"another ({thumbprint})")}");
            }

            if (!certified && !devices.VerifyPassword(device.Id, e.RawPassword ?? []))
            {
                return Refuse(e, device.Id, RefusalReason.BadPassword, MqttConnectReasonCode.BadUserNameOrPassword, "wrong password");
            }
        }
        else if (thumbprint is not null)
        {
            device = devices.FindByThumbprint(thumbprint);
            if (device is null)
            {
                return Refuse(e, BrokerRefusals.UnknownDevice, RefusalReason.UnknownDevice, MqttConnectReasonCode.NotAuthorized, $"client certificate {thumbprint} ({Printable(certificate!.Subject)}) is not registered");
            }
        }
        else
        {
            return Refuse(e, BrokerRefusals.UnknownDevice, RefusalReason.UnknownDevice, MqttConnectReasonCode.NotAuthorized, "no user name and no client certificate");
        }

        bool ownClientId = device.Kind is DeviceKind.Rsu or DeviceKind.Vehicle
            ? clientId == device.Id
            : clientId.Length > 0 && clientId != CloudClientId && (devices.Find(clientId) is null || clientId == device.Id);
        if (!ownClientId)
        {
            return Refuse(e, device.Id, RefusalReason.ClientIdNotAllowed, MqttConnectReasonCode.ClientIdentifierNotValid, device.Kind is DeviceKind.Rsu or DeviceKind.Vehicle
                ? "an rsu or vehicle must connect with its device id as client id"
                : "the client id is empty, reserved, or another device's id");
        }

        _clients[clientId] = device;
        return Task.CompletedTask;
    }

    private Task OnInterceptingSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        DeviceEntry? device = _clients.GetValueOrDefault(e.ClientId);
        string filter = e.TopicFilter.Topic;
        if (device is null || !DeviceRights.MaySubscribe(device, _security!.Topics, filter))
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            string name = device?.Id ?? BrokerRefusals.UnknownDevice;
            Refusals!.Refuse(name, RefusalReason.SubscribeNotAllowed, $"mqtt: refused SUBSCRIBE of {Printable(name)} (client {Printable(e.ClientId)}) to '{Printable(filter)}': {(device is null ? "not a registered connection" : $"outside the rights of a{(device.Kind == DeviceKind.Rsu ? "n" : "")} {DeviceRegistry.KindName(device.Kind)}")}");
        }

        return Task.CompletedTask;
    }

    private Task Refuse(ValidatingConnectionEventArgs e, string device, RefusalReason reason, MqttConnectReasonCode code, string why)
    {
        e.ReasonCode = code;
        Refusals!.Refuse(device, reason, $"mqtt: refused CONNECT of client '{Printable(e.ClientId)}' from {e.RemoteEndPoint}: {code}: {why}");
        return Task.CompletedTask;
    }

    /// <summary>
    /// Lets a client certificate through TLS whether or not it chains to a trusted root (device certificates are
    /// often self-signed; the registry names each by its thumbprint), and lets clients without one through too.
    /// </summary>
    private static bool AcceptClientCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        (errors & ~(SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateChainErrors)) == SslPolicyErrors.None;

    /// <summary>Text from the network made safe for one log line: control characters replaced, at most 200 characters.</summary>
    private static string Printable(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        ReadOnlySpan<char> span = text.AsSpan(0, Math.Min(text.Length, 200));
        StringBuilder builder = new(span.Length + 1);
        foreach (char c in span)
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }

        return text.Length > 200 ? builder.Append('…').ToString() : builder.ToString();
    }
}
