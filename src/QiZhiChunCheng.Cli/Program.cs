using System.CommandLine;
using QiZhiChunCheng.Cli.Commands;

// qzcc: the one composition root of QiZhiChunCheng. Each command lives in Commands/.
RootCommand root = new("qzcc: the QiZhiChunCheng V2X roadside data platform of the Qizhi Chuncheng demonstration zone");
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(CloudCommand.Create());
root.Subcommands.Add(MapCommand.Create());
root.Subcommands.Add(StoreCommand.Create());
root.Subcommands.Add(EdgeCommand.Create());
root.Subcommands.Add(DeviceCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(ScenarioCommand.Create());
root.Subcommands.Add(MlCommand.Create());
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = QiZhiChunCheng.Edge.Agent.EdgeCommandLine.StopTimeout });
