using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using QiZhiChunCheng.Core;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Cli.Bench;

/// <summary>What a load generator reports when it ends: messages handed to MQTT, the CPU it used, and the messages it skipped because it ran late (<see cref="LoadGenerator.Skipped"/>).</summary>
internal sealed record LoadReport(long Published, double CpuSeconds, long Skipped = 0);

/// <summary>
/// The load generator in its own process (<c>qzcc bench load</c>, started from this very executable): its CPU time,
/// threads and garbage collections are its own, as the road's devices are on their own hardware. It runs at a lower
/// scheduling priority than the cloud, so that on a shared machine the generator, not the system under test, waits
/// for a core; a message's <c>ts</c> is still the moment it is generated, so anything the generator's own wait adds
/// before the send is measured, never hidden.
/// </summary>
internal sealed class LoadProcess
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private LoadProcess(Process process, int vehicles)
    {
        _process = process;
        Vehicles = vehicles;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public int Vehicles { get; }

    public static LoadProcess Start(MqttEndpoint broker, string zonePrefix, double rate, int connections, long startMs, double runS)
    {
        ProcessStartInfo start = SelfCommand();
        CultureInfo c = CultureInfo.InvariantCulture;
        foreach (string arg in (string[])["bench", "load", "--mqtt", broker.ToString(), "--rate", rate.ToString(c), "--connections", connections.ToString(c), "--start-ms", startMs.ToString(c), "--duration", runS.ToString(c), "--json"])
        {
            start.ArgumentList.Add(arg);
        }

        if (zonePrefix.Length > 0)
        {
            start.ArgumentList.Add("--zone-prefix");
            start.ArgumentList.Add(zonePrefix);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        Process process = Process.Start(start) ?? throw new InfrastructureException($"could not start the load generator '{start.FileName}'");
        try
        {
            process.PriorityClass = ProcessPriorityClass.BelowNormal;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            // Lowering a child's priority needs no rights on Linux; where it fails the run goes on at equal priority.
        }

        return new LoadProcess(process, LoadGenerator.VehiclesFor(rate));
    }

    /// <summary>Waits for the generator to finish its run and reads its report; kills it on cancellation or time-out.</summary>
    public async Task<LoadReport> WaitAsync(double timeoutS, CancellationToken cancellationToken)
    {
        using CancellationTokenSource limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(timeoutS));
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw cancellationToken.IsCancellationRequested
                ? new OperationCanceledException(cancellationToken)
                : new InfrastructureException($"the load generator did not finish within {timeoutS:0} s");
        }

        string output = await _stdout;
        string errors = await _stderr;
        if (_process.ExitCode != 0)
        {
            throw new InfrastructureException($"the load generator failed (exit code {_process.ExitCode}): {errors.Trim()}");
        }

        string? last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return last is null
            ? throw new InfrastructureException("the load generator printed no report")
            : JsonSerializer.Deserialize(last, Commands.BenchLoadJsonContext.Default.LoadReport) ?? throw new InfrastructureException("the load generator's report is empty");
    }

    // This executable again: the qzcc app host when there is one, else `dotnet qzcc.dll` (tests run from the test host).
    private static ProcessStartInfo SelfCommand()
    {
        string dll = typeof(LoadProcess).Assembly.Location;
        string? current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "qzcc")
        {
            return new ProcessStartInfo(current);
        }

        string apphost = Path.Combine(Path.GetDirectoryName(dll)!, OperatingSystem.IsWindows() ? "qzcc.exe" : "qzcc");
        if (File.Exists(apphost))
        {
            return new ProcessStartInfo(apphost);
        }

        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH")
            ?? (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet");
        ProcessStartInfo start = new(dotnet);
        start.ArgumentList.Add(dll);
        return start;
    }
}
