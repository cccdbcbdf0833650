using System.CommandLine;
using QiZhiChunCheng.Edge.Agent;

namespace QiZhiChunCheng.Cli.Commands;

/// <summary>
/// <c>qzcc edge rsu|vehicle|bench</c>: the edge agent, the same code and options as the standalone <c>qzcc-edge</c>
/// (see <c>edge/README.md</c>).
/// </summary>
internal static class EdgeCommand
{
    public static Command Create()
    {
        Command command = new("edge", "Run an RSU or test vehicle agent against a broker, or measure one");
        foreach (Command sub in EdgeCommandLine.Subcommands("qzcc edge"))
        {
            command.Subcommands.Add(sub);
        }

        return command;
    }
}
