using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Events;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>HLW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record HlwOptions
{
}

/// <summary>HLW, hazardous location warning: a vehicle approaching an active RSI event within its radius or path.</summary>
public sealed class HazardousLocationWarning : Detector
{
    private readonly HlwOptions _options;

    public HazardousLocationWarning(HlwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Hlw;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        _ = _options;
    }
}
