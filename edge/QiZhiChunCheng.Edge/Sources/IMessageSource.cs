using System.Threading.Channels;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Edge.Agent;
using QiZhiChunCheng.Edge.Spool;

namespace QiZhiChunCheng.Edge.Sources;

/// <summary>
/// Where an agent's uplink messages come from: a simulation, the RSU's V2X stack over UDP, a recording. A source
/// runs until cancelled (or, for a recording, until it ends) and hands each message to
/// <see cref="SourceContext.EmitAsync"/>; bad input is reported with <see cref="SourceContext.Reject"/>.
/// </summary>
public interface IMessageSource
{
    /// <summary>One line for the log: what the source is.</summary>
    string Description { get; }

    /// <summary>True when the source ends by itself (a recording): the agent then stops once its spool is drained.</summary>
    bool IsFinite { get; }

    Task RunAsync(SourceContext context, CancellationToken cancellationToken);
}

/// <summary>A message on its way from a source to the spool.</summary>
internal readonly record struct Outgoing(UplinkKind Kind, byte[] Payload, long GeneratedUtcMs);

/// <summary>What a source may use: the device it speaks for, the log, the clock, and the agent's intake. Thread-safe.</summary>
public sealed class SourceContext
{
    private readonly ChannelWriter<Outgoing> _writer;

    internal SourceContext(SourceKind kind, DeviceId deviceId, AgentLog log, TimeProvider time, AgentCounters counters, SensorModel sensor, double replaySpeed, ChannelWriter<Outgoing> writer)
    {
        Kind = kind;
        DeviceId = deviceId;
        Log = log;
        Time = time;
        Counters = counters;
        Sensor = sensor;
        ReplaySpeed = replaySpeed;
        _writer = writer;
    }

    public SourceKind Kind { get; }

    public DeviceId DeviceId { get; }

    public AgentLog Log { get; }

    public TimeProvider Time { get; }

    public AgentCounters Counters { get; }

    public SensorModel Sensor { get; }

    public double ReplaySpeed { get; }

    public long NowUtcMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Hands one message to the agent (waits when the intake is full). <paramref name="payload"/> is not copied.</summary>
    public ValueTask EmitAsync(UplinkKind kind, byte[] payload, long generatedUtcMs, CancellationToken cancellationToken)
    {
        Counters.CountGenerated(kind);
        return _writer.WriteAsync(new Outgoing(kind, payload, generatedUtcMs), cancellationToken);
    }

    /// <summary>Counts and logs input that was refused, with its reason; the source goes on.</summary>
    public void Reject(string reason)
    {
        Counters.CountRejected(reason);
        Log.Warn($"rejected input: {reason}");
    }
}

/// <summary>A source fed by code (embedding, tests): each <see cref="PushAsync"/> is one message.</summary>
public sealed class PushSource : IMessageSource
{
    private readonly Channel<Outgoing> _queue = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });

    public string Description => "messages pushed by the host";

    public bool IsFinite => false;

    public ValueTask PushAsync(UplinkKind kind, byte[] payload, long generatedUtcMs) =>
        _queue.Writer.WriteAsync(new Outgoing(kind, payload, generatedUtcMs));

    public async Task RunAsync(SourceContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await foreach (Outgoing message in _queue.Reader.ReadAllAsync(cancellationToken))
        {
            await context.EmitAsync(message.Kind, message.Payload, message.GeneratedUtcMs, cancellationToken);
        }
    }
}
