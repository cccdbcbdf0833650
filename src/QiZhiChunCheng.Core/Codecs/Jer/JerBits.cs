namespace QiZhiChunCheng.Core.Codecs.Jer;

/// <summary>
/// Hex forms of OCTET STRING and BIT STRING (X.697): hex digits of either case on input, upper case on output.
/// A BIT STRING puts its first bit in the most significant position of the first octet; the model stores bit n
/// of the ASN.1 string as <c>1 &lt;&lt; n</c>, so <c>"0400"</c> (SIZE 16) is bit 5, value 32.
/// Allocation-free; thread-safe.
/// </summary>
internal static class JerBits
{
    /// <summary>The model holds at most 16 bits of any BIT STRING; bits beyond are read and dropped.</summary>
    public const int ModelBits = 16;

    public static int HexDigits(int bitLength) => ((bitLength + 7) / 8) * 2;

    /// <summary>Parses exactly <paramref name="digits"/> hex digits, big-endian, into a value (at most 16 digits).</summary>
    public static bool TryParseHex(ReadOnlySpan<byte> hex, int digits, out ulong value)
    {
        value = 0;
        if (hex.Length != digits)
        {
            return false;
        }

        foreach (byte c in hex)
        {
            int nibble = Nibble(c);
            if (nibble < 0)
            {
                return false;
            }

            value = (value << 4) | (uint)nibble;
        }

        return true;
    }

    /// <summary>Writes <paramref name="value"/> as <c>destination.Length</c> upper-case hex digits.</summary>
    public static void WriteHex(ulong value, Span<byte> destination)
    {
        for (int i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)"0123456789ABCDEF"[(int)(value & 0xF)];
            value >>= 4;
        }
    }

    /// <summary>
    /// Reads a BIT STRING of <paramref name="bitLength"/> bits from its hex form (exactly the octets the length
    /// needs). Bits past the model's 16 and the padding bits of the last octet are ignored.
    /// </summary>
    public static bool TryParseBits(ReadOnlySpan<byte> hex, int bitLength, out ushort bits)
    {
        bits = 0;
        if (hex.Length != HexDigits(bitLength))
        {
            return false;
        }

        int keep = Math.Min(bitLength, ModelBits);
        for (int i = 0; i < hex.Length; i += 2)
        {
            int high = Nibble(hex[i]);
            int low = Nibble(hex[i + 1]);
            if (high < 0 || low < 0)
            {
                return false;
            }

            int octet = (high << 4) | low;
            for (int j = 0; j < 8; j++)
            {
                int bit = ((i / 2) * 8) + j;
                if (bit < keep && (octet & (0x80 >> j)) != 0)
                {
                    bits |= (ushort)(1 << bit);
                }
            }
        }

        return true;
    }

    /// <summary>Writes the hex form of a BIT STRING of <paramref name="bitLength"/> bits (at most 16).</summary>
    public static void WriteBits(ushort bits, int bitLength, Span<byte> destination)
    {
        int octets = (bitLength + 7) / 8;
        for (int i = 0; i < octets; i++)
        {
            int octet = 0;
            for (int j = 0; j < 8; j++)
            {
                int bit = (i * 8) + j;
                if (bit < bitLength && (bits & (1 << bit)) != 0)
                {
                    octet |= 0x80 >> j;
                }
            }

            WriteHex((ulong)octet, destination.Slice(i * 2, 2));
        }
    }

    /// <summary>
    /// The length to write for an extensible BIT STRING: the root size, or more when the model carries bits of
    /// an extension (a VehicleEventFlags with bit 14 set is written with length 15).
    /// </summary>
    public static int ExtensibleLength(ushort bits, int rootSize) =>
        Math.Max(rootSize, 32 - int.LeadingZeroCount(bits));

    private static int Nibble(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => -1,
    };
}
