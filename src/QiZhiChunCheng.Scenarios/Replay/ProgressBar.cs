using System.Diagnostics;
using System.Globalization;

namespace QiZhiChunCheng.Scenarios.Replay;

/// <summary>
/// Progress of a replay or recording on a text writer (standard error): on a terminal one line redrawn in place,
/// <c>[########----------]  42%  12.6/30.0 s  3120 msgs  1250 msg/s  ETA 17 s</c>; otherwise (a log, a pipe) a plain
/// line every <see cref="PlainEvery"/>. Redraws at most 10 times a second, so calling <see cref="Report"/> per message
/// is cheap. Not thread-safe: one reporting loop.
/// </summary>
public sealed class ProgressBar
{
    private const int Width = 24;
    private readonly TextWriter _output;
    private readonly bool _interactive;
    private readonly string _label;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastDraw = TimeSpan.FromDays(-1);
    private int _lastLength;

    /// <param name="output">Where to draw (standard error).</param>
    /// <param name="interactive">Redraw in place (a terminal) rather than print lines.</param>
    /// <param name="label">A word in front: the scenario's name.</param>
    public ProgressBar(TextWriter output, bool interactive, string label)
    {
        _output = output;
        _interactive = interactive;
        _label = label;
    }

    public TimeSpan PlainEvery { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Reports <paramref name="doneMs"/> of <paramref name="totalMs"/> (scenario time; 0 when unknown) and the count
    /// of messages. The ETA comes from the scenario time still to go at the rate seen so far.
    /// </summary>
    public void Report(long doneMs, long totalMs, long messages, bool force = false)
    {
        TimeSpan now = _clock.Elapsed;
        if (!force && now - _lastDraw < (_interactive ? TimeSpan.FromMilliseconds(100) : PlainEvery))
        {
            return;
        }

        _lastDraw = now;
        string line = Format(doneMs, totalMs, messages, now);
        if (_interactive)
        {
            _output.Write('\r' + line.PadRight(_lastLength));
            _lastLength = line.Length;
        }
        else
        {
            _output.WriteLine(line);
        }

        _output.Flush();
    }

    /// <summary>Draws the final state and ends the line.</summary>
    public void Finish(long doneMs, long totalMs, long messages)
    {
        Report(doneMs, totalMs, messages, force: true);
        if (_interactive)
        {
            _output.WriteLine();
        }
    }

    private string Format(long doneMs, long totalMs, long messages, TimeSpan elapsed)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        double seconds = Math.Max(elapsed.TotalSeconds, 1e-3);
        string rate = string.Create(c, $"{messages / seconds:F0} msg/s");
        if (totalMs <= 0)
        {
            return string.Create(c, $"{_label}  {doneMs / 1000.0:F1} s  {messages} msgs  {rate}");
        }

        double fraction = Math.Clamp((double)doneMs / totalMs, 0, 1);
        int filled = (int)Math.Round(fraction * Width);
        double etaS = fraction <= 0 ? double.NaN : seconds * (1 - fraction) / fraction;
        string eta = double.IsNaN(etaS) ? "ETA -" : string.Create(c, $"ETA {etaS:F0} s");
        return string.Create(c, $"{_label}  [{new string('#', filled)}{new string('-', Width - filled)}] {fraction * 100,3:F0}%  {doneMs / 1000.0:F1}/{totalMs / 1000.0:F1} s  {messages} msgs  {rate}  {eta}");
    }
}
