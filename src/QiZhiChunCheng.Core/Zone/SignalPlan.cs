using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Core.Zone;

/// <summary>The light of a fixed-time phase at an instant.</summary>
public enum PhaseLight : byte
{
    Red = 0,
    Green = 1,
    Yellow = 2,
}

/// <summary>
/// One phase of a fixed-time plan: it turns green <see cref="StartS"/> seconds into the cycle, stays green for
/// <see cref="GreenS"/>, yellow for <see cref="YellowS"/>, red for <see cref="RedS"/>; the three add up to the
/// cycle. <see cref="Movements"/> says in words what it releases.
/// </summary>
public readonly record struct PhasePlan(byte Id, int StartS, int GreenS, int YellowS, int RedS, string? Movements = null);

/// <summary>
/// The fixed-time signal plan of one intersection (MAP node <see cref="Id"/>): cycle, offset (seconds after the
/// zone's time origin, midnight UTC, at which the cycle starts) and phases. Enough to generate SPAT. Immutable.
/// </summary>
public sealed record IntersectionSignalPlan
{
    public NodeReferenceId Id { get; init; }

    public string? Name { get; init; }

    public int CycleS { get; init; }

    public int OffsetS { get; init; }

    public ValueArray<PhasePlan> Phases { get; init; }

    public bool HasPhase(byte phaseId)
    {
        foreach (PhasePlan p in Phases)
        {
            if (p.Id == phaseId)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The light of <paramref name="phaseId"/> at <paramref name="utcMs"/> and the seconds until it changes; false when
    /// the plan has no such phase. Worked example: cycle 120, offset 14, phase start 0, green 44, yellow 3: at 30 s
    /// into the day the cycle time is (30 - 14) mod 120 = 16, so the phase is green with 28 s to go.
    /// </summary>
    public bool TryGetLight(byte phaseId, long utcMs, out PhaseLight light, out double secondsToChange)
    {
        foreach (PhasePlan p in Phases)
        {
            if (p.Id != phaseId)
            {
                continue;
            }

            double cycleTime = ((((utcMs % 86_400_000) / 1000.0) - OffsetS) % CycleS + CycleS) % CycleS;
            double intoPhase = ((cycleTime - p.StartS) % CycleS + CycleS) % CycleS;
            (light, secondsToChange) = intoPhase < p.GreenS ? (PhaseLight.Green, p.GreenS - intoPhase)
                : intoPhase < p.GreenS + p.YellowS ? (PhaseLight.Yellow, p.GreenS + p.YellowS - intoPhase)
                : (PhaseLight.Red, CycleS - intoPhase);
            return true;
        }

        light = PhaseLight.Red;
        secondsToChange = double.NaN;
        return false;
    }
}
