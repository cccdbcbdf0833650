using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using QiZhiChunCheng.Core.Codecs.Jer;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;

namespace QiZhiChunCheng.Core.Codecs;

/// <summary>
/// The JSON wire form (JER, V2X-REFERENCE section 6): ASN.1 member names, raw integer units, ENUMERATED as
/// identifier strings, OCTET STRING and BIT STRING as hex, CHOICE as a one-member object. Structure and JSON
/// types are checked here; value ranges are checked by <see cref="MessageValidator"/>.
/// Thread-safe; decoding allocates the message (a BSM only its transient buffers).
/// </summary>
/// <remarks>
/// BSM and RSM, the 10 Hz messages, are read by hand from a <see cref="Utf8JsonReader"/> (a BSM allocates
/// nothing). SPAT, MAP and RSI are read, and all five written, through the source-generated serializer
/// (<c>JerJsonContext</c>) and DTOs mirroring the JER structure. Both paths share the leaf readers, so a bad
/// input gets the same reason either way: the field path in ASN.1 names, then the rule
/// (<c>participants[3].speed: expected a number, got a string</c>). Errors are values, never exceptions.
/// A value that fits its model field is kept even when the standard forbids it (a speed of 9000), so the
/// validator can name it; one that does not fit (70000 in a ushort) is refused here as
/// <see cref="RejectionKind.OutOfRange"/>. Unknown members are skipped (JER extensions), and a member whose
/// value is <c>null</c> counts as absent.
/// </remarks>
public static partial class JsonCodec
{
    /// <summary>The largest payload the codec parses; larger ones are refused with <see cref="RejectionKind.TooLarge"/>.</summary>
    public const int MaxPayloadBytes = 1 << 20;

    // Text (MAP names, RSI descriptions) is often Chinese: write it as UTF-8, not as \u escapes. The payload is
    // a wire message, never embedded in HTML, so the relaxed encoder is safe here.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Decodes a bare message of <paramref name="type"/>, or its MessageFrame form (<c>{"bsmFrame": {...}}</c>).</summary>
    public static bool TryDecode(MessageType type, ReadOnlySpan<byte> utf8, in Envelope envelope, out V2xMessage message, out Rejection rejection)
    {
        message = default;
        switch (type)
        {
            case MessageType.Bsm:
                if (!TryDecodeBsm(utf8, out Bsm bsm, out rejection))
                {
                    return false;
                }

                message = new V2xMessage(envelope, bsm);
                return true;
            case MessageType.Rsm:
                if (!TryDecodeRsm(utf8, out Rsm? rsm, out rejection))
                {
                    return false;
                }

                message = new V2xMessage(envelope, rsm!);
                return true;
            case MessageType.Spat:
                if (!TryDecodeSpat(utf8, out Spat? spat, out rejection))
                {
                    return false;
                }

                message = new V2xMessage(envelope, spat!);
                return true;
            case MessageType.Map:
                if (!TryDecodeMap(utf8, out MapData? map, out rejection))
                {
                    return false;
                }

                message = new V2xMessage(envelope, map!);
                return true;
            case MessageType.Rsi:
                if (!TryDecodeRsi(utf8, out Rsi? rsi, out rejection))
                {
                    return false;
                }

                message = new V2xMessage(envelope, rsi!);
                return true;
            default:
                rejection = new Rejection(RejectionKind.UnknownMessageType, $"{type} is not a Day-1 message type");
                return false;
        }
    }

    /// <summary>Decodes a BSM, bare or as <c>bsmFrame</c>. Allocates nothing for a well-formed message.</summary>
    public static bool TryDecodeBsm(ReadOnlySpan<byte> utf8, out Bsm bsm, out Rejection rejection)
    {
        bsm = default;
        if (!JerErrors.Precheck(ref utf8, out int baseOffset, out rejection))
        {
            return false;
        }

        var reader = new Utf8JsonReader(utf8, JerReader.Options);
        bool framed = false;
        JerError? error;
        try
        {
            reader.Read();
            error = JerFrame.Enter(ref reader, MessageType.Bsm, out framed) ?? BsmReader.Read(ref reader, out bsm);
            if (error is null)
            {
                JerFrame.Finish(ref reader, framed);
            }
        }
        catch (JsonException exception)
        {
            bsm = default;
            rejection = JerErrors.Malformed(utf8, exception, baseOffset);
            return false;
        }

        return Done(error, framed, MessageType.Bsm, ref bsm, out rejection);
    }

    /// <summary>Decodes an RSM, bare or as <c>rsmFrame</c>; participant positions come out absolute.</summary>
    public static bool TryDecodeRsm(ReadOnlySpan<byte> utf8, out Rsm? rsm, out Rejection rejection)
    {
        rsm = null;
        if (!JerErrors.Precheck(ref utf8, out int baseOffset, out rejection))
        {
            return false;
        }

        var reader = new Utf8JsonReader(utf8, JerReader.Options);
        bool framed = false;
        JerError? error;
        try
        {
            reader.Read();
            error = JerFrame.Enter(ref reader, MessageType.Rsm, out framed) ?? RsmReader.Read(ref reader, out rsm);
            if (error is null)
            {
                JerFrame.Finish(ref reader, framed);
            }
        }
        catch (JsonException exception)
        {
            rsm = null;
            rejection = JerErrors.Malformed(utf8, exception, baseOffset);
            return false;
        }

        return Done(error, framed, MessageType.Rsm, ref rsm, out rejection);
    }

    /// <summary>Decodes a SPAT, bare or as <c>spatFrame</c>.</summary>
    public static bool TryDecodeSpat(ReadOnlySpan<byte> utf8, out Spat? spat, out Rejection rejection) =>
        TryDecodeGenerated(utf8, MessageType.Spat, JerJsonContext.Default.SpatDto, static frame => frame.SpatFrame, JerToModel.Spat, out spat, out rejection);

    /// <summary>Decodes a MAP, bare or as <c>mapFrame</c>; lane and link points stay offsets from their node's refPos.</summary>
    public static bool TryDecodeMap(ReadOnlySpan<byte> utf8, out MapData? map, out Rejection rejection) =>
        TryDecodeGenerated(utf8, MessageType.Map, JerJsonContext.Default.MapDto, static frame => frame.MapFrame, JerToModel.Map, out map, out rejection);

    /// <summary>Decodes an RSI, bare or as <c>rsiFrame</c>; event and path points stay offsets from refPos.</summary>
    public static bool TryDecodeRsi(ReadOnlySpan<byte> utf8, out Rsi? rsi, out Rejection rejection) =>
        TryDecodeGenerated(utf8, MessageType.Rsi, JerJsonContext.Default.RsiDto, static frame => frame.RsiFrame, JerToModel.Rsi, out rsi, out rejection);

    /// <summary>
    /// Writes the bare message (not the MessageFrame form) as UTF-8 JSON. Throws
    /// <see cref="ArgumentOutOfRangeException"/> for a model value JER cannot express (an undefined enum value).
    /// </summary>
    public static void Encode(in V2xMessage message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        Write(message, writer);
    }

    /// <summary>
    /// Writes the bare message into a new array of its exact length. The writer and its buffer are kept per thread: a
    /// fresh <see cref="Utf8JsonWriter"/> asks its buffer for 4 KB at the first write, so every call made 4 KB of
    /// garbage (the downlink encodes an RSI for every covering RSU of every event phase).
    /// </summary>
    public static byte[] Encode(in V2xMessage message)
    {
        ReusableJsonWriter cached = _threadWriter ??= new ReusableJsonWriter(WriterOptions);
        Utf8JsonWriter writer = cached.Begin();
        try
        {
            Write(message, writer);
            return cached.End();
        }
        catch
        {
            _threadWriter = null; // a writer left mid-object is not reused
            throw;
        }
    }

    private static void Write(in V2xMessage message, Utf8JsonWriter writer)
    {
        switch (message.Type)
        {
            case MessageType.Bsm:
                JsonSerializer.Serialize(writer, JerFromModel.Bsm(message.Bsm), JerJsonContext.Default.BsmDto);
                break;
            case MessageType.Rsm:
                JsonSerializer.Serialize(writer, JerFromModel.Rsm(message.Rsm), JerJsonContext.Default.RsmDto);
                break;
            case MessageType.Spat:
                JsonSerializer.Serialize(writer, JerFromModel.Spat(message.Spat), JerJsonContext.Default.SpatDto);
                break;
            case MessageType.Map:
                JsonSerializer.Serialize(writer, JerFromModel.Map(message.Map), JerJsonContext.Default.MapDto);
                break;
            case MessageType.Rsi:
                JsonSerializer.Serialize(writer, JerFromModel.Rsi(message.Rsi), JerJsonContext.Default.RsiDto);
                break;
            default:
                throw new ArgumentException($"{message.Type} is not a Day-1 message type", nameof(message));
        }
    }

    [ThreadStatic]
    private static ReusableJsonWriter? _threadWriter;

    private static bool Done<T>(JerError? error, bool framed, MessageType type, ref T value, out Rejection rejection)
    {
        if (error is null)
        {
            rejection = default;
            return true;
        }

        value = default!;
        rejection = (framed ? error.In(JerFrame.Members[(int)type]) : error).ToRejection();
        return false;
    }

    private delegate JerError? Mapper<TDto, TModel>(TDto dto, out TModel? model);

    private static bool TryDecodeGenerated<TDto, TModel>(
        ReadOnlySpan<byte> utf8,
        MessageType type,
        JsonTypeInfo<TDto> bare,
        Func<MessageFrameDto, TDto?> inner,
        Mapper<TDto, TModel> map,
        out TModel? model,
        out Rejection rejection)
        where TDto : class
        where TModel : class
    {
        model = null;
        if (!JerErrors.Precheck(ref utf8, out int baseOffset, out rejection))
        {
            return false;
        }

        bool framed;
        JerError? error;
        try
        {
            var peek = new Utf8JsonReader(utf8, JerReader.Options);
            peek.Read();
            error = JerFrame.Enter(ref peek, type, out framed);
        }
        catch (JsonException exception)
        {
            rejection = JerErrors.Malformed(utf8, exception, baseOffset);
            return false;
        }

        if (error is not null)
        {
            rejection = error.ToRejection();
            return false;
        }

        JsonTypeInfo root = framed ? JerJsonContext.Default.MessageFrameDto : bare;
        TDto? dto;
        try
        {
            dto = framed
                ? inner(JsonSerializer.Deserialize(utf8, JerJsonContext.Default.MessageFrameDto)!)
                : JsonSerializer.Deserialize(utf8, bare);
        }
        catch (JsonException exception)
        {
            rejection = JerErrors.FromSerializer(exception, utf8, baseOffset, root);
            return false;
        }

        error = dto is null
            ? new JerError(RejectionKind.WrongType, "", "expected an object, got null")
            : map(dto, out model);
        return Done(error, framed, type, ref model, out rejection);
    }
}
