using System.Globalization;
using System.Text;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Engine.World;

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
    public static string IdOf(in DetectedEvent e) => IdOf(e, null);

    /// <summary>The stable id, naming an RSU subject by <paramref name="rsuName"/> when given (<c>MISBEHAVIOR-RSU-DF-01-1764316800000</c>).</summary>
    public static string IdOf(in DetectedEvent e, Func<OctetId8, string?>? rsuName)
    {
        StringBuilder sb = new(64);
        sb.Append(V2xEvent.TypeCode(e.Type));
        if (!e.Subject.IsEmpty)
        {
            sb.Append('-').Append(NameOf(e.Subject, rsuName));
        }

        if (!e.Other.IsEmpty)
        {
            sb.Append('-').Append(NameOf(e.Other, rsuName));
        }

        if (e.Key != 0)
        {
            sb.Append("-K").Append(e.Key.ToString(CultureInfo.InvariantCulture));
        }

        sb.Append('-').Append(e.OnsetUtcMs.ToString(CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    /// <summary>
    /// The platform's record of an event phase. <paramref name="rsuName"/> names an RSU subject (MISBEHAVIOR) by its
    /// device id as in its MQTT topic (<c>RSU-DF-01</c>); without it, or when it returns null, by its 8-octet id in hex.
    /// </summary>
    public static V2xEvent ToV2xEvent(in DetectedEvent e, LaneMap map, string? traceId = null, Func<OctetId8, string?>? rsuName = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        (double lat, double lon) = map.Frame.ToWgs84(e.XM, e.YM);
        List<string> participants = new(2);
        if (!e.Subject.IsEmpty)
        {
            participants.Add(NameOf(e.Subject, rsuName));
        }

        if (!e.Other.IsEmpty)
        {
            participants.Add(NameOf(e.Other, rsuName));
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
            Id = IdOf(e, rsuName),
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

    /// <summary>A participant's name in events: an RSU subject by its device id when <paramref name="rsuName"/> knows it.</summary>
    public static string NameOf(ParticipantRef p, Func<OctetId8, string?>? rsuName) =>
        p.IsRsu && rsuName?.Invoke(p.RsuId) is { } name ? name : p.ToString();

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
