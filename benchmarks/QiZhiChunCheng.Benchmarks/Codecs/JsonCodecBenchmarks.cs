using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Testing;

namespace QiZhiChunCheng.Benchmarks.Codecs;

/// <summary>
/// The JER codec on the two 10 Hz messages: the BSM of the reference (section 6, 430 bytes as printed), the
/// richer sample BSM (path history, accuracy, lights: about 870 bytes) and a 16-participant RSM.
/// Targets: BSM decode at most 2 us, RSM decode at most 20 us; a BSM decode allocates nothing. The
/// <c>ReaderOnly</c> cases run a bare <see cref="Utf8JsonReader"/> over the same bytes: the floor for any
/// decoder built on it, and a stable yardstick on a shared machine (compare the ratios, not the times).
/// </summary>
[MemoryDiagnoser]
public class JsonCodecBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(16 * 1024);
    private V2xMessage _bsm;
    private V2xMessage _rsm;
    private byte[] _bsmJson = [];
    private byte[] _rsmJson = [];
    private byte[] _referenceBsmJson = [];

    [GlobalSetup]
    public void Setup()
    {
        _bsm = new V2xMessage(Samples.Envelope(MessageType.Bsm), Samples.Bsm());
        _rsm = new V2xMessage(Samples.Envelope(MessageType.Rsm), Samples.Rsm16());
        _bsmJson = JsonCodec.Encode(_bsm);
        _rsmJson = JsonCodec.Encode(_rsm);
        _referenceBsmJson = System.Text.Encoding.UTF8.GetBytes(Samples.ReferenceBsmJson);
        if (!JsonCodec.TryDecodeBsm(_referenceBsmJson, out _, out _) || !JsonCodec.TryDecodeBsm(_bsmJson, out _, out _) || !JsonCodec.TryDecodeRsm(_rsmJson, out _, out _))
        {
            throw new InvalidOperationException("the samples do not decode");
        }
    }

    [Benchmark]
    public int EncodeBsm()
    {
        _output.ResetWrittenCount();
        JsonCodec.Encode(_bsm, _output);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int EncodeRsm16()
    {
        _output.ResetWrittenCount();
        JsonCodec.Encode(_rsm, _output);
        return _output.WrittenCount;
    }

    [Benchmark]
    public ushort DecodeReferenceBsm()
    {
        JsonCodec.TryDecodeBsm(_referenceBsmJson, out Bsm bsm, out _);
        return bsm.Speed;
    }

    [Benchmark]
    public int ReaderOnlyReferenceBsm() => CountTokens(_referenceBsmJson);

    [Benchmark]
    public ushort DecodeBsm()
    {
        JsonCodec.TryDecodeBsm(_bsmJson, out Bsm bsm, out _);
        return bsm.Speed;
    }

    [Benchmark]
    public int DecodeRsm16()
    {
        JsonCodec.TryDecodeRsm(_rsmJson, out Rsm? rsm, out _);
        return rsm?.Participants.Count ?? 0;
    }

    [Benchmark]
    public int ReaderOnlyBsm() => CountTokens(_bsmJson);

    [Benchmark]
    public int ReaderOnlyRsm16() => CountTokens(_rsmJson);

    private static int CountTokens(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        int tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }
}
