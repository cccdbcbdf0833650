using System.IO.Compression;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using QiZhiChunCheng.Scenarios.Format;

namespace QiZhiChunCheng.Scenarios.Generation;

/// <summary>
/// Writes a generated scenario folder: <c>scenario.json</c> and <c>expected-events.json</c> (indented, for review),
/// <c>messages.jsonl.gz</c> and <c>truth.jsonl.gz</c> (one object per line, gzip). Every number is written in the
/// invariant culture by System.Text.Json; nothing depends on the machine, the clock or hash codes.
/// </summary>
public static class ScenarioWriter
{
    public const string ManifestFile = "scenario.json";
    public const string MessagesFile = "messages.jsonl.gz";
    public const string TruthFile = "truth.jsonl.gz";
    public const string ExpectedFile = "expected-events.json";

    private static readonly ScenarioJson Indented = new(new JsonSerializerOptions(ScenarioJson.Default.Options) { WriteIndented = true });

    private static readonly JsonWriterOptions LineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    /// <summary>Writes <paramref name="manifest"/>, the world's messages and truth, and <paramref name="expected"/> into <paramref name="outDir"/>.</summary>
    public static void Write(ScenarioManifest manifest, World world, ExpectedEvents expected, string outDir)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(expected);
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, ManifestFile), ManifestJson(manifest), new UTF8Encoding(false));
        WriteGenerated(world, expected, outDir);
    }

    /// <summary>Writes the generated files only (a recipe-only scenario's cache): expectations, messages and truth.</summary>
    public static void WriteGenerated(World world, ExpectedEvents expected, string outDir)
    {
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(expected);
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, ExpectedFile), JsonSerializer.Serialize(expected, Indented.ExpectedEvents) + "\n", new UTF8Encoding(false));
        WriteGzip(Path.Combine(outDir, MessagesFile), stream => WriteMessages(world.Messages, stream));
        WriteGzip(Path.Combine(outDir, TruthFile), stream => WriteTruth(world.Truth, stream));
    }

    /// <summary>The text of a scenario.json (indented, with a final newline).</summary>
    public static string ManifestJson(ScenarioManifest manifest) => JsonSerializer.Serialize(manifest, Indented.ScenarioManifest) + "\n";

    /// <summary>One line per message: <c>{"t":120,"topic":"V2X/OBU/VEH-0001/BSM/UP","payload":{...}}</c> (with <c>generatedT</c> after the topic when a device's clock is wrong).</summary>
    public static void WriteMessages(IReadOnlyList<GeneratedMessage> messages, Stream output)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using Utf8JsonWriter writer = new(output, LineOptions);
        foreach (GeneratedMessage m in messages)
        {
            writer.Reset();
            writer.WriteStartObject();
            writer.WriteNumber("t", m.T);
            writer.WriteString("topic", m.Topic);
            if (m.GeneratedT is { } generated)
            {
                writer.WriteNumber("generatedT", generated);
            }

            writer.WritePropertyName("payload");
            writer.WriteRawValue(m.Payload, skipInputValidation: true);
            writer.WriteEndObject();
            writer.Flush();
            output.WriteByte((byte)'\n');
        }
    }

    public static void WriteTruth(IReadOnlyList<TruthSample> truth, Stream output)
    {
        ArgumentNullException.ThrowIfNull(truth);
        using Utf8JsonWriter writer = new(output, LineOptions);
        foreach (TruthSample s in truth)
        {
            writer.Reset();
            JsonSerializer.Serialize(writer, s, ScenarioJson.Default.TruthSample);
            writer.Flush();
            output.WriteByte((byte)'\n');
        }
    }

    private static void WriteGzip(string path, Action<Stream> write)
    {
        using FileStream file = File.Create(path);
        using GZipStream gzip = new(file, CompressionLevel.SmallestSize);
        using BufferedStream buffered = new(gzip, 1 << 16);
        write(buffered);
    }
}
