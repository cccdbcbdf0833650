using System.Buffers;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;

namespace QiZhiChunCheng.Core.Codecs;

/// <summary>
/// The compact, versioned binary form used on the bus (Kafka value, in-process bus): envelope and body in one
/// frame that round-trips every field of the model exactly. Thread-safe; <see cref="TryDecodeBsm"/> allocates nothing.
/// </summary>
public static class BinaryCodec
{
    public static void Encode(in V2xMessage message, IBufferWriter<byte> output) =>
        throw new NotImplementedException();

    public static byte[] Encode(in V2xMessage message)
    {
        ArrayBufferWriter<byte> buffer = new(256);
        Encode(message, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads the envelope only (cheap: for routing without decoding the body).</summary>
    public static bool TryReadEnvelope(ReadOnlySpan<byte> frame, out Envelope envelope, out Rejection rejection) =>
        throw new NotImplementedException();

    public static bool TryDecode(ReadOnlySpan<byte> frame, out V2xMessage message, out Rejection rejection) =>
        throw new NotImplementedException();

    /// <summary>Decodes a BSM frame without allocating.</summary>
    public static bool TryDecodeBsm(ReadOnlySpan<byte> frame, out Envelope envelope, out Bsm bsm, out Rejection rejection) =>
        throw new NotImplementedException();
}
