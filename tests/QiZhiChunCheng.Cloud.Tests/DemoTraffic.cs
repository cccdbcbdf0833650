using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Geo;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Edge.Simulation;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Cloud.Tests;

/// <summary>One publish of a recorded stream: when (UTC ms, event time), who and what.</summary>
public sealed record TrafficMessage(long UtcMs, string ClientId, string Topic, byte[] Payload, long Seq, bool AtLeastOnce);

/// <summary>
/// The demo's traffic on Dongfeng Street as a fixed list of publishes on virtual time: every vehicle's BSM on its own
/// uplink, the RSU's RSM of what its sensors see within 300 m and the Feiyue junction's SPAT, every 100 ms. The
/// corridor crosses five tile edges, and the scripted situations raise FCW, EBW, AVW, CLW, SLW, EVW and RLVW, so the
/// same stream through different partition counts tests the halo copies and ownership. Same start, same bytes.
/// </summary>
public static class DemoTraffic
{
    /// <summary>A fixed start (2026-11-28 08:00:00 UTC) so event ids are the same in every run.</summary>
    public const long StartUtcMs = 1_795_852_800_000;

    public static List<TrafficMessage> Build(double seconds, long startUtcMs = StartUtcMs)
    {
        V2xTopics topics = new();
        EdgeSimulation demo = EdgeSimulation.DongfengDemo(new MqttEndpoint("127.0.0.1", 1), topics);
        SimulatedRsu rsu = demo.Rsus[0];
        LocalFrame frame = new(rsu.LatDeg, rsu.LonDeg);
        SimulatedVehicle[] vehicles = [.. demo.HeardVehicles, .. demo.ObuVehicles];
        Dictionary<string, long> seq = [];
        List<TrafficMessage> stream = [];
        byte msgCnt = 0;
        for (int step = 0; step * 0.1 < seconds; step++)
        {
            long now = startUtcMs + (step * 100);
            double t = step * 0.1;
            List<ParticipantData> seen = [];
            foreach (SimulatedVehicle vehicle in vehicles)
            {
                Bsm bsm = vehicle.BsmAt(t, now, msgCnt);
                Add(vehicle.DeviceId.ToString(), topics.Uplink(SourceKind.Obu, vehicle.DeviceId, MessageType.Bsm), new V2xMessage(default, bsm), now, false);
                (double east, double north) = frame.ToLocal(bsm.Pos.LatitudeDeg, bsm.Pos.LongitudeDeg);
                if (Math.Sqrt((east * east) + (north * north)) <= rsu.SensorRangeM && seen.Count < Rsm.MaxParticipants)
                {
                    seen.Add(new ParticipantData
                    {
                        PtcType = ParticipantType.Motor,
                        PtcId = (ushort)(seen.Count + 1),
                        Source = SourceType.Video,
                        SecMark = bsm.SecMark,
                        Pos = bsm.Pos with { Elevation = null },
                        PosConfidence = new PositionConfidenceSet(PositionConfidence.A50cm),
                        Speed = bsm.Speed,
                        Heading = bsm.Heading,
                        Size = bsm.Size,
                    });
                }
            }

            string rsuId = rsu.DeviceId.ToString();
            if (seen.Count > 0)
            {
                Rsm rsm = new() { MsgCnt = msgCnt, Id = rsu.RsuId, RefPos = Position3D.FromDegrees(rsu.LatDeg, rsu.LonDeg), Participants = seen.ToArray() };
                Add(rsuId, topics.Uplink(SourceKind.Rsu, rsu.DeviceId, MessageType.Rsm), new V2xMessage(default, rsm), now, false);
            }

            if (rsu.Signals is { } plan)
            {
                Add(rsuId, topics.Uplink(SourceKind.Rsu, rsu.DeviceId, MessageType.Spat), new V2xMessage(default, EdgeSimulation.SpatOf(plan, now, msgCnt)), now, false);
            }

            msgCnt = (byte)((msgCnt + 1) % 128);
        }

        return stream;

        void Add(string client, string topic, V2xMessage message, long now, bool atLeastOnce)
        {
            long next = seq[client] = seq.GetValueOrDefault(client) + 1;
            stream.Add(new TrafficMessage(now, client, topic, JsonCodec.Encode(message), next, atLeastOnce));
        }
    }

    /// <summary>Publishes the stream in order through one connection (one connection keeps the order on the broker).</summary>
    public static async Task PublishAsync(MqttEndpoint broker, IReadOnlyList<TrafficMessage> stream, CancellationToken cancellationToken)
    {
        await using MqttPublisher publisher = new(broker, "demo-traffic");
        await publisher.ConnectAsync(cancellationToken);
        foreach (TrafficMessage m in stream)
        {
            await publisher.PublishAsync(m.Topic, m.Payload, m.Seq, m.UtcMs, m.AtLeastOnce, cancellationToken);
        }
    }
}
