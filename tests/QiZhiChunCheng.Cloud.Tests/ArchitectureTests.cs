using System.Reflection;

namespace QiZhiChunCheng.Cloud.Tests;

/// <summary>The dependency rules of ARCHITECTURE.md, checked on the built assemblies.</summary>
public sealed class ArchitectureTests
{
    private static readonly Assembly Core = typeof(QiZhiChunCheng.Core.Messages.Bsm).Assembly;
    private static readonly Assembly Engine = typeof(QiZhiChunCheng.Engine.DetectionEngine).Assembly;
    private static readonly Assembly Edge = typeof(QiZhiChunCheng.Edge.Simulation.EdgeSimulation).Assembly;

    [Fact]
    public void The_core_references_nothing_but_the_framework()
    {
        Assert.All(References(Core), name => Assert.True(IsFramework(name), $"the core references {name}"));
    }

    [Fact]
    public void The_engine_depends_on_the_core_only()
    {
        Assert.All(References(Engine), name => Assert.True(IsFramework(name) || name == "QiZhiChunCheng.Core", $"the engine references {name}"));
    }

    [Fact]
    public void The_edge_references_neither_Kafka_nor_ML_nor_the_engine()
    {
        string[] forbidden = ["QiZhiChunCheng.Engine", "QiZhiChunCheng.Cloud", "Confluent.Kafka", "Microsoft.ML"];
        Assert.All(References(Edge), name => Assert.DoesNotContain(forbidden, f => name.StartsWith(f, StringComparison.Ordinal)));
    }

    private static IEnumerable<string> References(Assembly assembly) => assembly.GetReferencedAssemblies().Select(a => a.Name!);

    private static bool IsFramework(string name) => name is "netstandard" or "mscorlib" || name.StartsWith("System", StringComparison.Ordinal) || name == "Microsoft.Win32.Primitives";
}
