using System.CommandLine;
using QiZhiChunCheng.Edge.Agent;

// qzcc-edge: the RSU and vehicle agent on its own (the same options as `qzcc edge ...`), for the RSU box.
RootCommand root = new("qzcc-edge: the QiZhiChunCheng edge agent for roadside units and test vehicles");
foreach (Command command in EdgeCommandLine.Subcommands("qzcc-edge"))
{
    root.Subcommands.Add(command);
}

// Ctrl-C and SIGTERM cancel the agent, which then flushes its spool: give it time rather than the default 2 s,
// after which System.CommandLine would end the process mid-flush.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = EdgeCommandLine.StopTimeout });
