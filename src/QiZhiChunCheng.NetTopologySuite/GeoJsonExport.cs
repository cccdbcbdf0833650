using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;
using QiZhiChunCheng.Core.Geo;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Zone;

namespace QiZhiChunCheng.NetTopologySuite;

/// <summary>
/// Writes a zone as a GeoJSON FeatureCollection (RFC 7946: WGS-84 longitude, latitude; exterior rings
/// counter-clockwise) for any GIS tool. Each feature's <c>kind</c> property says what it is: <c>lane</c> (polygon),
/// <c>centreLine</c>, <c>stopLine</c>, <c>crosswalk</c>, <c>connection</c> (the path through an intersection),
/// <c>intersection</c> (its area), <c>conflictArea</c>, <c>rsuCoverage</c>. Coordinates are rounded to 1e-7 degree,
/// the MAP's own resolution. Thread-safe.
/// </summary>
public static class GeoJsonExport
{
    // A file for GIS tools, never pasted into HTML: names and ids ("11->1/2") are written as they are, not escaped.
    private static readonly JsonSerializerOptions Options = new()
    {
        Converters = { new GeoJsonConverterFactory(false, "id", RingOrientationOption.EnforceRfc9746) },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(ZoneMap zone, Stream output)
    {
        ArgumentNullException.ThrowIfNull(zone);
        JsonSerializer.Serialize(output, Features(zone), Options);
    }

    public static string ToGeoJson(ZoneMap zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return JsonSerializer.Serialize(Features(zone), Options);
    }

    internal static FeatureCollection Features(ZoneMap zone)
    {
        ZoneGeometry g = zone.Geometry;
        GeometryFactory factory = new();
        Wgs84 wgs = new(g.Frame, factory);
        FeatureCollection features = [];
        foreach (LaneShape lane in g.Lanes)
        {
            string id = LaneId(lane);
            if (lane.Type == LaneType.Crosswalk)
            {
                features.Add(Feature($"crosswalk:{id}", wgs.Convert(lane.Area), LaneAttributes("crosswalk", lane)));
                continue;
            }

            features.Add(Feature($"lane:{id}", wgs.Convert(lane.Area), LaneAttributes("lane", lane)));
            features.Add(Feature($"centreLine:{id}", wgs.Convert(lane.CentreLine), LaneAttributes("centreLine", lane)));
            if (lane.StopLine is { } stop)
            {
                features.Add(Feature($"stopLine:{id}", wgs.Convert(stop), LaneAttributes("stopLine", lane)));
            }
        }

        for (int i = 0; i < g.Connections.Count; i++)
        {
            ConnectionShape c = g.Connections[i];
            features.Add(Feature($"connection:{i}", wgs.Convert(c.Path), new AttributesTable
            {
                { "kind", "connection" },
                { "node", MapCompiler.Id(c.Node) },
                { "from", LaneId(c.From) },
                { "to", LaneId(c.To) },
                { "maneuver", Maneuvers(c.Connection.ConnectingLane?.Maneuver ?? AllowedManeuvers.None) },
                { "phaseId", c.Connection.PhaseId is { } p ? p : null },
            }));
        }

        foreach ((NodeReferenceId node, string name, Polygon area) in g.NodeAreas)
        {
            features.Add(Feature($"intersection:{MapCompiler.Id(node)}", wgs.Convert(area), new AttributesTable { { "kind", "intersection" }, { "node", MapCompiler.Id(node) }, { "name", name } }));
        }

        for (int i = 0; i < g.Conflicts.Count; i++)
        {
            ConflictShape c = g.Conflicts[i];
            features.Add(Feature($"conflictArea:{i}", wgs.Convert(c.Area), new AttributesTable
            {
                { "kind", "conflictArea" },
                { "node", MapCompiler.Id(c.Node) },
                { "conflict", c.Kind.ToString().ToLowerInvariant() },
                { "connectionA", c.ConnectionA },
                { "connectionB", c.ConnectionB },
                { "areaM2", Math.Round(c.Area.Area, 1) },
            }));
        }

        foreach (RsuSite rsu in zone.Rsus)
        {
            Coordinate[] ring = new Coordinate[rsu.Coverage.Count + 1];
            for (int i = 0; i < rsu.Coverage.Count; i++)
            {
                ring[i] = new Coordinate(rsu.Coverage[i].LongitudeDeg, rsu.Coverage[i].LatitudeDeg);
            }

            ring[^1] = ring[0].Copy();
            features.Add(Feature($"rsu:{rsu.Id}", factory.CreatePolygon(ring), new AttributesTable
            {
                { "kind", "rsuCoverage" },
                { "rsu", rsu.Id.ToString() },
                { "rsuId", rsu.RsuId.ToString() },
                { "name", rsu.Name },
                { "lat", rsu.Pos.LatitudeDeg },
                { "lon", rsu.Pos.LongitudeDeg },
                { "sensorRangeM", rsu.SensorRangeM },
            }));
        }

        return features;
    }

    private static Feature Feature(string id, Geometry geometry, AttributesTable attributes)
    {
        attributes.Add("id", id);
        return new Feature(geometry, attributes);
    }

    private static AttributesTable LaneAttributes(string kind, LaneShape lane) => new()
    {
        { "kind", kind },
        { "node", MapCompiler.Id(lane.Node) },
        { "upstream", MapCompiler.Id(lane.Upstream) },
        { "link", lane.LinkName },
        { "laneId", lane.Lane.LaneId },
        { "laneType", lane.Type.ToString().ToLowerInvariant() },
        { "maneuvers", Maneuvers(lane.Lane.Maneuvers ?? AllowedManeuvers.None) },
        { "widthM", Math.Round(lane.WidthM, 2) },
        { "speedLimitKmh", double.IsNaN(lane.SpeedLimitMps) ? null : Math.Round(lane.SpeedLimitMps * 3.6, 1) },
        { "path", lane.Path },
    };

    private static string LaneId(LaneShape lane) =>
        string.Create(CultureInfo.InvariantCulture, $"{MapCompiler.Id(lane.Upstream)}->{MapCompiler.Id(lane.Node)}/{lane.Lane.LaneId}");

    private static string Maneuvers(AllowedManeuvers maneuvers) =>
        maneuvers == AllowedManeuvers.None ? "" : maneuvers.ToString().Replace(", ", ",", StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>Local metres to WGS-84 longitude, latitude (rounded to 1e-7 degree), as new geometries.</summary>
    private sealed class Wgs84(LocalFrame frame, GeometryFactory factory)
    {
        public Geometry Convert(Geometry geometry)
        {
            Geometry copy = geometry.Copy();
            copy.Apply(new ToWgs84Filter(frame));
            copy.GeometryChanged();
            return factory.CreateGeometry(copy);
        }

        private sealed class ToWgs84Filter(LocalFrame frame) : IEntireCoordinateSequenceFilter
        {
            public bool Done => false;

            public bool GeometryChanged => true;

            public void Filter(CoordinateSequence seq)
            {
                for (int i = 0; i < seq.Count; i++)
                {
                    (double lat, double lon) = frame.ToWgs84(seq.GetX(i), seq.GetY(i));
                    seq.SetX(i, Math.Round(lon, 7));
                    seq.SetY(i, Math.Round(lat, 7));
                }
            }
        }
    }
}
