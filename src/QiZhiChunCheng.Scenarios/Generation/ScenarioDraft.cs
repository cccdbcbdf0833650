using QiZhiChunCheng.Scenarios.Format;

namespace QiZhiChunCheng.Scenarios.Generation;

/// <summary>
/// A scenario being generated: its manifest, its world (actors, devices, signals, RSI) and how its expectations
/// follow from the truth once the world has run.
/// </summary>
public sealed class ScenarioDraft
{
    public required ScenarioManifest Manifest { get; init; }

    public required World World { get; init; }

    /// <summary>Computes expected-events.json from the world after it has run (the truth's conflict moments).</summary>
    public required Func<World, ExpectedEvents> Expectations { get; init; }

    /// <summary>Runs the world for the manifest's duration; returns the expectations.</summary>
    public ExpectedEvents Run()
    {
        World.Run(Manifest.DurationMs);
        return Expectations(World);
    }
}
