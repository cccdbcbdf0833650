using System.Collections.Concurrent;
using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Cloud.Downlink;

/// <summary>
/// Which test vehicle (its MQTT device id, the <c>{vehId}</c> of <c>V2X/OBU/{vehId}/BSM/UP</c>) sends which BSM id,
/// learned by ingest from every BSM a vehicle publishes itself, so a warning naming a BSM id can go down to that
/// vehicle's <c>WARN/DOWN</c>. BSMs an RSU relays are not vehicles' own and are not learned. Thread-safe.
/// </summary>
public sealed class VehicleDirectory
{
    private readonly ConcurrentDictionary<ulong, DeviceId> _byBsmId = new();

    public int Count => _byBsmId.Count;

    /// <summary>Ingest calls it for each BSM on a vehicle's own uplink; allocation-free once the vehicle is known.</summary>
    public void See(OctetId8 bsmId, DeviceId device)
    {
        if (!_byBsmId.TryGetValue(bsmId.Value, out DeviceId known) || known != device)
        {
            _byBsmId[bsmId.Value] = device;
        }
    }

    /// <summary>
    /// The device that sends <paramref name="participant"/>, an event participant: a BSM id as 16 hex digits (a
    /// roadside-only object, <c>{rsuId}:{ptcId}</c>, has no vehicle to warn).
    /// </summary>
    public bool TryFind(string participant, out DeviceId device)
    {
        device = default;
        return participant is { Length: 16 }
            && ulong.TryParse(participant, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out ulong id)
            && _byBsmId.TryGetValue(id, out device);
    }
}
