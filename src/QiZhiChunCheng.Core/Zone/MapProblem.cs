namespace QiZhiChunCheng.Core.Zone;

/// <summary>
/// Why a zone file (MAP, RSU list, signal plans) is not usable: the path of the element in the file's own names
/// and the reason, for example <c>nodes[1].inLinks[2].lanes[0]: a lane needs at least 2 points</c>. Loading
/// collects every problem instead of stopping at the first, so that one run of <c>qzcc map info</c> lists them all.
/// </summary>
public readonly record struct MapProblem(string Path, string Reason)
{
    public override string ToString() => Path.Length == 0 ? Reason : $"{Path}: {Reason}";
}
