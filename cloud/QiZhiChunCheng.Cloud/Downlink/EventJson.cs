using System.Buffers;
using System.Text.Json;
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
    public static byte[] Serialize(V2xEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArrayBufferWriter<byte> buffer = new(512);
        using (Utf8JsonWriter json = new(buffer))
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
        }

        return buffer.WrittenSpan.ToArray();
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
