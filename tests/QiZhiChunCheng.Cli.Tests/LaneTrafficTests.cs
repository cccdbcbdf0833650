using QiZhiChunCheng.Cli.Bench;
using QiZhiChunCheng.Core.Geo;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.NetTopologySuite;

namespace QiZhiChunCheng.Cli.Tests;

/// <summary>The harness's load traffic: what the engine receives must look like vehicles driving, not teleporting.</summary>
public sealed class LaneTrafficTests
{
    [Fact]
    public void A_vehicle_id_never_jumps_and_a_vehicle_leaving_at_a_lane_end_is_replaced_by_a_new_id()
    {
        LaneTraffic traffic = new(ZoneMapLoader.Default.RequireLaneMap(), 400);
        LocalFrame frame = new(43.85, 125.22);
        Dictionary<ulong, (double East, double North, double T)> last = [];
        int replaced = 0;
        for (int v = 0; v < traffic.Count; v++)
        {
            OctetId8 previous = default;
            for (double t = 0; t <= 300; t += 0.1)
            {
                Bsm bsm = traffic.BsmAt(v, t, 0, 0);
                (double east, double north) = frame.ToLocal(bsm.Pos.LatitudeDeg, bsm.Pos.LongitudeDeg);
                if (last.TryGetValue(bsm.Id.Value, out var before))
                {
                    double moved = Math.Sqrt(Math.Pow(east - before.East, 2) + Math.Pow(north - before.North, 2));
                    double allowed = (bsm.Speed * 0.02 * (t - before.T)) + 0.5;
                    Assert.True(moved <= allowed, $"vehicle {v} ({bsm.Id}) moved {moved:0.0} m in {t - before.T:0.0} s at t={t:0.0} s");
                }

                if (previous.Value != 0 && previous.Value != bsm.Id.Value)
                {
                    replaced++;
                    Assert.NotEqual(traffic.PtcIdAt(v, t - 0.1), traffic.PtcIdAt(v, t));
                }

                previous = bsm.Id;
                last[bsm.Id.Value] = (east, north, t);
            }
        }

        // In 300 s at a few metres a second every lane of a few hundred metres is driven to its end at least once.
        Assert.True(replaced >= traffic.Count / 2, $"only {replaced} vehicles reached a lane end");
    }

    [Fact]
    public void At_any_moment_every_vehicle_has_its_own_id()
    {
        LaneTraffic traffic = new(ZoneMapLoader.Default.RequireLaneMap(), 2000);
        foreach (double t in (double[])[0, 57.3, 250, 1000])
        {
            HashSet<ulong> ids = [];
            for (int v = 0; v < traffic.Count; v++)
            {
                Assert.True(ids.Add(traffic.IdAt(v, t).Value), $"two vehicles share {traffic.IdAt(v, t)} at t={t} s");
            }
        }
    }
}
