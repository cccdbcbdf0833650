using QiZhiChunCheng.Core.Geo;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Edge.Simulation;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Edge.Tests;

/// <summary>The demo's misbehaving source: a ghost that sends plausible BSMs inside the RSU's coverage, periodically, with a new id each time.</summary>
public sealed class DemoGhostTests
{
    [Fact]
    public void The_demo_ghost_comes_and_goes_inside_the_RSUs_coverage_with_a_new_id_each_time()
    {
        EdgeSimulation demo = EdgeSimulation.DongfengDemo(new MqttEndpoint("127.0.0.1", 1), new V2xTopics());
        SimulatedVehicle ghost = Assert.Single(demo.Ghosts);
        SimulatedRsu rsu = Assert.Single(demo.Rsus);
        LocalFrame frame = new(rsu.LatDeg, rsu.LonDeg);
        Assert.True(ghost.Ghost);
        Assert.DoesNotContain(ghost, demo.HeardVehicles);
        Assert.DoesNotContain(ghost, demo.ObuVehicles);

        HashSet<ulong> ids = [];
        for (double t = 0; t < 180; t += 0.1)
        {
            bool inCycle = t % 60 < 35;
            Assert.Equal(inCycle, ghost.SendsAt(t));
            if (!inCycle)
            {
                continue;
            }

            Bsm bsm = ghost.BsmAt(t, 1_795_852_800_000 + (long)(t * 1000), 0);
            (double east, double north) = frame.ToLocal(bsm.Pos.LatitudeDeg, bsm.Pos.LongitudeDeg);
            Assert.InRange(Math.Sqrt((east * east) + (north * north)), 0, rsu.SensorRangeM - 20);
            Assert.InRange(bsm.Speed * 0.02, 11, 11.2);
            ids.Add(bsm.Id.Value);
        }

        Assert.Equal(3, ids.Count);
    }
}
