using QiZhiChunCheng.Scenarios.Format;

namespace QiZhiChunCheng.Scenarios;

/// <summary>
/// Builds the files of a scenario committed as a recipe only (<see cref="ScenarioManifest.Generator"/>): the same
/// recipe gives the same bytes every time.
/// </summary>
public interface IScenarioGenerator
{
    void Generate(GeneratorRecipe recipe, ScenarioManifest manifest, string outDir);
}
