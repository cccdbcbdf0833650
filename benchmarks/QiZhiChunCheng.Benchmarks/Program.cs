using BenchmarkDotNet.Running;
using QiZhiChunCheng.Benchmarks.Engine;

// Run one suite: dotnet run -c Release --project benchmarks/QiZhiChunCheng.Benchmarks -- --filter '*Codec*'
// Describe the busy-intersection scene (tracks, events by type, allocations) without timing it:
//   dotnet run -c Release --project benchmarks/QiZhiChunCheng.Benchmarks -- scene
if (args is ["scene", ..])
{
    return BusyIntersectionReport.Run(Console.Out);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
