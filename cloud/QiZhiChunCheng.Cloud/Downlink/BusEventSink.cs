using QiZhiChunCheng.Cloud.Bus;
using QiZhiChunCheng.Core.Bus;
using QiZhiChunCheng.Core.Events;

namespace QiZhiChunCheng.Cloud.Downlink;

/// <summary>
/// Writes every event phase to <c>v2x.events</c> (key: a stable hash of the event id, so one event's phases stay in
/// order on one partition; value: <see cref="EventJson"/>), for consumers outside the platform. At least once: after a
/// worker restart a phase may be written again with the same id and phase; consumers deduplicate by (id, phase, time).
/// </summary>
public sealed class BusEventSink(IBusProducer bus) : IEventSink
{
    public async ValueTask WriteAsync(IReadOnlyList<V2xEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        Task[] writes = new Task[events.Count];
        for (int i = 0; i < writes.Length; i++)
        {
            V2xEvent e = events[i];
            BusRecord record = new(BusTopics.Events, StableHash(e.Id), EventJson.Serialize(e), [new(BusHeaders.ContentType, "application/json")])
            {
                AwaitDelivery = true,
            };
            writes[i] = bus.ProduceAsync(record, cancellationToken).AsTask();
        }

        await Task.WhenAll(writes);
    }

    /// <summary>FNV-1a over the id's characters: the same in every process (string.GetHashCode is not).</summary>
    public static ulong StableHash(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ulong hash = 14695981039346656037UL;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}
