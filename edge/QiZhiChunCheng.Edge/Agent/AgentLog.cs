using System.Globalization;

namespace QiZhiChunCheng.Edge.Agent;

/// <summary>
/// The agent's log: one line per entry, <c>2026-11-28T04:00:41.200Z level message</c>, to a writer (stderr by
/// default). Secrets registered with <see cref="AddSecret"/> are masked in every line as a second line of defence;
/// the first is that no code path formats a password. Thread-safe.
/// </summary>
public sealed class AgentLog
{
    private readonly TextWriter _writer;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly List<string> _secrets = [];

    public AgentLog(TextWriter writer, TimeProvider? time = null)
    {
        _writer = writer;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Masks <paramref name="secret"/> (a password) wherever it would appear.</summary>
    public void AddSecret(string? secret)
    {
        if (!string.IsNullOrEmpty(secret))
        {
            lock (_gate)
            {
                _secrets.Add(secret);
            }
        }
    }

    public void Info(string message) => Write("info", message);

    public void Warn(string message) => Write("warn", message);

    public void Error(string message) => Write("error", message);

    private void Write(string level, string message)
    {
        string time = _time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        lock (_gate)
        {
            foreach (string secret in _secrets)
            {
                message = message.Replace(secret, "***", StringComparison.Ordinal);
            }

            _writer.WriteLine($"{time} {level,-5} {message}");
            _writer.Flush();
        }
    }
}
