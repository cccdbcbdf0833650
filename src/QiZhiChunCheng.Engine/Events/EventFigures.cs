using System.Runtime.CompilerServices;

namespace QiZhiChunCheng.Engine.Events;

/// <summary>The names of the figures behind an event; each maps to a camelCase key with its unit in the name.</summary>
public enum Figure : byte
{
    None = 0,
    TtcS,
    DistanceM,
    GapM,
    SpeedMps,
    OtherSpeedMps,
    ClosingSpeedMps,
    LimitMps,
    LightState,
    TimeToChangeS,
    RequiredDecelMps2,
    AvailableDecelMps2,
    TimeToConflictS,
    OtherTimeToConflictS,
    AdvisoryMinMps,
    AdvisoryMaxMps,
    LateralM,
    LongitudinalM,
    AccelMps2,
    MeanSpeedMps,
    VehicleCount,
    Level,
    RsiCode,
    OverS,
    MaxSpeedMps,
    HeadingDiffDeg,
    OvertakeTimeS,
    RadiusM,

    /// <summary>MISBEHAVIOR: the dominant plausibility rule of the window (a <c>TrustRule</c> code).</summary>
    RuleCode,

    /// <summary>MISBEHAVIOR: sightings that failed a rule in the window.</summary>
    FailureCount,

    /// <summary>MISBEHAVIOR: failed sightings / sightings in the window.</summary>
    FailureShare,

    /// <summary>MISBEHAVIOR: the anomaly score of the window (with a scorer).</summary>
    AnomalyScore,
}

/// <summary>
/// Up to eight named figures of an event, inline: filling it allocates nothing. The engine turns it into the
/// event's dictionary only when the event is materialised.
/// </summary>
public struct EventFigures
{
    public const int MaxFigures = 8;

    private NameBuffer _names;
    private ValueBuffer _values;
    private int _count;

    public readonly int Count => _count;

    /// <summary>Sets a figure (rounded to 3 decimals when materialised); a ninth distinct figure is ignored.</summary>
    public void Set(Figure name, double value)
    {
        for (int i = 0; i < _count; i++)
        {
            if (_names[i] == name)
            {
                _values[i] = value;
                return;
            }
        }

        if (_count < MaxFigures)
        {
            _names[_count] = name;
            _values[_count] = value;
            _count++;
        }
    }

    public readonly bool TryGet(Figure name, out double value)
    {
        for (int i = 0; i < _count; i++)
        {
            if (_names[i] == name)
            {
                value = _values[i];
                return true;
            }
        }

        value = double.NaN;
        return false;
    }

    public readonly Figure NameAt(int index) => _names[index];

    public readonly double ValueAt(int index) => _values[index];

    /// <summary>The key a figure has in an event's <c>Figures</c> (<c>ttcS</c>, <c>requiredDecelMps2</c>).</summary>
    public static string Key(Figure name) => Keys[(int)name];

    private static readonly string[] Keys = BuildKeys();

    private static string[] BuildKeys()
    {
        Figure[] all = Enum.GetValues<Figure>();
        string[] keys = new string[all.Length];
        foreach (Figure f in all)
        {
            string s = f.ToString();
            keys[(int)f] = char.ToLowerInvariant(s[0]) + s[1..];
        }

        return keys;
    }

    [InlineArray(MaxFigures)]
    private struct NameBuffer
    {
        private Figure _element;
    }

    [InlineArray(MaxFigures)]
    private struct ValueBuffer
    {
        private double _element;
    }
}
