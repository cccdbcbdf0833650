using BenchmarkDotNet.Attributes;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine;
using QiZhiChunCheng.Engine.Trust;
using QiZhiChunCheng.NetTopologySuite;

namespace QiZhiChunCheng.Benchmarks.Engine;

/// <summary>
/// Per-message cost of the two streams that feed fusion, from the busy-intersection scene: the BSM path (secMark
/// to event time, the BSM as an observation, association by id, the Kalman update, SLW) and the RSM path (the same
/// per participant, with the global nearest-neighbour assignment of the frame's up to 16 participants). Each engine
/// sees only its own stream, so one tick of detection over that stream's tracks is shared by the frame's messages
/// and is part of the figure. Reported per message (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class MessagePathBenchmarks
{
    /// <summary>Plausibility rules, quarantine and the per-second windows on (the default) or off: their cost.</summary>
    [Params(true, false)]
    public bool Trust { get; set; }

    private const int BsmsPerFrame = 75;
    private const int RsmsPerFrame = 26;
    private BusyIntersectionScene _scene = null!;
    private DetectionEngine _bsmEngine = null!;
    private DetectionEngine _rsmEngine = null!;
    private long _bsmFrame;
    private long _rsmFrame;

    [GlobalSetup]
    public void Setup()
    {
        _scene = new BusyIntersectionScene(ZoneMapLoader.Default.RequireLaneMap());
        _bsmEngine = new DetectionEngine(new EngineOptions { Map = _scene.Map, Trust = new TrustOptions { Enabled = Trust } });
        _rsmEngine = new DetectionEngine(new EngineOptions { Map = _scene.Map, Trust = new TrustOptions { Enabled = Trust } });
        for (int i = 0; i < BusyIntersectionScene.FramesPerLap; i++)
        {
            Bsm();
            Rsm();
        }
    }

    /// <summary>One BSM (75 a frame).</summary>
    [Benchmark(OperationsPerInvoke = BsmsPerFrame)]
    public void Bsm() => Feed(_bsmEngine, ref _bsmFrame, MessageType.Bsm);

    /// <summary>One RSM of up to 16 participants (26 a frame).</summary>
    [Benchmark(OperationsPerInvoke = RsmsPerFrame)]
    public void Rsm() => Feed(_rsmEngine, ref _rsmFrame, MessageType.Rsm);

    private void Feed(DetectionEngine engine, ref long frame, MessageType type)
    {
        long lap = frame / BusyIntersectionScene.FramesPerLap;
        List<V2xMessage> messages = _scene.Frame((int)(frame % BusyIntersectionScene.FramesPerLap));
        for (int i = 0; i < messages.Count; i++)
        {
            if (messages[i].Type == type)
            {
                engine.Process(BusyIntersectionScene.Shift(messages[i], lap));
            }
        }

        frame++;
        engine.DiscardEvents();
    }
}
