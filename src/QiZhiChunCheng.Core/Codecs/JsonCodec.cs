using System.Buffers;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;

namespace QiZhiChunCheng.Core.Codecs;

/// <summary>
/// The JSON wire form (JER, V2X-REFERENCE section 6): ASN.1 member names, raw integer units, ENUMERATED as
/// identifier strings, OCTET STRING and BIT STRING as hex, CHOICE as a one-member object. Structure and JSON
/// types are checked here; value ranges are checked by <see cref="MessageValidator"/>.
/// Thread-safe; decoding allocates the message (a BSM only its transient buffers).
/// </summary>
public static partial class JsonCodec
{
    public const int MaxPayloadBytes = 1 << 20;

    /// <summary>Decodes a bare message of <paramref name="type"/>, or its MessageFrame form (<c>{"bsmFrame": {...}}</c>).</summary>
    public static bool TryDecode(MessageType type, ReadOnlySpan<byte> utf8, in Envelope envelope, out V2xMessage message, out Rejection rejection) =>
        throw new NotImplementedException();

    public static bool TryDecodeBsm(ReadOnlySpan<byte> utf8, out Bsm bsm, out Rejection rejection) =>
        throw new NotImplementedException();

    public static bool TryDecodeRsm(ReadOnlySpan<byte> utf8, out Rsm? rsm, out Rejection rejection) =>
        throw new NotImplementedException();

    public static bool TryDecodeSpat(ReadOnlySpan<byte> utf8, out Spat? spat, out Rejection rejection) =>
        throw new NotImplementedException();

    public static bool TryDecodeMap(ReadOnlySpan<byte> utf8, out MapData? map, out Rejection rejection) =>
        throw new NotImplementedException();

    public static bool TryDecodeRsi(ReadOnlySpan<byte> utf8, out Rsi? rsi, out Rejection rejection) =>
        throw new NotImplementedException();

    /// <summary>Writes the bare message (not the MessageFrame form) as UTF-8 JSON.</summary>
    public static void Encode(in V2xMessage message, IBufferWriter<byte> output) =>
        throw new NotImplementedException();

    public static byte[] Encode(in V2xMessage message)
    {
        ArrayBufferWriter<byte> buffer = new(512);
        Encode(message, buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
