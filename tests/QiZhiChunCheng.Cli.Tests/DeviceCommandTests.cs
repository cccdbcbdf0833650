using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using QiZhiChunCheng.Cli.Commands;
using QiZhiChunCheng.Mqtt.Auth;

namespace QiZhiChunCheng.Cli.Tests;

/// <summary><c>qzcc device add</c> and <c>qzcc device list</c> through the real command line, on real files.</summary>
public sealed class DeviceCommandTests : IDisposable
{
    private const string Secret = "the-rsu-password-42";
    private readonly string _dir = Directory.CreateTempSubdirectory("qzcc-device-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Add_creates_and_updates_the_registry_and_list_shows_it_without_any_secret()
    {
        string registry = Path.Combine(_dir, "etc", "devices.json");
        string passwordFile = Path.Combine(_dir, "rsu.pass");
        await File.WriteAllTextAsync(passwordFile, Secret + "\n", TestContext.Current.CancellationToken);
        string pem = Path.Combine(_dir, "veh.pem");
        string thumbprint = WriteCertificate(pem);

        (int exit, string output, string error) = await RunAsync("device", "add", "--registry", registry, "--id", "RSU-DF-01", "--kind", "rsu", "--password-file", passwordFile);
        Assert.Equal(0, exit);
        Assert.Empty(error);
        Assert.Contains("added RSU-DF-01 (rsu, password)", output, StringComparison.Ordinal);

        (exit, output, _) = await RunAsync("device", "add", "--registry", registry, "--id", "VEH00001", "--kind", "vehicle", "--cert", pem);
        Assert.Equal(0, exit);
        Assert.Contains($"added VEH00001 (vehicle, certificate {thumbprint})", output, StringComparison.Ordinal);

        (exit, output, _) = await RunAsync("device", "add", "--registry", registry, "--id", "RSU-DF-01", "--kind", "rsu", "--password-file", passwordFile);
        Assert.Equal(0, exit);
        Assert.Contains("updated RSU-DF-01", output, StringComparison.Ordinal);
        Assert.Contains("2 device(s)", output, StringComparison.Ordinal);

        (exit, output, _) = await RunAsync("device", "list", "--registry", registry);
        Assert.Equal(0, exit);
        Assert.Contains("RSU-DF-01", output, StringComparison.Ordinal);
        Assert.Contains($"VEH00001         vehicle  certificate {thumbprint}", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, await File.ReadAllTextAsync(registry, TestContext.Current.CancellationToken), StringComparison.Ordinal);

        DeviceRegistry loaded = DeviceRegistry.Load(registry);
        Assert.True(loaded.VerifyPassword("RSU-DF-01", System.Text.Encoding.UTF8.GetBytes(Secret)));
        Assert.Equal("VEH00001", loaded.FindByThumbprint(thumbprint)?.Id);
    }

    [Fact]
    public async Task Add_reads_the_password_from_an_environment_variable()
    {
        string registry = Path.Combine(_dir, "devices.json");
        string variable = "QZCC_TEST_DEVICE_PASSWORD_" + Environment.ProcessId;
        Environment.SetEnvironmentVariable(variable, Secret);
        try
        {
            (int exit, string output, _) = await RunAsync("device", "add", "--registry", registry, "--id", "recorder", "--kind", "service", "--password-env", variable);
            Assert.Equal(0, exit);
            Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
            Assert.Equal(DeviceKind.Service, DeviceRegistry.Load(registry).Find("recorder")?.Kind);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Theory]
    [InlineData("give exactly one of --password-file, --password-env, --cert", "--id", "RSU-DF-01", "--kind", "rsu")]
    [InlineData("--id: 'RSU/01' is not a topic device id", "--id", "RSU/01", "--kind", "rsu", "--password-env", "HOME")]
    [InlineData("--password-env QZCC_NOT_SET_ANYWHERE: the variable is not set", "--id", "RSU-DF-01", "--kind", "rsu", "--password-env", "QZCC_NOT_SET_ANYWHERE")]
    public async Task Add_refuses_bad_arguments_with_a_one_line_reason_and_writes_nothing(string expected, params string[] arguments)
    {
        string registry = Path.Combine(_dir, "devices.json");

        (int exit, _, string error) = await RunAsync(["device", "add", "--registry", registry, .. arguments]);

        Assert.Equal(1, exit);
        Assert.StartsWith("qzcc device add: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.False(File.Exists(registry));
    }

    [Fact]
    public async Task List_of_a_broken_registry_names_the_entry_and_the_field()
    {
        string registry = Path.Combine(_dir, "devices.json");
        await File.WriteAllTextAsync(registry, """{"devices":[{"id":"VEH00001","kind":"truck","certificateThumbprint":"00"}]}""", TestContext.Current.CancellationToken);

        (int exit, _, string error) = await RunAsync("device", "list", "--registry", registry);

        Assert.Equal(1, exit);
        Assert.Contains("devices[0] (id 'VEH00001'): kind: 'truck' is not one of rsu, vehicle, service, replayer", error, StringComparison.Ordinal);
    }

    private static string WriteCertificate(string path)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 certificate = new CertificateRequest("CN=VEH00001", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        RootCommand root = new("qzcc");
        root.Subcommands.Add(DeviceCommand.Create());
        using StringWriter output = new();
        using StringWriter error = new();
        int exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }
}
