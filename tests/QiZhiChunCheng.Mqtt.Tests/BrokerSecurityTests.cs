using MQTTnet;
using QiZhiChunCheng.Mqtt.Auth;

namespace QiZhiChunCheng.Mqtt.Tests;

/// <summary>The embedded broker with a device registry: who may connect, publish and subscribe, through real clients.</summary>
public sealed class BrokerSecurityTests
{
    private const string RsuPassword = "rsu-01-secret";
    private const string OtherRsuPassword = "rsu-02-secret";
    private const string VehiclePassword = "veh-01-secret";
    private const string ServicePassword = "recorder-secret";
    private const string ReplayerPassword = "replay-secret";

    private static readonly string Registry = $$"""
        {"devices":[
          {"id":"RSU-DF-01","kind":"rsu","passwordHash":"{{SecuredBroker.Hash(RsuPassword)}}"},
          {"id":"RSU-DF-02","kind":"rsu","passwordHash":"{{SecuredBroker.Hash(OtherRsuPassword)}}"},
          {"id":"VEH00001","kind":"vehicle","passwordHash":"{{SecuredBroker.Hash(VehiclePassword)}}"},
          {"id":"recorder","kind":"service","passwordHash":"{{SecuredBroker.Hash(ServicePassword)}}"},
          {"id":"replayer","kind":"replayer","passwordHash":"{{SecuredBroker.Hash(ReplayerPassword)}}"}
        ]}
        """;

    [Fact]
    public async Task An_unregistered_device_cannot_connect()
    {
        await using SecuredBroker broker = await SecuredBroker.StartAsync(Registry);
        await using Client stranger = broker.NewClient("RSU-DF-09", "RSU-DF-09", "anything");
        await using Client anonymous = broker.NewClient("RSU-DF-01");

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await stranger.ConnectAsync());
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await anonymous.ConnectAsync());
        Assert.False(stranger.Mqtt.IsConnected);
        Assert.False(anonymous.Mqtt.IsConnected);
        Assert.Equal(2, broker.Broker.Refusals!.Count(BrokerRefusals.UnknownDevice, RefusalReason.UnknownDevice));
        Assert.Contains(broker.Log, line => line.Contains("user name 'RSU-DF-09' is not a registered device", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_never_logged()
    {
        await using SecuredBroker broker = await SecuredBroker.StartAsync(Registry);
        await using Client rsu = broker.NewClient("RSU-DF-01", "RSU-DF-01", OtherRsuPassword);

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await rsu.ConnectAsync());
        Assert.Equal(1, broker.Broker.Refusals!.Count("RSU-DF-01", RefusalReason.BadPassword));
        string line = Assert.Single(broker.Log);
        Assert.Contains("wrong password", line, StringComparison.Ordinal);
        Assert.DoesNotContain(OtherRsuPassword, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_rsu_must_use_its_device_id_as_client_id()
    {
        await using SecuredBroker broker = await SecuredBroker.StartAsync(Registry);
        await using Client impostor = broker.NewClient("RSU-DF-02", "RSU-DF-01", RsuPassword);
        await using Client cloud = broker.NewClient(EmbeddedBroker.CloudClientId, "recorder", ServicePassword);

        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, await impostor.ConnectAsync());
        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, await cloud.ConnectAsync());
        Assert.Equal(1, broker.Broker.Refusals!.Count("RSU-DF-01", RefusalReason.ClientIdNotAllowed));
        Assert.Equal(1, broker.Broker.Refusals.Count("recorder", RefusalReason.ClientIdNotAllowed));
    }

    [Fact]
    public async Task An_rsu_publishing_under_another_rsus_topic_is_refused_before_ingest_while_its_own_topics_go_through()
    {
        await using SecuredBroker broker = await SecuredBroker.StartAsync(Registry);
        await using Client recorder = broker.NewClient("recorder-1", "recorder", ServicePassword);
        await using Client rsu = broker.NewClient("RSU-DF-01", "RSU-DF-01", RsuPassword);
        Assert.Equal(MqttClientConnectResultCode.Success, await recorder.ConnectAsync());
        Assert.Equal(MqttClientConnectResultCode.Success, await rsu.ConnectAsync());
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await recorder.SubscribeAsync("#"));

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await rsu.PublishAsync("V2X/RSU/RSU-DF-02/BSM/UP"));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await rsu.PublishAsync("V2X/RSU/RSU-DF-01/RSI/DOWN"));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await rsu.PublishAsync("V2X/OBU/RSU-DF-01/BSM/UP"));
        await rsu.PublishAsync("V2X/RSU/RSU-DF-02/RSM/UP", atLeastOnce: false);
        Assert.Equal(MqttClientPublishReasonCode.Success, await rsu.PublishAsync("V2X/RSU/RSU-DF-01/BSM/UP"));
        await rsu.PublishAsync("V2X/RSU/RSU-DF-01/HB/UP", atLeastOnce: false);

        // One connection's packets are handled in order: when the last one arrived, every refused one was handled.
        Assert.Equal(["V2X/RSU/RSU-DF-01/BSM/UP", "V2X/RSU/RSU-DF-01/HB/UP"], await broker.WaitForIngestAsync("V2X/RSU/RSU-DF-01/HB/UP"));
        Assert.Equal(["V2X/RSU/RSU-DF-01/BSM/UP", "V2X/RSU/RSU-DF-01/HB/UP"], await recorder.WaitForAsync("V2X/RSU/RSU-DF-01/HB/UP"));
        Assert.Equal(4, broker.Broker.Refusals!.Count("RSU-DF-01", RefusalReason.PublishNotAllowed));

        // Rate-limited: the four refusals within the interval make one log line.
        string line = Assert.Single(broker.Log);
        Assert.Contains("refused PUBLISH from RSU-DF-01 (client RSU-DF-01) to 'V2X/RSU/RSU-DF-02/BSM/UP': outside the rights of an rsu", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vehicle_subscribing_to_another_vehicles_warnings_is_refused_and_gets_nothing()
    {
        await using SecuredBroker broker = await SecuredBroker.StartAsync(Registry);
        await using Client vehicle = broker.NewClient("VEH00001", "VEH00001", VehiclePassword);
        Assert.Equal(MqttClientConnectResultCode.Success, await vehicle.ConnectAsync());

        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await vehicle.SubscribeAsync("V2X/OBU/VEH00002/WARN/DOWN"));
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await vehicle.SubscribeAsync("V2X/OBU/+/WARN/DOWN"));
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await vehicle.SubscribeAsync("#"));
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await vehicle.SubscribeAsync("V2X/OBU/VEH00001/WARN/DOWN"));

        await broker.Broker.PublishAsync("V2X/OBU/VEH00002/WARN/DOWN", "{}"u8.ToArray(), cancellationToken: TestContext.Current.CancellationToken);
        await broker.Broker.PublishAsync("V2X/OBU/VEH00001/WARN/DOWN", "{}"u8.ToArray(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["V2X/OBU/VEH00001/WARN/DOWN"], await vehicle.WaitForAsync("V2X/OBU/VEH00001/WARN/DOWN"));
        Assert.Equal(3, broker.Broker.Refusals!.Count("VEH00001", RefusalReason.SubscribeNotAllowed));
    }

    [Fact]
    public async Task A_service_may_subscribe_to_everything_and_publish_nothing()
    {
        await using SecuredBroker broker = await SecuredBroker.StartAsync(Registry);
        await using Client recorder = broker.NewClient("recorder-1", "recorder", ServicePassword);
        await using Client vehicle = broker.NewClient("VEH00001", "VEH00001", VehiclePassword);
        Assert.Equal(MqttClientConnectResultCode.Success, await recorder.ConnectAsync());
        Assert.Equal(MqttClientConnectResultCode.Success, await vehicle.ConnectAsync());

        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await recorder.SubscribeAsync("#"));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await recorder.PublishAsync("V2X/RSU/RSU-DF-01/BSM/UP"));
        await broker.Broker.PublishAsync("V2X/RSU/RSU-DF-01/RSI/DOWN", "{}"u8.ToArray(), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(MqttClientPublishReasonCode.Success, await vehicle.PublishAsync("V2X/OBU/VEH00001/BSM/UP"));

        Assert.Equal(["V2X/RSU/RSU-DF-01/RSI/DOWN", "V2X/OBU/VEH00001/BSM/UP"], await recorder.WaitForAsync("V2X/OBU/VEH00001/BSM/UP"));
        Assert.Equal(["V2X/OBU/VEH00001/BSM/UP"], await broker.WaitForIngestAsync("V2X/OBU/VEH00001/BSM/UP"));
        Assert.Equal(1, broker.Broker.Refusals!.Count("recorder", RefusalReason.PublishNotAllowed));
    }

    [Fact]
    public async Task A_replayer_may_publish_any_uplink_of_the_zone_but_no_downlink()
    {
        await using SecuredBroker broker = await SecuredBroker.StartAsync(Registry, zonePrefix: "qizhi");
        await using Client replayer = broker.NewClient("replay-run-7", "replayer", ReplayerPassword);
        Assert.Equal(MqttClientConnectResultCode.Success, await replayer.ConnectAsync());

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await replayer.PublishAsync("qizhi/V2X/RSU/RSU-DF-01/RSI/DOWN"));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await replayer.PublishAsync("V2X/RSU/RSU-DF-01/BSM/UP")); // another zone
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await replayer.SubscribeAsync("qizhi/V2X/#"));
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await replayer.SubscribeAsync("qizhi/V2X/+/+/+/DOWN"));
        Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, await replayer.PublishAsync("qizhi/V2X/RSU/RSU-DF-07/SPAT/UP"));
        Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, await replayer.PublishAsync("qizhi/V2X/OBU/VEH-0042/BSM/UP"));

        Assert.Equal(["qizhi/V2X/RSU/RSU-DF-07/SPAT/UP", "qizhi/V2X/OBU/VEH-0042/BSM/UP"], await broker.WaitForIngestAsync("qizhi/V2X/OBU/VEH-0042/BSM/UP"));
        Assert.All(broker.Ingested, p => Assert.Equal("replay-run-7", p.ClientId));
    }

    [Fact]
    public async Task A_client_certificate_device_connects_over_TLS_and_a_stranger_certificate_does_not()
    {
        string folder = Directory.CreateTempSubdirectory("qzcc-certs-").FullName;
        try
        {
            (string vehiclePfx, string vehicleThumbprint) = SecuredBroker.ClientCertificate(folder, "VEH00001");
            (string strangerPfx, _) = SecuredBroker.ClientCertificate(folder, "VEH00009");
            using System.Security.Cryptography.X509Certificates.X509Certificate2 server = SecuredBroker.ServerCertificate();
            string registry = $$"""{"devices":[{"id":"VEH00001","kind":"vehicle","certificateThumbprint":"{{vehicleThumbprint.ToLowerInvariant()}}"}]}""";
            await using SecuredBroker broker = await SecuredBroker.StartAsync(registry, server);
            MqttEndpoint tls = broker.Broker.TlsEndpoint!.Value with { Host = "localhost" };
            string pinned = DeviceRegistry.Thumbprint(server);

            await using MqttDeviceClient vehicle = new(new MqttDeviceOptions(tls, "VEH00001") { Security = new MqttSecurity { UseTls = true, PinnedSha256 = pinned, ClientCertificateFile = vehiclePfx } });
            await using MqttDeviceClient stranger = new(new MqttDeviceOptions(tls, "VEH00009") { Security = new MqttSecurity { UseTls = true, PinnedSha256 = pinned, ClientCertificateFile = strangerPfx } });
            await using MqttDeviceClient noCertificate = new(new MqttDeviceOptions(tls, "VEH00001") { Security = new MqttSecurity { UseTls = true, PinnedSha256 = pinned, Username = "VEH00001", Password = "guess" } });
            CancellationToken ct = TestContext.Current.CancellationToken;

            Assert.Null(await vehicle.TryConnectAsync(ct));
            Assert.True(await vehicle.PublishAsync("V2X/OBU/VEH00001/BSM/UP", "{}"u8.ToArray(), 1, 1, atLeastOnce: true, retain: false, ct));
            Assert.False(await vehicle.PublishAsync("V2X/OBU/VEH00002/BSM/UP", "{}"u8.ToArray(), 2, 2, atLeastOnce: true, retain: false, ct));
            Assert.Contains("NotAuthorized", await stranger.TryConnectAsync(ct), StringComparison.Ordinal);
            Assert.Contains("NotAuthorized", await noCertificate.TryConnectAsync(ct), StringComparison.Ordinal);

            Assert.Equal(["V2X/OBU/VEH00001/BSM/UP"], await broker.WaitForIngestAsync("V2X/OBU/VEH00001/BSM/UP"));
            Assert.Equal(1, broker.Broker.Refusals!.Count(BrokerRefusals.UnknownDevice, RefusalReason.UnknownDevice));
            Assert.Equal(1, broker.Broker.Refusals.Count("VEH00001", RefusalReason.CertificateRequired));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_new_registry_takes_effect_for_connected_devices_from_their_next_packet()
    {
        await using SecuredBroker broker = await SecuredBroker.StartAsync(Registry);
        await using Client rsu = broker.NewClient("RSU-DF-02", "RSU-DF-02", OtherRsuPassword);
        Assert.Equal(MqttClientConnectResultCode.Success, await rsu.ConnectAsync());
        Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, await rsu.PublishAsync("V2X/RSU/RSU-DF-02/MAP/UP"));

        DeviceRegistry current = broker.Broker.Devices!;
        broker.Broker.Devices = DeviceRegistry.Parse(System.Text.Encoding.UTF8.GetBytes($$"""{"devices":[{"id":"RSU-DF-01","kind":"rsu","passwordHash":"{{current.Find("RSU-DF-01")!.Password}}"}]}"""), "reloaded");

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await rsu.PublishAsync("V2X/RSU/RSU-DF-02/MAP/UP"));
        await using Client again = broker.NewClient("RSU-DF-02", "RSU-DF-02", OtherRsuPassword);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await again.ConnectAsync());
    }

    [Fact]
    public async Task Without_security_the_broker_stays_open()
    {
        List<string> ingested = [];
        await using EmbeddedBroker broker = new(new MqttEndpoint("127.0.0.1", 0), (p, _) =>
        {
            lock (ingested)
            {
                ingested.Add(p.Topic);
            }

            return ValueTask.CompletedTask;
        });
        await broker.StartAsync();
        await using Client anyone = new(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("whoever").WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());

        Assert.Equal(MqttClientConnectResultCode.Success, await anyone.ConnectAsync());
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await anyone.SubscribeAsync("#"));
        Assert.Equal(MqttClientPublishReasonCode.Success, await anyone.PublishAsync("V2X/RSU/RSU-DF-02/BSM/UP"));
        Assert.Equal(["V2X/RSU/RSU-DF-02/BSM/UP"], await anyone.WaitForAsync("V2X/RSU/RSU-DF-02/BSM/UP"));
        Assert.Null(broker.Refusals);
        lock (ingested)
        {
            Assert.Equal(["V2X/RSU/RSU-DF-02/BSM/UP"], ingested);
        }
    }
}
