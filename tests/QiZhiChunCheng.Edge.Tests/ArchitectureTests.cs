using System.Reflection;

namespace QiZhiChunCheng.Edge.Tests;

/// <summary>The edge stays small: neither the edge library nor qzcc-edge reaches Kafka, ML, the engine or the cloud, even indirectly.</summary>
public sealed class ArchitectureTests
{
    private static readonly string[] Forbidden = ["QiZhiChunCheng.Engine", "QiZhiChunCheng.Cloud", "QiZhiChunCheng.NetTopologySuite", "QiZhiChunCheng.ML", "QiZhiChunCheng.Kafka", "Confluent.Kafka", "Microsoft.ML", "NetTopologySuite", "Microsoft.AspNetCore"];

    [Theory]
    [InlineData("QiZhiChunCheng.Edge")]
    [InlineData("qzcc-edge")]
    public void The_edge_references_neither_Kafka_nor_ML_nor_the_engine_even_indirectly(string assembly)
    {
        HashSet<string> closure = [];
        Walk(Assembly.Load(assembly), closure);
        Assert.Contains("QiZhiChunCheng.Core", closure);
        Assert.All(closure, name => Assert.DoesNotContain(Forbidden, f => name.StartsWith(f, StringComparison.Ordinal)));
    }

    private static void Walk(Assembly assembly, HashSet<string> closure)
    {
        foreach (AssemblyName reference in assembly.GetReferencedAssemblies())
        {
            if (closure.Add(reference.Name!) && reference.Name!.StartsWith("QiZhiChunCheng", StringComparison.Ordinal))
            {
                Walk(Assembly.Load(reference), closure);
            }
        }
    }
}
