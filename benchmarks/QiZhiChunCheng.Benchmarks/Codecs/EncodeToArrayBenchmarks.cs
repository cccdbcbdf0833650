using BenchmarkDotNet.Attributes;
using QiZhiChunCheng.Cloud.Downlink;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Testing;

namespace QiZhiChunCheng.Benchmarks.Codecs;

/// <summary>
/// The encoders that return a new array, as the cloud calls them for every message or event phase: the bus frame of
/// each ingested BSM (<c>BinaryCodec.Encode</c>), the RSI of each downlink phase (<c>JsonCodec.Encode</c>) and the
/// event JSON of each phase for vehicles and <c>v2x.events</c> (<c>EventJson.Serialize</c>). What they allocate
/// beyond the array they return is garbage made per message.
/// </summary>
[MemoryDiagnoser]
public class EncodeToArrayBenchmarks
{
    private V2xMessage _bsm;
    private V2xMessage _rsi;
    private V2xEvent _event = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bsm = new V2xMessage(Samples.Envelope(MessageType.Bsm), Samples.Bsm());
        _rsi = new V2xMessage(default, new Rsi
        {
            MsgCnt = 1,
            Id = OctetId8.FromAscii("RSUDF01"),
            RefPos = new Position3D(438_460_000, 1_252_210_000),
            Rtes = new ValueArray<RteData>([new RteData { RteId = 7, EventType = 904, EventSource = EventSource.Detection, EventPos = new RoadPoint(0, 0), EventRadius = 500, Description = "BSW update BSW-5645483030303601-5645483030303701-1795922123300", Priority = 4 }]),
        });
        _event = new V2xEvent
        {
            Id = "BSW-5645483030303601-5645483030303701-1795922123300",
            Type = EventType.Bsw,
            Phase = EventPhase.Update,
            Severity = 2,
            Participants = ["5645483030303601", "5645483030303701"],
            LatitudeDeg = 43.845328,
            LongitudeDeg = 125.219617,
            Location = "Dongfeng Street",
            EventTimeUtcMs = 1_795_922_123_300,
            DetectedUtcMs = 1_795_922_123_302,
            Figures = new Dictionary<string, double> { ["distanceM"] = 3.4, ["speedMps"] = 13.9, ["otherSpeedMps"] = 14.2 },
            TraceId = "0af7651916cd43dd8448eb211c80319c",
        };
    }

    [Benchmark]
    public int BinaryBsm() => BinaryCodec.Encode(_bsm).Length;

    [Benchmark]
    public int JsonRsi() => JsonCodec.Encode(_rsi).Length;

    [Benchmark]
    public int EventJsonPhase() => EventJson.Serialize(_event).Length;
}
