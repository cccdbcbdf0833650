using System.Reflection;

namespace QiZhiChunCheng.Cloud.Api;

/// <summary>
/// The map page's files, embedded in this assembly by the build: <c>index.html</c>, <c>app.js</c>, <c>app.css</c>
/// from <c>web/</c>, and under <c>vendor/</c> Leaflet, leaflet.markercluster and leaflet.heat from the npm registry
/// (see the project file). Served at <c>/</c> by the HTTP API and inlined by the HTML report. Thread-safe.
/// </summary>
public static class WebAssets
{
    private static readonly Assembly Assembly = typeof(WebAssets).Assembly;

    /// <summary>The files of the page as served, by path under <c>/</c> (<c>index.html</c>, <c>vendor/leaflet.js</c>).</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Assembly.GetManifestResourceNames().Where(n => n.StartsWith("web/", StringComparison.Ordinal)).Select(n => n["web/".Length..]).Order(StringComparer.Ordinal)];

    /// <summary>The bytes of one file, or null when there is no such file.</summary>
    public static byte[]? Read(string name)
    {
        using Stream? stream = Assembly.GetManifestResourceStream("web/" + name);
        if (stream is null)
        {
            return null;
        }

        using MemoryStream copy = new();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>One file as text; throws when the build did not embed it (a build without the npm step).</summary>
    public static string ReadText(string name) =>
        Read(name) is { } bytes
            ? System.Text.Encoding.UTF8.GetString(bytes)
            : throw new InvalidOperationException($"the map page file '{name}' is not embedded in {Assembly.GetName().Name}; rebuild with npm available");

    public static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".png" => "image/png",
        _ => "application/octet-stream",
    };
}
