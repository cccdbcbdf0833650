namespace QiZhiChunCheng.Engine.World;

/// <summary>Told by the world model of each sighting applied to a track another source also feeds (trust features).</summary>
internal interface IFusionTap
{
    void OnResidual(in Observation o, double residualM, double speedErrorMps);
}
