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
            : Describe(e);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{time}  {V2xEvent.TypeCode(e.Type),-5} {e.Phase.ToString().ToLowerInvariant(),-6} sev {e.Severity}  {string.Join(',', e.Participants)}  {e.Location}  {what}  at {e.LatitudeDeg:F6},{e.LongitudeDeg:F6}  id {e.Id}");
    }

    /// <summary>The figures of an event in words: "TTC 1.8 s, gap 12.0 m, 50.0 → 0.0 km/h"; unknown figures as key=value.</summary>
    private static string Describe(V2xEvent e)
    {
        List<string> parts = [];
        foreach ((string key, double v) in e.Figures)
        {
            string? text = key switch
            {
                "ttcS" => Inv($"TTC {v:F1} s"),
                "timeToConflictS" => Inv($"{v:F1} s to the conflict"),
                "otherTimeToConflictS" => Inv($"other {v:F1} s"),
                "gapM" => Inv($"gap {v:F1} m"),
                "distanceM" => Inv($"{v:F0} m away"),
                "speedMps" => Inv($"{v * 3.6:F0} km/h"),
                "otherSpeedMps" => Inv($"other {v * 3.6:F0} km/h"),
                "closingSpeedMps" or "limitMps" or "maxSpeedMps" or "overS" => null,
                "accelMps2" => Inv($"{v:F1} m/s²"),
                "requiredDecelMps2" => Inv($"needs {v:F1} m/s² to stop"),
                "availableDecelMps2" => Inv($"road allows {v:F1} m/s²"),
                "advisoryMinMps" => Inv($"advice from {v * 3.6:F0}"),
                "advisoryMaxMps" => Inv($"to {v * 3.6:F0} km/h"),
                "vehicleCount" => Inv($"{v:F0} vehicles"),
                "meanSpeedMps" => Inv($"mean {v * 3.6:F0} km/h"),
                "level" => Inv($"level {v:F0}"),
                "rsiCode" => Inv($"code {v:F0}"),
                "lightState" => ((int)v) switch
                {
                    3 or 2 => "red",
                    7 or 8 => "yellow",
                    4 or 5 or 6 => "green",
                    _ => "light unknown",
                },
                "timeToChangeS" => Inv($"changes in {v:F1} s"),
                _ => Inv($"{key}={v:G4}"),
            };
            if (text is not null)
            {
                parts.Add(text);
            }
        }

        return string.Join(", ", parts);

        static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }
}
