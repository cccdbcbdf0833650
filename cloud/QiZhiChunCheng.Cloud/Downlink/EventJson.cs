using System.Text.Json;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Events;

namespace QiZhiChunCheng.Cloud.Downlink;

/// <summary>
/// An event phase as one JSON object, the value of a <c>v2x.events</c> record and the payload of a vehicle's
/// <c>WARN/DOWN</c>: <c>{"ts":..,"id":..,"type":"FCW","phase":"onset","severity":2,"participants":[..],
/// "lat":..,"lon":..,"location":..,"eventTimeUtcMs":..,"detectedUtcMs":..,"figures":{..},"traceId":..}</c>.
/// <c>ts</c> is the detection time (UTC ms), which the edge agent reads to log the downlink's latency.
/// </summary>
public static class EventJson
{
    [ThreadStatic]
    private static ReusableJsonWriter? _threadWriter;

    /// <summary>
    /// The phase as a new array of its exact length; nothing else is allocated per call (the writer and its buffer are
    /// kept per thread: a fresh one made about 4.5 KB of garbage per phase, the most of any single call in the cloud).
    /// </summary>
    public static byte[] Serialize(V2xEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        ReusableJsonWriter cached = _threadWriter ??= new ReusableJsonWriter();
        Utf8JsonWriter json = cached.Begin();
        try
        {
            json.WriteStartObject();
            json.WriteNumber("ts", e.DetectedUtcMs);
            json.WriteString("id", e.Id);
            json.WriteString("type", V2xEvent.TypeCode(e.Type));
            json.WriteString("phase", e.Phase.ToString().ToLowerInvariant());
            json.WriteNumber("severity", e.Severity);
            json.WriteStartArray("participants");
            foreach (string p in e.Participants)
            {
                json.WriteStringValue(p);
            }

            json.WriteEndArray();
            json.WriteNumber("lat", e.LatitudeDeg);
            json.WriteNumber("lon", e.LongitudeDeg);
            if (e.Location is not null)
            {
                json.WriteString("location", e.Location);
            }

            json.WriteNumber("eventTimeUtcMs", e.EventTimeUtcMs);
            json.WriteNumber("detectedUtcMs", e.DetectedUtcMs);
            WriteFiguresAndTrace(json, e);
            json.WriteEndObject();
            return cached.End();
        }
        catch
        {
            _threadWriter = null; // a writer left mid-object is not reused
            throw;
        }
    }

    /// <summary>The <c>figures</c> object and the <c>traceId</c>, as the event JSON and the API's GeoJSON both carry them.</summary>
    public static void WriteFiguresAndTrace(Utf8JsonWriter json, V2xEvent e)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(e);
        json.WriteStartObject("figures");
        foreach (KeyValuePair<string, double> figure in e.Figures)
        {
            json.WriteNumber(figure.Key, figure.Value);
        }

        json.WriteEndObject();
        if (e.TraceId is not null)
        {
            json.WriteString("traceId", e.TraceId);
        }
    }
}
