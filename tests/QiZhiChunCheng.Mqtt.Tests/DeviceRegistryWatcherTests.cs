using System.Text;
using QiZhiChunCheng.Mqtt.Auth;

namespace QiZhiChunCheng.Mqtt.Tests;

/// <summary>Re-reading the registry file: what is applied, what is refused, and what is said how often.</summary>
public sealed class DeviceRegistryWatcherTests
{
    private static readonly string Hash = SecuredBroker.Hash("pw");

    [Fact]
    public async Task A_missing_file_keeps_the_registry_in_force_and_is_said_once_then_its_return_is_applied()
    {
        await WithRegistryFileAsync(async path =>
        {
            byte[] original = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
            List<DeviceRegistry> applied = [];
            List<string> log = [];
            await using DeviceRegistryWatcher watcher = new(path, original, applied.Add, TimeSpan.FromHours(1), log.Add);

            watcher.Check();
            Assert.Empty(applied); // unchanged: not loaded again

            File.Delete(path);
            watcher.Check();
            watcher.Check();
            Assert.Empty(applied);
            Assert.Equal(1, watcher.Refused);
            Assert.Contains("cannot read the device registry", watcher.LastError, StringComparison.Ordinal);
            Assert.Single(log);

            // Back, with a device added: loaded and put in force.
            await File.WriteAllBytesAsync(path, Registry("RSU-DF-01", "RSU-DF-02"), TestContext.Current.CancellationToken);
            watcher.Check();
            Assert.Equal(["RSU-DF-01", "RSU-DF-02"], Assert.Single(applied).Devices.Select(d => d.Id));
            Assert.Null(watcher.LastError);
            Assert.Equal(1, watcher.Applied);
        });
    }

    [Fact]
    public async Task A_file_that_does_not_load_is_refused_once_with_the_loaders_reason()
    {
        await WithRegistryFileAsync(async path =>
        {
            byte[] original = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
            List<DeviceRegistry> applied = [];
            await using DeviceRegistryWatcher watcher = new(path, original, applied.Add, TimeSpan.FromHours(1));

            await File.WriteAllTextAsync(path, $$"""{"devices":[{"id":"RSU-DF-01","kind":"rsu","passwordhash":"{{Hash}}"}]}""", TestContext.Current.CancellationToken);
            watcher.Check();
            watcher.Check();

            Assert.Empty(applied);
            Assert.Equal(1, watcher.Refused);
            Assert.Contains("devices[0]", watcher.LastError, StringComparison.Ordinal);
            Assert.Contains("passwordhash", watcher.LastError, StringComparison.Ordinal);
        });
    }

    /// <summary>Runs <paramref name="test"/> on a registry file holding RSU-DF-01, in a folder of its own.</summary>
    private static async Task WithRegistryFileAsync(Func<string, Task> test)
    {
        string folder = Directory.CreateTempSubdirectory("qzcc-registry-").FullName;
        try
        {
            string path = Path.Combine(folder, "devices.json");
            await File.WriteAllBytesAsync(path, Registry("RSU-DF-01"), TestContext.Current.CancellationToken);
            await test(path);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static byte[] Registry(params string[] rsus) =>
        Encoding.UTF8.GetBytes($$"""{"devices":[{{string.Join(",", rsus.Select(id => $$"""{"id":"{{id}}","kind":"rsu","passwordHash":"{{Hash}}"}"""))}}]}""");
}
