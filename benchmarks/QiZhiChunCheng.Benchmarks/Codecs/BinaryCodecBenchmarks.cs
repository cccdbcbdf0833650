using System.Buffers;
using BenchmarkDotNet.Attributes;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Testing;

namespace QiZhiChunCheng.Benchmarks.Codecs;

/// <summary>
/// The binary bus codec on the sample BSM (128-byte frame) and the sixteen-participant RSM (571 bytes). Targets:
/// <c>DecodeBsm</c> about 200 ns or less and 0 bytes allocated; encoding into a reused buffer allocates nothing.
/// Each benchmark returns one field of its result so that the work cannot be optimised away without copying the
/// half-kilobyte BSM.
/// </summary>
[MemoryDiagnoser]
public class BinaryCodecBenchmarks
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private V2xMessage _bsm;
    private V2xMessage _rsm;
    private byte[] _bsmFrame = [];
    private byte[] _rsmFrame = [];

    [GlobalSetup]
    public void Setup()
    {
        _bsm = new V2xMessage(Samples.Envelope(MessageType.Bsm), Samples.Bsm());
        _rsm = new V2xMessage(Samples.Envelope(MessageType.Rsm), Samples.Rsm16());
        _bsmFrame = BinaryCodec.Encode(_bsm);
        _rsmFrame = BinaryCodec.Encode(_rsm);
    }

    [Benchmark]
    public int EncodeBsm()
    {
        _buffer.ResetWrittenCount();
        BinaryCodec.Encode(_bsm, _buffer);
        return _buffer.WrittenCount;
    }

    /// <summary>The hot path of the fusion workers: no allocation.</summary>
    [Benchmark]
    public ushort DecodeBsm()
    {
        BinaryCodec.TryDecodeBsm(_bsmFrame, out _, out Bsm bsm, out _);
        return bsm.Speed;
    }

    /// <summary>The same frame through the general entry point (copies the BSM into a <see cref="V2xMessage"/>).</summary>
    [Benchmark]
    public ushort DecodeBsmGeneral()
    {
        BinaryCodec.TryDecode(_bsmFrame, out V2xMessage message, out _);
        return message.Bsm.Speed;
    }

    [Benchmark]
    public long ReadEnvelope()
    {
        BinaryCodec.TryReadEnvelope(_rsmFrame, out Envelope envelope, out _);
        return envelope.Sequence;
    }

    [Benchmark]
    public int EncodeRsm16()
    {
        _buffer.ResetWrittenCount();
        BinaryCodec.Encode(_rsm, _buffer);
        return _buffer.WrittenCount;
    }

    /// <summary>Allocates the record and its participant array.</summary>
    [Benchmark]
    public int DecodeRsm16()
    {
        BinaryCodec.TryDecode(_rsmFrame, out V2xMessage message, out _);
        return message.Rsm.Participants.Count;
    }
}
