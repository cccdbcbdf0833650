namespace QiZhiChunCheng.Scenarios.Tests;

/// <summary>Folders of the repository, found by walking up from the test's binaries to the solution file.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The scenario library, <c>scenarios/</c>.</summary>
    public static string Scenarios => Path.Combine(Root, "scenarios");

    /// <summary>This project's committed test data.</summary>
    public static string Data => Path.Combine(Root, "tests", "QiZhiChunCheng.Scenarios.Tests", "Data");

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "QiZhiChunCheng.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no QiZhiChunCheng.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "qzcc-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Left for the system's temp cleaning.
        }
    }
}
