using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Events;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>GLOSA thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record GlosaOptions
{
}

/// <summary>GLOSA, green light optimal speed advisory: the speed band that reaches the stop line on green (advice).</summary>
public sealed class GreenLightSpeedAdvice : Detector
{
    private readonly GlosaOptions _options;

    public GreenLightSpeedAdvice(GlosaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Glosa;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        _ = _options;
    }
}
