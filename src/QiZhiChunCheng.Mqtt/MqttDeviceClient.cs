using System.Buffers;
using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using QiZhiChunCheng.Core;

namespace QiZhiChunCheng.Mqtt;

/// <summary>
/// How a device proves itself to the broker and checks the broker: TLS, a user name and password, an optional
/// client certificate. <see cref="ToString"/> never prints the password.
/// </summary>
public sealed class MqttSecurity
{
    /// <summary>Connect with TLS (MQTT over TLS, usually port 8883).</summary>
    public bool UseTls { get; init; }

    /// <summary>A PEM file with the CA that signed the broker's certificate; when set, only that CA is trusted.</summary>
    public string? CaFile { get; init; }

    /// <summary>
    /// The SHA-256 thumbprint (hex) of the broker's own certificate, for a self-signed broker certificate: that one
    /// certificate is accepted whatever its chain says, and no other.
    /// </summary>
    public string? PinnedSha256 { get; init; }

    /// <summary>The name to check the broker's certificate against (default: the host of the endpoint).</summary>
    public string? ServerName { get; init; }

    /// <summary>A client certificate: a PFX/PKCS#12 file, or a PEM certificate with <see cref="ClientKeyFile"/>.</summary>
    public string? ClientCertificateFile { get; init; }

    /// <summary>The PEM private key of a PEM <see cref="ClientCertificateFile"/>.</summary>
    public string? ClientKeyFile { get; init; }

    /// <summary>The password of a PFX client certificate.</summary>
    public string? ClientCertificatePassword { get; init; }

    public string? Username { get; init; }

    /// <summary>The device's password. Never logged, never printed.</summary>
    public string? Password { get; init; }

    public override string ToString() =>
        $"tls={UseTls} ca={CaFile ?? "-"} pinned={(PinnedSha256 is null ? "-" : "yes")} clientCert={ClientCertificateFile ?? "-"} user={Username ?? "-"} password={(Password is null ? "none" : "set")}";
}

/// <summary>What a device client needs to connect: broker, id, security, and the last will the broker sends for it.</summary>
public sealed record MqttDeviceOptions(MqttEndpoint Endpoint, string ClientId)
{
    public MqttSecurity Security { get; init; } = new();

    /// <summary>The topic of the last will (published retained by the broker when the device drops off), or null.</summary>
    public string? WillTopic { get; init; }

    public byte[]? WillPayload { get; init; }

    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>A message the broker delivered to the device (its downlink), with the <c>ts</c> user property if any.</summary>
public readonly record struct DeviceDownlink(string Topic, byte[] Payload, long? GeneratedUtcMs);

/// <summary>
/// A device's MQTT 5 connection for the edge agent: TLS and credentials, a retained last will, publishes carrying
/// the <c>seq</c> and <c>ts</c> user properties, a ping to confirm what was sent at QoS 0, and the downlink.
/// It does not reconnect by itself: the agent owns the retry policy. Publishes from one loop keep their order;
/// the connect and the downlink callback may run on other threads.
/// </summary>
public sealed class MqttDeviceClient : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly MqttDeviceOptions _options;
    private readonly MqttClientOptions _clientOptions;

    public MqttDeviceClient(MqttDeviceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _client = new MqttClientFactory().CreateMqttClient();
        _clientOptions = BuildOptions(options);
        _client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected)
            {
                Disconnected?.Invoke(e.Exception?.Message ?? e.ReasonString ?? e.Reason.ToString());
            }

            return Task.CompletedTask;
        };
        _client.ApplicationMessageReceivedAsync += async e =>
        {
            if (OnDownlink is not { } handler)
            {
                return;
            }

            long? ts = null;
            if (e.ApplicationMessage.UserProperties is { } properties)
            {
                foreach (var property in properties)
                {
                    if (property.Name == "ts" && long.TryParse(property.ReadValueAsString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long value))
                    {
                        ts = value;
                    }
                }
            }

            await handler(new DeviceDownlink(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray(), ts));
        };
    }

    /// <summary>Raised once when an established connection is lost, with the reason.</summary>
    public event Action<string>? Disconnected;

    /// <summary>Called for each message on a subscribed topic.</summary>
    public Func<DeviceDownlink, ValueTask>? OnDownlink { get; set; }

    public bool IsConnected => _client.IsConnected;

    /// <summary>How many QoS 1 publishes the broker accepts unacknowledged at once (its CONNACK Receive Maximum).</summary>
    public int ReceiveMaximum { get; private set; } = 65535;

    /// <summary>
    /// Connects once. Returns null on success, otherwise a one-line reason that says what to check (the broker's
    /// CONNACK reason such as <c>NotAuthorized</c>, a TLS failure, an unreachable host). Never includes the password.
    /// </summary>
    public async Task<string?> TryConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            MqttClientConnectResult result = await _client.ConnectAsync(_clientOptions, cancellationToken);
            ReceiveMaximum = result.ReceiveMaximum is > 0 and { } max ? max : 65535;
            return result.ResultCode == MqttClientConnectResultCode.Success ? null : RefusedReason(result.ResultCode, result.ReasonString);
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException ex)
        {
            return ex.InnerException is { } inner && inner is not MqttCommunicationException ? $"{ex.Message} ({inner.Message})" : Explain(ex);
        }
        catch (MqttCommunicationException ex)
        {
            return Explain(ex);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer from {_options.Endpoint} within {_options.Timeout.TotalSeconds:0} s";
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or CryptographicException or InvalidOperationException)
        {
            return ex.Message;
        }
    }

    public async Task SubscribeAsync(string topicFilter, CancellationToken cancellationToken)
    {
        try
        {
            await _client.SubscribeAsync(topicFilter, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken);
        }
        catch (MqttCommunicationException ex)
        {
            throw new InfrastructureException($"subscribe to {topicFilter} failed: {ex.Message}", retryable: true, ex);
        }
    }

    /// <summary>
    /// Publishes one message with <c>seq</c> and <c>ts</c> (either may be omitted with a negative value). At QoS 1
    /// the task completes when the broker acknowledged; at QoS 0 when the packet was written. Returns false when the
    /// broker refused a QoS 1 publish with a reason code (not authorised for the topic, quota): retrying will not help.
    /// A lost connection is an <see cref="InfrastructureException"/>.
    /// </summary>
    public async Task<bool> PublishAsync(string topic, ReadOnlyMemory<byte> payload, long sequence, long generatedUtcMs, bool atLeastOnce, bool retain, CancellationToken cancellationToken)
    {
        MqttApplicationMessageBuilder builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(new ReadOnlySequence<byte>(payload))
            .WithQualityOfServiceLevel(atLeastOnce ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce)
            .WithRetainFlag(retain)
            .WithContentType("application/json");
        if (sequence >= 0)
        {
            builder.WithUserProperty("seq", Ascii(sequence));
        }

        if (generatedUtcMs >= 0)
        {
            builder.WithUserProperty("ts", Ascii(generatedUtcMs));
        }

        try
        {
            MqttClientPublishResult result = await _client.PublishAsync(builder.Build(), cancellationToken);
            return result.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers;
        }
        catch (MqttCommunicationException ex)
        {
            throw new InfrastructureException($"publish to {topic} failed: {ex.Message}", retryable: true, ex);
        }
        catch (ObjectDisposedException ex)
        {
            throw new InfrastructureException($"publish to {topic} failed: the connection is closed", retryable: true, ex);
        }
    }

    /// <summary>
    /// A round trip to the broker. Brokers handle one connection's packets in order, so when the answer comes every
    /// QoS 0 publish sent before it has been received by the broker.
    /// </summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.PingAsync(cancellationToken);
        }
        catch (MqttCommunicationException ex)
        {
            throw new InfrastructureException($"ping failed: {ex.Message}", retryable: true, ex);
        }
    }

    /// <summary>Closes the connection politely (no last will) if it is open.</summary>
    public async Task DisconnectAsync()
    {
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build());
            }
            catch (MqttCommunicationException)
            {
                // Already gone; nothing left to close politely.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DisconnectAsync();
        _client.Dispose();
    }

    private static string RefusedReason(MqttClientConnectResultCode code, string? reasonString)
    {
        string hint = code switch
        {
            MqttClientConnectResultCode.NotAuthorized or MqttClientConnectResultCode.BadUserNameOrPassword => " (check the user name and password of this device)",
            MqttClientConnectResultCode.ClientIdentifierNotValid => " (the broker refused this device id as client id)",
            _ => "",
        };
        return $"the broker refused the connection: {code}{(string.IsNullOrEmpty(reasonString) ? "" : $" ({reasonString})")}{hint}";
    }

    private static string Explain(Exception ex)
    {
        // MQTTnet wraps the CONNACK refusal in its message; keep the innermost useful text.
        Exception inner = ex;
        while (inner.InnerException is not null && inner.Message.Length < 8)
        {
            inner = inner.InnerException;
        }

        return inner.Message;
    }

    private static ReadOnlyMemory<byte> Ascii(long value) => Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));

    private static MqttClientOptions BuildOptions(MqttDeviceOptions options)
    {
        MqttSecurity security = options.Security;
        MqttClientOptionsBuilder builder = new MqttClientOptionsBuilder()
            .WithTcpServer(options.Endpoint.Host, options.Endpoint.Port)
            .WithClientId(options.ClientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .WithKeepAlivePeriod(options.KeepAlive)
            .WithTimeout(options.Timeout);
        if (security.Username is not null)
        {
            builder.WithCredentials(security.Username, security.Password ?? "");
        }

        if (options.WillTopic is not null)
        {
            builder.WithWillTopic(options.WillTopic)
                .WithWillPayload(options.WillPayload ?? [])
                .WithWillRetain(true)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithWillContentType("application/json");
        }

        if (security.UseTls)
        {
            X509Certificate2? ca = security.CaFile is null ? null : X509CertificateLoader.LoadCertificateFromFile(security.CaFile);
            X509Certificate2Collection clientCertificates = [];
            if (security.ClientCertificateFile is { } certFile)
            {
                clientCertificates.Add(LoadClientCertificate(certFile, security.ClientKeyFile, security.ClientCertificatePassword));
            }

            string? pinned = security.PinnedSha256?.Replace(":", "", StringComparison.Ordinal).Trim();
            builder.WithTlsOptions(tls =>
            {
                tls.UseTls(true)
                    .WithTargetHost(security.ServerName ?? options.Endpoint.Host)
                    .WithCertificateValidationHandler(e => ValidateServer(e.Certificate, e.Chain, e.SslPolicyErrors, ca, pinned));
                if (clientCertificates.Count > 0)
                {
                    tls.WithClientCertificates(clientCertificates);
                }
            });
        }

        return builder.Build();
    }

    private static X509Certificate2 LoadClientCertificate(string certFile, string? keyFile, string? password)
    {
        if (keyFile is not null)
        {
            using X509Certificate2 pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);
            // Re-import so that the key is usable by SslStream on every platform.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }

        return X509CertificateLoader.LoadPkcs12FromFile(certFile, password);
    }

    private static bool ValidateServer(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2? ca, string? pinnedSha256)
    {
        if (certificate is null)
        {
            return false;
        }

        if (pinnedSha256 is { Length: > 0 })
        {
            string actual = Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
            return string.Equals(actual, pinnedSha256, StringComparison.OrdinalIgnoreCase);
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        if (ca is null)
        {
            return errors == SslPolicyErrors.None;
        }

        using X509Chain custom = new();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(ca);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (X509ChainElement element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        X509Certificate2 server = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(server);
    }
}
