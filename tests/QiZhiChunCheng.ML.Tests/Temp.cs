namespace QiZhiChunCheng.ML.Tests;

internal static class Temp
{
    public static string Dir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "qzcc-ml-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
