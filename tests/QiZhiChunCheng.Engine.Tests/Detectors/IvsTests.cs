using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Tests.Harness;

namespace QiZhiChunCheng.Engine.Tests.Detectors;

/// <summary>IVS through the real engine: an RSI sign on the Dongfeng SW approach (upstream 11) into node 1.</summary>
public sealed class IvsTests
{
    private const ulong Rsu = 0x5253553030303032;
    private const ushort SchoolZone = 127; // a warning sign type (GB 5768.2 code, as the RSU sends it)

    private static RtsData Sign(Scene scene) =>
        scene.Rts(2, SchoolZone, scene.Lane(1, 11, 2, 50), 5, scene.Lane(1, 11, 2, 500), scene.Lane(1, 11, 2, 300), scene.Lane(1, 11, 2, 40));

    private static Func<long, IEnumerable<V2xMessage>> Every1s(Scene scene, RtsData sign) =>
        t => t % 1000 == 99 ? [scene.Rsi(Rsu, t, rtss: [sign])] : [];

    [Fact]
    public void A_vehicle_on_the_signs_path_approaching_it_is_shown_the_sign_once()
    {
        Scene scene = new();
        scene.Drive(7, 1, 11, 2, 250, 12, 0, 3000, Every1s(scene, Sign(scene)));

        V2xEvent onset = Assert.Single(scene.Onsets(EventType.Ivs));
        Assert.Equal(1, onset.Severity);
        Assert.Equal(["0000000000000007"], onset.Participants);
        Assert.Equal(SchoolZone, onset.Figures["rsiCode"]);
        Assert.InRange(onset.Figures["distanceM"], 197, 200);
        Assert.Contains(scene.Of(EventType.Ivs), e => e.Phase == EventPhase.Update && e.Id == onset.Id);
    }

    [Fact]
    public void Near_miss_past_the_sign_or_the_other_way_raises_nothing()
    {
        Scene past = new();
        past.Drive(7, 1, 11, 2, 45, 12, 0, 2000, Every1s(past, Sign(past)));
        Assert.Empty(past.Of(EventType.Ivs));

        Scene other = new();
        other.Hold(7, other.Lane(1, 11, 2, 200).Reversed(), 12, 2000, each: Every1s(other, Sign(other)));
        Assert.Empty(other.Of(EventType.Ivs));
    }

    [Fact]
    public void Near_miss_a_vehicle_on_the_next_lane_over_outside_the_path_radius()
    {
        Scene scene = new();
        RtsData narrow = scene.Rts(2, SchoolZone, scene.Lane(1, 11, 2, 50), 1.5, scene.Lane(1, 11, 2, 500), scene.Lane(1, 11, 2, 40));
        scene.Drive(7, 1, 11, 1, 250, 12, 0, 2000, Every1s(scene, narrow)); // lane 1 is 3.5 m to the left

        Assert.Empty(scene.Of(EventType.Ivs));
    }

    [Theory]
    [InlineData(299, true)]
    [InlineData(301, false)]
    public void Boundary_the_300_m_range(double distanceM, bool fires)
    {
        Scene scene = new();
        scene.Hold(7, scene.Lane(1, 11, 2, 50 + distanceM), 0.5, 1000, each: Every1s(scene, Sign(scene)));

        Assert.Equal(fires ? 1 : 0, scene.Onsets(EventType.Ivs).Count);
    }
}
