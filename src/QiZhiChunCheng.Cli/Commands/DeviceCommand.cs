using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using QiZhiChunCheng.Mqtt.Auth;

namespace QiZhiChunCheng.Cli.Commands;

/// <summary>
/// <c>qzcc device add --registry FILE --id ID --kind rsu|vehicle|service|replayer (--password-file F |
/// --password-env VAR | --cert FILE.pem)</c> and <c>qzcc device list --registry FILE</c>: the device registry of the
/// secured broker. The password is read from a file or an environment variable, never from the command line (where
/// <c>ps</c> shows it), is stored only as a PBKDF2 hash, and is never printed.
/// </summary>
internal static class DeviceCommand
{
    public static Command Create()
    {
        Command device = new("device", "The devices allowed on the secured MQTT broker: add or update one, list them");
        device.Subcommands.Add(CreateAdd());
        device.Subcommands.Add(CreateList());
        return device;
    }

    private static Option<string> RegistryOption() => new("--registry") { Description = "The device registry file (JSON); created by the first add", Required = true };

    private static Command CreateAdd()
    {
        Option<string> registry = RegistryOption();
        Option<string> id = new("--id") { Description = "The device id: for an rsu or vehicle the id in its topics (RSU-DF-01, VEH00001)", Required = true };
        Option<string> kind = new("--kind") { Description = "rsu, vehicle, service (subscribes to anything, publishes nothing) or replayer (publishes any uplink)", Required = true };
        kind.AcceptOnlyFromAmong("rsu", "vehicle", "service", "replayer");
        Option<string?> passwordFile = new("--password-file") { Description = "A file holding the device's password (a trailing newline is ignored)" };
        Option<string?> passwordEnv = new("--password-env") { Description = "The name of an environment variable holding the device's password" };
        Option<string?> cert = new("--cert") { Description = "The device's client certificate (PEM or DER): it is registered by its SHA-256 thumbprint" };
        Command add = new("add", "Add a device to the registry, or replace the secret and kind of the device with that id");
        add.Options.Add(registry);
        add.Options.Add(id);
        add.Options.Add(kind);
        add.Options.Add(passwordFile);
        add.Options.Add(passwordEnv);
        add.Options.Add(cert);
        add.SetAction(parse =>
        {
            string path = parse.GetValue(registry)!;
            string deviceId = parse.GetValue(id)!;
            if (!DeviceRegistry.TryParseKind(parse.GetValue(kind), out DeviceKind deviceKind))
            {
                return Fail(parse, "add", "--kind: expected rsu, vehicle, service or replayer");
            }

            if (DeviceRegistry.CheckId(deviceId, deviceKind) is { } badId)
            {
                return Fail(parse, "add", $"--id: {badId}");
            }

            string? file = parse.GetValue(passwordFile);
            string? variable = parse.GetValue(passwordEnv);
            string? certificate = parse.GetValue(cert);
            if ((file is null ? 0 : 1) + (variable is null ? 0 : 1) + (certificate is null ? 0 : 1) != 1)
            {
                return Fail(parse, "add", "give exactly one of --password-file, --password-env, --cert");
            }

            DeviceRegistry devices;
            try
            {
                devices = File.Exists(path) ? DeviceRegistry.Load(path) : DeviceRegistry.Empty(path);
            }
            catch (DeviceRegistryException ex)
            {
                return Fail(parse, "add", ex.Message);
            }

            PasswordHash? hash = null;
            string? thumbprint = null;
            if (certificate is not null)
            {
                try
                {
                    using X509Certificate2 loaded = X509CertificateLoader.LoadCertificateFromFile(certificate);
                    thumbprint = DeviceRegistry.Thumbprint(loaded);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
                {
                    return Fail(parse, "add", $"--cert {certificate}: not a readable certificate: {ex.Message}");
                }
            }
            else
            {
                string? password;
                if (file is not null)
                {
                    try
                    {
                        password = File.ReadAllText(file).TrimEnd('\r', '\n');
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        return Fail(parse, "add", $"--password-file {file}: cannot read it: {ex.Message}");
                    }
                }
                else
                {
                    password = Environment.GetEnvironmentVariable(variable!);
                    if (password is null)
                    {
                        return Fail(parse, "add", $"--password-env {variable}: the variable is not set");
                    }
                }

                if (password.Length < 8)
                {
                    return Fail(parse, "add", $"the password of {deviceId} is {(password.Length == 0 ? "empty" : "shorter than 8 characters")}");
                }

                hash = PasswordHash.Create(Encoding.UTF8.GetBytes(password));
            }

            bool existed = devices.Find(deviceId) is not null;
            try
            {
                devices = devices.With(new DeviceEntry(deviceId, deviceKind, hash, thumbprint));
                string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
                if (folder is not null)
                {
                    Directory.CreateDirectory(folder);
                }

                devices.Save(path);
            }
            catch (DeviceRegistryException ex)
            {
                return Fail(parse, "add", ex.Message);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return Fail(parse, "add", $"cannot write {path}: {ex.Message}");
            }

            parse.InvocationConfiguration.Output.WriteLine(
                $"{(existed ? "updated" : "added")} {deviceId} ({DeviceRegistry.KindName(deviceKind)}, {(hash is not null ? "password" : $"certificate {thumbprint}")}) in {Path.GetFullPath(path)}: {devices.Devices.Count} device(s)");
            return 0;
        });
        return add;
    }

    private static Command CreateList()
    {
        Option<string> registry = RegistryOption();
        Command list = new("list", "List the registered devices: id, kind and how each proves itself (never a secret)");
        list.Options.Add(registry);
        list.SetAction(parse =>
        {
            string path = parse.GetValue(registry)!;
            DeviceRegistry devices;
            try
            {
                devices = DeviceRegistry.Load(path);
            }
            catch (DeviceRegistryException ex)
            {
                return Fail(parse, "list", ex.Message);
            }

            TextWriter output = parse.InvocationConfiguration.Output;
            output.WriteLine($"{devices.Devices.Count} device(s) in {Path.GetFullPath(path)}");
            foreach (DeviceEntry device in devices.Devices)
            {
                List<string> proofs = [];
                if (device.Password is { } hash)
                {
                    proofs.Add($"password (pbkdf2-sha256, {hash.Iterations} iterations)");
                }

                if (device.CertificateThumbprint is { } thumbprint)
                {
                    proofs.Add($"certificate {thumbprint}");
                }

                output.WriteLine($"  {device.Id,-16} {DeviceRegistry.KindName(device.Kind),-8} {string.Join(" or ", proofs)}");
            }

            return 0;
        });
        return list;
    }

    private static int Fail(ParseResult parse, string command, string reason)
    {
        parse.InvocationConfiguration.Error.WriteLine($"qzcc device {command}: {reason}");
        return 1;
    }
}
