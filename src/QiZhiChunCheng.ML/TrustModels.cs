using QiZhiChunCheng.Engine.Trust;

namespace QiZhiChunCheng.ML;

/// <summary>
/// The models the product ships with (<c>models/misbehavior.zip</c>, <c>models/traffic.zip</c> at the repository
/// root, copied next to the qzcc binaries) and how a composition root puts them into the engine's
/// <see cref="TrustOptions"/>. A missing or unreadable file is one warning line and that model stays off (the rules
/// still run): a start-up never fails because of a model. Thread-safe.
/// </summary>
public static class TrustModels
{
    public const string MisbehaviorFile = "misbehavior.zip";
    public const string TrafficFile = "traffic.zip";

    /// <summary>The models folder next to the running binaries.</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "models");

    /// <summary>Loads both models from <paramref name="dir"/>; each one that cannot be loaded is null, with a warning.</summary>
    public static (MisbehaviorModel? Misbehavior, TrafficStateModel? Traffic) Load(string dir, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(dir);
        ArgumentNullException.ThrowIfNull(warn);
        MisbehaviorModel? misbehavior = Try(() => MisbehaviorModel.Load(Path.Combine(dir, MisbehaviorFile)), "misbehaviour detection runs on the plausibility rules only", warn);
        TrafficStateModel? traffic = Try(() => TrafficStateModel.Load(Path.Combine(dir, TrafficFile)), "traffic state is rule-based only", warn);
        return (misbehavior, traffic);
    }

    /// <summary><paramref name="trust"/> with the models set (those that loaded).</summary>
    public static TrustOptions Apply(TrustOptions trust, MisbehaviorModel? misbehavior, TrafficStateModel? traffic)
    {
        ArgumentNullException.ThrowIfNull(trust);
        return trust with
        {
            AnomalyScorer = misbehavior ?? trust.AnomalyScorer,
            TrafficModel = traffic ?? trust.TrafficModel,
        };
    }

    private static T? Try<T>(Func<T> load, string consequence, Action<string> warn)
        where T : class
    {
        try
        {
            return load();
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            warn($"warning: {ex.Message}; {consequence}");
            return null;
        }
    }
}
