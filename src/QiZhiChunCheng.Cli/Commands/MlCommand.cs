using System.CommandLine;
using System.Globalization;
using QiZhiChunCheng.Engine;
using QiZhiChunCheng.ML;
using QiZhiChunCheng.ML.Training;

namespace QiZhiChunCheng.Cli.Commands;

/// <summary>
/// <c>qzcc ml train misbehavior|traffic --scenarios DIR... --out FILE.zip [--seed N]</c>: trains a model from scenario
/// folders and prints its quality on the scenarios it held out; progress on the error writer. Also the one place the
/// commands that run the engine (demo, cloud, scenario verify and replay) load the shipped models from.
/// </summary>
internal static class MlCommand
{
    private static readonly Lock Gate = new();
    private static (MisbehaviorModel?, TrafficStateModel?)? _loaded;

    public static Command Create()
    {
        Command ml = new("ml", "Machine learning: train the misbehaviour and traffic-state models from scenarios");
        ml.Subcommands.Add(CreateTrain());
        return ml;
    }

    /// <summary>The option that runs without the models.</summary>
    public static Option<bool> NoMlOption() => new("--no-ml") { Description = "Do not load the misbehaviour and traffic-state models (models/*.zip): plausibility rules and rule-based TJW only" };

    /// <summary>
    /// <paramref name="engine"/> with the shipped models in its trust options, loaded once per process; with
    /// <paramref name="noMl"/> the options as they are. A model that does not load is a warning line on
    /// <paramref name="warnings"/>, never a failure.
    /// </summary>
    public static EngineOptions WithModels(EngineOptions engine, bool noMl, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (noMl)
        {
            return engine;
        }

        (MisbehaviorModel? misbehavior, TrafficStateModel? traffic) = Models(warnings);
        return engine with { Trust = TrustModels.Apply(engine.Trust, misbehavior, traffic) };
    }

    private static (MisbehaviorModel?, TrafficStateModel?) Models(TextWriter warnings)
    {
        lock (Gate)
        {
            _loaded ??= TrustModels.Load(TrustModels.DefaultDirectory, line => warnings.WriteLine($"qzcc: {line}"));
            return _loaded.Value;
        }
    }

    private static Command CreateTrain()
    {
        Argument<string> kind = new("KIND") { Description = "misbehavior or traffic" };
        Option<string[]> scenarios = new("--scenarios") { Description = "Scenario folders, or folders to search for them", Required = true, AllowMultipleArgumentsPerToken = true, Arity = ArgumentArity.OneOrMore };
        Option<string> output = new("--out") { Description = "The model file to write (.zip)", Required = true };
        Option<int> seed = new("--seed") { Description = "Seeds the held-out split and the trainers: the same seed gives the same model and figures", DefaultValueFactory = _ => 1 };
        Option<double> heldOut = new("--held-out") { Description = "Share of the scenarios held out for the quality figures", DefaultValueFactory = _ => 0.25 };
        Command train = new("train", "Train a model from scenario folders; prints precision and recall (misbehavior) or accuracy and the confusion matrix (traffic) on held-out scenarios");
        train.Arguments.Add(kind);
        train.Options.Add(scenarios);
        train.Options.Add(output);
        train.Options.Add(seed);
        train.Options.Add(heldOut);
        train.SetAction(parse =>
        {
            TextWriter error = parse.InvocationConfiguration.Error;
            string k = parse.GetValue(kind)!;
            if (k is not (MisbehaviorModel.Kind or TrafficStateModel.Kind))
            {
                return Fail(parse, $"KIND must be misbehavior or traffic, not '{k}'");
            }

            if (parse.GetValue(heldOut) is not (> 0 and < 1))
            {
                return Fail(parse, "--held-out must be between 0 and 1");
            }

            TrainingOptions options = new()
            {
                Scenarios = parse.GetValue(scenarios)!,
                OutPath = parse.GetValue(output)!,
                Seed = parse.GetValue(seed),
                HeldOutShare = parse.GetValue(heldOut),
                Progress = error,
            };
            try
            {
                TrainingReport report = k == MisbehaviorModel.Kind ? ModelTrainer.TrainMisbehavior(options) : ModelTrainer.TrainTraffic(options);
                parse.InvocationConfiguration.Output.WriteLine(report.ToText());
                return 0;
            }
            catch (Exception ex) when (ex is ModelTrainingException or IOException or UnauthorizedAccessException)
            {
                return Fail(parse, ex.Message);
            }
        });
        return train;
    }

    private static int Fail(ParseResult parse, string reason)
    {
        int nl = reason.IndexOfAny(['\r', '\n']);
        parse.InvocationConfiguration.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"qzcc ml train: {(nl < 0 ? reason : reason[..nl])}"));
        return 1;
    }
}
