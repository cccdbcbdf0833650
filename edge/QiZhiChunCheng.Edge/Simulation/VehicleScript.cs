using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Edge.Simulation;

/// <summary>
/// From <see cref="AtS"/> seconds into the script's cycle, accelerate at <see cref="AccelMps2"/> (negative: brake)
/// until the speed reaches <see cref="UntilKmh"/>, then hold it; the flags and lights hold until the next step.
/// </summary>
public sealed record ScriptStep(double AtS, double AccelMps2, double UntilKmh, VehicleEventFlags Events = VehicleEventFlags.None, ExteriorLights Lights = ExteriorLights.None, bool AbsEngaged = false);

/// <summary>
/// A scripted situation for a simulated vehicle: a cycle of <see cref="CycleS"/> seconds that starts at the cruise
/// speed and follows the steps (brake hard, stop with hazard lights, ABS on a slippery patch). Each cycle is a new
/// vehicle: it starts again at the vehicle's start position with an id of its own (the BSM id plus the cycle
/// number), as if the next car came along, so that no vehicle ever jumps back along the road. The motion is
/// integrated once at 10 ms steps into a table; reading it is a lookup. Immutable, thread-safe.
/// </summary>
public sealed class VehicleScript
{
    private const double StepS = 0.01;
    private readonly double[] _distance;
    private readonly double[] _speed;
    private readonly double[] _accel;
    private readonly int[] _step;
    private readonly IReadOnlyList<ScriptStep> _steps;

    public VehicleScript(double cycleS, double cruiseKmh, IReadOnlyList<ScriptStep> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(cycleS, 0);
        CycleS = cycleS;
        CruiseKmh = cruiseKmh;
        _steps = steps;
        int n = (int)Math.Ceiling(cycleS / StepS) + 1;
        _distance = new double[n];
        _speed = new double[n];
        _accel = new double[n];
        _step = new int[n];
        double v = cruiseKmh / 3.6, d = 0;
        int current = -1;
        for (int i = 0; i < n; i++)
        {
            double t = i * StepS;
            while (current + 1 < steps.Count && steps[current + 1].AtS <= t)
            {
                current++;
            }

            double a = 0;
            if (current >= 0)
            {
                ScriptStep s = steps[current];
                double target = s.UntilKmh / 3.6;
                if ((s.AccelMps2 < 0 && v > target) || (s.AccelMps2 > 0 && v < target))
                {
                    a = s.AccelMps2;
                }
            }

            _distance[i] = d;
            _speed[i] = v;
            _accel[i] = a;
            _step[i] = current;
            d += v * StepS;
            v = Math.Max(0, v + (a * StepS));
            if (current >= 0 && ((a < 0 && v < steps[current].UntilKmh / 3.6) || (a > 0 && v > steps[current].UntilKmh / 3.6)))
            {
                v = steps[current].UntilKmh / 3.6;
            }
        }
    }

    public double CycleS { get; }

    public double CruiseKmh { get; }

    /// <summary>The state <paramref name="t"/> seconds into a cycle.</summary>
    public ScriptState At(double t)
    {
        int i = Math.Clamp((int)(t / StepS), 0, _distance.Length - 1);
        ScriptStep? step = _step[i] >= 0 ? _steps[_step[i]] : null;
        return new ScriptState(_distance[i], _speed[i], _accel[i], step?.Events ?? VehicleEventFlags.None, step?.Lights ?? ExteriorLights.None, step?.AbsEngaged ?? false);
    }
}

/// <summary>Where a scripted vehicle is in its cycle: distance from its start, speed, acceleration and what it signals.</summary>
public readonly record struct ScriptState(double DistanceM, double SpeedMps, double AccelMps2, VehicleEventFlags Events, ExteriorLights Lights, bool AbsEngaged);
