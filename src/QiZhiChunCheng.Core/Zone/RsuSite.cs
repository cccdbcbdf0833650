using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Core.Zone;

/// <summary>
/// A roadside unit of the zone: its device id (as in MQTT topics), its 8-octet id (as in RSM and RSI), where it
/// stands, how far its radio and sensors reach, and the polygon it covers (WGS-84, 1e-7 degree, not closed).
/// Immutable.
/// </summary>
public sealed record RsuSite
{
    public required DeviceId Id { get; init; }

    public OctetId8 RsuId { get; init; }

    public string? Name { get; init; }

    public Position3D Pos { get; init; }

    public double RadioRangeM { get; init; } = 1000;

    public double SensorRangeM { get; init; } = 300;

    public ValueArray<Position3D> Coverage { get; init; }
}
