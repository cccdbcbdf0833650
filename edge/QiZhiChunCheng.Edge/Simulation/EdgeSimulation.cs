using System.Globalization;
using System.Text;
using QiZhiChunCheng.Core;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Geo;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Edge.Simulation;

/// <summary>A simulated roadside unit: where it stands and how far its sensors and radio reach.</summary>
public sealed record SimulatedRsu(DeviceId DeviceId, OctetId8 RsuId, double LatDeg, double LonDeg, double RadioRangeM = 1000, double SensorRangeM = 300);

/// <summary>What the simulation has published, for the demo's summary and tests.</summary>
public sealed class EdgeCounters
{
    private long _published;
    private long _failed;

    public long Published => Interlocked.Read(ref _published);

    public long Failed => Interlocked.Read(ref _failed);

    internal void CountPublished() => Interlocked.Increment(ref _published);

    internal void CountFailed() => Interlocked.Increment(ref _failed);
}

/// <summary>
/// Drives simulated RSUs and vehicles against a real MQTT broker at 10 Hz: each RSU forwards the BSMs it hears
/// on <c>V2X/RSU/{id}/BSM/UP</c>, publishes what its sensors see as RSM on <c>V2X/RSU/{id}/RSM/UP</c> and a
/// heartbeat every 5 s; test vehicles (those given as OBUs) publish their own BSMs on <c>V2X/OBU/{id}/BSM/UP</c>.
/// Every publish carries the <c>seq</c> and <c>ts</c> user properties. Runs until cancelled.
/// </summary>
public sealed class EdgeSimulation
{
    private readonly MqttEndpoint _broker;
    private readonly V2xTopics _topics;
    private readonly IReadOnlyList<SimulatedRsu> _rsus;
    private readonly IReadOnlyList<SimulatedVehicle> _heardVehicles;
    private readonly IReadOnlyList<SimulatedVehicle> _obuVehicles;
    private readonly TimeProvider _time;

    public EdgeSimulation(MqttEndpoint broker, V2xTopics topics, IReadOnlyList<SimulatedRsu> rsus, IReadOnlyList<SimulatedVehicle> heardVehicles, IReadOnlyList<SimulatedVehicle> obuVehicles, TimeProvider? time = null)
    {
        _broker = broker;
        _topics = topics;
        _rsus = rsus;
        _heardVehicles = heardVehicles;
        _obuVehicles = obuVehicles;
        _time = time ?? TimeProvider.System;
    }

    public EdgeCounters Counters { get; } = new();

    /// <summary>
    /// The demo's traffic on Dongfeng Street: one RSU at the middle of the 1.7 km straight, three vehicles it hears
    /// (45, 50 and 55 km/h; the limit is 60), one of them a speeder at 72 km/h for 10 s out of every 20, and one
    /// test vehicle with its own uplink.
    /// </summary>
    public static EdgeSimulation DongfengDemo(MqttEndpoint broker, V2xTopics topics)
    {
        Corridor road = Corridor.DongfengMidBlock;
        SimulatedRsu rsu = new(DeviceId.Parse("RSU-DF-01"), OctetId8.FromAscii("RSUDF001"), 43.8462, 125.2218);
        SimulatedVehicle Vehicle(string id, double startM, int lane, bool forward, double kmh, double? speedingKmh = null) => new()
        {
            DeviceId = DeviceId.Parse(id),
            BsmId = OctetId8.FromAscii(id.Replace("-", "", StringComparison.Ordinal)),
            Corridor = road,
            StartM = startM,
            Lane = lane,
            Forward = forward,
            CruiseKmh = kmh,
            SpeedingKmh = speedingKmh,
        };

        return new EdgeSimulation(
            broker,
            topics,
            [rsu],
            [
                Vehicle("VEH-0001", 100, 0, true, 45),
                Vehicle("VEH-0002", 400, 1, false, 55),
                Vehicle("VEH-0003", 700, 2, true, 50, speedingKmh: 72),
            ],
            [Vehicle("VEH-0004", 900, 1, true, 48)]);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        List<Task> devices = [];
        foreach (SimulatedRsu rsu in _rsus)
        {
            devices.Add(RunRsuAsync(rsu, cancellationToken));
        }

        foreach (SimulatedVehicle vehicle in _obuVehicles)
        {
            devices.Add(RunObuAsync(vehicle, cancellationToken));
        }

        try
        {
            await Task.WhenAll(devices);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunRsuAsync(SimulatedRsu rsu, CancellationToken cancellationToken)
    {
        await using MqttPublisher publisher = new(_broker, rsu.DeviceId.ToString());
        await publisher.ConnectAsync(cancellationToken);
        long start = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long sequence = 0;
        byte msgCnt = 0;
        int tick = 0;
        LocalFrame frame = new(rsu.LatDeg, rsu.LonDeg);
        using PeriodicTimer timer = new(TimeSpan.FromMilliseconds(100), _time);
        do
        {
            long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            double t = (now - start) / 1000.0;
            List<ParticipantData> seen = [];
            foreach (SimulatedVehicle vehicle in _heardVehicles)
            {
                Bsm bsm = vehicle.BsmAt(t, now, msgCnt);
                (double east, double north) = frame.ToLocal(bsm.Pos.LatitudeDeg, bsm.Pos.LongitudeDeg);
                double distance = Math.Sqrt((east * east) + (north * north));
                if (distance <= rsu.RadioRangeM)
                {
                    await PublishAsync(publisher, _topics.Uplink(SourceKind.Rsu, rsu.DeviceId, MessageType.Bsm), new V2xMessage(default, bsm), ++sequence, now, false, cancellationToken);
                }

                if (distance <= rsu.SensorRangeM && seen.Count < Rsm.MaxParticipants)
                {
                    seen.Add(new ParticipantData
                    {
                        PtcType = ParticipantType.Motor,
                        PtcId = (ushort)(seen.Count + 1),
                        Source = SourceType.Video,
                        Id = bsm.Id,
                        SecMark = bsm.SecMark,
                        Pos = bsm.Pos with { Elevation = null },
                        PosConfidence = new PositionConfidenceSet(PositionConfidence.A50cm),
                        Speed = bsm.Speed,
                        Heading = bsm.Heading,
                        Size = bsm.Size,
                    });
                }
            }

            if (seen.Count > 0)
            {
                Rsm rsm = new() { MsgCnt = msgCnt, Id = rsu.RsuId, RefPos = Position3D.FromDegrees(rsu.LatDeg, rsu.LonDeg), Participants = seen.ToArray() };
                await PublishAsync(publisher, _topics.Uplink(SourceKind.Rsu, rsu.DeviceId, MessageType.Rsm), new V2xMessage(default, rsm), ++sequence, now, false, cancellationToken);
            }

            if (tick % 50 == 0)
            {
                byte[] heartbeat = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"rsuId\":\"{rsu.DeviceId}\",\"status\":\"online\",\"uptimeS\":{(now - start) / 1000},\"published\":{Counters.Published}}}"));
                await publisher.PublishAsync(_topics.Heartbeat(SourceKind.Rsu, rsu.DeviceId), heartbeat, ++sequence, now, atLeastOnce: true, cancellationToken);
            }

            msgCnt = (byte)((msgCnt + 1) % 128);
            tick++;
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    private async Task RunObuAsync(SimulatedVehicle vehicle, CancellationToken cancellationToken)
    {
        await using MqttPublisher publisher = new(_broker, vehicle.DeviceId.ToString());
        await publisher.ConnectAsync(cancellationToken);
        long start = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long sequence = 0;
        byte msgCnt = 0;
        using PeriodicTimer timer = new(TimeSpan.FromMilliseconds(100), _time);
        do
        {
            long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            Bsm bsm = vehicle.BsmAt((now - start) / 1000.0, now, msgCnt);
            await PublishAsync(publisher, _topics.Uplink(SourceKind.Obu, vehicle.DeviceId, MessageType.Bsm), new V2xMessage(default, bsm), ++sequence, now, false, cancellationToken);
            msgCnt = (byte)((msgCnt + 1) % 128);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    private async Task PublishAsync(MqttPublisher publisher, string topic, V2xMessage message, long sequence, long now, bool atLeastOnce, CancellationToken cancellationToken)
    {
        try
        {
            await publisher.PublishAsync(topic, JsonCodec.Encode(message), sequence, now, atLeastOnce, cancellationToken);
            Counters.CountPublished();
        }
        catch (InfrastructureException)
        {
            // The durable spool of the edge agent keeps such messages; the simulation only counts them.
            Counters.CountFailed();
        }
    }
}
