using System.Globalization;
using System.Security.Cryptography;

namespace QiZhiChunCheng.Mqtt.Auth;

/// <summary>
/// A device password stored as <c>pbkdf2-sha256$ITERATIONS$SALT$HASH</c> (salt and hash in base64): PBKDF2 with
/// HMAC-SHA-256, a random 16-byte salt and a 32-byte hash. Verifying costs one PBKDF2 run (about 0.3 s at the
/// default 600,000 iterations, OWASP's figure for SHA-256), paid once per CONNECT. Immutable and thread-safe.
/// </summary>
public sealed class PasswordHash
{
    public const string Scheme = "pbkdf2-sha256";

    /// <summary>The iterations of new hashes (OWASP 2023 for PBKDF2-HMAC-SHA256).</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>Fewer iterations than this are refused when a registry is loaded: such a hash is too cheap to guess.</summary>
    public const int MinIterations = 10_000;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly byte[] _salt;
    private readonly byte[] _hash;

    private PasswordHash(int iterations, byte[] salt, byte[] hash)
    {
        Iterations = iterations;
        _salt = salt;
        _hash = hash;
    }

    public int Iterations { get; }

    /// <summary>Hashes a new password with a fresh random salt.</summary>
    public static PasswordHash Create(ReadOnlySpan<byte> password, int iterations = DefaultIterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinIterations);
        byte[] salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return new PasswordHash(iterations, salt, Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, HashBytes));
    }

    /// <summary>Reads the stored form; false with a reason that never quotes the hash.</summary>
    public static bool TryParse(string text, out PasswordHash? hash, out string reason)
    {
        hash = null;
        string[] parts = text.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme)
        {
            reason = $"expected {Scheme}$ITERATIONS$SALT$HASH (salt and hash in base64)";
            return false;
        }

        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int iterations) || iterations < MinIterations)
        {
            reason = $"the iteration count must be a whole number of at least {MinIterations}";
            return false;
        }

        byte[] salt;
        byte[] derived;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            derived = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            reason = "the salt or the hash is not base64";
            return false;
        }

        if (salt.Length < SaltBytes || derived.Length != HashBytes)
        {
            reason = $"the salt must have at least {SaltBytes} bytes and the hash exactly {HashBytes}";
            return false;
        }

        hash = new PasswordHash(iterations, salt, derived);
        reason = "";
        return true;
    }

    /// <summary>True when <paramref name="password"/> is the one hashed; compares in constant time.</summary>
    public bool Verify(ReadOnlySpan<byte> password)
    {
        Span<byte> candidate = stackalloc byte[HashBytes];
        Rfc2898DeriveBytes.Pbkdf2(password, _salt, candidate, Iterations, HashAlgorithmName.SHA256);
        return CryptographicOperations.FixedTimeEquals(candidate, _hash);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Scheme}${Iterations}${Convert.ToBase64String(_salt)}${Convert.ToBase64String(_hash)}");
}
