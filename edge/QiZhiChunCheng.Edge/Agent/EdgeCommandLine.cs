using System.CommandLine;
using System.Globalization;
using System.Net;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Edge.Sources;
using QiZhiChunCheng.Edge.Spool;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Edge.Agent;

/// <summary>
/// The agent's command line, shared by <c>qzcc edge rsu|vehicle|bench</c> and the standalone <c>qzcc-edge rsu|vehicle|bench</c>
/// so both take exactly the same options. Passwords are read from a file or an environment variable, never from
/// the command line (where <c>ps</c> would show them).
/// </summary>
public static class EdgeCommandLine
{
    /// <summary>The environment variable holding the device's MQTT password (when no <c>--password-file</c>).</summary>
    public const string PasswordVariable = "QZCC_MQTT_PASSWORD";

    /// <summary>The environment variable holding the password of a PFX client certificate.</summary>
    public const string CertificatePasswordVariable = "QZCC_CLIENT_CERT_PASSWORD";

    /// <summary>
    /// How long a stopping agent may take after Ctrl-C or SIGTERM (flush, fsync, goodbye) before System.CommandLine
    /// ends the process; its default of 2 s can cut a flush short on a busy box.
    /// </summary>
    public static TimeSpan StopTimeout { get; } = TimeSpan.FromSeconds(30);

    /// <summary>The subcommands <c>rsu</c>, <c>vehicle</c> and <c>bench</c>.</summary>
    public static IEnumerable<Command> Subcommands(string program)
    {
        yield return AgentCommand("rsu", SourceKind.Rsu, "Run a roadside unit agent: publish its messages, spool them through outages, forward its downlink", program);
        yield return AgentCommand("vehicle", SourceKind.Obu, "Run a test vehicle agent: publish its BSMs, spool them through outages, forward its warnings", program);
        yield return EdgeBenchmark.Command(program);
    }

    private static Command AgentCommand(string name, SourceKind kind, string description, string program)
    {
        Option<string> id = new("--id") { Description = kind == SourceKind.Rsu ? "The RSU's device id (RSU_ID in the topics)" : "The vehicle's device id (VEH_ID in the topics)", Required = true };
        Option<string> mqtt = new("--mqtt") { Description = "The broker, HOST:PORT", DefaultValueFactory = _ => "127.0.0.1:1883" };
        Option<string> source = new("--source") { Description = "sim:dongfeng | sim:SCENARIO_DIR | sim:load:RATE | udp:PORT | replay:FILE", DefaultValueFactory = _ => "sim:dongfeng" };
        Option<string?> spool = new("--spool") { Description = "The spool folder (default qzcc-data/spool/ID)" };
        Option<string> spoolMax = new("--spool-max") { Description = "Bound on the spool's size on disk (e.g. 256m, 64k); past it the oldest telemetry is dropped", DefaultValueFactory = _ => "256m" };
        Option<string> segment = new("--spool-segment") { Description = "Size of one spool segment file (the unit of dropping)", DefaultValueFactory = _ => "4m" };
        Option<bool> tls = new("--tls") { Description = "Connect with TLS" };
        Option<string?> caFile = new("--ca-file") { Description = "PEM file of the CA that signed the broker's certificate (implies --tls)" };
        Option<string?> pinned = new("--pinned-sha256") { Description = "Accept exactly the broker certificate with this SHA-256 thumbprint (a self-signed broker; implies --tls)" };
        Option<string?> serverName = new("--server-name") { Description = "Name to check the broker's certificate against (default: the --mqtt host)" };
        Option<string?> clientCert = new("--client-cert") { Description = "Client certificate: a PFX file (password in " + CertificatePasswordVariable + ") or a PEM file with --client-key" };
        Option<string?> clientKey = new("--client-key") { Description = "PEM private key of a PEM --client-cert" };
        Option<string?> username = new("--username") { Description = "The device's MQTT user name" };
        Option<string?> passwordFile = new("--password-file") { Description = "File holding the device's MQTT password (else the " + PasswordVariable + " environment variable)" };
        Option<string?> forward = new("--forward-udp") { Description = "Forward downlink payloads to this HOST:PORT as UDP datagrams" };
        Option<double> heartbeat = new("--heartbeat") { Description = "Seconds between heartbeats", DefaultValueFactory = _ => 5 };
        Option<double> backoffMax = new("--backoff-max") { Description = "Longest wait in seconds between connection attempts", DefaultValueFactory = _ => 30 };
        Option<string?> zone = new("--zone") { Description = "Topic prefix of the zone, if the broker serves several" };
        Option<double> noise = new("--noise-m") { Description = "sim: position noise sigma in metres", DefaultValueFactory = _ => 0.5 };
        Option<double> dropout = new("--dropout") { Description = "sim: probability that a detection or BSM is missing", DefaultValueFactory = _ => 0.02 };
        Option<int> latency = new("--latency-ms") { Description = "sim: sensor latency in ms", DefaultValueFactory = _ => 50 };
        Option<int> seed = new("--seed") { Description = "sim: random seed", DefaultValueFactory = _ => 42 };
        Option<string> speed = new("--speed") { Description = "replay: speed factor, or max", DefaultValueFactory = _ => "1" };

        Command command = new(name, description);
        foreach (Option option in new Option[] { id, mqtt, source, spool, spoolMax, segment, tls, caFile, pinned, serverName, clientCert, clientKey, username, passwordFile, forward, heartbeat, backoffMax, zone, noise, dropout, latency, seed, speed })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            string Fail(string reason) => $"{program} {name}: {reason}";
            EdgeAgentOptions options;
            try
            {
                if (!DeviceId.TryParse(parse.GetValue(id), out DeviceId deviceId))
                {
                    throw new FormatException($"--id: '{parse.GetValue(id)}' is not a device id (1..16 of A-Z a-z 0-9 _ - .)");
                }

                string? password = parse.GetValue(passwordFile) is { } file
                    ? File.ReadAllText(file).TrimEnd('\r', '\n')
                    : Environment.GetEnvironmentVariable(PasswordVariable);
                options = new EdgeAgentOptions
                {
                    Kind = kind,
                    DeviceId = deviceId,
                    Mqtt = MqttEndpoint.Parse(parse.GetValue(mqtt)!),
                    Source = parse.GetValue(source)!,
                    SpoolDir = parse.GetValue(spool),
                    Spool = new SpoolOptions { MaxBytes = ParseSize("--spool-max", parse.GetValue(spoolMax)!), SegmentBytes = ParseSize("--spool-segment", parse.GetValue(segment)!) },
                    Security = new MqttSecurity
                    {
                        UseTls = parse.GetValue(tls) || parse.GetValue(caFile) is not null || parse.GetValue(pinned) is not null,
                        CaFile = ExistingFile("--ca-file", parse.GetValue(caFile)),
                        PinnedSha256 = parse.GetValue(pinned),
                        ServerName = parse.GetValue(serverName),
                        ClientCertificateFile = ExistingFile("--client-cert", parse.GetValue(clientCert)),
                        ClientKeyFile = ExistingFile("--client-key", parse.GetValue(clientKey)),
                        ClientCertificatePassword = Environment.GetEnvironmentVariable(CertificatePasswordVariable),
                        Username = parse.GetValue(username),
                        Password = password,
                    },
                    ForwardUdp = parse.GetValue(forward) is { } f ? ParseEndpoint("--forward-udp", f) : null,
                    HeartbeatInterval = Seconds("--heartbeat", parse.GetValue(heartbeat)),
                    MaxBackoff = Seconds("--backoff-max", parse.GetValue(backoffMax)),
                    InitialBackoff = TimeSpan.FromSeconds(Math.Min(1, parse.GetValue(backoffMax))),
                    ZonePrefix = parse.GetValue(zone),
                    Sensor = new SensorModel { PositionSigmaM = parse.GetValue(noise), DropoutProbability = parse.GetValue(dropout), LatencyMs = parse.GetValue(latency), Seed = parse.GetValue(seed) },
                    ReplaySpeed = parse.GetValue(speed) is "max" ? double.PositiveInfinity
                        : double.TryParse(parse.GetValue(speed), NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && x > 0 ? x
                        : throw new FormatException($"--speed: '{parse.GetValue(speed)}' is not a positive number or max"),
                };
            }
            catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                await Console.Error.WriteLineAsync(Fail(ex.Message));
                return 2;
            }

            AgentLog log = new(Console.Error);
            EdgeAgent agent;
            try
            {
                agent = new EdgeAgent(options, log);
            }
            catch (Exception ex) when (ex is FormatException or IOException or InvalidDataException)
            {
                await Console.Error.WriteLineAsync(Fail(ex.Message));
                return 2;
            }

            int code = await agent.RunAsync(cancellationToken);
            if (code != 0)
            {
                await Console.Error.WriteLineAsync(Fail("could not start (see the log line above)"));
            }

            return code;
        });
        return command;
    }

    /// <summary>Sizes like <c>256m</c>, <c>64k</c>, <c>1g</c> or plain bytes.</summary>
    public static long ParseSize(string option, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToUpperInvariant();
        long factor = 1;
        if (t.EndsWith('K') || t.EndsWith('M') || t.EndsWith('G'))
        {
            factor = t[^1] switch { 'K' => 1L << 10, 'M' => 1L << 20, _ => 1L << 30 };
            t = t[..^1];
        }

        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0
            ? (long)(value * factor)
            : throw new FormatException($"{option}: '{text}' is not a size (like 256m, 64k or a number of bytes)");
    }

    private static TimeSpan Seconds(string option, double value) =>
        value > 0 ? TimeSpan.FromSeconds(value) : throw new FormatException($"{option} must be a positive number of seconds");

    private static string? ExistingFile(string option, string? path) =>
        path is null || File.Exists(path) ? path : throw new FormatException($"{option}: no file '{path}'");

    private static IPEndPoint ParseEndpoint(string option, string text)
    {
        MqttEndpoint parsed = MqttEndpoint.Parse(text);
        IPAddress address = parsed.Host == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(parsed.Host, out IPAddress? ip) ? ip
            : Dns.GetHostAddresses(parsed.Host) is [var first, ..] ? first
            : throw new FormatException($"{option}: cannot resolve '{parsed.Host}'");
        return new IPEndPoint(address, parsed.Port);
    }
}
