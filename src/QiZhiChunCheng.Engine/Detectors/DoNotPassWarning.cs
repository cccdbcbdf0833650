using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Events;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>DNPW thresholds (V2X-REFERENCE section 4; provisional defaults).</summary>
public sealed record DnpwOptions
{
}

/// <summary>DNPW, do not pass warning: a vehicle moving into the opposing lane with an oncoming vehicle too close to overtake.</summary>
public sealed class DoNotPassWarning : Detector
{
    private readonly DnpwOptions _options;

    public DoNotPassWarning(DnpwOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public override EventType Type => EventType.Dnpw;

    public override void Evaluate(TickContext context, EventLifecycle events)
    {
        _ = _options;
    }
}
