using System.Globalization;
using System.Text;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Map;

namespace QiZhiChunCheng.Engine.Events;

/// <summary>
/// Turns the hot path's <see cref="DetectedEvent"/> values into the platform's <see cref="V2xEvent"/> records that
/// sinks store and send. Allocates (the id, the lists, the figures): call it per event phase, off the per-message path.
/// </summary>
public static class EventMaterializer
{
    /// <summary>
    /// The stable id of an event: <c>{TYPE}-{subject}[-{other}][-K{key}]-{onset UTC ms}</c>, for example
    /// <c>FCW-51415A4343303031-5253553030303031:412-1764316800100</c>. Built from content, so a replay or a restarted
    /// worker names the same event the same way (the store is idempotent by id).
    /// </summary>
    public static string IdOf(in DetectedEvent e)
    {
        StringBuilder sb = new(64);
        sb.Append(V2xEvent.TypeCode(e.Type));
        if (!e.Subject.IsEmpty)
        {
            sb.Append('-').Append(e.Subject.ToString());
        }

        if (!e.Other.IsEmpty)
        {
            sb.Append('-').Append(e.Other.ToString());
        }

        if (e.Key != 0)
        {
            sb.Append("-K").Append(e.Key.ToString(CultureInfo.InvariantCulture));
        }

        sb.Append('-').Append(e.OnsetUtcMs.ToString(CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    public static V2xEvent ToV2xEvent(in DetectedEvent e, LaneMap map, string? traceId = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        (double lat, double lon) = map.Frame.ToWgs84(e.XM, e.YM);
        List<string> participants = new(2);
        if (!e.Subject.IsEmpty)
        {
            participants.Add(e.Subject.ToString());
        }

        if (!e.Other.IsEmpty)
        {
            participants.Add(e.Other.ToString());
        }

        Dictionary<string, double> figures = new(e.Figures.Count);
        for (int i = 0; i < e.Figures.Count; i++)
        {
            double v = e.Figures.ValueAt(i);
            if (double.IsFinite(v))
            {
                figures[EventFigures.Key(e.Figures.NameAt(i))] = Math.Round(v, 3);
            }
        }

        return new V2xEvent
        {
            Id = IdOf(e),
            Type = e.Type,
            Phase = e.Phase,
            Severity = e.Severity,
            Participants = participants,
            LatitudeDeg = Math.Round(lat, 7),
            LongitudeDeg = Math.Round(lon, 7),
            Location = LocationName(e.Location, map),
            Figures = figures,
            EventTimeUtcMs = e.EventTimeUtcMs,
            TraceId = traceId,
        };
    }

    private static string? LocationName(EventLocation location, LaneMap map)
    {
        if ((uint)location.Node < (uint)map.Nodes.Length)
        {
            return map.NodeName(location.Node);
        }

        if ((uint)location.Link < (uint)map.Links.Length)
        {
            return map.LinkName(location.Link);
        }

        return null;
    }
}
