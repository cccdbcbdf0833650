using System.Text.Json;
using System.Text.Json.Serialization;

namespace QiZhiChunCheng.Cloud;

/// <summary>Source-generated JSON for the cloud tier's own small shapes (no reflection, AOT-friendly).</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(Dictionary<string, double>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(PageConfig))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
internal sealed partial class CloudJsonContext : JsonSerializerContext;

/// <summary>What the map page reads from <c>/api/config</c>: the tile URL template, null for none.</summary>
public sealed record PageConfig(string? Tiles);
