using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Mqtt.Auth;

/// <summary>
/// Who may publish and subscribe to what on the secured broker (topics of <see cref="V2xTopics"/>, with its zone
/// prefix):
/// <code>
/// kind      publish                                  subscribe
/// rsu       {prefix}V2X/RSU/{its id}/*/UP            {prefix}V2X/RSU/{its id}/RSI/DOWN
/// vehicle   {prefix}V2X/OBU/{its id}/*/UP            {prefix}V2X/OBU/{its id}/WARN/DOWN
/// service   nothing                                  any filter
/// replayer  any uplink of the scheme                 filters under {prefix}V2X/ ending in /DOWN (no #)
/// </code>
/// The publish check runs per message: it allocates nothing and is thread-safe.
/// </summary>
public static class DeviceRights
{
    public static bool MayPublish(DeviceEntry device, V2xTopics topics, string topic)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(topics);
        if (device.Kind == DeviceKind.Service || !topics.TryParse(topic, out TopicInfo info) || !info.Uplink)
        {
            return false;
        }

        return device.Kind switch
        {
            DeviceKind.Rsu => info.Kind == SourceKind.Rsu && info.DeviceId == device.TopicId,
            DeviceKind.Vehicle => info.Kind == SourceKind.Obu && info.DeviceId == device.TopicId,
            DeviceKind.Replayer => true,
            _ => false,
        };
    }

    public static bool MaySubscribe(DeviceEntry device, V2xTopics topics, string filter)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(topics);
        return device.Kind switch
        {
            DeviceKind.Service => true,
            DeviceKind.Rsu => filter == topics.Downlink(SourceKind.Rsu, device.TopicId),
            DeviceKind.Vehicle => filter == topics.Downlink(SourceKind.Obu, device.TopicId),
            DeviceKind.Replayer => filter.StartsWith(topics.Prefix + "V2X/", StringComparison.Ordinal)
                && filter.EndsWith("/DOWN", StringComparison.Ordinal)
                && !filter.Contains('#', StringComparison.Ordinal),
            _ => false,
        };
    }
}
