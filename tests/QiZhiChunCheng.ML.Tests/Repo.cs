namespace QiZhiChunCheng.ML.Tests;

internal static class Repo
{
    /// <summary>The repository root (the folder holding QiZhiChunCheng.sln), above the test binaries.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "QiZhiChunCheng.sln")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("no QiZhiChunCheng.sln above " + AppContext.BaseDirectory);
    }
}
