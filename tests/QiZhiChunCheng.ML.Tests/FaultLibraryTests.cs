using QiZhiChunCheng.Cli.Commands;
using QiZhiChunCheng.Scenarios.Format;
using QiZhiChunCheng.Scenarios.Replay;
using QiZhiChunCheng.Scenarios.Verify;

namespace QiZhiChunCheng.ML.Tests;

/// <summary>
/// The library's fault scenarios verify with the shipped models loaded, as <c>qzcc scenario verify</c> runs them: each
/// faulty source is named by a MISBEHAVIOR event in its window, no honest source is, and the warnings the fault would
/// cause are not raised. (Without the models the drifting radar and the ghost pass no rule; the library test in
/// Scenarios.Tests covers the rules-only case.)
/// </summary>
public sealed class FaultLibraryTests
{
    public static TheoryData<string> Faults => new(["misbehavior-dongfeng-drift-radar", "misbehavior-dongfeng-ghost-vehicle", "misbehavior-dongfeng-replayed-bsm", "misbehavior-dongfeng-frozen-clock"]);

    [Theory]
    [MemberData(nameof(Faults))]
    public void The_fault_scenario_passes_verify_with_the_shipped_models(string name)
    {
        string dir = Path.Combine(Repo.Root, "scenarios", name);
        using StringWriter warnings = new();
        InProcessReplayOptions options = new() { Engine = MlCommand.WithModels(InProcessReplay.EngineOptionsFor(ScenarioFolder.ReadManifest(dir)), noMl: false, warnings) };

        ScenarioVerdict verdict = ScenarioVerifier.Verify(dir, options: options, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("", warnings.ToString());
        Assert.True(verdict.Passed, string.Join("\n", verdict.Failures));
        Assert.Contains(verdict.Expectations, e => e.Type == "MISBEHAVIOR" && e.Matched);
    }
}
