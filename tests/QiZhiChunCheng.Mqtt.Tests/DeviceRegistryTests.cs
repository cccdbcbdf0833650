using System.Text;
using QiZhiChunCheng.Mqtt.Auth;

namespace QiZhiChunCheng.Mqtt.Tests;

/// <summary>The registry file: what loads, and the one-line errors of what does not.</summary>
public sealed class DeviceRegistryTests
{
    private static readonly string Hash = SecuredBroker.Hash("pw");
    private static readonly string Thumbprint = new('a', 64);

    [Fact]
    public void A_registry_loads_every_kind_and_verifies_passwords_in_both_directions()
    {
        DeviceRegistry registry = Parse($$"""
            {"devices":[
              {"id":"RSU-DF-01","kind":"rsu","passwordHash":"{{Hash}}"},
              {"id":"VEH00001","kind":"vehicle","certificateThumbprint":"{{string.Join(':', Enumerable.Repeat("AA", 32))}}"},
              {"id":"recorder","kind":"service","passwordHash":"{{Hash}}"},
              {"id":"replay","kind":"replayer","passwordHash":"{{Hash}}","certificateThumbprint":"{{new string('b', 64)}}"}
            ]}
            """);

        Assert.Equal([DeviceKind.Rsu, DeviceKind.Vehicle, DeviceKind.Service, DeviceKind.Replayer], registry.Devices.Select(d => d.Kind));
        Assert.True(registry.VerifyPassword("RSU-DF-01", "pw"u8));
        Assert.False(registry.VerifyPassword("RSU-DF-01", "pw "u8));
        Assert.False(registry.VerifyPassword("VEH00001", "pw"u8)); // certificate only
        Assert.False(registry.VerifyPassword("nobody", "pw"u8));
        Assert.Equal("VEH00001", registry.FindByThumbprint(Thumbprint)?.Id);
        Assert.Equal("replay", registry.FindByThumbprint(new string('B', 64))?.Id);
    }

    [Fact]
    public void A_registry_survives_a_save_and_load_and_With_replaces_an_entry_of_the_same_id()
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("qzcc-registry-").FullName, "devices.json");
        DeviceRegistry registry = DeviceRegistry.Empty(file)
            .With(new DeviceEntry("RSU-DF-01", DeviceKind.Rsu, PasswordHash.Create("one"u8, PasswordHash.MinIterations), null))
            .With(new DeviceEntry("VEH00001", DeviceKind.Vehicle, null, Thumbprint.ToUpperInvariant()))
            .With(new DeviceEntry("RSU-DF-01", DeviceKind.Rsu, PasswordHash.Create("two"u8, PasswordHash.MinIterations), null));
        registry.Save(file);

        DeviceRegistry loaded = DeviceRegistry.Load(file);
        Assert.Equal(["RSU-DF-01", "VEH00001"], loaded.Devices.Select(d => d.Id));
        Assert.True(loaded.VerifyPassword("RSU-DF-01", "two"u8));
        Assert.False(loaded.VerifyPassword("RSU-DF-01", "one"u8));
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }

    [Theory]
    [InlineData("""{"id":"RSU-DF-01","kind":"rsu","passwordHash":"H"},{"id":"RSU-DF-01","kind":"rsu","passwordHash":"H"}""", "devices[1] (id 'RSU-DF-01'): id: a device with this id is already registered above")]
    [InlineData("""{"id":"VEH00001","kind":"car","passwordHash":"H"}""", "devices[0] (id 'VEH00001'): kind: 'car' is not one of rsu, vehicle, service, replayer")]
    [InlineData("""{"id":"VEH00001","passwordHash":"H"}""", "devices[0] (id 'VEH00001'): kind: missing")]
    [InlineData("""{"id":"RSU-DF-01","kind":"rsu","passwordHash":"md5$abc"}""", "devices[0] (id 'RSU-DF-01'): passwordHash: malformed: expected pbkdf2-sha256$ITERATIONS$SALT$HASH")]
    [InlineData("""{"id":"RSU-DF-01","kind":"rsu","passwordHash":"pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}""", "passwordHash: malformed: the iteration count must be a whole number of at least 10000")]
    [InlineData("""{"id":"RSU-DF-01","kind":"rsu","passwordHash":"pbkdf2-sha256$600000$not base64!$AAAA"}""", "passwordHash: malformed: the salt or the hash is not base64")]
    [InlineData("""{"id":"VEH00001","kind":"vehicle","certificateThumbprint":"1234"}""", "devices[0] (id 'VEH00001'): certificateThumbprint: expected the SHA-256 thumbprint as 64 hex digits")]
    [InlineData("""{"id":"VEH00001","kind":"vehicle"}""", "devices[0] (id 'VEH00001'): neither passwordHash nor certificateThumbprint")]
    [InlineData("""{"id":"RSU/DF/01","kind":"rsu","passwordHash":"H"}""", "devices[0] (id 'RSU/DF/01'): id: 'RSU/DF/01' is not a topic device id")]
    [InlineData("""{"kind":"rsu","passwordHash":"H"}""", "devices[0]: id: the id is missing or empty")]
    [InlineData("""{"id":"RSU-DF-01","kind":"rsu","password":"plain"}""", "devices[0]: password: unknown field")]
    [InlineData("""{"id":"A","kind":"rsu","certificateThumbprint":"T"},{"id":"B","kind":"rsu","certificateThumbprint":"T"}""", "devices[1] (id 'B'): certificateThumbprint: the same certificate is registered for 'A'")]
    public void A_bad_entry_is_refused_with_the_entry_and_the_field(string entries, string expected)
    {
        string json = $$"""{"devices":[{{entries.Replace("\"H\"", $"\"{Hash}\"", StringComparison.Ordinal).Replace("\"T\"", $"\"{Thumbprint}\"", StringComparison.Ordinal)}}]}""";

        DeviceRegistryException error = Assert.Throws<DeviceRegistryException>(() => Parse(json));

        Assert.StartsWith("devices.json: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("not json", "devices.json: not valid JSON")]
    [InlineData("""{"device":[]}""", "devices.json: expected an object with a \"devices\" array")]
    public void A_file_that_is_not_a_registry_says_so(string json, string expected)
    {
        Assert.StartsWith(expected, Assert.Throws<DeviceRegistryException>(() => Parse(json)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_names_the_file()
    {
        string path = Path.Combine(Path.GetTempPath(), "qzcc-no-such-dir", "devices.json");
        Assert.StartsWith($"cannot read the device registry {path}", Assert.Throws<DeviceRegistryException>(() => DeviceRegistry.Load(path)).Message, StringComparison.Ordinal);
    }

    private static DeviceRegistry Parse(string json) => DeviceRegistry.Parse(Encoding.UTF8.GetBytes(json), "devices.json");
}
