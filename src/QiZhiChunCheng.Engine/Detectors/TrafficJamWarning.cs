using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Events;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>TJW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record TjwOptions
{
}

/// <summary>TJW, traffic jam warning: a lane segment with many slow vehicles, or an RSI congestion event.</summary>
public sealed class TrafficJamWarning : Detector
{
    private readonly TjwOptions _options;

    public TrafficJamWarning(TjwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Tjw;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        _ = _options;
    }
}
