using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Time;
using QiZhiChunCheng.Core.Zone;

namespace QiZhiChunCheng.Scenarios.Generation;

/// <summary>
/// The lights of the zone's fixed-time plans over a scenario, and the SPAT an RSU broadcasts from them: each phase's
/// current state and the next three, with <c>counting</c> timing (tenths of a second after the SPAT's time), so that
/// GLOSA can see the coming green window. Immutable.
/// </summary>
public static class SignalTimeline
{
    /// <summary>The light of <paramref name="phase"/> at <paramref name="node"/> at <paramref name="utcMs"/>; null when the zone has no such plan.</summary>
    public static PhaseLight? Light(GeneratorZone zone, ushort node, byte phase, long utcMs, out double secondsToChange)
    {
        secondsToChange = double.NaN;
        return zone.PlanOf(node) is { } plan && plan.TryGetLight(phase, utcMs, out PhaseLight light, out secondsToChange) ? light : null;
    }

    /// <summary>The SPAT of <paramref name="plan"/> at <paramref name="utcMs"/>.</summary>
    public static Spat SpatOf(IntersectionSignalPlan plan, long utcMs, byte msgCnt)
    {
        ArgumentNullException.ThrowIfNull(plan);
        Phase[] phases = new Phase[plan.Phases.Count];
        for (int i = 0; i < phases.Length; i++)
        {
            PhasePlan p = plan.Phases[i];
            plan.TryGetLight(p.Id, utcMs, out PhaseLight light, out double toChange);
            PhaseState[] states = new PhaseState[4];
            double start = 0;
            double end = toChange;
            for (int k = 0; k < states.Length; k++)
            {
                states[k] = new PhaseState(State(light), new TimeChangeDetails
                {
                    Kind = TimingKind.Counting,
                    StartTime = Tenths(start),
                    LikelyEndTime = Tenths(end),
                });
                light = light switch { PhaseLight.Green => PhaseLight.Yellow, PhaseLight.Yellow => PhaseLight.Red, _ => PhaseLight.Green };
                start = end;
                end += light switch { PhaseLight.Green => p.GreenS, PhaseLight.Yellow => p.YellowS, _ => p.RedS };
            }

            phases[i] = new Phase { Id = p.Id, PhaseStates = new ValueArray<PhaseState>(states) };
        }

        return new Spat
        {
            MsgCnt = msgCnt,
            Moy = V2xTime.ToMoy(utcMs),
            TimeStamp = V2xTime.ToSecMark(utcMs),
            Intersections = new ValueArray<IntersectionState>([new IntersectionState { IntersectionId = plan.Id, Phases = new ValueArray<Phase>(phases) }]),
        };
    }

    /// <summary>
    /// The first UTC instant at or after <paramref name="fromUtcMs"/> (whole seconds) at which <paramref name="phase"/> of
    /// <paramref name="node"/> has <paramref name="light"/> with <paramref name="secondsLeft"/> seconds to go: how a
    /// scenario picks its start time so that the real plan shows what it needs.
    /// </summary>
    public static long FindInstant(GeneratorZone zone, ushort node, byte phase, PhaseLight light, double secondsLeft, long fromUtcMs)
    {
        ArgumentNullException.ThrowIfNull(zone);
        IntersectionSignalPlan plan = zone.PlanOf(node) ?? throw new ArgumentException($"node {node} has no signal plan");
        long from = fromUtcMs - (fromUtcMs % 1000);
        for (long t = from; t < from + (plan.CycleS * 1000L * 2); t += 100)
        {
            if (plan.TryGetLight(phase, t, out PhaseLight l, out double left) && l == light && Math.Abs(left - secondsLeft) < 0.05)
            {
                return t;
            }
        }

        throw new ArgumentException($"phase {phase} of node {node} never shows {light} with {secondsLeft} s left");
    }

    private static LightState State(PhaseLight light) => light switch
    {
        PhaseLight.Green => LightState.ProtectedGreen,
        PhaseLight.Yellow => LightState.Yellow,
        _ => LightState.Red,
    };

    private static ushort Tenths(double seconds) => (ushort)Math.Clamp(Math.Round(seconds * 10), 0, 36000);
}
