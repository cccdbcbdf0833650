using QiZhiChunCheng.Engine.Trust;
using QiZhiChunCheng.Scenarios.Replay;
using QiZhiChunCheng.Scenarios.Verify;

namespace QiZhiChunCheng.Scenarios.Tests;

/// <summary>The verify report's traffic-state section: truth labels per lane segment, and the TJW rule judged against them.</summary>
public sealed class TrafficStateReportTests
{
    [Theory]
    [InlineData(1.0, TrafficLevel.FreeFlow)]
    [InlineData(0.6, TrafficLevel.FreeFlow)]
    [InlineData(0.59, TrafficLevel.Slowing)]
    [InlineData(0.25, TrafficLevel.Slowing)]
    [InlineData(0.24, TrafficLevel.Congested)]
    [InlineData(0.0, TrafficLevel.Congested)]
    public void The_truth_label_follows_the_speed_ratio_thresholds(double ratio, TrafficLevel level) =>
        Assert.Equal(level, TrafficStateScorer.Label(ratio));

    [Fact]
    public void The_jam_scenario_is_labelled_congested_and_its_TJW_agrees_while_no_model_gives_levels()
    {
        ScenarioVerdict v = ScenarioVerifier.Verify(Path.Combine(RepoPaths.Scenarios, "tjw-dongfeng-jam"), cancellationToken: TestContext.Current.CancellationToken);

        TrafficStateScore t = Assert.IsType<TrafficStateScore>(v.TrafficState);
        Assert.True(t.Windows > 0);
        Assert.Equal(t.Windows, t.TruthLevels.Sum());
        Assert.True(t.TruthLevels[(int)TrafficLevel.Congested] > 0);
        Assert.True(t.TjwConfusion[(int)TrafficLevel.Congested][(int)TrafficLevel.Congested] > 0, "the level-3 TJW lane should count as congested");
        Assert.Equal(0, t.ModelWindows);
        Assert.Null(t.ModelAccuracy);

        VerifyReport report = VerifyReport.From([v]);
        Assert.Equal(t.Windows, report.TrafficState!.Windows);
        Assert.Contains("## Traffic state per lane segment", report.ToMarkdown(), StringComparison.Ordinal);
        Assert.Contains("\"trafficState\":{\"windows\":", report.ToJson(), StringComparison.Ordinal);
    }
}
