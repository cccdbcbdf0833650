using BenchmarkDotNet.Running;

// Run one suite: dotnet run -c Release --project benchmarks/QiZhiChunCheng.Benchmarks -- --filter '*Codec*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
