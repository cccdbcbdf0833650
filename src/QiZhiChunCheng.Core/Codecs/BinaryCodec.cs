using System.Buffers;
using System.Runtime.CompilerServices;
using QiZhiChunCheng.Core.Codecs.Binary;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;

namespace QiZhiChunCheng.Core.Codecs;

/// <summary>
/// The compact, versioned binary form used on the bus (Kafka value, in-process bus): envelope and body in one
/// frame that round-trips every field of the model exactly, including absent versus empty lists. Thread-safe;
/// <see cref="TryDecodeBsm"/> and <see cref="TryReadEnvelope"/> allocate nothing, and encoding allocates nothing
/// beyond what the buffer writer does.
/// </summary>
/// <remarks>
/// <para>
/// Layout (version 1, fully specified with a worked example in <c>Codecs/Binary/FrameFormat.cs</c>): magic byte
/// 0xB2, version byte, message type byte, the envelope (source kind, 16-byte device id, zig-zag varint
/// generation time, ingest time as a delta, sequence, 16-byte trace id), then the body. Integers are zig-zag
/// LEB128 varints, every struct with optional members starts with a presence bitmap, lists carry count + 1 so
/// that 0 means absent, strings are a varint length and UTF-8.
/// </para>
/// <para>
/// Decoding never throws on bad input: a truncated frame, a wrong magic or version, trailing bytes, a count the
/// remaining bytes cannot fill, an overflowing or non-canonical varint, an undefined enum value or flag bit, or
/// text that is not UTF-8 gives <c>false</c> and a <see cref="Rejection"/> naming the field and the byte offset.
/// Every accepted frame is the one the encoder writes for the decoded message, byte for byte. Encoding a message
/// holding an undefined enum value or a null list element is a caller bug and throws
/// <see cref="ArgumentException"/>. Range checks against the standard are not the codec's business: that is
/// <see cref="MessageValidator"/>.
/// </para>
/// </remarks>
[SkipLocalsInit]
public static class BinaryCodec
{
    /// <summary>The magic first byte of every frame.</summary>
    public const byte Magic = FrameFormat.Magic;

    /// <summary>The format version this codec writes and the only one it reads.</summary>
    public const byte Version = FrameFormat.Version;

    /// <summary>Writes one frame into <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentException">The message holds an undefined enum value, a null list element or a string with a lone surrogate.</exception>
    public static void Encode(in V2xMessage message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Envelope envelope = message.Envelope;
        MessageType type = message.Type;
        ArgumentOutOfRangeException.ThrowIfGreaterThan((byte)type, FrameFormat.MaxMessageType, "message.Type");
        ArgumentOutOfRangeException.ThrowIfGreaterThan((byte)envelope.SourceKind, FrameFormat.MaxSourceKind, "message.Envelope.SourceKind");

        var w = new FrameWriter(output);
        w.WriteU8(FrameFormat.Magic);
        w.WriteU8(FrameFormat.Version);
        w.WriteU8((byte)type);
        w.WriteU8((byte)envelope.SourceKind);
        w.WriteDeviceId(envelope.SourceId);
        w.WriteVarS64(envelope.GeneratedUtcMs);
        w.WriteVarS64(unchecked(envelope.IngestUtcMs - envelope.GeneratedUtcMs));
        w.WriteVarS64(envelope.Sequence);
        w.WriteBE64(envelope.TraceId.Hi);
        w.WriteBE64(envelope.TraceId.Lo);
        switch (type)
        {
            case MessageType.Bsm:
                BodyWriter.WriteBsm(ref w, in message.Bsm);
                break;
            case MessageType.Rsm:
                BodyWriter.WriteRsm(ref w, message.Rsm);
                break;
            case MessageType.Spat:
                BodyWriter.WriteSpat(ref w, message.Spat);
                break;
            case MessageType.Map:
                BodyWriter.WriteMap(ref w, message.Map);
                break;
            default:
                BodyWriter.WriteRsi(ref w, message.Rsi);
                break;
        }

        w.Flush();
    }

    /// <summary>
    /// Writes one frame into a new array of its exact length, and allocates nothing else: the frame is written into a
    /// buffer kept per thread (ingest calls this for every message; a fresh growing buffer cost 312 bytes more each).
    /// </summary>
    public static byte[] Encode(in V2xMessage message)
    {
        ArrayBufferWriter<byte> buffer = _threadBuffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        Encode(message, buffer);
        byte[] frame = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > KeptBufferBytes)
        {
            _threadBuffer = null; // a large MAP: not kept for the rest of the thread's life
        }

        return frame;
    }

    private const int KeptBufferBytes = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _threadBuffer;

    /// <summary>Reads the envelope only (cheap: for routing without decoding the body). Allocates nothing on success.</summary>
    public static bool TryReadEnvelope(ReadOnlySpan<byte> frame, out Envelope envelope, out Rejection rejection)
    {
        var r = new FrameReader(frame);
        envelope = ReadHeader(ref r);
        return Finish(ref r, ref envelope, out rejection);
    }

    /// <summary>Decodes a frame of any message type; allocates the body of every type but BSM.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> frame, out V2xMessage message, out Rejection rejection)
    {
        var r = new FrameReader(frame);
        Envelope envelope = ReadHeader(ref r);
        message = default;
        if (r.Failed)
        {
            rejection = r.ToRejection();
            return false;
        }

        switch (envelope.Type)
        {
            case MessageType.Bsm:
                // Straight into the message's storage: no copy of the half-kilobyte body.
                BodyReader.ReadBsm(ref r, out V2xMessage.InitBsm(ref message, envelope));
                r.ExpectEnd("Bsm");
                if (r.Failed)
                {
                    message = default;
                }

                break;
            case MessageType.Rsm:
                Rsm rsm = BodyReader.ReadRsm(ref r);
                r.ExpectEnd("Rsm");
                if (!r.Failed)
                {
                    message = new V2xMessage(envelope, rsm);
                }

                break;
            case MessageType.Spat:
                Spat spat = BodyReader.ReadSpat(ref r);
                r.ExpectEnd("Spat");
                if (!r.Failed)
                {
                    message = new V2xMessage(envelope, spat);
                }

                break;
            case MessageType.Map:
                MapData map = BodyReader.ReadMap(ref r);
                r.ExpectEnd("MapData");
                if (!r.Failed)
                {
                    message = new V2xMessage(envelope, map);
                }

                break;
            default:
                Rsi rsi = BodyReader.ReadRsi(ref r);
                r.ExpectEnd("Rsi");
                if (!r.Failed)
                {
                    message = new V2xMessage(envelope, rsi);
                }

                break;
        }

        rejection = r.Failed ? r.ToRejection() : default;
        return !r.Failed;
    }

    /// <summary>
    /// Decodes a BSM frame without allocating, writing the body straight into <paramref name="bsm"/>. A frame of another type is refused
    /// with <see cref="RejectionKind.BadFrame"/>: route by <see cref="TryReadEnvelope"/> first.
    /// </summary>
    public static bool TryDecodeBsm(ReadOnlySpan<byte> frame, out Envelope envelope, out Bsm bsm, out Rejection rejection)
    {
        var r = new FrameReader(frame);
        envelope = ReadHeader(ref r);
        if (!r.Failed && envelope.Type != MessageType.Bsm)
        {
            r.Fail(FrameError.WrongMessageType, 2, "Bsm", (long)envelope.Type);
        }

        if (r.Failed)
        {
            bsm = default;
        }
        else
        {
            BodyReader.ReadBsm(ref r, out bsm);
            r.ExpectEnd("Bsm");
            if (r.Failed)
            {
                bsm = default;
            }
        }

        return Finish(ref r, ref envelope, out rejection);
    }

    private static bool Finish(ref FrameReader r, ref Envelope envelope, out Rejection rejection)
    {
        if (r.Failed)
        {
            envelope = default;
            rejection = r.ToRejection();
            return false;
        }

        rejection = default;
        return true;
    }

    private static Envelope ReadHeader(ref FrameReader r)
    {
        byte magic = r.ReadU8("magic");
        if (!r.Failed && magic != FrameFormat.Magic)
        {
            r.Fail(FrameError.BadMagic, 0, "magic", magic);
        }

        byte version = r.ReadU8("version");
        if (!r.Failed && version != FrameFormat.Version)
        {
            r.Fail(FrameError.BadVersion, 1, "version", version);
        }

        byte type = r.ReadU8("message type");
        if (!r.Failed && type > FrameFormat.MaxMessageType)
        {
            r.Fail(FrameError.UnknownMessageType, 2, "message type", type);
        }

        var sourceKind = (SourceKind)r.ReadEnum8(FrameFormat.MaxSourceKind, "envelope.sourceKind");
        DeviceId sourceId = DeviceId.FromBytes(r.ReadBytes16("envelope.sourceId"));
        long generated = r.ReadVarS64("envelope.generatedUtcMs");
        long ingestDelta = r.ReadVarS64("envelope.ingestUtcMs");
        long sequence = r.ReadVarS64("envelope.sequence");
        ulong traceHi = r.ReadBE64("envelope.traceId");
        ulong traceLo = r.ReadBE64("envelope.traceId");
        return new Envelope
        {
            SourceKind = sourceKind,
            SourceId = sourceId,
            Type = (MessageType)type,
            GeneratedUtcMs = generated,
            IngestUtcMs = unchecked(generated + ingestDelta),
            Sequence = sequence,
            TraceId = new TraceId(traceHi, traceLo),
        };
    }
}
