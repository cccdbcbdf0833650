using QiZhiChunCheng.Scenarios.Format;
using QiZhiChunCheng.Scenarios.Verify;

namespace QiZhiChunCheng.Scenarios.Tests;

/// <summary>
/// The data-driven test: one case per scenario folder under <c>scenarios/</c> (the zone map folder aside), each
/// replayed in process and verified against its expected events. A new folder is a new case, with no code.
/// </summary>
public sealed class ScenarioLibraryTests
{
    /// <summary>Shown as the only case while the library is empty.</summary>
    private const string NoScenarios = "(no scenario folders)";

    public static TheoryData<string> Folders()
    {
        TheoryData<string> data = [];
        foreach (string dir in ScenarioFolder.Find(RepoPaths.Scenarios))
        {
            data.Add(Path.GetRelativePath(RepoPaths.Scenarios, dir));
        }

        if (data.Count == 0)
        {
            data.Add(NoScenarios);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void Every_scenario_in_the_library_passes_verification(string folder)
    {
        if (folder == NoScenarios)
        {
            Assert.Empty(ScenarioFolder.Find(RepoPaths.Scenarios));
            return;
        }

        ScenarioVerdict v = ScenarioVerifier.Verify(Path.Combine(RepoPaths.Scenarios, folder), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(v.Passed, $"{v.Name}: {string.Join("; ", v.Failures)}");
    }
}
