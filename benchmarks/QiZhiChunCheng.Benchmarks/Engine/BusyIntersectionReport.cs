using System.Diagnostics;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine;
using QiZhiChunCheng.Engine.World;
using QiZhiChunCheng.NetTopologySuite;

namespace QiZhiChunCheng.Benchmarks.Engine;

/// <summary>
/// What the busy-intersection benchmark works on, in figures: tracks per frame against the 200 true road users,
/// events raised by type, bytes allocated per frame after warm-up, and a rough time per frame (Stopwatch, for a
/// sanity check only; the figure of record is the BenchmarkDotNet run).
/// </summary>
internal static class BusyIntersectionReport
{
    public static int Run(TextWriter output)
    {
        BusyIntersectionScene scene = new(ZoneMapLoader.Default.RequireLaneMap());
        DetectionEngine engine = new(new EngineOptions { Map = scene.Map });
        Dictionary<EventType, int> onsets = [];
        List<V2xEvent> events = [];
        const int Laps = 3;
        long allocatedSteady = 0;
        double tracksSum = 0;
        int tracksMin = int.MaxValue, tracksMax = 0;
        Stopwatch steady = new();
        Dictionary<MessageType, long> byType = [];
        for (int lap = 0; lap < Laps; lap++)
        {
            for (int f = 0; f < BusyIntersectionScene.FramesPerLap; f++)
            {
                List<V2xMessage> messages = scene.Frame(f);
                bool measure = lap == Laps - 1;
                long before = measure ? GC.GetAllocatedBytesForCurrentThread() : 0;
                if (measure)
                {
                    steady.Start();
                }

                for (int i = 0; i < messages.Count; i++)
                {
                    long b = measure ? GC.GetAllocatedBytesForCurrentThread() : 0;
                    engine.Process(BusyIntersectionScene.Shift(messages[i], lap));
                    if (measure)
                    {
                        long d = GC.GetAllocatedBytesForCurrentThread() - b;
                        if (d > 0)
                        {
                            byType[messages[i].Type] = byType.GetValueOrDefault(messages[i].Type) + d;
                        }
                    }
                }

                if (measure)
                {
                    steady.Stop();
                    allocatedSteady += GC.GetAllocatedBytesForCurrentThread() - before;
                    int n = engine.LastTickTracks.Length;
                    tracksSum += n;
                    tracksMin = Math.Min(tracksMin, n);
                    tracksMax = Math.Max(tracksMax, n);
                }

                events.Clear();
                engine.DrainEvents(events);
                foreach (V2xEvent e in events)
                {
                    if (measure && e.Phase == EventPhase.Onset)
                    {
                        onsets[e.Type] = onsets.GetValueOrDefault(e.Type) + 1;
                    }
                }
            }
        }

        int frames = BusyIntersectionScene.FramesPerLap;
        output.WriteLine($"busy intersection: {BusyIntersectionScene.Participants} road users ({BusyIntersectionScene.Vehicles} vehicles, {BusyIntersectionScene.Pedestrians} pedestrians), {scene.MessagesPerLap / frames} messages per frame");
        output.WriteLine($"tracks per frame (last lap): mean {tracksSum / frames:F1}, min {tracksMin}, max {tracksMax}");
        FusionCounters fc = engine.World.Counters;
        output.WriteLine($"fusion: {fc.Observations} observations, {fc.TracksCreated} tracks created, {fc.TracksDeleted} deleted, {fc.OutOfOrder} out of order");
        output.WriteLine($"engine: {engine.Counters.Ticks} ticks, {engine.Counters.Late} late, {engine.Counters.Untimed} untimed");
        output.WriteLine($"onsets in the last lap (60 s): {string.Join(", ", onsets.OrderBy(kv => kv.Key).Select(kv => $"{V2xEvent.TypeCode(kv.Key)} {kv.Value}"))}");
        output.WriteLine($"allocated in the last lap: {allocatedSteady} B ({allocatedSteady / (double)frames:F1} B per frame)");
        output.WriteLine($"allocated by message type: {string.Join(", ", byType.Select(kv => $"{kv.Key} {kv.Value} B"))}");
        output.WriteLine($"time per frame (Stopwatch, last lap): {steady.Elapsed.TotalMicroseconds / frames:F1} µs");
        return 0;
    }
}
