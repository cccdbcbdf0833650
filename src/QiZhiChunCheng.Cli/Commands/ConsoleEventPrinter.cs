using System.Globalization;
using QiZhiChunCheng.Core.Events;

namespace QiZhiChunCheng.Cli.Commands;

/// <summary>Prints one line per event to standard output. Thread-safe (Console serialises writes).</summary>
internal sealed class ConsoleEventPrinter : IEventSink
{
    public ValueTask WriteAsync(IReadOnlyList<V2xEvent> events, CancellationToken cancellationToken)
    {
        foreach (V2xEvent e in events)
        {
            Console.Out.WriteLine(Format(e));
        }

        return ValueTask.CompletedTask;
    }

    public static string Format(V2xEvent e)
    {
        string time = DateTimeOffset.FromUnixTimeMilliseconds(e.EventTimeUtcMs).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        string what = e.Type == EventType.Slw && e.Figures.TryGetValue("speedMps", out double speed) && e.Figures.TryGetValue("limitMps", out double limit)
            ? e.Phase == EventPhase.Clear
                ? string.Create(CultureInfo.InvariantCulture, $"back to {speed * 3.6:F1} km/h, limit {limit * 3.6:F0} km/h")
                : string.Create(CultureInfo.InvariantCulture, $"{speed * 3.6:F1} km/h over the {limit * 3.6:F0} km/h limit")
            : string.Join(' ', e.Figures.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Key}={f.Value:G4}")));
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{time}  {V2xEvent.TypeCode(e.Type),-5} {e.Phase.ToString().ToLowerInvariant(),-6} sev {e.Severity}  {string.Join(',', e.Participants)}  {e.Location}  {what}  at {e.LatitudeDeg:F6},{e.LongitudeDeg:F6}  id {e.Id}");
    }
}
