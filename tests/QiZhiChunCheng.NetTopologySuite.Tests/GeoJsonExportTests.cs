using System.Reflection;
using System.Text.Json;

namespace QiZhiChunCheng.NetTopologySuite.Tests;

public sealed class GeoJsonExportTests
{
    [Fact]
    public void The_zone_exports_as_RFC_7946_GeoJSON_with_a_feature_per_element()
    {
        ZoneMap zone = ZoneFixture.Zone;
        using JsonDocument geojson = JsonDocument.Parse(GeoJsonExport.ToGeoJson(zone));

        Assert.Equal("FeatureCollection", geojson.RootElement.GetProperty("type").GetString());
        Dictionary<string, int> kinds = [];
        foreach (JsonElement feature in geojson.RootElement.GetProperty("features").EnumerateArray())
        {
            Assert.Equal("Feature", feature.GetProperty("type").GetString());
            Assert.False(string.IsNullOrEmpty(feature.GetProperty("id").GetString()));
            string kind = feature.GetProperty("properties").GetProperty("kind").GetString()!;
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            JsonElement geometry = feature.GetProperty("geometry");
            if (geometry.GetProperty("type").GetString() == "Polygon")
            {
                JsonElement ring = geometry.GetProperty("coordinates")[0];
                Assert.True(SignedArea(ring) > 0, $"{feature.GetProperty("id")}: exterior rings run counter-clockwise (RFC 7946)");
                Assert.Equal(ring[0].ToString(), ring[ring.GetArrayLength() - 1].ToString());
            }

            foreach (JsonElement position in Positions(geometry.GetProperty("coordinates")))
            {
                Assert.InRange(position[0].GetDouble(), 125.19, 125.26); // longitude first
                Assert.InRange(position[1].GetDouble(), 43.83, 43.87);
            }
        }

        ZoneCounts counts = zone.Counts;
        Assert.Equal(counts.Lanes, kinds["lane"]);
        Assert.Equal(counts.Lanes, kinds["centreLine"]);
        Assert.Equal(30, kinds["stopLine"]);
        Assert.Equal(counts.Crosswalks, kinds["crosswalk"]);
        Assert.Equal(counts.Connections, kinds["connection"]);
        Assert.Equal(counts.Intersections, kinds["intersection"]);
        Assert.Equal(counts.ConflictAreas, kinds["conflictArea"]);
        Assert.Equal(counts.Rsus, kinds["rsuCoverage"]);
    }

    [Fact]
    public void No_NetTopologySuite_type_crosses_the_adapters_public_surface()
    {
        BindingFlags visible = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (Type type in typeof(ZoneMapLoader).Assembly.GetExportedTypes())
        {
            foreach (MemberInfo member in type.GetMembers(visible))
            {
                IEnumerable<Type> used = member switch
                {
                    MethodBase m => m.GetParameters().Select(p => p.ParameterType).Append(m is MethodInfo mi ? mi.ReturnType : typeof(void)),
                    PropertyInfo p => [p.PropertyType],
                    FieldInfo f => [f.FieldType],
                    _ => [],
                };
                foreach (Type t in used)
                {
                    Assert.False(t.Namespace?.StartsWith("NetTopologySuite", StringComparison.Ordinal) ?? false, $"{type.Name}.{member.Name} exposes {t}");
                }
            }
        }
    }

    private static double SignedArea(JsonElement ring)
    {
        double sum = 0;
        for (int i = 0; i < ring.GetArrayLength() - 1; i++)
        {
            sum += (ring[i][0].GetDouble() * ring[i + 1][1].GetDouble()) - (ring[i + 1][0].GetDouble() * ring[i][1].GetDouble());
        }

        return sum / 2;
    }

    private static IEnumerable<JsonElement> Positions(JsonElement coordinates)
    {
        if (coordinates[0].ValueKind == JsonValueKind.Number)
        {
            yield return coordinates;
            yield break;
        }

        foreach (JsonElement inner in coordinates.EnumerateArray())
        {
            foreach (JsonElement p in Positions(inner))
            {
                yield return p;
            }
        }
    }
}
