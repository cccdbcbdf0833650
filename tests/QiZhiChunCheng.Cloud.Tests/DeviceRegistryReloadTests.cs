using System.Text;
using QiZhiChunCheng.Mqtt;
using QiZhiChunCheng.Mqtt.Auth;

namespace QiZhiChunCheng.Cloud.Tests;

/// <summary>
/// The cloud re-reads its device registry file while it runs (<c>qzcc cloud --devices</c>): a device added with
/// <c>qzcc device add</c> may connect without a restart, a removed one is refused from its next packet, and a file that
/// does not load leaves the registry in force as it was.
/// </summary>
public sealed class DeviceRegistryReloadTests
{
    private const string FirstPassword = "first-vehicle-password";
    private const string SecondPassword = "second-vehicle-password";

    [Fact]
    public async Task A_device_added_to_the_file_connects_without_a_restart_and_a_broken_file_changes_nothing()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using TempDirectory dir = new();
        string registryPath = Path.Combine(dir.Path, "devices.json");
        DeviceRegistry first = DeviceRegistry.Empty(registryPath).With(Vehicle("VEH00001", FirstPassword));
        first.Save(registryPath);

        await using CloudHost cloud = await CloudHost.StartAsync(new CloudOptions
        {
            Mqtt = new MqttEndpoint("127.0.0.1", 0),
            HttpUrl = "http://127.0.0.1:0",
            DataDir = dir.Path,
            DevicesPath = registryPath,
            DevicesReloadInterval = TimeSpan.FromMilliseconds(100),
        }, ct);

        // Not registered yet: refused.
        Assert.Contains("BadUserNameOrPassword", await TryConnectAsync(cloud, "VEH00002", SecondPassword, ct), StringComparison.Ordinal);

        // Added the way `qzcc device add` does (a temporary file renamed over the registry): it connects, no restart.
        first.With(Vehicle("VEH00002", SecondPassword)).Save(registryPath);
        await using (MqttDeviceClient second = await ConnectWithinAsync(cloud, "VEH00002", SecondPassword, ct))
        {
            Assert.True(await second.PublishAsync("V2X/OBU/VEH00002/BSM/UP", "{}"u8.ToArray(), 1, 1, atLeastOnce: true, retain: false, ct));
        }

        // A half-edited file does not load: the registry in force stays, the refusal is counted and served.
        await File.WriteAllTextAsync(registryPath, """{"devices":[{"id":"VEH00003","kind":"car"}]}""", Encoding.UTF8, ct);
        string metrics = await WaitForMetricAsync(cloud, "qzcc_device_registry_reloads_total{result=\"refused\"} 1", ct);
        Assert.Contains("qzcc_device_registry_reloads_total{result=\"applied\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("qzcc_device_registry_devices 2", metrics, StringComparison.Ordinal);
        await using (MqttDeviceClient stillThere = await ConnectWithinAsync(cloud, "VEH00002", SecondPassword, ct))
        {
            Assert.True(await stillThere.PublishAsync("V2X/OBU/VEH00002/BSM/UP", "{}"u8.ToArray(), 2, 2, atLeastOnce: true, retain: false, ct));

            // Removed from the file: the connected device is refused from its next packet, and cannot come back.
            first.Save(registryPath);
            await WaitForMetricAsync(cloud, "qzcc_device_registry_reloads_total{result=\"applied\"} 2", ct);
            Assert.False(await stillThere.PublishAsync("V2X/OBU/VEH00002/BSM/UP", "{}"u8.ToArray(), 3, 3, atLeastOnce: true, retain: false, ct));
        }

        Assert.Contains("BadUserNameOrPassword", await TryConnectAsync(cloud, "VEH00002", SecondPassword, ct), StringComparison.Ordinal);
        Assert.Null(await TryConnectAsync(cloud, "VEH00001", FirstPassword, ct));
    }

    private static DeviceEntry Vehicle(string id, string password) =>
        new(id, DeviceKind.Vehicle, PasswordHash.Create(Encoding.UTF8.GetBytes(password), PasswordHash.MinIterations), null);

    private static MqttDeviceClient Client(CloudHost cloud, string id, string password) =>
        new(new MqttDeviceOptions(cloud.MqttEndpoint, id) { Security = new MqttSecurity { Username = id, Password = password } });

    private static async Task<string?> TryConnectAsync(CloudHost cloud, string id, string password, CancellationToken ct)
    {
        await using MqttDeviceClient client = Client(cloud, id, password);
        return await client.TryConnectAsync(ct);
    }

    private static async Task<MqttDeviceClient> ConnectWithinAsync(CloudHost cloud, string id, string password, CancellationToken ct)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            MqttDeviceClient client = Client(cloud, id, password);
            string? refused = await client.TryConnectAsync(ct);
            if (refused is null)
            {
                return client;
            }

            await client.DisposeAsync();
            Assert.True(DateTime.UtcNow < deadline, $"{id} was still refused 15 s after the registry changed: {refused}");
            await Task.Delay(50, ct);
        }
    }

    private static async Task<string> WaitForMetricAsync(CloudHost cloud, string line, CancellationToken ct)
    {
        using HttpClient http = new() { BaseAddress = cloud.HttpAddress };
        DateTime deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            string metrics = await http.GetStringAsync(new Uri("metrics", UriKind.Relative), ct);
            if (metrics.Contains(line, StringComparison.Ordinal))
            {
                return metrics;
            }

            Assert.True(DateTime.UtcNow < deadline, $"/metrics did not show '{line}' within 15 s");
            await Task.Delay(50, ct);
        }
    }
}
