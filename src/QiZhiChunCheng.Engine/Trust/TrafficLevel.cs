namespace QiZhiChunCheng.Engine.Trust;

/// <summary>The traffic state of a lane segment, as a traffic-state model classifies it.</summary>
public enum TrafficLevel : byte
{
    FreeFlow = 0,
    Slowing = 1,
    Congested = 2,
}
