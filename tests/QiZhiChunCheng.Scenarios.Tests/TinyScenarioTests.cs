using QiZhiChunCheng.Scenarios.Format;
using QiZhiChunCheng.Scenarios.Verify;

namespace QiZhiChunCheng.Scenarios.Tests;

/// <summary>The hand-made FCW scenario under Data/: it passes, and mutating its expectations fails it for the right reason.</summary>
public sealed class TinyScenarioTests
{
    private static string Folder => Path.Combine(RepoPaths.Data, "fcw-tiny-rear-end");

    [Fact]
    public void The_committed_files_are_what_the_builder_makes()
    {
        using TempDirectory built = new();
        TinyFcwScenario.Write(built.Path);
        if (Environment.GetEnvironmentVariable("QZCC_REGENERATE_TINY") == "1")
        {
            TinyFcwScenario.Write(Folder);
        }

        foreach (string file in new[] { ScenarioFolder.ManifestFile, ScenarioFolder.MessagesFileName, ScenarioFolder.TruthFileName, ScenarioFolder.ExpectedFile })
        {
            Assert.True(File.ReadAllBytes(Path.Combine(built.Path, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(Folder, file))), $"{file} differs from what TinyFcwScenario builds (QZCC_REGENERATE_TINY=1 rewrites it)");
        }
    }

    [Fact]
    public void The_tiny_rear_end_scenario_passes_with_its_FCW_matched_and_a_lead_time()
    {
        ScenarioVerdict v = Run(Folder);

        Assert.True(v.Passed, string.Join("\n", v.Failures));
        Assert.Equal((1, 1, 0, 0), (v.Expected, v.Matched, v.Missed, v.Unexpected));
        ExpectationOutcome fcw = Assert.Single(v.Expectations);
        Assert.InRange(fcw.OnsetMs!.Value, 1000, 2500);
        Assert.Equal(4000 - fcw.OnsetMs, fcw.LeadTimeMs);
        Assert.Equal(fcw.LeadTimeMs, v.MeanLeadTimeMs);
        Assert.NotNull(v.FusionRmseM);
        Assert.InRange(v.FusionRmseM!.Value, 0, 0.5); // BSMs exactly on the truth: only the filter's lag remains
        Assert.Equal(0, v.DuplicateTrackShare);
        Assert.Equal(62, v.Messages);
        Assert.Equal(0, v.Rejected);
    }

    [Fact]
    public void A_window_the_onset_misses_fails_the_scenario_saying_when_the_onset_came()
    {
        using TempDirectory dir = Copy();
        Mutate(dir.Path, e => e with { Expected = [e.Expected[0] with { FromMs = 2600, ToMs = 3000 }] });

        ScenarioVerdict v = Run(dir.Path);

        Assert.False(v.Passed);
        Assert.Equal((1, 0, 1), (v.Expected, v.Matched, v.Missed));
        string failure = Assert.Single(v.Failures);
        Assert.StartsWith("missed expected[0]: FCW [follower, leader] with onset in 2600..3000 ms", failure, StringComparison.Ordinal);
        Assert.Matches(@"the FCW onset at 1\d00 ms for \[follower, leader\]: onset at 1\d00 ms is outside 2600\.\.3000 ms$", failure);
    }

    [Fact]
    public void Participants_the_onset_does_not_involve_and_a_far_position_are_named_in_the_reason()
    {
        using TempDirectory dir = Copy();
        Mutate(dir.Path, e => e with { Expected = [e.Expected[0] with { Participants = ["leader", "follower"], Lat = 43.8424, Lon = 125.2121 }] });

        ScenarioVerdict v = Run(dir.Path);

        Assert.False(v.Passed);
        Assert.Contains("m from the expected position (tolerance 30 m)", Assert.Single(v.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void A_forbidden_event_that_is_raised_fails_the_scenario_as_unexpected()
    {
        using TempDirectory dir = Copy();
        Mutate(dir.Path, e => e with { Expected = [], Forbidden = [new ForbiddenEvent { Type = "FCW", Participants = ["follower"], FromMs = 0, ToMs = 3000 }] });

        ScenarioVerdict v = Run(dir.Path);

        Assert.False(v.Passed);
        Assert.Equal(1, v.Unexpected);
        Assert.Matches(@"^forbidden\[0\] \(FCW in 0\.\.3000 ms \[follower\]\) raised: FCW at 1\d00 ms for \[follower, leader\]", Assert.Single(v.Failures));
        Assert.Equal(1, v.FalsePositives["FCW"]);
    }

    [Fact]
    public void The_same_scenario_marked_negative_fails_on_its_FCW_and_the_report_counts_it_against_precision()
    {
        using TempDirectory dir = Copy();
        Mutate(dir.Path, e => e with { Expected = [] });
        ScenarioFolder.WriteManifest(dir.Path, TinyFcwScenario.Manifest with { Negative = true });

        ScenarioVerdict v = Run(dir.Path);
        VerifyReport report = VerifyReport.From([v, Run(Folder)]);

        Assert.False(v.Passed);
        Assert.StartsWith("negative scenario of kind FCW raised: FCW at ", Assert.Single(v.Failures), StringComparison.Ordinal);
        Assert.Equal((1, 1), (report.Passed, report.Failed));
        ApplicationScore fcw = report.Applications["FCW"];
        Assert.Equal((1, 1, 1), (fcw.Expected, fcw.Matched, fcw.FalsePositives));
        Assert.Equal(0.5, fcw.Precision);
        Assert.Equal(1.0, fcw.Recall);
    }

    private static ScenarioVerdict Run(string dir) => ScenarioVerifier.Verify(dir, cancellationToken: TestContext.Current.CancellationToken);

    private static TempDirectory Copy()
    {
        TempDirectory dir = new();
        foreach (string file in Directory.GetFiles(Folder))
        {
            File.Copy(file, Path.Combine(dir.Path, Path.GetFileName(file)));
        }

        return dir;
    }

    private static void Mutate(string dir, Func<ExpectedEvents, ExpectedEvents> change) =>
        ScenarioFolder.WriteExpected(dir, change(ScenarioFolder.Open(dir).Expected));
}
