using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Time;
using QiZhiChunCheng.Core.Validation;
using QiZhiChunCheng.Engine.Detectors;
using QiZhiChunCheng.Engine.Map;

namespace QiZhiChunCheng.Engine;

/// <summary>Configuration of the engine; every threshold has its documented default.</summary>
public sealed record EngineOptions
{
    public SlwOptions Slw { get; init; } = new();

    /// <summary>
    /// The zone's compiled lane map (limits, phases, stop lines per lane). The default is an empty map, on which
    /// lane-based detectors raise nothing: composition roots load the zone (the NetTopologySuite adapter's
    /// <c>ZoneMapLoader.Default</c>) and set it here.
    /// </summary>
    public LaneMap Map { get; init; } = LaneMap.Empty;
}

/// <summary>What the engine has seen, for the summary and /metrics.</summary>
public sealed class EngineCounters
{
    public long Messages { get; internal set; }

    public long Bsms { get; internal set; }

    /// <summary>Messages whose time markers could not be placed in time (counted, not used for detection).</summary>
    public long Untimed { get; internal set; }

    public long Events { get; internal set; }
}

/// <summary>
/// The detection engine for one partition: takes decoded messages in arrival order and raises events on their
/// event time. Not thread-safe: one engine per partition worker. Detectors added by the fusion issue plug in here.
/// </summary>
public sealed class DetectionEngine
{
    private readonly SpeedLimitWarning _slw;

    public DetectionEngine(EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _slw = new SpeedLimitWarning(options.Slw, options.Map);
        Map = options.Map;
    }

    /// <summary>The lane map the detectors use now.</summary>
    public LaneMap Map { get; private set; }

    /// <summary>Switches every detector to a new lane map, between two messages (a MAP update).</summary>
    public void UseMap(LaneMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        Map = map;
        _slw.UseMap(map);
    }

    public EngineCounters Counters { get; } = new();

    /// <summary>Processes one message and appends raised events to <paramref name="output"/>.</summary>
    public void Process(in V2xMessage message, List<V2xEvent> output)
    {
        Counters.Messages++;
        int before = output.Count;
        if (message.Type == MessageType.Bsm)
        {
            Counters.Bsms++;
            ref readonly Bsm bsm = ref message.Bsm;
            long reference = message.Envelope.GeneratedUtcMs != 0 ? message.Envelope.GeneratedUtcMs : message.Envelope.IngestUtcMs;
            if (!V2xTime.TryResolveSecMark(bsm.SecMark, reference, out long eventTime, out Rejection _))
            {
                Counters.Untimed++;
                return;
            }

            _slw.Process(bsm, eventTime, message.Envelope.TraceId.IsEmpty ? null : message.Envelope.TraceId.ToString(), output);
        }

        Counters.Events += output.Count - before;
    }
}
