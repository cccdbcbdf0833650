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
        const int WarmFrames = 600, MeasuredFrames = 1200;
        long allocatedSteady = 0;
        double tracksSum = 0;
        int tracksMin = int.MaxValue, tracksMax = 0;
        Stopwatch steady = new();
        Dictionary<MessageType, long> byType = [];
        {
            for (int f = 0; f < WarmFrames + MeasuredFrames; f++)
            {
                const int lap = 0;
                List<V2xMessage> messages = scene.Frame(f);
                bool measure = f >= WarmFrames;
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

        const int frames = MeasuredFrames;
        output.WriteLine($"busy intersection: {BusyIntersectionScene.Participants} road users ({BusyIntersectionScene.Vehicles} vehicles, {BusyIntersectionScene.Pedestrians} pedestrians), {scene.MessagesPerLap / BusyIntersectionScene.FramesPerLap} messages per frame");
        output.WriteLine($"tracks per frame (measured frames): mean {tracksSum / frames:F1}, min {tracksMin}, max {tracksMax}");
        FusionCounters fc = engine.World.Counters;
        output.WriteLine($"fusion: {fc.Observations} observations, {fc.TracksCreated} tracks created, {fc.TracksDeleted} deleted, {fc.OutOfOrder} out of order");
        output.WriteLine($"engine: {engine.Counters.Ticks} ticks, {engine.Counters.Late} late, {engine.Counters.Untimed} untimed");
        QiZhiChunCheng.Engine.Trust.TrustCounters tc = engine.Counters.Trust;
        output.WriteLine($"trust: {tc.Sightings} sightings, {tc.FailedSightings} failed, {tc.Dropped} dropped, {tc.Quarantines} quarantines, {tc.SourceWindows} source windows, {tc.SegmentWindows} segment windows; failures by rule: "
            + string.Join(", ", Enum.GetValues<QiZhiChunCheng.Engine.Trust.TrustRule>().Where(r => tc.Failures(r) > 0).Select(r => $"{QiZhiChunCheng.Engine.Trust.TrustRules.Name(r)} {tc.Failures(r)}")));
        output.WriteLine($"onsets in the measured 120 s: {string.Join(", ", onsets.OrderBy(kv => kv.Key).Select(kv => $"{V2xEvent.TypeCode(kv.Key)} {kv.Value}"))}");
        output.WriteLine($"allocated in the measured frames: {allocatedSteady} B ({allocatedSteady / (double)frames:F1} B per frame)");
        output.WriteLine($"allocated by message type: {string.Join(", ", byType.Select(kv => $"{kv.Key} {kv.Value} B"))}");
        output.WriteLine($"time per frame (Stopwatch, measured frames): {steady.Elapsed.TotalMicroseconds / frames:F1} µs");

        // Each detector alone against none: its share of the frame, and whether it allocates.
        (double baseUs, long baseBytes) = TimeWith(scene, new HashSet<EventType>());
        output.WriteLine($"detectors off (fusion, map matching, index): {baseUs:F1} µs per frame, {baseBytes} B");
        output.WriteLine($"  of which BSMs alone {TimeWith(scene, [], MessageType.Bsm).MicrosecondsPerFrame:F1} µs, RSMs alone {TimeWith(scene, [], MessageType.Rsm).MicrosecondsPerFrame:F1} µs (each with its own ticks)");
        foreach (EventType type in Enum.GetValues<EventType>())
        {
            if (type is EventType.Misbehavior)
            {
                continue;
            }

            (double us, long bytes) = TimeWith(scene, new HashSet<EventType> { type });
            output.WriteLine($"  + {V2xEvent.TypeCode(type),-5} {us - baseUs,8:F1} µs  {bytes - baseBytes,8} B");
        }

        return 0;
    }

    private static (double MicrosecondsPerFrame, long Bytes) TimeWith(BusyIntersectionScene scene, HashSet<EventType> enabled, MessageType? only = null)
    {
        DetectionEngine engine = new(new EngineOptions { Map = scene.Map, Enabled = enabled });
        const int Warm = 300, Measured = 600;
        Stopwatch watch = new();
        long bytes = 0;
        for (int f = 0; f < Warm + Measured; f++)
        {
            List<V2xMessage> messages = scene.Frame(f);
            bool measure = f >= Warm;
            long before = GC.GetAllocatedBytesForCurrentThread();
            if (measure)
            {
                watch.Start();
            }

            for (int i = 0; i < messages.Count; i++)
            {
                if (only is null || messages[i].Type == only)
                {
                    engine.Process(messages[i]);
                }
            }

            if (measure)
            {
                watch.Stop();
                bytes += GC.GetAllocatedBytesForCurrentThread() - before;
            }

            engine.DiscardEvents();
        }

        return (watch.Elapsed.TotalMicroseconds / Measured, bytes);
    }
}
