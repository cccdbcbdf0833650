using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Time;
using QiZhiChunCheng.Engine.Signals;
using QiZhiChunCheng.Engine.Tests.Harness;
using static QiZhiChunCheng.Engine.Tests.Harness.SceneSignals;

namespace QiZhiChunCheng.Engine.Tests.Signals;

/// <summary>The SPAT state: counting and UTC timing placed in absolute time, next states, roll-overs, staleness.</summary>
public sealed class SignalStateTests
{
    private static readonly long T0 = Scene.Start;

    private static Spat Spat(ushort node, params Phase[] phases) => new()
    {
        Intersections = new ValueArray<IntersectionState>([new IntersectionState { IntersectionId = new NodeReferenceId(node), Phases = phases }]),
    };

    private static (SignalState State, int Node) State()
    {
        SignalState s = new(ZoneFixture.Map);
        return (s, ZoneFixture.Map.FindNode(new NodeReferenceId(1)));
    }

    [Fact]
    public void Counting_timing_is_relative_to_the_spat_time()
    {
        (SignalState s, int node) = State();
        s.Apply(Spat(1, RedThenGreen(1, 12.5, 30)), T0);

        Assert.True(s.TryGetLight(node, 1, T0, out PhaseInterval now));
        Assert.Equal(new PhaseInterval(LightState.Red, T0, T0 + 12_500, T0 + 12_500, T0 + 12_500), now);
        Assert.True(s.TryGetLight(node, 1, T0, T0 + 20_000, out PhaseInterval later));
        Assert.Equal(LightState.ProtectedGreen, later.Light);
        Assert.Equal(T0 + 12_500, later.StartUtcMs);
        Assert.Equal(T0 + 42_500, later.LikelyEndUtcMs);
        Assert.True(s.TryGetLight(node, 1, T0, T0 + 44_000, out PhaseInterval yellow));
        Assert.Equal(LightState.Yellow, yellow.Light);
        Assert.False(s.TryGetLight(node, 1, T0, T0 + 46_000, out _)); // beyond what the SPAT says
        Assert.False(s.TryGetLight(node, 2, T0, out _)); // a phase the SPAT did not carry
    }

    [Fact]
    public void Min_and_max_end_are_kept_and_default_to_the_likely_end()
    {
        (SignalState s, int node) = State();
        PhaseState green = new(LightState.PermissiveGreen, new TimeChangeDetails { Kind = TimingKind.Counting, StartTime = 0, MinEndTime = 50, MaxEndTime = 150, LikelyEndTime = 100 });
        s.Apply(Spat(1, Phase(3, green)), T0);

        Assert.True(s.TryGetLight(node, 3, T0 + 500, out PhaseInterval i));
        Assert.Equal(new PhaseInterval(LightState.PermissiveGreen, T0, T0 + 10_000, T0 + 5_000, T0 + 15_000), i);
    }

    [Fact]
    public void Next_start_and_duration_add_the_next_occurrence_of_the_same_light()
    {
        (SignalState s, int node) = State();
        s.Apply(Spat(1, Phase(1, Counting(LightState.ProtectedGreen, 0, 20, nextStartS: 140, nextDurationS: 44))), T0);

        Assert.True(s.TryGetLight(node, 1, T0, T0 + 150_000, out PhaseInterval next));
        Assert.Equal(new PhaseInterval(LightState.ProtectedGreen, T0 + 140_000, T0 + 184_000, T0 + 184_000, T0 + 184_000), next);
        Assert.False(s.TryGetLight(node, 1, T0, T0 + 60_000, out _)); // the gap between is not described
        Assert.Equal(2, s.Intervals(node, 1, T0).Length);
    }

    [Fact]
    public void Utc_timing_resolves_across_the_hour_roll_over()
    {
        (SignalState s, int node) = State();
        long t = new DateTimeOffset(2026, 11, 28, 8, 59, 58, TimeSpan.Zero).ToUnixTimeMilliseconds();
        long nine = t + 2_000;

        // Red since 08:59:30 (TimeMark 35700) until 09:00:05 (TimeMark 50, the next hour).
        s.Apply(Spat(1, Phase(1, Utc(LightState.Red, t - 28_000, nine + 5_000), Utc(LightState.ProtectedGreen, nine + 5_000, nine + 35_000))), t);

        Assert.True(s.TryGetLight(node, 1, t, out PhaseInterval red));
        Assert.Equal(t - 28_000, red.StartUtcMs);
        Assert.Equal(nine + 5_000, red.LikelyEndUtcMs);
        Assert.True(s.TryGetLight(node, 1, t, nine + 10_000, out PhaseInterval green));
        Assert.Equal(LightState.ProtectedGreen, green.Light);
    }

    [Fact]
    public void The_spat_time_from_moy_and_timestamp_rolls_over_the_minute()
    {
        // A SPAT generated at 08:00:59.950 says red for 0.1 s more: the change is at 08:01:00.050.
        Scene scene = new();
        scene.Feed(scene.Spat(59_950, 1, Phase(1, Counting(LightState.Red, 0, 0.1), Counting(LightState.ProtectedGreen, 0.1, 30))));
        int node = scene.Map.FindNode(new NodeReferenceId(1));

        Assert.True(scene.Engine.Signals.TryGetLight(node, 1, Scene.Start + 60_000, out PhaseInterval now));
        Assert.Equal(LightState.Red, now.Light);
        Assert.Equal(Scene.Start + 60_050, now.LikelyEndUtcMs);
        Assert.Equal(V2xTime.ToMoy(Scene.Start) + 1, V2xTime.ToMoy(now.LikelyEndUtcMs));
    }

    [Fact]
    public void A_stale_spat_is_unknown_and_an_older_one_does_not_replace_a_newer()
    {
        (SignalState s, int node) = State();
        s.Apply(Spat(1, RedThenGreen(1, 30, 30)), T0);

        Assert.True(s.TryGetLight(node, 1, T0 + 1_000, out _));
        Assert.False(s.TryGetLight(node, 1, T0 + 1_001, out _));
        Assert.False(s.TryGetLight(node, 1, T0 + 1_001, T0 + 500, out _)); // asked late about the past: still stale

        s.Apply(Spat(1, GreenThenRed(1, 10, 30)), T0 - 100);
        Assert.True(s.TryGetLight(node, 1, T0, out PhaseInterval i));
        Assert.Equal(LightState.Red, i.Light);
    }

    [Fact]
    public void Unknown_intersections_are_counted_and_ignored()
    {
        (SignalState s, _) = State();
        s.Apply(Spat(999, RedThenGreen(1, 30, 30)), T0);

        Assert.Equal(1, s.UnknownIntersections);
        Assert.Equal(1, s.Applied);
    }

    [Fact]
    public void Applying_a_spat_allocates_nothing_once_warm()
    {
        (SignalState s, int node) = State();
        Spat spat = Spat(1, RedThenGreen(1, 30, 30), GreenThenRed(2, 10, 50), RedThenGreen(3, 5, 20), Phase(4, Utc(LightState.Red, T0, T0 + 20_000)));
        s.Apply(spat, T0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1; i <= 100; i++)
        {
            s.Apply(spat, T0 + (i * 100));
            _ = s.TryGetLight(node, 1, T0 + (i * 100), out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
