using System.Net;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Edge.Sources;
using QiZhiChunCheng.Edge.Spool;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Edge.Agent;

/// <summary>Everything an RSU or vehicle agent is told at start; the command line fills it.</summary>
public sealed record EdgeAgentOptions
{
    /// <summary><see cref="SourceKind.Rsu"/> or <see cref="SourceKind.Obu"/> (a test vehicle).</summary>
    public required SourceKind Kind { get; init; }

    public required DeviceId DeviceId { get; init; }

    public MqttEndpoint Mqtt { get; init; } = new("127.0.0.1", MqttEndpoint.DefaultPort);

    public MqttSecurity Security { get; init; } = new();

    /// <summary><c>sim:dongfeng</c>, <c>sim:PATH</c>, <c>sim:load:RATE</c>, <c>udp:PORT</c> or <c>replay:FILE</c>.</summary>
    public string Source { get; init; } = "sim:dongfeng";

    /// <summary>The spool folder (default <c>qzcc-data/spool/{id}</c>).</summary>
    public string? SpoolDir { get; init; }

    public SpoolOptions Spool { get; init; } = new();

    /// <summary>Where downlink payloads are forwarded as UDP datagrams (the V2X stack), or null to log them only.</summary>
    public IPEndPoint? ForwardUdp { get; init; }

    /// <summary>The zone prefix of the topics, if the broker serves several zones.</summary>
    public string? ZonePrefix { get; init; }

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The first wait after a failed connect; doubled each time (with jitter) up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Telemetry younger than this is sent live at QoS 0; older (backlog) at QoS 1 so the broker acknowledges it.</summary>
    public TimeSpan LiveWindow { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>QoS 1 publishes in flight at once (lowered to the broker's Receive Maximum).</summary>
    public int MaxInflight { get; init; } = 256;

    /// <summary>The simulated sensor of <c>sim:</c> sources.</summary>
    public SensorModel Sensor { get; init; } = new();

    /// <summary>Replay speed for <c>replay:</c> (1 = as recorded; <see cref="double.PositiveInfinity"/> = as fast as possible).</summary>
    public double ReplaySpeed { get; init; } = 1;

    public string SpoolPath => SpoolDir ?? Path.Combine("qzcc-data", "spool", DeviceId.ToString());
}
