namespace QiZhiChunCheng.Core.Tests.Json;

/// <summary>
/// Reads the golden JSON samples from the source tree (tests/QiZhiChunCheng.Core.Tests/Golden), found by walking
/// up from the test binaries to the directory holding QiZhiChunCheng.sln, so the files need no copy step.
/// </summary>
internal static class GoldenFiles
{
    private static readonly Lazy<string> Folder = new(FindFolder);

    public static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(Folder.Value, name));

    private static string FindFolder()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "QiZhiChunCheng.sln")))
            {
                return Path.Combine(dir.FullName, "tests", "QiZhiChunCheng.Core.Tests", "Golden");
            }
        }

        throw new InvalidOperationException($"no QiZhiChunCheng.sln above {AppContext.BaseDirectory}");
    }
}
