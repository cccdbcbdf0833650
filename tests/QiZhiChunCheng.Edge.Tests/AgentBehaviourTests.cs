using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using QiZhiChunCheng.Edge.Sources;
using QiZhiChunCheng.Edge.Spool;
using QiZhiChunCheng.Edge.Tests.Fixtures;
using QiZhiChunCheng.Mqtt;
using QiZhiChunCheng.Testing;

namespace QiZhiChunCheng.Edge.Tests;

/// <summary>The agent against a real broker: spool full, bad UDP input, credentials, TLS, downlink, heartbeat.</summary>
public sealed class AgentBehaviourTests
{
    [Fact]
    public async Task Spool_full_during_an_outage_drops_exactly_the_oldest_telemetry_segments_counted_and_never_RSI_or_MAP()
    {
        using TempDirectory dir = new();
        await using TestBroker broker = new(); // down
        byte[] bsm = TestData.Bsm(1);
        int record = 8 + 20 + "V2X/RSU/RSU-T-01/BSM/UP".Length + bsm.Length;
        SpoolOptions small = new() { SegmentBytes = 20 * record, MaxBytes = 100 * record };
        PushSource source = new();
        await using RunningAgent agent = new(TestData.Rsu(broker.Endpoint, dir.Path) with { Spool = small }, source);
        await TestData.WaitForAsync(() => agent.Agent.Spool is not null, TestData.Patience, "the spool to open");

        // 400 BSMs with an RSI every 50 and a MAP every 100, all while the broker is down.
        byte[] rsi = TestData.Golden("rsi");
        byte[] map = TestData.Golden("map");
        int rsis = 0, maps = 0;
        for (int i = 1; i <= 400; i++)
        {
            await source.PushAsync(UplinkKind.Bsm, TestData.Bsm(i), 0);
            if (i % 50 == 0)
            {
                await source.PushAsync(UplinkKind.Rsi, rsi, 0);
                rsis++;
            }

            if (i % 100 == 0)
            {
                await source.PushAsync(UplinkKind.Map, map, 0);
                maps++;
            }
        }

        long total = 400 + rsis + maps + 1; // and the heartbeat sent at start
        await TestData.WaitForAsync(() => agent.Agent.Spool!.NextSeq > total, TestData.Patience, "every message to be spooled");
        long dropped = agent.Agent.Spool!.Dropped(UplinkKind.Bsm);
        Assert.True(dropped > 0, "the spool never filled up");

        await broker.StartAsync();
        await broker.Received.WaitUntilAsync(r => TestData.MaxSeq(r, "RSU-T-01") >= total, TestData.Patience, "the rest of the spool");
        IReadOnlyList<Received> got = [.. broker.Received.Snapshot().Where(r => r.Seq is not null && r.Topic.Contains("/RSU-T-01/", StringComparison.Ordinal))];

        // Every RSI and MAP arrived; the BSMs missing are exactly the oldest ones, as many as counted.
        Assert.Equal(rsis, got.Where(r => r.Topic.EndsWith("/RSI/UP", StringComparison.Ordinal)).Select(r => r.Seq).Distinct().Count());
        Assert.Equal(maps, got.Where(r => r.Topic.EndsWith("/MAP/UP", StringComparison.Ordinal)).Select(r => r.Seq).Distinct().Count());
        List<int> bsmIndexes = [.. got.Where(r => r.Topic.EndsWith("/BSM/UP", StringComparison.Ordinal)).Select(r => JsonDocument.Parse(r.Payload).RootElement.GetProperty("secMark").GetInt32()).Distinct().Order()];
        Assert.Equal(Enumerable.Range((int)dropped + 1, 400 - (int)dropped), bsmIndexes);
        Assert.Equal(0, agent.Agent.Spool.Refused(UplinkKind.Bsm));
        Assert.Contains("dropped the oldest telemetry segment", agent.Log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_UDP_input_is_rejected_with_a_reason_and_the_agent_keeps_running()
    {
        using TempDirectory dir = new();
        await using TestBroker broker = new();
        await broker.StartAsync();
        int port = MqttEndpoint.FreeLoopbackPort();
        await using RunningAgent agent = new(TestData.Rsu(broker.Endpoint, dir.Path) with { Source = $"udp:127.0.0.1:{port}" });
        using UdpClient udp = new();
        IPEndPoint target = new(IPAddress.Loopback, port);

        byte[][] bad =
        [
            Encoding.UTF8.GetBytes("{\"msgCnt\": 1, \"id\": \"5645"),
            Encoding.UTF8.GetBytes("[1, 2, 3]"),
            Encoding.UTF8.GetBytes("{\"hello\": \"world\"}"),
            [0xC3, 0x28, 0x7B, 0x7D],
            Encoding.UTF8.GetBytes(Samples.ReferenceBsmJson.Replace("\"speed\": 675", "\"speed\": 9000", StringComparison.Ordinal)),
        ];
        byte[][] good =
        [
            Encoding.UTF8.GetBytes(Samples.ReferenceBsmJson),
            Encoding.UTF8.GetBytes("{\"bsmFrame\": " + Samples.ReferenceBsmJson + "}"),
            TestData.Golden("spat"),
            TestData.Golden("rsm"),
        ];

        // The listener may not be bound yet: send the first good datagram until it arrives.
        await broker.Received.WaitUntilAsync(_ => true, TestData.Patience, "the agent");
        using CancellationTokenSource resend = new(TestData.Patience);
        Task<bool> first = Task.Run(async () =>
        {
            while (!broker.Received.Snapshot().Any(r => r.Topic.EndsWith("/BSM/UP", StringComparison.Ordinal)))
            {
                await udp.SendAsync(good[0], target, resend.Token);
                await Task.Delay(100, resend.Token); // resend pacing until the socket is bound, not synchronisation
            }

            return true;
        });
        await broker.Received.WaitUntilAsync(r => r.Any(x => x.Topic.EndsWith("/BSM/UP", StringComparison.Ordinal)), TestData.Patience, "a first BSM over UDP");
        await resend.CancelAsync();
        long rejectedBefore = agent.Agent.Counters.RejectedInput;
        Assert.Equal(0, rejectedBefore);

        foreach (byte[] datagram in bad)
        {
            await udp.SendAsync(datagram, target, TestContext.Current.CancellationToken);
        }

        foreach (byte[] datagram in good.Skip(1))
        {
            await udp.SendAsync(datagram, target, TestContext.Current.CancellationToken);
        }

        await broker.Received.WaitUntilAsync(r => r.Any(x => x.Topic.EndsWith("/RSM/UP", StringComparison.Ordinal)), TestData.Patience, "the RSM sent after the bad input");
        Assert.Equal(bad.Length, agent.Agent.Counters.RejectedInput);
        Assert.False(agent.Run.IsCompleted);
        string log = agent.Log.Text;
        Assert.Contains("Malformed", log, StringComparison.Ordinal);
        Assert.Contains("expected a JSON object", log, StringComparison.Ordinal);
        Assert.Contains("neither a MessageFrame", log, StringComparison.Ordinal);
        Assert.Contains("InvalidUtf8", log, StringComparison.Ordinal);
        Assert.Contains("speed: 9000 is outside", log, StringComparison.Ordinal);
        IReadOnlyList<Received> got = broker.Received.Snapshot();
        Assert.True(got.Count(r => r.Topic.EndsWith("/BSM/UP", StringComparison.Ordinal)) >= 2);
        Assert.Contains(got, r => r.Topic.EndsWith("/SPAT/UP", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Wrong_credentials_give_a_clear_error_and_retries_with_growing_backoff_never_logging_the_password()
    {
        using TempDirectory dir = new();
        const string Password = "s3cret-Pa55word-never-logged";
        await using TestBroker broker = new(credentials: ("rsu-t-01", "the-right-one"));
        await broker.StartAsync();
        await using RunningAgent agent = new(TestData.Rsu(broker.Endpoint, dir.Path) with
        {
            Security = new MqttSecurity { Username = "rsu-t-01", Password = Password },
            InitialBackoff = TimeSpan.FromMilliseconds(200),
            MaxBackoff = TimeSpan.FromSeconds(2),
        });

        await broker.Received.WaitUntilAsync(_ => broker.Refused >= 5, TestData.Patience, "five refused connection attempts");
        Assert.False(agent.Run.IsCompleted);
        Assert.Equal(0, agent.Agent.Counters.Connects);
        string log = agent.Log.Text;
        Assert.Contains("the broker refused the connection: NotAuthorized", log, StringComparison.Ordinal);
        Assert.Contains("check the user name and password", log, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, log, StringComparison.Ordinal);
        Assert.Contains("password=set", log, StringComparison.Ordinal);

        // Back-off: the gaps grow (equal jitter keeps each at least half the nominal 0.2, 0.4, 0.8, 1.6 s).
        DateTimeOffset[] times;
        lock (broker.AttemptTimes)
        {
            times = [.. broker.AttemptTimes];
        }

        double[] gaps = [.. times.Zip(times.Skip(1), (a, b) => (b - a).TotalSeconds)];
        Assert.True(gaps[3] >= 0.8 - 0.05, $"gaps {string.Join(", ", gaps)}");
        Assert.True(gaps[3] > gaps[0], $"gaps {string.Join(", ", gaps)}");
        Assert.Equal(0, await agent.StopAsync());
    }

    [Fact]
    public async Task TLS_with_a_CA_file_credentials_and_a_client_certificate_carries_the_stream()
    {
        using TempDirectory dir = new();
        (X509Certificate2 server, string caFile) = SelfSignedServer(dir.Path);
        string clientPfx = ClientCertificate(dir.Path);
        await using TestBroker broker = new(server, ("rsu-t-01", "pw-123456"), requireClientCertificate: true);
        await broker.StartAsync();
        await using RunningAgent agent = new(TestData.Rsu(new MqttEndpoint("localhost", broker.Port), dir.Path) with
        {
            Source = "sim:load:50",
            Security = new MqttSecurity { UseTls = true, CaFile = caFile, ClientCertificateFile = clientPfx, Username = "rsu-t-01", Password = "pw-123456" },
        });

        await broker.Received.WaitUntilAsync(r => TestData.MaxSeq(r, "RSU-T-01") >= 20, TestData.Patience, "20 messages over TLS");
        Assert.Equal("CN=rsu-t-01", broker.LastClientCertificate?.Subject);
        Assert.DoesNotContain("pw-123456", agent.Log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TLS_to_a_broker_whose_certificate_is_not_trusted_is_refused_with_a_reason()
    {
        using TempDirectory dir = new();
        (X509Certificate2 server, _) = SelfSignedServer(dir.Path);
        await using TestBroker broker = new(server);
        await broker.StartAsync();
        await using RunningAgent agent = new(TestData.Rsu(new MqttEndpoint("localhost", broker.Port), dir.Path) with
        {
            Security = new MqttSecurity { UseTls = true, PinnedSha256 = new string('0', 64) },
        });

        await TestData.WaitForAsync(() => agent.Agent.Counters.ConnectFailures >= 2, TestData.Patience, "two failed TLS handshakes");
        Assert.Equal(0, agent.Agent.Counters.Connects);
        Assert.DoesNotContain(broker.Received.Snapshot(), r => r.Seq is not null);
        Assert.Contains("cannot connect", agent.Log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Downlink_is_forwarded_to_UDP_and_logged_with_its_latency_and_the_heartbeat_reports_status()
    {
        using TempDirectory dir = new();
        await using TestBroker broker = new();
        await broker.StartAsync();
        using UdpClient v2xStack = new(new IPEndPoint(IPAddress.Loopback, 0));
        IPEndPoint forward = (IPEndPoint)v2xStack.Client.LocalEndPoint!;
        await using RunningAgent agent = new(TestData.Rsu(broker.Endpoint, dir.Path) with { Source = "sim:dongfeng", ForwardUdp = forward, HeartbeatInterval = TimeSpan.FromMilliseconds(500) });

        // Heartbeats: the first right away, the next carrying the rates.
        await broker.Received.WaitUntilAsync(r => r.Count(x => x.Topic == "V2X/RSU/RSU-T-01/HB/UP") >= 3, TestData.Patience, "three heartbeats");
        Received hb = broker.Received.Snapshot().Last(x => x.Topic == "V2X/RSU/RSU-T-01/HB/UP");
        using (JsonDocument doc = JsonDocument.Parse(hb.Payload))
        {
            JsonElement root = doc.RootElement;
            Assert.Equal("RSU-T-01", root.GetProperty("rsuId").GetString());
            Assert.Equal("online", root.GetProperty("status").GetString());
            Assert.True(root.GetProperty("rates").GetProperty("RSM").GetDouble() > 0);
            Assert.True(root.GetProperty("spool").TryGetProperty("records", out _));
            Assert.Equal(0, root.GetProperty("dropped").GetProperty("BSM").GetInt64());
        }

        Assert.Contains(broker.Received.Snapshot(), r => r.Topic == "V2X/RSU/RSU-T-01/STATUS" && r.Retain && Encoding.UTF8.GetString(r.Payload).Contains("\"online\"", StringComparison.Ordinal));

        byte[] warning = TestData.Golden("rsi");
        long ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await broker.InjectAsync("V2X/RSU/RSU-T-01/RSI/DOWN", warning, ts);
        UdpReceiveResult datagram = await v2xStack.ReceiveAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TestData.Patience, TestContext.Current.CancellationToken);
        Assert.Equal(warning, datagram.Buffer);
        await TestData.WaitForAsync(() => agent.Log.Text.Contains("downlink V2X/RSU/RSU-T-01/RSI/DOWN", StringComparison.Ordinal), TestData.Patience, "the downlink log line");
        Assert.Matches(@"downlink V2X/RSU/RSU-T-01/RSI/DOWN: \d+ bytes, latency \d+ ms, forwarded to udp", agent.Log.Text);
        Assert.Equal(1, agent.Agent.Counters.Downlinks);
    }

    [Fact]
    public async Task The_last_will_marks_a_killed_agent_offline()
    {
        using TempDirectory dir = new();
        await using TestBroker broker = new();
        await broker.StartAsync();
        using AgentProcess agent = AgentProcess.Start("vehicle", "--id", "VEH-W-01", "--mqtt", $"127.0.0.1:{broker.Port}", "--source", "sim:dongfeng", "--spool", dir.Path);
        await broker.Received.WaitUntilAsync(r => r.Any(x => x.Topic == "V2X/OBU/VEH-W-01/BSM/UP"), TestData.Patience, "the vehicle's BSMs");
        await agent.KillAsync();
        await broker.Received.WaitUntilAsync(
            r => r.Any(x => x.Topic == "V2X/OBU/VEH-W-01/STATUS" && Encoding.UTF8.GetString(x.Payload).Contains("\"offline\"", StringComparison.Ordinal)),
            TestData.Patience,
            "the last will");
    }

    private static (X509Certificate2 Server, string CaFile) SelfSignedServer(string dir)
    {
        using RSA key = RSA.Create(2048);
        CertificateRequest request = new("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        SubjectAlternativeNameBuilder names = new();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        string caFile = Path.Combine(dir, "ca.pem");
        File.WriteAllText(caFile, certificate.ExportCertificatePem());
        // Re-import with the key usable by SslStream on Linux.
        return (X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null), caFile);
    }

    private static string ClientCertificate(string dir)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        CertificateRequest request = new("CN=rsu-t-01", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        string path = Path.Combine(dir, "client.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12));
        return path;
    }
}
