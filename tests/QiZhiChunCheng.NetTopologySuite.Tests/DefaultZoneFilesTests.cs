using System.Text;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.Testing;

namespace QiZhiChunCheng.NetTopologySuite.Tests;

/// <summary>
/// The committed zone files are exactly what <see cref="DongfengZone"/> builds. After changing the builder, run
/// with QZCC_REGENERATE_ZONE=1 to rewrite them, then review the diff.
/// </summary>
public sealed class DefaultZoneFilesTests
{
    public static TheoryData<string> Files => new() { "qizhi-dongfeng.json", "qizhi-dongfeng.rsus.json", "qizhi-dongfeng.signals.json" };

    [Theory]
    [MemberData(nameof(Files))]
    public void The_committed_file_is_what_the_builder_makes(string name)
    {
        string expected = name switch
        {
            "qizhi-dongfeng.json" => DongfengZone.MapJson(DongfengZone.Map()),
            "qizhi-dongfeng.rsus.json" => DongfengZone.RsusJson(DongfengZone.Rsus()),
            _ => DongfengZone.SignalsJson(DongfengZone.Signals()),
        };
        string path = Path.Combine(RepositoryRoot(), "scenarios", "maps", name);
        if (Environment.GetEnvironmentVariable("QZCC_REGENERATE_ZONE") == "1")
        {
            File.WriteAllText(path, expected, new UTF8Encoding(false));
        }

        Assert.Equal(expected, File.ReadAllText(path));
    }

    [Fact]
    public void The_zone_files_stay_small()
    {
        long total = Files.Sum(f => new FileInfo(Path.Combine(RepositoryRoot(), "scenarios", "maps", (string)f.Data)).Length);
        Assert.InRange(total, 1, 300 * 1024);
    }

    [Fact]
    public void The_embedded_default_is_the_committed_file()
    {
        Assert.Equal(File.ReadAllBytes(Path.Combine(RepositoryRoot(), "scenarios", "maps", "qizhi-dongfeng.json")), ZoneFiles.DefaultMap());
        Assert.Equal(File.ReadAllBytes(Path.Combine(RepositoryRoot(), "scenarios", "maps", "qizhi-dongfeng.rsus.json")), ZoneFiles.DefaultRsus());
        Assert.Equal(File.ReadAllBytes(Path.Combine(RepositoryRoot(), "scenarios", "maps", "qizhi-dongfeng.signals.json")), ZoneFiles.DefaultSignals());
    }

    internal static string RepositoryRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "QiZhiChunCheng.sln")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("QiZhiChunCheng.sln not found above " + AppContext.BaseDirectory);
    }
}
