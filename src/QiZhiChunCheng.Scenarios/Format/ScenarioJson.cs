using System.Text.Json;
using System.Text.Json.Serialization;

namespace QiZhiChunCheng.Scenarios.Format;

/// <summary>The JSON settings of every scenario file: camelCase, nulls left out, one object per line in the .jsonl files.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(ScenarioManifest))]
[JsonSerializable(typeof(ScenarioMessage))]
[JsonSerializable(typeof(TruthSample))]
[JsonSerializable(typeof(ExpectedEvents))]
public sealed partial class ScenarioJson : JsonSerializerContext;
