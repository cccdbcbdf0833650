using BenchmarkDotNet.Attributes;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;
using QiZhiChunCheng.Testing;

namespace QiZhiChunCheng.Benchmarks.Validation;

/// <summary>
/// The validator runs on every ingested message, so a valid message must cost no allocation: the Allocated
/// column must read "-". The rejected case shows the price of building a reason (one path, a few strings).
/// </summary>
[MemoryDiagnoser]
public class ValidatorBenchmarks
{
    private Bsm _bsm;
    private Rsm _rsm16 = null!;
    private Rsm _rsm16Rejected = null!;
    private V2xMessage _bsmMessage;

    [GlobalSetup]
    public void Setup()
    {
        _bsm = Samples.Bsm();
        _rsm16 = Samples.Rsm16();
        _bsmMessage = new V2xMessage(Samples.Envelope(MessageType.Bsm, "OBU-0001", SourceKind.Obu), _bsm);

        // The last participant too fast: the whole list is walked before the rejection is built.
        ParticipantData[] participants = _rsm16.Participants.AsSpan().ToArray();
        participants[^1] = participants[^1] with { Speed = 9000 };
        _rsm16Rejected = _rsm16 with { Participants = participants };
    }

    [Benchmark(Baseline = true)]
    public bool Bsm() => MessageValidator.TryValidate(in _bsm, out _);

    [Benchmark]
    public bool BsmMessage() => MessageValidator.TryValidate(in _bsmMessage, out _);

    [Benchmark]
    public bool Rsm16() => MessageValidator.TryValidate(_rsm16, out _);

    [Benchmark]
    public bool Rsm16Rejected() => MessageValidator.TryValidate(_rsm16Rejected, out _);
}
