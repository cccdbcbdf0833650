using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Tests.Harness;

namespace QiZhiChunCheng.Engine.Tests.Detectors;

/// <summary>A vehicle moving along its heading with a constant acceleration, stepped every tick, so positions and speeds agree.</summary>
internal sealed class Mover(LanePose pose, double speedMps, double accelMps2 = 0)
{
    public LanePose Pose { get; set; } = pose;

    public double SpeedMps { get; set; } = speedMps;

    public double AccelMps2 { get; set; } = accelMps2;

    /// <summary>Moves on by <paramref name="dtS"/> seconds; a braking vehicle stops, it never reverses.</summary>
    public void Step(double dtS = 0.1)
    {
        double v1 = Math.Max(0, SpeedMps + (AccelMps2 * dtS));
        Pose = Pose.Ahead((SpeedMps + v1) / 2 * dtS);
        SpeedMps = v1;
    }
}

/// <summary>Shared expectations of the same-road detector tests (FCW, EBW, AVW, CLW, EVW, DNPW, BSW/LCW).</summary>
internal static class LongRoadKit
{
    public const string Dongfeng = "Dongfeng Street";

    /// <summary>How events name the connected vehicle <paramref name="id"/>.</summary>
    public static string Vehicle(ulong id) => new OctetId8(id).ToString();

    /// <summary>How events name target <paramref name="ptcId"/> of RSU <paramref name="rsuId"/> (a roadside-only track).</summary>
    public static string Roadside(ulong rsuId, ushort ptcId) => $"{new OctetId8(rsuId)}:{ptcId}";

    /// <summary>Lane 2 (straight) of the north-east-bound Dongfeng approach, <paramref name="beforeStopLineM"/> before the Feiyue stop line: mid-block.</summary>
    public static LanePose MidBlock(Scene scene, double beforeStopLineM = 200) => scene.Lane(1, 11, 2, beforeStopLineM);

    /// <summary>Steps every 100 ms from <paramref name="fromMs"/> to <paramref name="toMs"/> inclusive: <paramref name="feed"/> sends the messages of that instant.</summary>
    public static void Run(long fromMs, long toMs, Action<long> feed)
    {
        for (long t = fromMs; t <= toMs; t += 100)
        {
            feed(t);
        }
    }

    /// <summary>The onsets of <paramref name="type"/> whose subject is <paramref name="subject"/>.</summary>
    public static List<V2xEvent> OnsetsFor(Scene scene, EventType type, string subject) =>
        scene.Onsets(type).Where(e => e.Participants[0] == subject).ToList();

    /// <summary>The one onset of <paramref name="type"/> for <paramref name="subject"/>, checked for its participants and location.</summary>
    public static V2xEvent SingleOnset(Scene scene, EventType type, string subject, string other, string? location = Dongfeng)
    {
        V2xEvent onset = Assert.Single(OnsetsFor(scene, type, subject));
        Assert.Equal(type, onset.Type);
        Assert.Equal(EventPhase.Onset, onset.Phase);
        Assert.Equal([subject, other], onset.Participants);
        Assert.Equal(location, onset.Location);
        return onset;
    }

    /// <summary>The event of <paramref name="onset"/> cleared, once, after it, with the same id.</summary>
    public static void ClearedOnce(Scene scene, V2xEvent onset)
    {
        V2xEvent clear = Assert.Single(scene.Of(onset.Type), e => e.Phase == EventPhase.Clear && e.Id == onset.Id);
        Assert.Equal(onset.Id, clear.Id);
        Assert.True(clear.EventTimeUtcMs > onset.EventTimeUtcMs);
    }

    public static void Near(double expected, double actual, double tolerance) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"expected {expected} ± {tolerance}, got {actual}");
}
