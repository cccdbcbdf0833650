using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.Engine.Tests.Harness;
using QiZhiChunCheng.Engine.Trust;
using QiZhiChunCheng.NetTopologySuite;
using QiZhiChunCheng.Testing;

namespace QiZhiChunCheng.Engine.Tests.Trust;

/// <summary>Shared pieces of the trust tests: the zone with its RSUs, scenes with trust options, crafted messages.</summary>
internal static class TrustKit
{
    /// <summary>RSU-DF-02, at the south-west corner of Dongfeng St x Feiyue Rd: its coverage holds the mid-block poses.</summary>
    public const ulong Rsu02 = 0x5253554446303032;

    private static readonly Lazy<IReadOnlyList<RsuSite>> Sites =
        new(() => ZoneMapLoader.Load(DongfengZone.Map(), DongfengZone.Rsus(), DongfengZone.Signals()).Rsus);

    public static IReadOnlyList<RsuSite> Rsus => Sites.Value;

    public static Scene NewScene(TrustOptions? trust = null) =>
        new(ZoneFixture.Options with { Trust = (trust ?? new TrustOptions()) with { Rsus = Rsus } });

    public static TrustMonitor Trust(this Scene scene) => scene.Engine.Trust ?? throw new InvalidOperationException("trust is off");

    public static long Failures(this Scene scene, TrustRule rule) => scene.Trust().Counters.Failures(rule);

    public static int VehicleFailures(this Scene scene, ulong id, TrustRule rule) => scene.Trust().Failures(SourceKind.Obu, new OctetId8(id), rule);

    public static string Hex(ulong id) => new OctetId8(id).ToString();

    public static List<V2xEvent> Misbehavior(this Scene scene) => scene.Of(EventType.Misbehavior);

    /// <summary>A message with its envelope's generation stamp moved by <paramref name="shiftMs"/> (the sender's clock disagreeing with its secMark).</summary>
    public static V2xMessage Stamped(V2xMessage message, long shiftMs) =>
        message.WithEnvelope(message.Envelope with { GeneratedUtcMs = message.Envelope.GeneratedUtcMs + shiftMs, IngestUtcMs = message.Envelope.IngestUtcMs + shiftMs });

    /// <summary>A pose in a field south-east of the zone's lanes, heading east.</summary>
    public static LanePose Field(Scene scene)
    {
        (double x, double y) = scene.Map.Frame.ToLocal(43.8400, 125.2300);
        return new LanePose(x, y, 90);
    }
}

/// <summary>Scores a window by its share of covered reports no RSU confirmed: a stand-in for a trained model (a ghost has 1).</summary>
internal sealed class UnseenScorer : ISourceAnomalyScorer
{
    public float Threshold => 0.8f;

    public float Score(ReadOnlySpan<float> features) => features[SourceFeatures.UnseenCoveredShare];
}

/// <summary>Calls a segment congested below a quarter of the limit, slowing below 0.6 (the labelling rule of the traffic model).</summary>
internal sealed class SpeedRatioModel : ITrafficStateModel
{
    public TrafficLevel Classify(ReadOnlySpan<float> features) =>
        features[SegmentFeatures.MeanSpeedRatio] < 0.25f ? TrafficLevel.Congested
        : features[SegmentFeatures.MeanSpeedRatio] < 0.6f ? TrafficLevel.Slowing
        : TrafficLevel.FreeFlow;
}

/// <summary>Keeps copies of every window it is shown.</summary>
internal sealed class RecordingObserver : ITrustObserver
{
    public List<(SourceKind Kind, OctetId8 Id, long EndUtcMs, float[] Features, float Score, bool Quarantined)> Sources { get; } = [];

    public List<(int Segment, long EndUtcMs, float[] Features, TrafficLevel? Level)> Segments { get; } = [];

    public void OnSourceWindow(in SourceWindowSample sample) =>
        Sources.Add((sample.Kind, sample.SourceId, sample.WindowEndUtcMs, sample.Features.ToArray(), sample.Score, sample.Quarantined));

    public void OnSegmentWindow(in SegmentWindowSample sample) =>
        Segments.Add((sample.Segment, sample.WindowEndUtcMs, sample.Features.ToArray(), sample.ModelLevel));
}
