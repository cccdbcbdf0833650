using System.Buffers;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Edge.Tests.Fixtures;

/// <summary>
/// A real MQTT 5 broker (MQTTnet's server) on a fixed loopback port that can be stopped and started again on the
/// same port: a real restart, connections dropped and sessions lost. What it accepts is recorded by its publish
/// interception (the cloud ingest's view), across restarts. Optionally TLS only, with a user name and password.
/// </summary>
public sealed class TestBroker : IAsyncDisposable
{
    private readonly X509Certificate2? _certificate;
    private readonly (string User, string Password)? _credentials;
    private readonly bool _requireClientCertificate;
    private MqttServer? _server;
    private int _connectAttempts;
    private int _refused;

    public TestBroker(X509Certificate2? tlsCertificate = null, (string User, string Password)? credentials = null, bool requireClientCertificate = false)
    {
        _certificate = tlsCertificate;
        _credentials = credentials;
        _requireClientCertificate = requireClientCertificate;
        Port = MqttEndpoint.FreeLoopbackPort();
    }

    public int Port { get; }

    public MqttEndpoint Endpoint => new("127.0.0.1", Port);

    public Recorder Received { get; } = new();

    public int ConnectAttempts => Volatile.Read(ref _connectAttempts);

    public int Refused => Volatile.Read(ref _refused);

    /// <summary>The client certificate presented by the last connection, if any.</summary>
    public X509Certificate2? LastClientCertificate { get; private set; }

    /// <summary>Times of connection attempts (for the back-off test).</summary>
    public List<DateTimeOffset> AttemptTimes { get; } = [];

    public async Task StartAsync()
    {
        MqttServerOptionsBuilder builder = new MqttServerOptionsBuilder();
        if (_certificate is null)
        {
            builder.WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointPort(Port).WithDefaultEndpointReuseAddress();
        }
        else
        {
            builder.WithoutDefaultEndpoint().WithEncryptedEndpoint().WithEncryptedEndpointBoundIPAddress(IPAddress.Loopback).WithEncryptedEndpointPort(Port)
                .WithEncryptionCertificate(_certificate).WithTlsEndpointReuseAddress();
            if (_requireClientCertificate)
            {
                builder.WithClientCertificate((_, certificate, _, _) => certificate is not null, true);
            }
        }

        _server = new MqttServerFactory().CreateMqttServer(builder.Build());
        _server.ValidatingConnectionAsync += e =>
        {
            Interlocked.Increment(ref _connectAttempts);
            lock (AttemptTimes)
            {
                AttemptTimes.Add(DateTimeOffset.UtcNow);
            }

            LastClientCertificate = e.ClientCertificate;
            if (_credentials is { } c && (e.UserName != c.User || e.Password != c.Password))
            {
                Interlocked.Increment(ref _refused);
                e.ReasonCode = MqttConnectReasonCode.NotAuthorized;
            }

            Received.Signal();
            return Task.CompletedTask;
        };
        _server.InterceptingPublishAsync += e =>
        {
            Received.Add(e.ClientId, e.ApplicationMessage);
            return Task.CompletedTask;
        };
        await _server.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.StopAsync();
            server.Dispose();
        }
    }

    /// <summary>Publishes from the broker (a downlink), QoS 1, with a <c>ts</c> user property.</summary>
    public Task InjectAsync(string topic, byte[] payload, long? ts)
    {
        MqttApplicationMessageBuilder builder = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (ts is { } t)
        {
            builder.WithUserProperty("ts", System.Text.Encoding.ASCII.GetBytes(t.ToString(CultureInfo.InvariantCulture)).AsMemory());
        }

        return _server!.InjectApplicationMessage(new InjectedMqttApplicationMessage(builder.Build()) { SenderClientId = "cloud" });
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}

/// <summary>One publish as the broker (or a subscriber) got it.</summary>
public sealed record Received(string ClientId, string Topic, long? Seq, long? Ts, byte[] Payload, bool Retain);

/// <summary>Publishes in arrival order, with waits on a condition (a channel signal per arrival, and a timeout).</summary>
public sealed class Recorder
{
    private readonly Lock _gate = new();
    private readonly List<Received> _items = [];
    private readonly System.Threading.Channels.Channel<bool> _changed = System.Threading.Channels.Channel.CreateBounded<bool>(new System.Threading.Channels.BoundedChannelOptions(1) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite });

    public IReadOnlyList<Received> Snapshot()
    {
        lock (_gate)
        {
            return [.. _items];
        }
    }

    public void Add(string clientId, MqttApplicationMessage message)
    {
        long? seq = null;
        long? ts = null;
        if (message.UserProperties is { } properties)
        {
            foreach (var p in properties)
            {
                if (p.Name == "seq")
                {
                    seq = long.Parse(p.ReadValueAsString(), CultureInfo.InvariantCulture);
                }
                else if (p.Name == "ts")
                {
                    ts = long.Parse(p.ReadValueAsString(), CultureInfo.InvariantCulture);
                }
            }
        }

        lock (_gate)
        {
            _items.Add(new Received(clientId, message.Topic, seq, ts, message.Payload.ToArray(), message.Retain));
        }

        Signal();
    }

    public void Signal() => _changed.Writer.TryWrite(true);

    /// <summary>Waits until <paramref name="condition"/> holds for the recorded publishes, or fails after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<Received>, bool> condition, TimeSpan timeout, string what)
    {
        using CancellationTokenSource cts = new(timeout);
        while (!condition(Snapshot()))
        {
            try
            {
                await _changed.Reader.ReadAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {what}; got {Snapshot().Count} publishes");
            }
        }
    }
}
