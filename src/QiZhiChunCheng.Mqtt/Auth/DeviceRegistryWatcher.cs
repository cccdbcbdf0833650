namespace QiZhiChunCheng.Mqtt.Auth;

/// <summary>
/// Keeps a running broker's registry in step with its file, so that <c>qzcc device add</c> (or an operator's edit) takes
/// effect without restarting the cloud: every <c>interval</c> the file is read, and when its content differs from the
/// last content seen it is loaded and handed to the broker (<see cref="EmbeddedBroker.Devices"/>: new connections at
/// once, connected devices from their next packet). A file that does not load (a half-edited entry, a typo, the file
/// gone) is refused with the loader's one-line reason, logged once, counted, and the registry in force stays: a
/// mistake in the file never opens the broker or locks every device out. Polling rather than file-system events:
/// <c>device add</c> writes a temporary file and renames it over the registry, which some watchers report as a delete,
/// and a registry on a mounted volume may send no events at all.
/// </summary>
public sealed class DeviceRegistryWatcher : IAsyncDisposable
{
    private readonly string _path;
    private readonly Action<DeviceRegistry> _apply;
    private readonly Action<string>? _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private readonly TimeSpan _interval;
    private byte[] _lastSeen;
    private long _applied;
    private long _refused;
    private string? _lastError;
    private bool _unreadable;
    private readonly Lock _gate = new();

    /// <param name="path">The registry file.</param>
    /// <param name="loaded">The content the registry in force was loaded from (so an unchanged file is not loaded again).</param>
    /// <param name="apply">Puts a newly loaded registry in force (the broker's <see cref="EmbeddedBroker.Devices"/>).</param>
    /// <param name="interval">How often the file is read.</param>
    /// <param name="log">One line per reload applied or refused.</param>
    public DeviceRegistryWatcher(string path, byte[] loaded, Action<DeviceRegistry> apply, TimeSpan interval, Action<string>? log = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(loaded);
        ArgumentNullException.ThrowIfNull(apply);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _path = path;
        _lastSeen = loaded;
        _apply = apply;
        _interval = interval;
        _log = log;
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>Registries loaded from a changed file and put in force.</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Changed files that did not load; the registry in force stayed.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Why the last changed file was refused; null once a later one loads.</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>Reads the file once now (the loop does the same every interval).</summary>
    public void Check()
    {
        lock (_gate)
        {
            CheckLocked();
        }
    }

    private void CheckLocked()
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(_path);
            _unreadable = false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (!_unreadable)
            {
                // Said once while it lasts; whatever the file holds when it is back is loaded afresh.
                _unreadable = true;
                _lastSeen = [];
                Refuse($"cannot read the device registry {_path}: {ex.Message}");
            }

            return;
        }

        if (content.AsSpan().SequenceEqual(_lastSeen))
        {
            return;
        }

        _lastSeen = content;
        DeviceRegistry registry;
        try
        {
            registry = DeviceRegistry.Parse(content, _path);
        }
        catch (DeviceRegistryException ex)
        {
            Refuse(ex.Message);
            return;
        }

        _apply(registry);
        Interlocked.Increment(ref _applied);
        Volatile.Write(ref _lastError, null);
        _log?.Invoke($"device registry {_path} reloaded: {registry.Devices.Count} devices");
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _loop;
        _stopping.Dispose();
    }

    private void Refuse(string reason)
    {
        Interlocked.Increment(ref _refused);
        Volatile.Write(ref _lastError, reason);
        _log?.Invoke($"device registry not reloaded, the registry in force stays: {reason}");
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using PeriodicTimer timer = new(_interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Check();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
