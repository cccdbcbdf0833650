using CsCheck;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Tests.Generators;
using QiZhiChunCheng.Core.Validation;

namespace QiZhiChunCheng.Core.Tests.Validation;

/// <summary>The generators and the validator are written from the same range table: each checks the other.</summary>
public sealed class ValidatorPropertyTests
{
    [Fact]
    public void Every_generated_valid_message_passes_the_validator()
    {
        ModelGen.Message.Sample(message =>
        {
            bool valid = MessageValidator.TryValidate(message, out Rejection rejection);
            Assert.True(valid, $"{message.Type}: {rejection.Reason}");
        });
    }

    [Fact]
    public void A_speed_pushed_past_its_range_is_always_caught_with_its_path()
    {
        Gen.Select(ModelGen.Bsm, Gen.UShort[8192, ushort.MaxValue]).Sample((bsm, speed) =>
        {
            Assert.False(MessageValidator.TryValidate(bsm with { Speed = speed }, out Rejection rejection));
            Assert.Equal(RejectionKind.OutOfRange, rejection.Kind);
            Assert.StartsWith("speed: ", rejection.Reason, StringComparison.Ordinal);
        });
    }
}
