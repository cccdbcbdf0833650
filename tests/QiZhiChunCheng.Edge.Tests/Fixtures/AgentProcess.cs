using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace QiZhiChunCheng.Edge.Tests.Fixtures;

/// <summary>The agent as a real child process (<c>dotnet qzcc-edge.dll ...</c>, copied beside the tests).</summary>
public sealed class AgentProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private AgentProcess(IEnumerable<string> arguments)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "qzcc-edge.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: the test project references the agent project so that it is copied");
        ProcessStartInfo start = new(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(dll);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public static AgentProcess Start(params string[] arguments) => new(arguments);

    /// <summary>SIGKILL: no chance to flush, close or say goodbye.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>SIGINT, as Ctrl-C: the agent flushes its spool and exits; returns its exit code.</summary>
    public async Task<int> InterruptAsync()
    {
        using (Process kill = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
