using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;

namespace QiZhiChunCheng.ML;

/// <summary>
/// What a model file says about itself: <c>model.json</c> inside the zip. The ML.NET models sit beside it as
/// entries of their own (each one a zip as <c>MLContext.Model.Save</c> writes it), so one file carries the trained
/// model, the numbers ML.NET does not keep (the anomaly threshold), and how it was trained and how well it did.
/// </summary>
public sealed record ModelManifest
{
    public const string CurrentFormat = "qzcc-ml/1";

    public string Format { get; set; } = CurrentFormat;

    /// <summary><c>misbehavior</c> or <c>traffic</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The feature names in order (SourceFeatures.Names or SegmentFeatures.Names when trained).</summary>
    public List<string> Features { get; set; } = [];

    /// <summary>The anomaly score at or above which a window is anomalous (misbehaviour only).</summary>
    public float? Threshold { get; init; }

    /// <summary>The PCA rank (misbehaviour only).</summary>
    public int? Rank { get; init; }

    /// <summary>
    /// Misbehaviour only: the variance of the normal training windows along each principal direction, then the mean
    /// variance per dimension left outside them (what ML.NET's PCA model does not keep; the scorer's T² and Q scales).
    /// </summary>
    public List<float>? Variances { get; set; }

    /// <summary>Entry names of the ML.NET models in the zip, in the model's order (traffic: one per level).</summary>
    public List<string> Models { get; set; } = [];

    public int Seed { get; init; }

    public List<string> TrainedOn { get; set; } = [];

    public List<string> HeldOut { get; set; } = [];

    /// <summary>Quality on the held-out scenarios, by name (precision, recall, f1 or accuracy).</summary>
    public Dictionary<string, double> Quality { get; set; } = [];
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelManifest))]
internal sealed partial class ModelJson : JsonSerializerContext;

/// <summary>
/// Reads and writes the one-file model format: a zip with <c>model.json</c> and the ML.NET model entries. Reading
/// checks everything it needs and throws <see cref="InvalidDataException"/> with a one-line reason naming the file.
/// </summary>
internal static class ModelPackage
{
    public const string ManifestEntry = "model.json";

    public static void Write(string path, ModelManifest manifest, MLContext ml, IReadOnlyList<(string Entry, ITransformer Model, DataViewSchema Schema)> models)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        // Written to a temporary file first and moved into place: a failed write never leaves half a model behind.
        string temp = path + ".tmp";
        using (FileStream file = File.Create(temp))
        using (ZipArchive zip = new(file, ZipArchiveMode.Create))
        {
            manifest.Models = [.. models.Select(m => m.Entry)];
            ZipArchiveEntry json = zip.CreateEntry(ManifestEntry, CompressionLevel.Optimal);
            using (Stream s = json.Open())
            {
                JsonSerializer.Serialize(s, manifest, ModelJson.Default.ModelManifest);
            }

            foreach ((string entry, ITransformer model, DataViewSchema schema) in models)
            {
                using MemoryStream buffer = new();
                ml.Model.Save(model, schema, buffer);
                ZipArchiveEntry e = zip.CreateEntry(entry, CompressionLevel.NoCompression);
                using Stream s = e.Open();
                buffer.Position = 0;
                buffer.CopyTo(s);
            }
        }

        File.Move(temp, path, overwrite: true);
    }

    public static (ModelManifest Manifest, ITransformer[] Models) Read(string path, string expectedKind, MLContext ml)
    {
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: no such model file");
        }

        try
        {
            using ZipArchive zip = ZipFile.OpenRead(path);
            ZipArchiveEntry manifestEntry = zip.GetEntry(ManifestEntry) ?? throw new InvalidDataException($"{path}: not a qzcc model (no {ManifestEntry} inside)");
            ModelManifest manifest;
            using (Stream s = manifestEntry.Open())
            {
                manifest = JsonSerializer.Deserialize(s, ModelJson.Default.ModelManifest) ?? throw new InvalidDataException($"{path}: {ManifestEntry} is empty");
            }

            if (manifest.Format != ModelManifest.CurrentFormat)
            {
                throw new InvalidDataException($"{path}: model format '{manifest.Format}', this build reads '{ModelManifest.CurrentFormat}'");
            }

            if (manifest.Kind != expectedKind)
            {
                throw new InvalidDataException($"{path}: a {manifest.Kind} model, not a {expectedKind} model");
            }

            ITransformer[] models = new ITransformer[manifest.Models.Count];
            for (int i = 0; i < models.Length; i++)
            {
                ZipArchiveEntry entry = zip.GetEntry(manifest.Models[i]) ?? throw new InvalidDataException($"{path}: the model entry '{manifest.Models[i]}' is missing");
                using MemoryStream buffer = new();
                using (Stream s = entry.Open())
                {
                    s.CopyTo(buffer);
                }

                buffer.Position = 0;
                models[i] = ml.Model.Load(buffer, out _);
            }

            return (manifest, models);
        }
        catch (InvalidDataException ex) when (ex.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw;
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException or IOException or FormatException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            throw new InvalidDataException($"{path}: unreadable model: {FirstLine(ex.Message)}", ex);
        }
    }

    private static string FirstLine(string message)
    {
        int nl = message.IndexOfAny(['\r', '\n']);
        return nl < 0 ? message : message[..nl];
    }
}
