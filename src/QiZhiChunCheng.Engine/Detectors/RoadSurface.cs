namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>The road surface, which sets the deceleration a vehicle can be expected to manage.</summary>
public enum RoadSurface : byte
{
    Dry = 0,
    Snow = 1,
    Ice = 2,
}

/// <summary>Deceleration assumptions by surface (V2X-REFERENCE section 4): dry 6, packed snow 3, ice 1.5 m/s².</summary>
public sealed record SurfaceOptions
{
    /// <summary>The surface when nothing else says (configuration; RSI weather events may set it at run time).</summary>
    public RoadSurface Surface { get; init; } = RoadSurface.Dry;

    public double DryDecelMps2 { get; init; } = 6.0;

    public double SnowDecelMps2 { get; init; } = 3.0;

    public double IceDecelMps2 { get; init; } = 1.5;

    /// <summary>The deceleration available on <paramref name="surface"/> (positive, m/s²).</summary>
    public double DecelMps2(RoadSurface surface) => surface switch
    {
        RoadSurface.Ice => IceDecelMps2,
        RoadSurface.Snow => SnowDecelMps2,
        _ => DryDecelMps2,
    };
}
