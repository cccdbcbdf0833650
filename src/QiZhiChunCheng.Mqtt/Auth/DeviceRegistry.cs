using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Mqtt.Auth;

/// <summary>What a registered device is, which decides its topic rights (see <see cref="DeviceRights"/>).</summary>
public enum DeviceKind
{
    /// <summary>A roadside unit: publishes its own uplinks, subscribes to its own RSI downlink.</summary>
    Rsu,

    /// <summary>A test vehicle: publishes its own uplinks, subscribes to its own WARN downlink.</summary>
    Vehicle,

    /// <summary>A recorder or dashboard: subscribes to anything, publishes nothing.</summary>
    Service,

    /// <summary>Scenario replay: publishes any uplink topic of the zone, subscribes to downlinks.</summary>
    Replayer,
}

/// <summary>
/// One registered device. Rsu and vehicle ids are topic device ids (1..16 of <c>A-Z a-z 0-9 _ - .</c>). At least
/// one of the password hash and the certificate thumbprint is set; with both, either proves the device.
/// </summary>
public sealed record DeviceEntry(string Id, DeviceKind Kind, PasswordHash? Password, string? CertificateThumbprint)
{
    /// <summary>The topic device id of an rsu or vehicle (default for the other kinds).</summary>
    public DeviceId TopicId { get; } = Kind is DeviceKind.Rsu or DeviceKind.Vehicle && DeviceId.TryParse(Id, out DeviceId id) ? id : default;

    public override string ToString() =>
        $"{Id} ({DeviceRegistry.KindName(Kind)}, {(Password is null ? "" : "password")}{(Password is not null && CertificateThumbprint is not null ? " or " : "")}{(CertificateThumbprint is null ? "" : "certificate " + CertificateThumbprint)})";
}

/// <summary>A registry file that cannot be used; the message names the file, the entry and the field.</summary>
public sealed class DeviceRegistryException : Exception
{
    public DeviceRegistryException(string message)
        : base(message)
    {
    }

    public DeviceRegistryException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>
/// The devices allowed on the secured broker, from a JSON file:
/// <code>
/// {"devices":[{"id":"RSU-DF-01","kind":"rsu","passwordHash":"pbkdf2-sha256$600000$SALT$HASH"},
///             {"id":"VEH00001","kind":"vehicle","certificateThumbprint":"SHA-256 HEX OF THE DER CERTIFICATE"}]}
/// </code>
/// Immutable and thread-safe: a change makes a new registry (<see cref="With"/>), so a broker can swap registries
/// while connections are checked.
/// </summary>
public sealed class DeviceRegistry
{
    private const int MaxServiceIdLength = 64;

    private static readonly PasswordHash Dummy = PasswordHash.Create("not a device password"u8, PasswordHash.MinIterations);

    private readonly Dictionary<string, DeviceEntry> _byId;
    private readonly Dictionary<string, DeviceEntry> _byThumbprint;

    private DeviceRegistry(IReadOnlyList<DeviceEntry> devices, string source)
    {
        Devices = devices;
        Source = source;
        _byId = new Dictionary<string, DeviceEntry>(StringComparer.Ordinal);
        _byThumbprint = new Dictionary<string, DeviceEntry>(StringComparer.Ordinal);
        foreach (DeviceEntry device in devices)
        {
            _byId.Add(device.Id, device);
            if (device.CertificateThumbprint is { } thumbprint)
            {
                _byThumbprint.Add(thumbprint, device);
            }
        }
    }

    /// <summary>Every device, in file order.</summary>
    public IReadOnlyList<DeviceEntry> Devices { get; }

    /// <summary>Where the registry came from (a file path), for messages.</summary>
    public string Source { get; }

    public static DeviceRegistry Empty(string source = "(empty)") => new([], source);

    /// <summary>Loads a registry file; any problem is a <see cref="DeviceRegistryException"/> naming the entry and field.</summary>
    public static DeviceRegistry Load(string path) => Parse(ReadFile(path), path);

    /// <summary>A registry file's bytes (to parse, and to tell later whether it changed); a read failure is a <see cref="DeviceRegistryException"/>.</summary>
    public static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DeviceRegistryException($"cannot read the device registry {path}: {ex.Message}", ex);
        }
    }

    /// <summary>Reads a registry from JSON text; <paramref name="source"/> names it in error messages.</summary>
    public static DeviceRegistry Parse(ReadOnlySpan<byte> json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new DeviceRegistryException($"{source}: not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("devices", out JsonElement array) || array.ValueKind != JsonValueKind.Array)
            {
                throw new DeviceRegistryException($"{source}: expected an object with a \"devices\" array");
            }

            List<DeviceEntry> devices = [];
            HashSet<string> ids = new(StringComparer.Ordinal);
            Dictionary<string, string> thumbprints = new(StringComparer.Ordinal);
            int index = 0;
            foreach (JsonElement element in array.EnumerateArray())
            {
                DeviceEntry device = ReadEntry(element, $"{source}: devices[{index}]");
                string where = $"{source}: devices[{index}] (id '{device.Id}')";
                if (!ids.Add(device.Id))
                {
                    throw new DeviceRegistryException($"{where}: id: a device with this id is already registered above");
                }

                if (device.CertificateThumbprint is { } thumbprint && !thumbprints.TryAdd(thumbprint, device.Id))
                {
                    throw new DeviceRegistryException($"{where}: certificateThumbprint: the same certificate is registered for '{thumbprints[thumbprint]}'");
                }

                devices.Add(device);
                index++;
            }

            return new DeviceRegistry(devices, source);
        }
    }

    /// <summary>The device with this id, or null.</summary>
    public DeviceEntry? Find(string? id) => id is not null && _byId.TryGetValue(id, out DeviceEntry? device) ? device : null;

    /// <summary>The device whose certificate has this SHA-256 thumbprint (hex, any case), or null.</summary>
    public DeviceEntry? FindByThumbprint(string thumbprint) => _byThumbprint.GetValueOrDefault(thumbprint.ToUpperInvariant());

    /// <summary>
    /// True when the device exists and has a password and <paramref name="password"/> is it. An unknown id costs a
    /// PBKDF2 run too, so the answer's timing tells less about which ids exist.
    /// </summary>
    public bool VerifyPassword(string? id, ReadOnlySpan<byte> password)
    {
        if (Find(id) is { Password: { } hash })
        {
            return hash.Verify(password);
        }

        Dummy.Verify(password);
        return false;
    }

    /// <summary>A new registry with <paramref name="device"/> added, or replacing the entry of the same id.</summary>
    public DeviceRegistry With(DeviceEntry device)
    {
        ArgumentNullException.ThrowIfNull(device);
        List<DeviceEntry> devices = [.. Devices];
        int existing = devices.FindIndex(d => d.Id == device.Id);
        if (existing >= 0)
        {
            devices[existing] = device;
        }
        else
        {
            devices.Add(device);
        }

        using MemoryStream json = new();
        WriteJson(devices, json);
        return Parse(json.ToArray(), Source); // the same checks as a file: a bad entry cannot get in this way either
    }

    /// <summary>Writes the registry as JSON (indented, one device per object).</summary>
    public void WriteJson(Stream stream) => WriteJson(Devices, stream);

    /// <summary>Writes the registry to <paramref name="path"/> through a temporary file, so a reader never sees half a file.</summary>
    public void Save(string path)
    {
        string full = Path.GetFullPath(path);
        string temporary = full + ".tmp";
        using (FileStream stream = new(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            WriteJson(stream);
        }

        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>The SHA-256 thumbprint (upper-case hex) of a certificate: what <c>certificateThumbprint</c> holds.</summary>
    public static string Thumbprint(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
    }

    public static string KindName(DeviceKind kind) => kind switch
    {
        DeviceKind.Rsu => "rsu",
        DeviceKind.Vehicle => "vehicle",
        DeviceKind.Service => "service",
        DeviceKind.Replayer => "replayer",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static bool TryParseKind(string? text, out DeviceKind kind)
    {
        foreach (DeviceKind candidate in (ReadOnlySpan<DeviceKind>)[DeviceKind.Rsu, DeviceKind.Vehicle, DeviceKind.Service, DeviceKind.Replayer])
        {
            if (text == KindName(candidate))
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }

    /// <summary>Null when <paramref name="id"/> may name a device of <paramref name="kind"/>, else why not.</summary>
    public static string? CheckId(string? id, DeviceKind kind)
    {
        if (string.IsNullOrEmpty(id))
        {
            return "the id is missing or empty";
        }

        if (kind is DeviceKind.Rsu or DeviceKind.Vehicle)
        {
            return DeviceId.TryParse(id, out _) ? null : $"'{id}' is not a topic device id (1..{DeviceId.MaxLength} characters of A-Z a-z 0-9 _ - .)";
        }

        foreach (char c in id)
        {
            if (!DeviceId.IsValidChar(c))
            {
                return $"'{id}' may only hold the characters A-Z a-z 0-9 _ - .";
            }
        }

        return id.Length <= MaxServiceIdLength ? null : $"'{id}' is longer than {MaxServiceIdLength} characters";
    }

    /// <summary>Upper-case hex of a SHA-256 thumbprint written with or without colons, or null when it is not one.</summary>
    public static string? NormalizeThumbprint(string text)
    {
        string hex = text.Replace(":", "", StringComparison.Ordinal).Trim().ToUpperInvariant();
        if (hex.Length != 64)
        {
            return null;
        }

        foreach (char c in hex)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return null;
            }
        }

        return hex;
    }

    private static DeviceEntry ReadEntry(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new DeviceRegistryException($"{where}: expected an object with id, kind and passwordHash or certificateThumbprint");
        }

        string? id = null;
        string? kindText = null;
        string? hashText = null;
        string? thumbprintText = null;
        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (property.Name is not ("id" or "kind" or "passwordHash" or "certificateThumbprint"))
            {
                throw new DeviceRegistryException($"{where}: {property.Name}: unknown field (expected id, kind, passwordHash, certificateThumbprint)");
            }

            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw new DeviceRegistryException($"{where}: {property.Name}: expected a string");
            }

            string value = property.Value.GetString()!;
            switch (property.Name)
            {
                case "id": id = value; break;
                case "kind": kindText = value; break;
                case "passwordHash": hashText = value; break;
                case "certificateThumbprint": thumbprintText = value; break;
                default: break;
            }
        }

        if (id is not null)
        {
            where = $"{where} (id '{id}')";
        }

        if (!TryParseKind(kindText, out DeviceKind kind))
        {
            throw new DeviceRegistryException(kindText is null
                ? $"{where}: kind: missing (rsu, vehicle, service or replayer)"
                : $"{where}: kind: '{kindText}' is not one of rsu, vehicle, service, replayer");
        }

        if (CheckId(id, kind) is { } badId)
        {
            throw new DeviceRegistryException($"{where}: id: {badId}");
        }

        PasswordHash? hash = null;
        if (hashText is not null && !PasswordHash.TryParse(hashText, out hash, out string reason))
        {
            throw new DeviceRegistryException($"{where}: passwordHash: malformed: {reason}");
        }

        string? thumbprint = null;
        if (thumbprintText is not null && (thumbprint = NormalizeThumbprint(thumbprintText)) is null)
        {
            throw new DeviceRegistryException($"{where}: certificateThumbprint: expected the SHA-256 thumbprint as 64 hex digits");
        }

        if (hash is null && thumbprint is null)
        {
            throw new DeviceRegistryException($"{where}: neither passwordHash nor certificateThumbprint: the device could never connect");
        }

        return new DeviceEntry(id!, kind, hash, thumbprint);
    }

    private static void WriteJson(IReadOnlyList<DeviceEntry> devices, Stream stream)
    {
        using Utf8JsonWriter writer = new(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteStartArray("devices");
        foreach (DeviceEntry device in devices)
        {
            writer.WriteStartObject();
            writer.WriteString("id", device.Id);
            writer.WriteString("kind", KindName(device.Kind));
            if (device.Password is { } hash)
            {
                writer.WriteString("passwordHash", hash.ToString());
            }

            if (device.CertificateThumbprint is { } thumbprint)
            {
                writer.WriteString("certificateThumbprint", thumbprint);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        stream.WriteByte((byte)'\n');
    }
}
