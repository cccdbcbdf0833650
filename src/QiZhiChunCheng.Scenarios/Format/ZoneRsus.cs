using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.NetTopologySuite;

namespace QiZhiChunCheng.Scenarios.Format;

/// <summary>
/// The RSUs of the default zone by the names a MISBEHAVIOR event may give them: an RSU is a source, not a road user,
/// so it is not in the truth; expected-events.json names it by its device id exactly as in its MQTT topic
/// (<c>RSU-DF-01</c>), and an event naming it by its 8-octet RSU id (<c>5253554446303031</c>) means the same RSU.
/// Immutable and thread-safe.
/// </summary>
public static class ZoneRsus
{
    private static readonly Lazy<Dictionary<string, string>> Names = new(Build);

    /// <summary>Whether <paramref name="id"/> is the device id of an RSU of the zone (<c>RSU-DF-01</c>).</summary>
    public static bool IsRsu(string id) => Names.Value.TryGetValue(id, out string? device) && device == id;

    /// <summary>The device id of the RSU an event participant names (device id or RSU id in hex), or null.</summary>
    public static string? DeviceIdOf(string participant) => Names.Value.GetValueOrDefault(participant);

    private static Dictionary<string, string> Build()
    {
        Dictionary<string, string> names = new(StringComparer.OrdinalIgnoreCase);
        foreach (RsuSite site in ZoneMapLoader.Default.Rsus)
        {
            string device = site.Id.ToString();
            names[device] = device;
            names[site.RsuId.ToString()] = device;
        }

        return names;
    }
}
