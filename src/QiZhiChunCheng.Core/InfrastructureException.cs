namespace QiZhiChunCheng.Core;

/// <summary>
/// The one exception for infrastructure failures (a broker unreachable, a disk full, a store that cannot open).
/// <see cref="Retryable"/> says whether trying again later can help. Bad input is never reported this way: it is
/// a <see cref="Validation.Rejection"/> value.
/// </summary>
public sealed class InfrastructureException : Exception
{
    public InfrastructureException()
    {
    }

    public InfrastructureException(string message)
        : base(message)
    {
    }

    public InfrastructureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public InfrastructureException(string message, bool retryable, Exception? innerException = null)
        : base(message, innerException)
    {
        Retryable = retryable;
    }

    public bool Retryable { get; }
}
