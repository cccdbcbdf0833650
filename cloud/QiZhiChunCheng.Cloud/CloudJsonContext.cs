using System.Text.Json.Serialization;

namespace QiZhiChunCheng.Cloud;

/// <summary>Source-generated JSON for the cloud tier's own small shapes (no reflection, AOT-friendly).</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(Dictionary<string, double>))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class CloudJsonContext : JsonSerializerContext;
