using System.Diagnostics;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Tests.Harness;

namespace QiZhiChunCheng.Engine.Tests.Detectors;

/// <summary>ICW, LTA and VRUCW on a crowded junction: nothing allocated per tick once warm; the time per tick is printed.</summary>
public sealed class ConflictCostTests
{
    [Fact]
    public void A_crowded_junction_costs_no_allocation_per_tick()
    {
        HashSet<EventType> crossing = [EventType.Icw, EventType.Lta, EventType.Vrucw];
        (double withDetectors, long allocated, int events) = Measure(crossing);
        (double baseline, _, _) = Measure(new HashSet<EventType>());

        TestContext.Current.TestOutputHelper?.WriteLine($"fastest tick: {withDetectors:F1} us with ICW+LTA+VRUCW, {baseline:F1} us without; {events} event phases");
        foreach (EventType one in crossing)
        {
            (double micros, _, int n) = Measure(new HashSet<EventType> { one });
            TestContext.Current.TestOutputHelper?.WriteLine($"  {one}: {micros - baseline:F1} us, {n} event phases");
        }
        Assert.True(events > 0, "the scene must raise events for the measurement to mean anything");
        Assert.Equal(0, allocated);
    }

    private static (double MicrosPerTick, long Allocated, int Events) Measure(IReadOnlySet<EventType> enabled)
    {
        const int Warm = 10;
        const int Ticks = 40;
        Scene scene = new(ZoneFixture.Options with { Enabled = enabled });
        (ushort Up, byte Lane)[] lanes = [(11, 1), (11, 2), (11, 3), (2, 1), (2, 2), (2, 3), (12, 1), (12, 2), (13, 1), (13, 2)];
        LanePose[] vehicles = new LanePose[150];
        for (int v = 0; v < vehicles.Length; v++)
        {
            vehicles[v] = scene.Lane(1, lanes[v % lanes.Length].Up, lanes[v % lanes.Length].Lane, 20 + (8 * (v / lanes.Length)));
        }

        LanePose[] pedestrians = new LanePose[50];
        for (int p = 0; p < pedestrians.Length; p++)
        {
            LanePose stop = scene.Lane(1, lanes[p % lanes.Length].Up, lanes[p % lanes.Length].Lane, 0);
            pedestrians[p] = stop.Ahead(3.5).Left((p % 7) - 3).Turned(-90);
        }

        // Every message built up front: only the engine runs in the measured loop.
        List<V2xMessage>[] frames = new List<V2xMessage>[Warm + Ticks];
        for (int k = 0; k < frames.Length; k++)
        {
            long t = k * 100;
            frames[k] = [];
            for (int v = 0; v < vehicles.Length; v++)
            {
                frames[k].Add(scene.Bsm((ulong)(v + 1), t, vehicles[v].Ahead(6 * t / 1000.0), 6));
            }

            for (int first = 0; first < pedestrians.Length; first += Rsm.MaxParticipants)
            {
                int n = Math.Min(Rsm.MaxParticipants, pedestrians.Length - first);
                RsmTarget[] targets = new RsmTarget[n];
                for (int i = 0; i < n; i++)
                {
                    targets[i] = new RsmTarget((ushort)(first + i + 1), ParticipantType.Pedestrian, pedestrians[first + i].Ahead(1.2 * t / 1000.0), 1.2);
                }

                frames[k].Add(scene.Rsm(ConflictDrive.RsuId, t, targets));
            }
        }

        int events = 0;
        long before = 0;
        double fastest = double.PositiveInfinity; // the fastest tick: the least disturbed by a shared machine
        for (int k = 0; k < frames.Length; k++)
        {
            if (k == Warm)
            {
                before = GC.GetAllocatedBytesForCurrentThread();
            }

            long ticks0 = Stopwatch.GetTimestamp();
            scene.Engine.AdvanceTo(Scene.Start + (k * 100)); // the tick at k × 100 ms, on the tracks of the previous frame
            if (k >= Warm)
            {
                fastest = Math.Min(fastest, Stopwatch.GetElapsedTime(ticks0).TotalMicroseconds);
            }

            foreach (V2xMessage m in frames[k])
            {
                scene.Engine.Process(m);
            }

            events += scene.Engine.PendingEvents.Count;
            scene.Engine.DiscardEvents();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(200, scene.Engine.LastTickTracks.Length); // every participant was in every measured tick
        return (fastest, allocated, events);
    }
}
