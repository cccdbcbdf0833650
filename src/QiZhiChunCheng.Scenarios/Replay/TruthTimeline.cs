using System.Globalization;
using QiZhiChunCheng.Core.Geo;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Scenarios.Format;

namespace QiZhiChunCheng.Scenarios.Replay;

/// <summary>
/// One participant's true position at an instant, in the lane map's local frame, with its speed and heading;
/// <see cref="IsVehicle"/> for a real vehicle (kind <c>vehicle</c> or <c>emergency</c>; not a ghost, pedestrian or cyclist).
/// </summary>
public readonly record struct TruthPoint(string Id, double XM, double YM, double SpeedMps = 0, double HeadingDeg = 0, bool IsVehicle = false);

/// <summary>
/// Reads <c>truth.jsonl</c> forward in time as the replay advances: the positions at any instant between two truth
/// frames are interpolated linearly (truth comes every 100 ms, so this is exact for constant speed). Also learns
/// how events and tracks name each participant (its BSM id, its RSU participant ids), as the lines go by.
/// Memory: two frames and the name table, whatever the file's length. Not thread-safe.
/// </summary>
public sealed class TruthTimeline
{
    private readonly IEnumerator<TruthSample> _samples;
    private readonly LocalFrame _frame;
    private readonly Dictionary<ulong, string> _byBsm = [];
    private readonly Dictionary<(ulong Rsu, ushort Ptc), string> _byPtc = [];
    private TruthSample? _pending;
    private Frame? _previous;
    private Frame? _next;
    private bool _ended;

    public TruthTimeline(IEnumerable<TruthSample> samples, LocalFrame frame)
    {
        ArgumentNullException.ThrowIfNull(samples);
        _samples = samples.GetEnumerator();
        _frame = frame;
        _next = ReadFrame();
    }

    /// <summary>Every participant id seen so far.</summary>
    public HashSet<string> Ids { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The participants' positions at <paramref name="tMs"/> (ms from the scenario's start) into
    /// <paramref name="output"/>; false when the truth does not cover that instant. Instants must not go backwards.
    /// </summary>
    public bool TryGetAt(long tMs, List<TruthPoint> output)
    {
        output.Clear();
        while (_next is not null && _next.T < tMs)
        {
            _previous = _next;
            _next = ReadFrame();
        }

        if (_next is not null && _next.T == tMs)
        {
            output.AddRange(_next.Points.Values);
            return true;
        }

        if (_previous is null || _next is null)
        {
            return false;
        }

        double f = (double)(tMs - _previous.T) / (_next.T - _previous.T);
        foreach (TruthPoint a in _previous.Points.Values)
        {
            if (_next.Points.TryGetValue(a.Id, out TruthPoint b))
            {
                output.Add(a with { XM = a.XM + ((b.XM - a.XM) * f), YM = a.YM + ((b.YM - a.YM) * f), SpeedMps = a.SpeedMps + ((b.SpeedMps - a.SpeedMps) * f) });
            }
        }

        return output.Count > 0;
    }

    /// <summary>Reads the rest of the file, so that every participant's names are known.</summary>
    public void ReadToEnd()
    {
        while (_next is not null)
        {
            _previous = _next;
            _next = ReadFrame();
        }
    }

    /// <summary>The truth id of a vehicle by its BSM id, or null.</summary>
    public string? ByBsm(ulong bsmId) => _byBsm.GetValueOrDefault(bsmId);

    /// <summary>The truth id of what RSU <paramref name="rsuId"/> reports as participant <paramref name="ptcId"/>, or null.</summary>
    public string? ByPtc(ulong rsuId, ushort ptcId) => _byPtc.GetValueOrDefault((rsuId, ptcId));

    /// <summary>
    /// The truth id of an event participant (<c>51415A4343303031</c> or <c>5253553030303031:412</c>), or null when
    /// the truth does not name it.
    /// </summary>
    public string? Resolve(string participant)
    {
        ArgumentNullException.ThrowIfNull(participant);
        int colon = participant.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return OctetId8.TryParseHex(participant, out OctetId8 id) ? ByBsm(id.Value) : null;
        }

        return OctetId8.TryParseHex(participant.AsSpan(0, colon), out OctetId8 rsu)
            && ushort.TryParse(participant.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out ushort ptc)
            ? ByPtc(rsu.Value, ptc)
            : null;
    }

    private Frame? ReadFrame()
    {
        if (_pending is null && !Advance())
        {
            return null;
        }

        Frame frame = new(_pending!.T);
        while (_pending is not null && _pending.T == frame.T)
        {
            Learn(_pending);
            (double x, double y) = _frame.ToLocal(_pending.Lat, _pending.Lon);
            frame.Points[_pending.Id] = new TruthPoint(_pending.Id, x, y, _pending.SpeedMps, _pending.HeadingDeg, _pending.Kind is "vehicle" or "emergency");
            if (!Advance())
            {
                break;
            }
        }

        return frame;
    }

    private bool Advance()
    {
        if (_ended || !_samples.MoveNext())
        {
            _ended = true;
            _pending = null;
            return false;
        }

        _pending = _samples.Current;
        return true;
    }

    private void Learn(TruthSample s)
    {
        Ids.Add(s.Id);
        if (s.BsmId is { } hex && OctetId8.TryParseHex(hex, out OctetId8 bsm))
        {
            _byBsm.TryAdd(bsm.Value, s.Id);
        }

        if (s.Ptc is { } ptcs)
        {
            foreach ((string rsuHex, int ptc) in ptcs)
            {
                if (OctetId8.TryParseHex(rsuHex, out OctetId8 rsu) && ptc is >= 0 and <= ushort.MaxValue)
                {
                    _byPtc.TryAdd((rsu.Value, (ushort)ptc), s.Id);
                }
            }
        }
    }

    private sealed class Frame(long t)
    {
        public long T { get; } = t;

        public Dictionary<string, TruthPoint> Points { get; } = new(StringComparer.Ordinal);
    }
}
