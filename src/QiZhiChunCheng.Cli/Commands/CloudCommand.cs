using System.CommandLine;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using QiZhiChunCheng.Cloud;
using QiZhiChunCheng.Core;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Cli.Commands;

/// <summary>
/// <c>qzcc cloud</c>: the cloud tier alone, for a deployment: ingest from an external MQTT 5 broker (shared
/// subscription, so several instances split the uplink) or the embedded one, the bus on Kafka or in process, fusion
/// workers, the event store, the downlink and the HTTP API. Runs until Ctrl-C, then drains what it accepted.
/// </summary>
internal static class CloudCommand
{
    public static Command Create()
    {
        Option<string?> mqtt = new("--mqtt") { Description = "HOST:PORT of an external MQTT 5 broker to ingest from (shared subscription group qzcc-ingest); default: run the embedded broker" };
        Option<string> listen = new("--listen") { Description = "HOST:PORT where the embedded broker listens when --mqtt is not given", DefaultValueFactory = _ => "127.0.0.1:1883" };
        Option<string?> mqttUser = new("--mqtt-user") { Description = "User name on the external broker" };
        Option<string?> mqttPasswordEnv = new("--mqtt-password-env") { Description = "Environment variable holding the password on the external broker (never passed on the command line)" };
        Option<string?> kafka = new("--kafka") { Description = "The bus: HOST:PORT[,HOST:PORT] of a Kafka cluster, or 'mock' for librdkafka's mock cluster in this process; default the in-process bus" };
        Option<string?> store = new("--store") { Description = "The SQLite event store's file (default DATA/events.db)" };
        Option<string> data = new("--data") { Description = "Folder for the store and the dead letter log", DefaultValueFactory = _ => "qzcc-data" };
        Option<string> http = new("--http") { Description = "Address of the HTTP API, /metrics and the map", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        Option<int> workers = new("--workers") { Description = "Fusion workers in this process (default: one per core but one, which ingest needs; at least 1)", DefaultValueFactory = _ => CloudHost.DefaultWorkers };
        Option<int> partitions = new("--partitions") { Description = "Partitions of the data topics (default: one per worker in process, two per worker on Kafka; on an existing Kafka cluster, the topics' count)" };
        Option<string?> prefix = new("--zone-prefix") { Description = "Topic prefix of the zone, when one broker serves several" };
        Option<string?> devices = new("--devices") { Description = "A device registry file (qzcc device add): the embedded broker admits only its devices and enforces their topic rights; re-read every 2 s, so added devices may connect and removed ones are refused without a restart" };
        Option<string> retention = new("--retention") { Description = "Keep events this long after their last phase (30, 30d, 12h, 90m)", DefaultValueFactory = _ => "30d" };

        Option<bool> noMl = MlCommand.NoMlOption();
        Command command = new("cloud", "Run the cloud tier alone: ingest, bus, fusion workers, event store, downlink and HTTP API");
        foreach (Option option in (Option[])[mqtt, listen, mqttUser, mqttPasswordEnv, kafka, store, data, http, workers, partitions, prefix, devices, retention, noMl])
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(store) is { } storePath && storePath.StartsWith("postgres", StringComparison.OrdinalIgnoreCase))
            {
                return Fail(parse, "--store: the PostgreSQL/PostGIS store is not built yet (IEventStore documents how it maps); give a SQLite file path");
            }

            if (parse.GetValue(workers) is < 1 or > 64 || parse.GetValue(partitions) is < 0 or > 1024)
            {
                return Fail(parse, "--workers must be 1..64 and --partitions 0..1024");
            }

            MqttEndpoint? external = null;
            MqttEndpoint embedded;
            try
            {
                external = parse.GetValue(mqtt) is { } m ? MqttEndpoint.Parse(m) : null;
                embedded = MqttEndpoint.Parse(parse.GetValue(listen)!);
            }
            catch (FormatException ex)
            {
                return Fail(parse, $"--mqtt/--listen: {ex.Message}");
            }

            if (external is not null && parse.GetValue(devices) is not null)
            {
                // Refused rather than ignored: a registry the cloud does not enforce would look like security that is not there.
                return Fail(parse, "--devices is enforced by the embedded broker; with --mqtt the external broker authenticates the devices (its own users and ACLs). Give one or the other");
            }

            if (!Uri.TryCreate(parse.GetValue(http), UriKind.Absolute, out Uri? httpUri) || httpUri.Scheme is not ("http" or "https"))
            {
                return Fail(parse, $"--http: '{parse.GetValue(http)}' is not an http:// address");
            }

            if (!DemoCommand.TryParseRetention(parse.GetValue(retention)!, out TimeSpan keep))
            {
                return Fail(parse, $"--retention: '{parse.GetValue(retention)}' is not a duration (30, 30d, 12h, 90m)");
            }

            string? password = null;
            if (parse.GetValue(mqttPasswordEnv) is { } variable)
            {
                password = Environment.GetEnvironmentVariable(variable);
                if (password is null)
                {
                    return Fail(parse, $"--mqtt-password-env: the environment variable {variable} is not set");
                }
            }

            using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
            CloudOptions options = new()
            {
                Mqtt = embedded,
                ExternalMqtt = external,
                MqttUsername = parse.GetValue(mqttUser),
                MqttPassword = password,
                Kafka = parse.GetValue(kafka),
                StorePath = parse.GetValue(store),
                DataDir = parse.GetValue(data)!,
                HttpUrl = httpUri.ToString().TrimEnd('/'),
                Workers = parse.GetValue(workers),
                Partitions = parse.GetValue(partitions),
                ZonePrefix = parse.GetValue(prefix),
                Retention = keep,
                DevicesPath = parse.GetValue(devices),
                LoggerFactory = loggers,
            };
            options = options with { Engine = MlCommand.WithModels(options.Engine, parse.GetValue(noMl), parse.InvocationConfiguration.Error) };

            CloudHost cloud;
            try
            {
                cloud = await CloudHost.StartAsync(options, cancellationToken);
            }
            catch (Exception ex) when (ex is InfrastructureException or SocketException or IOException or NotSupportedException or QiZhiChunCheng.Mqtt.Auth.DeviceRegistryException || ex.InnerException is SocketException)
            {
                return Fail(parse, $"cannot start: {ex.Message}");
            }

            await using (cloud)
            {
                Console.Out.WriteLine($"qzcc cloud: ingest from {(external is null ? $"the embedded broker on {cloud.MqttEndpoint}" : $"{external} (shared subscription)")}, bus {cloud.BusName} with {cloud.Partitions} partitions, {options.Workers} workers, HTTP {cloud.HttpAddress} (/metrics, /healthz). Ctrl-C stops.");
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                }

                Console.Out.WriteLine("qzcc cloud: stopping; draining what was accepted");
                await cloud.StopAsync();
                Console.Out.WriteLine($"qzcc cloud: stopped after {cloud.Metrics.AcceptedTotal} messages in, {cloud.Metrics.RejectedTotal} rejected, {cloud.Metrics.EventsByType().Sum(e => e.Count)} events");
            }

            return 0;
        });
        return command;
    }

    private static int Fail(ParseResult parse, string reason)
    {
        parse.InvocationConfiguration.Error.WriteLine($"qzcc cloud: {reason}");
        return 1;
    }
}
