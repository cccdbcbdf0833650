namespace QiZhiChunCheng.Cloud.Tests;

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "qzcc-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a pool being torn down; the temp folder is cleaned by the system.
        }
    }
}

/// <summary>An event sink for tests that completes a task when an event matching a condition arrives.</summary>
public sealed class EventProbe : QiZhiChunCheng.Core.Events.IEventSink
{
    private readonly Func<QiZhiChunCheng.Core.Events.V2xEvent, bool> _match;
    private readonly TaskCompletionSource<QiZhiChunCheng.Core.Events.V2xEvent> _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public EventProbe(Func<QiZhiChunCheng.Core.Events.V2xEvent, bool> match) => _match = match;

    public Task<QiZhiChunCheng.Core.Events.V2xEvent> Seen => _seen.Task;

    public ValueTask WriteAsync(IReadOnlyList<QiZhiChunCheng.Core.Events.V2xEvent> events, CancellationToken cancellationToken)
    {
        foreach (var e in events)
        {
            if (_match(e))
            {
                _seen.TrySetResult(e);
            }
        }

        return ValueTask.CompletedTask;
    }
}
