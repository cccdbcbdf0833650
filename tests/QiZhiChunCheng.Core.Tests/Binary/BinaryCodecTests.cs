using System.Buffers;
using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using CsCheck;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Tests.Generators;
using QiZhiChunCheng.Core.Validation;
using QiZhiChunCheng.Testing;
using Xunit;

namespace QiZhiChunCheng.Core.Tests.Binary;

public sealed class BinaryCodecTests
{
    // The frame of Samples.Bsm() in Samples.Envelope(MessageType.Bsm), as annotated in Codecs/Binary/FrameFormat.cs.
    private const string SampleBsmFrameHex =
        "B20100" + "01" + "5253552D44462D303100000000000000" + "E0DBFF84C468" + "18" + "CE49"
        + "0123456789ABCDEFFEDCBA9876543210"
        + "0F" + "11" + "51415A4343303031" + "F0C102" + "01B0A594A203D0B99DAA09CC21" + "140FC03E" + "09" + "02"
        + "A3059026" + "FD" + "8307000000" + "090201" + "01B901F2031E" + "0A"
        + "0B8001" + "03" + "03EF01CB030AB2059026" + "03F303AB0714BC058E26" + "00F7058B0B1E" + "01";

    // Magic, version, type and the envelope of Samples.Envelope: the body starts here.
    private const int HeaderLength = 45;

    [Fact]
    public void Every_message_round_trips_exactly() =>
        ModelGen.Message.Sample(message =>
        {
            byte[] frame = BinaryCodec.Encode(message);
            Assert.True(BinaryCodec.TryDecode(frame, out V2xMessage decoded, out Rejection rejection), rejection.ToString());
            AssertSameMessage(message, decoded);
            Assert.Equal(frame, BinaryCodec.Encode(decoded));
        }, iter: 300);

    [Fact]
    public void Bsm_round_trips_and_TryDecodeBsm_agrees_with_TryDecode() =>
        Gen.Select(ModelGen.Envelope, ModelGen.Bsm).Sample((envelope, bsm) =>
        {
            var message = new V2xMessage(envelope, bsm);
            byte[] frame = BinaryCodec.Encode(message);

            Assert.True(BinaryCodec.TryDecodeBsm(frame, out Envelope fastEnvelope, out Bsm fast, out Rejection rejection), rejection.ToString());
            Assert.True(BinaryCodec.TryDecode(frame, out V2xMessage general, out rejection), rejection.ToString());
            Assert.Equal(message.Envelope, fastEnvelope);
            Assert.Equal(bsm, fast);
            Assert.Equal(general.Envelope, fastEnvelope);
            Assert.Equal(general.Bsm, fast);
        }, iter: 1000);

    [Fact]
    public void Each_message_type_round_trips()
    {
        RoundTrips(ModelGen.Rsm.Select(ModelGen.Envelope, (rsm, e) => new V2xMessage(e, rsm)));
        RoundTrips(ModelGen.Spat.Select(ModelGen.Envelope, (spat, e) => new V2xMessage(e, spat)));
        RoundTrips(ModelGen.MapData.Select(ModelGen.Envelope, (map, e) => new V2xMessage(e, map)));
        RoundTrips(ModelGen.Rsi.Select(ModelGen.Envelope, (rsi, e) => new V2xMessage(e, rsi)));
    }

    [Fact]
    public void Envelope_round_trips_over_the_whole_of_every_field()
    {
        Gen<Envelope> anyEnvelope =
            from kind in Gen.Enum<SourceKind>()
            from sourceBytes in Gen.Byte.Array[16]
            from generated in Gen.Long
            from ingest in Gen.Long
            from sequence in Gen.Long
            from trace in ModelGen.TraceId
            select new Envelope
            {
                SourceKind = kind,
                SourceId = DeviceId.FromBytes(sourceBytes),
                GeneratedUtcMs = generated,
                IngestUtcMs = ingest,
                Sequence = sequence,
                TraceId = trace,
            };
        Gen.Select(anyEnvelope, Gen.Const(Samples.Rsm16())).Sample((envelope, rsm) =>
        {
            var message = new V2xMessage(envelope, rsm);
            byte[] frame = BinaryCodec.Encode(message);
            Assert.True(BinaryCodec.TryReadEnvelope(frame, out Envelope read, out Rejection rejection), rejection.ToString());
            Assert.Equal(message.Envelope, read);
            Assert.True(BinaryCodec.TryDecode(frame, out V2xMessage decoded, out rejection), rejection.ToString());
            Assert.Equal(message.Envelope, decoded.Envelope);
        }, iter: 1000);
    }

    [Fact]
    public void Every_strict_prefix_of_a_frame_is_rejected() =>
        ModelGen.Message.Sample(message =>
        {
            byte[] frame = BinaryCodec.Encode(message);

            // Every prefix of small frames; about 200 spread over large ones (all of them would be quadratic).
            int step = Math.Max(1, frame.Length / 200);
            for (int length = 0; length < frame.Length; length += step)
            {
                AssertRejected(frame.AsSpan(0, length), "prefix of " + length.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            AssertRejected(frame.AsSpan(0, frame.Length - 1), "all but the last byte");
        }, iter: 200);

    [Fact]
    public void Random_mutations_never_throw_and_an_accepted_frame_is_canonical()
    {
        // One mutation: (kind, position seed, byte). Kinds: 0 overwrite, 1 flip a bit, 2 insert, 3 delete.
        Gen<(int Kind, int Position, byte Value)> mutation = Gen.Select(Gen.Int[0, 3], Gen.Int[0, int.MaxValue], Gen.Byte);
        Gen.Select(ModelGen.Message, mutation.Array[1, 4]).Sample((message, mutations) =>
        {
            List<byte> bytes = [.. BinaryCodec.Encode(message)];
            foreach ((int kind, int position, byte value) in mutations)
            {
                int at = position % (bytes.Count + 1);
                switch (kind)
                {
                    case 0 when at < bytes.Count:
                        bytes[at] = value;
                        break;
                    case 1 when at < bytes.Count:
                        bytes[at] ^= (byte)(1 << (value & 7));
                        break;
                    case 2:
                        bytes.Insert(at, value);
                        break;
                    case 3 when at < bytes.Count:
                        bytes.RemoveAt(at);
                        break;
                    default:
                        break;
                }
            }

            byte[] mutated = [.. bytes];
            AssertNeverThrowsAndCanonical(mutated);
        }, iter: 3000);
    }

    [Fact]
    public void Random_bodies_behind_a_valid_header_never_throw()
    {
        byte[] header = BinaryCodec.Encode(new V2xMessage(Samples.Envelope(MessageType.Bsm), Samples.Bsm()))[..HeaderLength];
        Gen.Select(Gen.Byte[0, 4], Gen.Byte.Array[0, 300]).Sample((type, body) =>
        {
            byte[] frame = [.. header, .. body];
            frame[2] = type;
            AssertNeverThrowsAndCanonical(frame);
        }, iter: 5000);
    }

    [Fact]
    public void The_sample_bsm_frame_is_the_documented_one()
    {
        var message = new V2xMessage(Samples.Envelope(MessageType.Bsm), Samples.Bsm());
        byte[] frame = BinaryCodec.Encode(message);

        Assert.Equal(BinaryCodec.Magic, frame[0]);
        Assert.Equal(BinaryCodec.Version, frame[1]);
        Assert.Equal((byte)MessageType.Bsm, frame[2]);
        Assert.Equal(SampleBsmFrameHex, Convert.ToHexString(frame));
        Assert.Equal(128, frame.Length);
    }

    [Fact]
    public void The_rsm_of_sixteen_participants_stays_compact()
    {
        byte[] frame = BinaryCodec.Encode(new V2xMessage(Samples.Envelope(MessageType.Rsm), Samples.Rsm16()));

        // 45 bytes of header and envelope, 23 of msgCnt, id and refPos, then 32 per participant (40 with an id).
        Assert.Equal(571, frame.Length);
    }

    [Fact]
    public void Writing_into_a_buffer_writer_appends_after_what_is_there()
    {
        var buffer = new ArrayBufferWriter<byte>(1);
        buffer.Write<byte>([1, 2, 3]);
        var message = new V2xMessage(Samples.Envelope(MessageType.Rsm), Samples.Rsm16());

        BinaryCodec.Encode(message, buffer);

        Assert.Equal([1, 2, 3], buffer.WrittenSpan[..3].ToArray());
        Assert.Equal(BinaryCodec.Encode(message), buffer.WrittenSpan[3..].ToArray());
    }

    [Fact]
    public void An_unknown_version_is_rejected_naming_the_version()
    {
        byte[] frame = SampleBsmFrame();
        frame[1] = 9;

        Assert.False(BinaryCodec.TryDecode(frame, out _, out Rejection rejection));
        Assert.Equal(RejectionKind.BadFrame, rejection.Kind);
        Assert.Equal("binary frame version 9 is not supported (1)", rejection.Reason);
        Assert.False(BinaryCodec.TryReadEnvelope(frame, out _, out Rejection envelopeRejection));
        Assert.Equal(rejection, envelopeRejection);
        Assert.False(BinaryCodec.TryDecodeBsm(frame, out _, out _, out Rejection bsmRejection));
        Assert.Equal(rejection, bsmRejection);
    }

    [Fact]
    public void A_wrong_magic_is_rejected()
    {
        Rejection rejection = Rejected(Encoding.UTF8.GetBytes("{\"msgCnt\": 17}"));

        Assert.Equal(RejectionKind.BadFrame, rejection.Kind);
        Assert.Contains("0x7B", rejection.Reason, StringComparison.Ordinal);
        Assert.Contains("JSON", rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_frame_is_rejected_as_truncated() =>
        Assert.Contains("truncated", Rejected([]).Reason, StringComparison.Ordinal);

    [Fact]
    public void An_unknown_message_type_is_rejected()
    {
        byte[] frame = SampleBsmFrame();
        frame[2] = 12;

        Rejection rejection = Rejected(frame);

        Assert.Equal(RejectionKind.UnknownMessageType, rejection.Kind);
        Assert.Contains("message type 12", rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trailing_bytes_are_rejected_with_their_offset()
    {
        byte[] frame = [.. SampleBsmFrame(), 0x00];

        Rejection rejection = Rejected(frame);

        Assert.Equal(RejectionKind.BadFrame, rejection.Kind);
        Assert.Equal("binary frame: 1 trailing bytes after the Bsm body at offset 128", rejection.Reason);
    }

    [Fact]
    public void An_undefined_enum_value_is_rejected_naming_the_field_and_offset()
    {
        byte[] frame = SampleBsmFrame();
        const int transmissionOffset = 76; // see the worked example
        Assert.Equal(2, frame[transmissionOffset]);
        frame[transmissionOffset] = 8;

        Rejection rejection = Rejected(frame);

        Assert.Equal(RejectionKind.BadFrame, rejection.Kind);
        Assert.Equal("binary frame: Bsm.transmission at offset 76 is 8, not a defined value (0..7)", rejection.Reason);
    }

    [Fact]
    public void A_varint_that_overflows_is_rejected()
    {
        byte[] header = SampleBsmFrame()[..HeaderLength];
        byte[] frame = [.. header, 0x00, 0x11, .. new byte[8], 0xFF, 0xFF, 0xFF, 0xFF, 0x7F];

        Rejection rejection = Rejected(frame);

        Assert.Contains("Bsm.secMark at offset 55", rejection.Reason, StringComparison.Ordinal);
        Assert.Contains("overflows 32 bits", rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_too_large_for_its_field_is_rejected()
    {
        byte[] header = SampleBsmFrame()[..HeaderLength];
        byte[] frame = [.. header, 0x00, 0x11, .. new byte[8], 0x80, 0x80, 0x04];

        Assert.Contains("Bsm.secMark at offset 55 is 65536, outside what the field holds (0..65535)", Rejected(frame).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_canonical_varint_is_rejected()
    {
        byte[] header = SampleBsmFrame()[..HeaderLength];
        byte[] frame = [.. header, 0x00, 0x11, .. new byte[8], 0x85, 0x00];

        Assert.Contains("redundant trailing zero", Rejected(frame).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_count_larger_than_the_remaining_bytes_is_rejected_before_allocating()
    {
        byte[] header = BinaryCodec.Encode(new V2xMessage(Samples.Envelope(MessageType.Map), new MapData()))[..HeaderLength];

        // MapData: no timeStamp, msgCnt 1, then nodes announcing 2^31 - 2 elements in a 60-byte frame.
        byte[] frame = [.. header, 0x00, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, .. new byte[7]];

        Rejection rejection = Rejected(frame);

        Assert.Equal(RejectionKind.BadFrame, rejection.Kind);
        Assert.Equal("binary frame: MapData.nodes at offset 47 announces 2147483646 items or bytes, more than the 7 bytes left can hold", rejection.Reason);
    }

    [Fact]
    public void Text_that_is_not_utf8_is_rejected_as_such()
    {
        byte[] frame = BinaryCodec.Encode(new V2xMessage(Samples.Envelope(MessageType.Spat), new Spat { Name = "飞跃路" }));
        int nameStart = frame.AsSpan().IndexOf(Encoding.UTF8.GetBytes("飞跃路"));
        frame[nameStart + 4] = 0xFF; // inside the second character

        Rejection rejection = Rejected(frame);

        Assert.Equal(RejectionKind.InvalidUtf8, rejection.Kind);
        Assert.Equal($"binary frame: Spat.name is not valid UTF-8 at offset {nameStart + 3}", rejection.Reason);
    }

    [Fact]
    public void TryDecodeBsm_refuses_other_message_types()
    {
        byte[] frame = BinaryCodec.Encode(new V2xMessage(Samples.Envelope(MessageType.Rsm), Samples.Rsm16()));

        Assert.False(BinaryCodec.TryDecodeBsm(frame, out _, out _, out Rejection rejection));
        Assert.Equal(RejectionKind.BadFrame, rejection.Kind);
        Assert.Contains("holds a Rsm", rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Absent_and_empty_lists_stay_apart_and_minimal_elements_decode()
    {
        // Default elements are the smallest encodings; they also check the decoder's minimum element sizes.
        var map = new MapData
        {
            Nodes =
            [
                new MapNode { InLinks = default },
                new MapNode
                {
                    InLinks =
                    [
                        new MapLink { Lanes = [new MapLane(), new MapLane { ConnectsTo = [], SpeedLimits = [], Points = [] }] },
                        new MapLink { SpeedLimits = [], Points = [], Movements = [new Movement()], Lanes = [] },
                    ],
                },
            ],
        };
        var rsi = new Rsi
        {
            Rtes = [new RteData(), new RteData { ReferencePaths = [] }, new RteData { ReferencePaths = [new ReferencePath()] }],
            Rtss = [],
        };
        var spat = new Spat { Intersections = [new IntersectionState(), new IntersectionState { Phases = [new Phase(), new Phase { PhaseStates = [] }] }] };
        var rsm = new Rsm { Participants = [default, default] };

        foreach (V2xMessage message in new[]
        {
            new V2xMessage(default, map), new V2xMessage(default, rsi), new V2xMessage(default, spat), new V2xMessage(default, rsm),
            new V2xMessage(default, new Rsm()), new V2xMessage(default, new Spat()), new V2xMessage(default, new MapData()),
            new V2xMessage(default, new Rsi()), new V2xMessage(default, default(Bsm)),
        })
        {
            byte[] frame = BinaryCodec.Encode(message);
            Assert.True(BinaryCodec.TryDecode(frame, out V2xMessage decoded, out Rejection rejection), rejection.ToString());
            AssertSameMessage(message, decoded);
        }
    }

    [Fact]
    public void Encoding_an_undefined_enum_value_is_a_caller_bug()
    {
        Bsm bsm = Samples.Bsm() with { Transmission = (TransmissionState)8 };

        Assert.Throws<ArgumentOutOfRangeException>(() => BinaryCodec.Encode(new V2xMessage(default, bsm)));
    }

    [Fact]
    public void Decoding_a_bsm_allocates_nothing()
    {
        byte[] frame = SampleBsmFrame();
        Assert.True(BinaryCodec.TryDecodeBsm(frame, out _, out _, out _));
        Assert.True(BinaryCodec.TryReadEnvelope(frame, out _, out _));

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            BinaryCodec.TryDecodeBsm(frame, out _, out _, out _);
            BinaryCodec.TryReadEnvelope(frame, out _, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Encoding_a_bsm_into_a_reused_buffer_allocates_nothing()
    {
        var message = new V2xMessage(Samples.Envelope(MessageType.Bsm), Samples.Bsm());
        var buffer = new ArrayBufferWriter<byte>(1024);
        BinaryCodec.Encode(message, buffer);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            buffer.ResetWrittenCount();
            BinaryCodec.Encode(message, buffer);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Encoding_into_a_new_array_allocates_the_frame_only_and_never_reuses_a_returned_array()
    {
        var bsm = new V2xMessage(Samples.Envelope(MessageType.Bsm), Samples.Bsm());
        var rsm = new V2xMessage(Samples.Envelope(MessageType.Rsm), Samples.Rsm16());
        byte[] first = BinaryCodec.Encode(bsm);
        byte[] copy = [.. first];
        byte[] second = BinaryCodec.Encode(rsm); // the same thread's buffer, a longer frame

        Assert.Equal(copy, first);
        Assert.True(BinaryCodec.TryDecode(second, out V2xMessage decoded, out _));
        Assert.Equal(MessageType.Rsm, decoded.Type);

        long perCall = Allocations.PerCall(() => BinaryCodec.Encode(bsm));
        Assert.InRange(perCall, first.Length, first.Length + 32); // the array and its header, nothing more
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static byte[] SampleBsmFrame() => Convert.FromHexString(SampleBsmFrameHex);

    private static void RoundTrips(Gen<V2xMessage> messages) =>
        messages.Sample(message =>
        {
            byte[] frame = BinaryCodec.Encode(message);
            Assert.True(BinaryCodec.TryDecode(frame, out V2xMessage decoded, out Rejection rejection), rejection.ToString());
            AssertSameMessage(message, decoded);
        }, iter: 150);

    private static Rejection Rejected(byte[] frame)
    {
        Assert.False(BinaryCodec.TryDecode(frame, out _, out Rejection rejection));
        Assert.False(string.IsNullOrEmpty(rejection.Reason));
        return rejection;
    }

    private static void AssertRejected(ReadOnlySpan<byte> frame, string what)
    {
        Assert.False(BinaryCodec.TryDecode(frame, out _, out Rejection rejection), what + " was accepted");
        Assert.False(string.IsNullOrEmpty(rejection.Reason));
        Assert.False(BinaryCodec.TryDecodeBsm(frame, out _, out _, out _), what + " was accepted as a BSM");
    }

    /// <summary>Decoding must return, not throw; whatever it accepts must be exactly what the encoder writes.</summary>
    private static void AssertNeverThrowsAndCanonical(byte[] frame)
    {
        bool envelopeRead = BinaryCodec.TryReadEnvelope(frame, out Envelope envelope, out Rejection envelopeRejection);
        bool decodedAny = BinaryCodec.TryDecode(frame, out V2xMessage decoded, out Rejection rejection);
        bool decodedBsm = BinaryCodec.TryDecodeBsm(frame, out Envelope bsmEnvelope, out Bsm bsm, out Rejection bsmRejection);

        Assert.True(envelopeRead || !string.IsNullOrEmpty(envelopeRejection.Reason));
        Assert.True(decodedAny || !string.IsNullOrEmpty(rejection.Reason));
        Assert.True(decodedBsm || !string.IsNullOrEmpty(bsmRejection.Reason));
        if (decodedAny)
        {
            Assert.True(envelopeRead);
            Assert.Equal(envelope, decoded.Envelope);
            Assert.Equal(Convert.ToHexString(frame), Convert.ToHexString(BinaryCodec.Encode(decoded)));
            Assert.Equal(decoded.Type == MessageType.Bsm, decodedBsm);
            if (decodedBsm)
            {
                Assert.Equal(decoded.Envelope, bsmEnvelope);
                Assert.Equal(decoded.Bsm, bsm);
            }
        }
        else
        {
            Assert.False(decodedBsm);
        }
    }

    private static void AssertSameMessage(in V2xMessage expected, in V2xMessage actual)
    {
        Assert.Equal(expected.Envelope, actual.Envelope);
        Assert.True(expected.BodyEquals(actual), $"the {expected.Type} body changed in the round trip");

        // Record equality treats an absent list like an empty one; the frame must not.
        Assert.Equal(ListShape(expected.Body), ListShape(actual.Body));
    }

    /// <summary>Where the lists of a message are absent ('-') or present (their count), depth first.</summary>
    private static string ListShape(object body)
    {
        var shape = new StringBuilder();
        AppendShape(body, shape);
        return shape.ToString();
    }

    private static void AppendShape(object? value, StringBuilder shape)
    {
        if (value is null)
        {
            return;
        }

        Type type = value.GetType();
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueArray<>))
        {
            bool absent = (bool)typeof(BinaryCodecTests).GetMethod(nameof(IsAbsent), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(type.GetGenericArguments()[0]).Invoke(null, [value])!;
            if (absent)
            {
                shape.Append('-');
                return;
            }

            shape.Append('[');
            foreach (object? item in (IEnumerable)value)
            {
                AppendShape(item, shape);
                shape.Append(',');
            }

            shape.Append(']');
            return;
        }

        if (type.Assembly != typeof(Bsm).Assembly || type.IsEnum)
        {
            return;
        }

        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && !property.PropertyType.IsByRefLike)
            {
                AppendShape(property.GetValue(value), shape);
            }
        }
    }

    private static bool IsAbsent<T>(ValueArray<T> list) => Unsafe.IsNullRef(ref MemoryMarshal.GetReference(list.AsSpan()));
}
