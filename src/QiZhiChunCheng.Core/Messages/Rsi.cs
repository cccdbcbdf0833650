namespace QiZhiChunCheng.Core.Messages;

/// <summary>RoadSideInformation: traffic events (rtes) and signs (rtss), event-driven. Immutable.</summary>
public sealed record Rsi
{
    public byte MsgCnt { get; init; }

    public uint? Moy { get; init; }

    /// <summary>RSU id, 8 octets.</summary>
    public OctetId8 Id { get; init; }

    public Position3D RefPos { get; init; }

    public ValueArray<RteData> Rtes { get; init; }

    public ValueArray<RtsData> Rtss { get; init; }
}

/// <summary>EventSource (ENUMERATED).</summary>
public enum EventSource : byte
{
    Unknown = 0,
    Police = 1,
    Government = 2,
    Meteorological = 3,
    Internet = 4,
    Detection = 5,
}

/// <summary>RSITimeDetails: start and end as MinuteOfTheYear.</summary>
public readonly record struct RsiTimeDetails(uint? StartTime = null, uint? EndTime = null);

/// <summary>ReferencePath: a polyline of offsets (1e-7 deg from refPos) and its radius (0.1 m).</summary>
public sealed record ReferencePath
{
    public ValueArray<RoadPoint> ActivePath { get; init; }

    public ushort PathRadius { get; init; }
}

/// <summary>RTEData: one road traffic event (GB/T 29100 event type: 707 congestion, 901..906 abnormal vehicle ...).</summary>
public sealed record RteData
{
    public byte RteId { get; init; }

    public ushort EventType { get; init; }

    public EventSource EventSource { get; init; }

    /// <summary>Offset from refPos, 1e-7 deg.</summary>
    public RoadPoint? EventPos { get; init; }

    /// <summary>Radius, 0.1 m.</summary>
    public ushort? EventRadius { get; init; }

    /// <summary>Description, the <c>textString</c> alternative.</summary>
    public string? Description { get; init; }

    public RsiTimeDetails? TimeDetails { get; init; }

    /// <summary>RSIPriority, one octet.</summary>
    public byte? Priority { get; init; }

    public ValueArray<ReferencePath> ReferencePaths { get; init; }

    /// <summary>Confidence, 0.5 %, 0..200.</summary>
    public byte? EventConfidence { get; init; }
}

/// <summary>RTSData: one traffic sign (GB 5768.2 sign type).</summary>
public sealed record RtsData
{
    public byte RtsId { get; init; }

    public ushort SignType { get; init; }

    public RoadPoint? SignPos { get; init; }

    public string? Description { get; init; }

    public RsiTimeDetails? TimeDetails { get; init; }

    public byte? Priority { get; init; }

    public ValueArray<ReferencePath> ReferencePaths { get; init; }
}
