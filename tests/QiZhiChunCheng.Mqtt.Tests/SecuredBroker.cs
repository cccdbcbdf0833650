using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using QiZhiChunCheng.Mqtt.Auth;

namespace QiZhiChunCheng.Mqtt.Tests;

/// <summary>
/// A real <see cref="EmbeddedBroker"/> on a free loopback port with a device registry written to a temporary file,
/// recording what its ingest callback sees and every log line. Hashes use the minimum iteration count to stay fast.
/// </summary>
public sealed class SecuredBroker : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly Channel<InboundCopy> _ingested = Channel.CreateUnbounded<InboundCopy>();

    private SecuredBroker(EmbeddedBroker broker, string folder)
    {
        Broker = broker;
        Folder = folder;
    }

    public EmbeddedBroker Broker { get; }

    public string Folder { get; }

    public ConcurrentQueue<string> Log { get; } = new();

    public ConcurrentQueue<InboundCopy> Ingested { get; } = new();

    public static string Hash(string password) => PasswordHash.Create(Encoding.UTF8.GetBytes(password), PasswordHash.MinIterations).ToString();

    /// <summary>Starts a broker for the registry JSON (written to a file and loaded from it, as the cloud would).</summary>
    public static async Task<SecuredBroker> StartAsync(string registryJson, X509Certificate2? tlsCertificate = null, string? zonePrefix = null)
    {
        string folder = Directory.CreateTempSubdirectory("qzcc-mqtt-").FullName;
        string file = Path.Combine(folder, "devices.json");
        await File.WriteAllTextAsync(file, registryJson, TestContext.Current.CancellationToken);
        ConcurrentQueue<string> log = new();
        SecuredBroker? self = null;
        EmbeddedBroker broker = new(
            new MqttEndpoint("127.0.0.1", 0),
            (publish, _) =>
            {
                InboundCopy copy = new(publish.ClientId, publish.Topic, publish.Payload.ToArray());
                self!.Ingested.Enqueue(copy);
                self._ingested.Writer.TryWrite(copy);
                return ValueTask.CompletedTask;
            },
            new BrokerSecurity(DeviceRegistry.Load(file))
            {
                Topics = new V2xTopics(zonePrefix),
                TlsCertificate = tlsCertificate,
                TlsPort = 0,
                Log = line => self!.Log.Enqueue(line),
            });
        self = new SecuredBroker(broker, folder);
        await broker.StartAsync();
        return self;
    }

    /// <summary>Waits until ingest saw a publish on <paramref name="topic"/>; returns every topic it saw until then, in order.</summary>
    public async Task<List<string>> WaitForIngestAsync(string topic)
    {
        List<string> seen = [];
        using CancellationTokenSource timeout = new(Patience);
        while (true)
        {
            InboundCopy next = await _ingested.Reader.ReadAsync(timeout.Token);
            seen.Add(next.Topic);
            if (next.Topic == topic)
            {
                return seen;
            }
        }
    }

    /// <summary>An MQTT 5 client of the broker's plain endpoint (not yet connected).</summary>
    public Client NewClient(string clientId, string? user = null, string? password = null)
    {
        MqttClientOptionsBuilder options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", Broker.Port)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .WithTimeout(Patience);
        if (user is not null)
        {
            options.WithCredentials(user, password ?? "");
        }

        return new Client(options.Build());
    }

    public async ValueTask DisposeAsync()
    {
        await Broker.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }

    public static X509Certificate2 ServerCertificate()
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        CertificateRequest request = new("CN=localhost", key, HashAlgorithmName.SHA256);
        SubjectAlternativeNameBuilder names = new();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A self-signed client certificate written as PFX; returns its path and SHA-256 thumbprint.</summary>
    public static (string Pfx, string Thumbprint) ClientCertificate(string folder, string name)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        CertificateRequest request = new($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        string path = Path.Combine(folder, name + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12));
        return (path, DeviceRegistry.Thumbprint(certificate));
    }
}

/// <summary>A publish as ingest saw it, copied out of the broker's buffer.</summary>
public sealed record InboundCopy(string ClientId, string Topic, byte[] Payload);

/// <summary>A raw MQTTnet client that records what it receives.</summary>
public sealed class Client : IAsyncDisposable
{
    private readonly MqttClientOptions _options;
    private readonly Channel<string> _received = Channel.CreateUnbounded<string>();

    public Client(MqttClientOptions options)
    {
        _options = options;
        Mqtt = new MqttClientFactory().CreateMqttClient();
        Mqtt.ApplicationMessageReceivedAsync += e =>
        {
            _received.Writer.TryWrite(e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
    }

    public IMqttClient Mqtt { get; }

    /// <summary>Connects; returns the CONNACK reason code, success or not.</summary>
    public async Task<MqttClientConnectResultCode> ConnectAsync()
    {
        // MQTTnet 5 returns a refusal as the result (it throws only when no CONNACK came).
        MqttClientConnectResult result = await Mqtt.ConnectAsync(_options, TestContext.Current.CancellationToken);
        return result.ResultCode;
    }

    public async Task<MqttClientPublishReasonCode> PublishAsync(string topic, bool atLeastOnce = true)
    {
        MqttApplicationMessage message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload("{}"u8.ToArray())
            .WithQualityOfServiceLevel(atLeastOnce ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce)
            .Build();
        MqttClientPublishResult result = await Mqtt.PublishAsync(message, TestContext.Current.CancellationToken);
        return result.ReasonCode;
    }

    public async Task<MqttClientSubscribeResultCode> SubscribeAsync(string filter)
    {
        MqttClientSubscribeResult result = await Mqtt.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            TestContext.Current.CancellationToken);
        return Assert.Single(result.Items).ResultCode;
    }

    /// <summary>Waits until a message on <paramref name="topic"/> arrives; returns every topic received until then, in order.</summary>
    public async Task<List<string>> WaitForAsync(string topic)
    {
        List<string> seen = [];
        using CancellationTokenSource timeout = new(SecuredBroker.Patience);
        while (true)
        {
            string next = await _received.Reader.ReadAsync(timeout.Token);
            seen.Add(next);
            if (next == topic)
            {
                return seen;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Mqtt.IsConnected)
        {
            await Mqtt.DisconnectAsync();
        }

        Mqtt.Dispose();
    }
}
