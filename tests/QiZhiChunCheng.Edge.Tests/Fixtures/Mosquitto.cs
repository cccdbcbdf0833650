using System.Diagnostics;
using System.Net.Sockets;
using MQTTnet;
using MQTTnet.Protocol;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Edge.Tests.Fixtures;

/// <summary>
/// Mosquitto 2 started from the test on a free port with a generated configuration (not the system service),
/// with persistence so that a stop (SIGTERM) and start keeps the subscriber's queued messages. Tests that need it
/// skip when it is not installed, and fail when the CI variable is set (.ci/run installs it).
/// </summary>
public sealed class Mosquitto : IAsyncDisposable
{
    private readonly string _dir;
    private readonly string _config;
    private Process? _process;

    public Mosquitto(string dir, string extraConfig = "", int? port = null, bool tls = false)
    {
        _dir = dir;
        Directory.CreateDirectory(dir);
        Port = port ?? MqttEndpoint.FreeLoopbackPort();
        _config = Path.Combine(dir, "mosquitto.conf");
        File.WriteAllText(_config, $"""
            user root
            listener {Port} 127.0.0.1
            {(tls || extraConfig.Contains("password_file", StringComparison.Ordinal) ? "" : "allow_anonymous true")}
            persistence true
            persistence_location {dir}/
            queue_qos0_messages true
            set_tcp_nodelay true
            max_queued_messages 0
            log_dest file {dir}/mosquitto.log
            log_type error
            log_type warning
            log_type notice
            {extraConfig}
            """);
    }

    public int Port { get; }

    public MqttEndpoint Endpoint => new("127.0.0.1", Port);

    public string LogText => File.Exists(Path.Combine(_dir, "mosquitto.log")) ? File.ReadAllText(Path.Combine(_dir, "mosquitto.log")) : "";

    public static string? Executable
    {
        get
        {
            string[] dirs = [.. (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'), "/usr/sbin", "/usr/local/sbin"];
            return dirs.Select(d => Path.Combine(d, "mosquitto")).FirstOrDefault(File.Exists);
        }
    }

    public static string? PasswdExecutable => Executable is { } m ? Path.Combine(Path.GetDirectoryName(m)!, "..", "bin", "mosquitto_passwd") is var p && File.Exists(p) ? p : "mosquitto_passwd" : null;

    public static void RequireOrSkip()
    {
        if (Executable is not null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 })
        {
            Assert.Fail("mosquitto is not installed, and CI is set: .ci/run must install it");
        }

        Assert.Skip("mosquitto is not installed (apt-get install mosquitto); CI runs this test");
    }

    public async Task StartAsync()
    {
        _process = Process.Start(new ProcessStartInfo(Executable!, ["-c", _config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        // Wait until it accepts connections (or died).
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(20));
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode}: {await _process.StandardError.ReadToEndAsync()} {LogText}");
            }

            try
            {
                using TcpClient probe = new();
                await probe.ConnectAsync("127.0.0.1", Port, timeout.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Yield();
                timeout.Token.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>A clean stop (SIGTERM): mosquitto saves its persistent sessions and exits.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            using Process kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
            await kill.WaitForExitAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
    }
}

/// <summary>
/// A subscriber with a persistent session (QoS 1, clean start off) that reconnects when its broker comes back, so
/// it gets what the broker queued for it meanwhile. Records what it receives.
/// </summary>
public sealed class MosquittoSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly MqttClientOptions _options;
    private readonly string _filter;
    private readonly CancellationTokenSource _stop = new();
    private Task? _reconnect;

    public MosquittoSubscriber(MqttEndpoint endpoint, string filter)
    {
        _filter = filter;
        _options = new MqttClientOptionsBuilder().WithTcpServer(endpoint.Host, endpoint.Port).WithClientId("test-subscriber")
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithCleanStart(false).WithSessionExpiryInterval(600).Build();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            Received.Add(e.ClientId, e.ApplicationMessage);
            return Task.CompletedTask;
        };
        _client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected && !_stop.IsCancellationRequested)
            {
                _reconnect = Task.Run(ReconnectAsync);
            }

            return Task.CompletedTask;
        };
    }

    public Recorder Received { get; } = new();

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await _client.ConnectAsync(_options, cancellationToken);
        await _client.SubscribeAsync(_filter, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_reconnect is not null)
        {
            await Task.WhenAny(_reconnect, Task.Delay(TimeSpan.FromSeconds(5)));
        }

        _client.Dispose();
        _stop.Dispose();
    }

    private async Task ReconnectAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using CancellationTokenSource attempt = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                attempt.CancelAfter(TimeSpan.FromSeconds(5));
                await _client.ConnectAsync(_options, attempt.Token);
                return;
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or MQTTnet.Adapter.MqttConnectingFailedException)
            {
                // The broker is still down: try again after a short pause (retry pacing, not synchronisation).
                await Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None);
            }
        }
    }
}
