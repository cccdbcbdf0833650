using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Events;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>CLW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record ClwOptions
{
}

/// <summary>CLW, control loss warning: a vehicle ahead reporting ABS, traction or stability control active, or its airbag.</summary>
public sealed class ControlLossWarning : Detector
{
    private readonly ClwOptions _options;

    public ControlLossWarning(ClwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Clw;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        _ = _options;
    }
}
