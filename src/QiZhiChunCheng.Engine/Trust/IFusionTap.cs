namespace QiZhiChunCheng.Engine.World;

/// <summary>
/// Told by the world model, for each sighting applied to (or probed against) a track, of each other source's latest
/// sighting of that track in the second before: the partner (its sender id and kind), this sighting's position minus
/// the partner's (east, north, m; the partner's predicted to this one's time by its reported velocity), and this
/// sighting's speed minus the partner's (trust features, measured leave-one-out: never against the fused track).
/// </summary>
internal interface IFusionTap
{
    void OnPartner(in Observation o, ulong partner, ObservationSource partnerKind, double dxM, double dyM, double speedErrorMps);
}
