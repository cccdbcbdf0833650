using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.NetTopologySuite;
using QiZhiChunCheng.Scenarios.Format;
using QiZhiChunCheng.Scenarios.Generation;
using QiZhiChunCheng.Scenarios.Replay;
using QiZhiChunCheng.Scenarios.Verify;

namespace QiZhiChunCheng.Scenarios.Tests;

/// <summary>
/// MISBEHAVIOR expectations naming an RSU: the RSU's device id (as in its MQTT topic) is a valid participant of a
/// MISBEHAVIOR entry though no truth has it, and an onset naming the RSU (by device id or by its RSU id in hex)
/// matches it; the recipe-only misbehavior folders are what the generator writes.
/// </summary>
public sealed class MisbehaviorVerifyTests
{
    private static string Tiny => Path.Combine(RepoPaths.Data, "fcw-tiny-rear-end");

    [Fact]
    public void An_RSU_id_is_a_valid_participant_of_a_MISBEHAVIOR_entry_only()
    {
        using TempDirectory dir = CopyTiny(new ExpectedEvents
        {
            Expected = [new ExpectedEvent { Type = "MISBEHAVIOR", Participants = ["RSU-DF-01"], FromMs = 0, ToMs = 3000 }],
            Forbidden = [new ForbiddenEvent { Type = "MISBEHAVIOR", Participants = ["RSU-DF-02"] }, new ForbiddenEvent { Type = "FCW", Participants = ["RSU-DF-03"] }],
        });

        IReadOnlyList<string> problems = ScenarioFolder.Open(dir.Path).Validate();

        string problem = Assert.Single(problems);
        Assert.Contains("participant 'RSU-DF-03' is not in", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RSU-DF-01")]
    [InlineData("5253554446303031")] // the same RSU by its 8-octet RSU id
    public void An_onset_naming_the_RSU_matches_the_expected_MISBEHAVIOR(string named)
    {
        using TempDirectory dir = CopyTiny(new ExpectedEvents
        {
            Expected = [new ExpectedEvent { Type = "MISBEHAVIOR", Participants = ["RSU-DF-01"], FromMs = 1000, ToMs = 3000 }],
            Forbidden = [new ForbiddenEvent { Type = "MISBEHAVIOR", Participants = ["RSU-DF-02"] }, new ForbiddenEvent { Type = "MISBEHAVIOR", Participants = ["follower"] }],
        });
        ScenarioFolder folder = ScenarioFolder.Open(dir.Path);

        ScenarioVerdict v = ScenarioVerifier.Judge(folder, Result(folder, Onset(named, 1500)));

        Assert.True(v.Passed, string.Join("\n", v.Failures));
        Assert.Equal("RSU-DF-01", Assert.Single(v.Expectations).Participants[0]);
        Assert.Equal(1500, v.Expectations[0].OnsetMs);
    }

    [Fact]
    public void MISBEHAVIOR_on_an_honest_RSU_or_vehicle_fails_as_forbidden()
    {
        using TempDirectory dir = CopyTiny(new ExpectedEvents
        {
            Expected = [new ExpectedEvent { Type = "MISBEHAVIOR", Participants = ["RSU-DF-01"], FromMs = 1000, ToMs = 3000 }],
            Forbidden = [new ForbiddenEvent { Type = "MISBEHAVIOR", Participants = ["RSU-DF-02"] }, new ForbiddenEvent { Type = "MISBEHAVIOR", Participants = ["follower"] }],
        });
        ScenarioFolder folder = ScenarioFolder.Open(dir.Path);

        // RSU-DF-02 by its RSU id in hex; the follower by its BSM id (QZCCFOL1).
        ScenarioVerdict v = ScenarioVerifier.Judge(folder, Result(folder, Onset("RSU-DF-01", 1200), Onset("5253554446303032", 1300), Onset("515A4343464F4C31", 1400)));

        Assert.False(v.Passed);
        Assert.Equal(2, v.Unexpected);
        Assert.Contains(v.Failures, f => f.StartsWith("forbidden[0] (MISBEHAVIOR in 0..end ms [RSU-DF-02]) raised", StringComparison.Ordinal));
        Assert.Contains(v.Failures, f => f.StartsWith("forbidden[1] (MISBEHAVIOR in 0..end ms [follower]) raised", StringComparison.Ordinal));
    }

    [Fact]
    public void The_committed_recipe_only_folders_are_what_the_generator_writes()
    {
        // Regenerate with: dotnet run --project src/QiZhiChunCheng.Cli -- scenario generate library --out scenarios
        Assert.Equal(4, ScenarioGenerator.Recipes.Count(r => r.Folder.StartsWith("misbehavior-", StringComparison.Ordinal)));
        foreach (RecipeEntry r in ScenarioGenerator.Recipes)
        {
            string committed = Path.Combine(RepoPaths.Scenarios, r.Folder, ScenarioWriter.ManifestFile);
            Assert.True(File.Exists(committed), $"scenarios/{r.Folder} is missing: regenerate the library");
            Assert.True(File.ReadAllText(committed) == ScenarioWriter.ManifestJson(ScenarioGenerator.RecipeManifest(r)), $"scenarios/{r.Folder}/scenario.json differs from what the generator writes: regenerate the library");
        }

        // Training sets are not must-pass cases: searching the library leaves them out, naming them finds them.
        Assert.DoesNotContain(ScenarioFolder.Find(RepoPaths.Scenarios), d => d.Contains($"{Path.DirectorySeparatorChar}training{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        Assert.Equal(ScenarioGenerator.Recipes.Count(r => r.Folder.StartsWith("training/", StringComparison.Ordinal)), ScenarioFolder.Find(Path.Combine(RepoPaths.Scenarios, "training")).Count);
    }

    private static V2xEvent Onset(string participant, long atMs) => new()
    {
        Id = $"MISBEHAVIOR-{participant}-{atMs}",
        Type = EventType.Misbehavior,
        Phase = EventPhase.Onset,
        Participants = [participant],
        EventTimeUtcMs = TinyFcwScenario.Start + atMs,
    };

    private static ReplayResult Result(ScenarioFolder folder, params V2xEvent[] events)
    {
        TruthTimeline truth = new(folder.ReadTruth(), ZoneMapLoader.Default.RequireLaneMap().Frame);
        truth.ReadToEnd();
        return new ReplayResult
        {
            Events = events,
            Problems = [],
            Fusion = new FusionScore(),
            ResolveParticipant = truth.Resolve,
            TruthIds = truth.Ids,
            Frame = ZoneMapLoader.Default.RequireLaneMap().Frame,
        };
    }

    private static TempDirectory CopyTiny(ExpectedEvents expected)
    {
        TempDirectory dir = new();
        foreach (string file in Directory.GetFiles(Tiny))
        {
            File.Copy(file, Path.Combine(dir.Path, Path.GetFileName(file)));
        }

        File.WriteAllText(Path.Combine(dir.Path, ScenarioFolder.ExpectedFile), System.Text.Json.JsonSerializer.Serialize(expected, ScenarioJson.Default.ExpectedEvents));
        return dir;
    }
}
