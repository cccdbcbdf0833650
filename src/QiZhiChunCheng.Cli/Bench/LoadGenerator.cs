using System.Globalization;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Geo;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.Edge.Simulation;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Mqtt;
using QiZhiChunCheng.NetTopologySuite;

namespace QiZhiChunCheng.Cli.Bench;

/// <summary>
/// The load traffic of the end-to-end harness, published to an MQTT broker: vehicles on every lane of the zone
/// sending 10 Hz BSMs over several MQTT connections, and each RSU of the zone its 10 Hz RSM of the nearest 16 vehicles
/// in its 300 m sensor range and, for the junction it stands nearest, the SPAT. Each message's <c>ts</c> is the moment
/// it is generated. Runs inside the harness, or in its own process (<c>qzcc bench load</c>), as the road's devices
/// would: on other hardware than the cloud.
/// </summary>
internal sealed class LoadGenerator
{
    private readonly MqttEndpoint _broker;
    private readonly V2xTopics _topics;
    private readonly int _connections;
    private readonly LaneTraffic _traffic;
    private readonly IReadOnlyList<RsuSite> _rsus;
    private readonly Dictionary<RsuSite, IntersectionSignalPlan> _spatBy;
    private long _published;
    private long _skipped;

    public LoadGenerator(MqttEndpoint broker, V2xTopics topics, double rate, int connections)
    {
        ArgumentNullException.ThrowIfNull(topics);
        _broker = broker;
        _topics = topics;
        ZoneMap zone = ZoneMapLoader.Default;
        LaneMap map = zone.RequireLaneMap();
        _rsus = zone.Rsus;
        Vehicles = VehiclesFor(rate);
        _traffic = new LaneTraffic(map, Vehicles);
        _spatBy = SpatPublishers(zone, map);
        _connections = Math.Clamp(connections, 1, Vehicles);
        Description = string.Create(CultureInfo.InvariantCulture, $"{Vehicles} vehicles on {map.Lanes.Length} lanes ({_traffic.SpacingM:0.#} m apart), {_rsus.Count} RSUs");
    }

    public int Vehicles { get; }

    /// <summary>How many 10 Hz vehicles make up <paramref name="rate"/> messages/s with the RSUs' RSM and SPAT.</summary>
    public static int VehiclesFor(double rate)
    {
        ZoneMap zone = ZoneMapLoader.Default;
        double roadside = (zone.Rsus.Count * 10.0) + (zone.SignalPlans.Count * 10.0);
        return Math.Max(1, (int)Math.Round((rate - roadside) / 10.0));
    }

    public string Description { get; }

    /// <summary>Messages handed to the MQTT client so far.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>
    /// Messages not sent because their device was a whole step (100 ms) or more behind its schedule when it came to
    /// send them: the generator was short of CPU. A 10 Hz device that is late sends its current report, never a burst of
    /// the ones it missed; a burst would offer the cloud more than the target rate and measure the catching up.
    /// </summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Publishes from <paramref name="startMs"/> (UTC ms; steps are aligned to it) until cancelled.</summary>
    public async Task RunAsync(long startMs, CancellationToken cancellationToken)
    {
        List<Task> publishers = [];
        int vehicles = Vehicles;
        for (int c = 0; c < _connections; c++)
        {
            int first = c * vehicles / _connections;
            int last = (c + 1) * vehicles / _connections;
            int offsetMs = c * 100 / _connections;
            publishers.Add(Task.Run(() => RunVehiclesAsync(first, last, startMs, offsetMs, cancellationToken), CancellationToken.None));
        }

        publishers.Add(Task.Run(() => RunRoadsideAsync(startMs, cancellationToken), CancellationToken.None));
        await Task.WhenAll(publishers);
    }

    private async Task RunVehiclesAsync(int first, int last, long startMs, int offsetMs, CancellationToken cancellationToken)
    {
        await using MqttPublisher publisher = new(_broker, $"bench-{Environment.ProcessId}-veh-{first}");
        await publisher.ConnectAsync(cancellationToken);
        string[] topicOf = new string[last - first];
        for (int v = first; v < last; v++)
        {
            topicOf[v - first] = _topics.Uplink(SourceKind.Obu, DeviceId.Parse(string.Create(CultureInfo.InvariantCulture, $"LOAD{v:D6}")), MessageType.Bsm);
        }

        long seq = 0;
        byte msgCnt = 0;
        try
        {
            // Real vehicles' 10 Hz clocks are not aligned: each connection spreads its vehicles over the 100 ms in
            // slices of 5 ms, rather than sending them all in one burst per step.
            const int Slices = 20;
            int count = last - first;
            for (long step = 0; ; step++)
            {
                long behind = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (startMs + offsetMs + (step * 100));
                if (behind >= 100)
                {
                    step += behind / 100;
                    Interlocked.Add(ref _skipped, behind / 100 * count);
                }

                for (int slice = 0; slice < Slices; slice++)
                {
                    long due = startMs + offsetMs + (step * 100) + (slice * 100 / Slices);
                    long wait = due - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    if (wait > 0)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken);
                    }

                    for (int v = first + (slice * count / Slices); v < first + ((slice + 1) * count / Slices); v++)
                    {
                        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                        Bsm bsm = _traffic.BsmAt(v, (now - startMs) / 1000.0, now, msgCnt);
                        await publisher.PublishAsync(topicOf[v - first], JsonCodec.Encode(new V2xMessage(default, bsm)), ++seq, now, atLeastOnce: false, cancellationToken);
                        Interlocked.Increment(ref _published);
                    }
                }

                msgCnt = (byte)((msgCnt + 1) % 128);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Every RSU's RSM and the junctions' SPAT, every 100 ms: the vehicles' true states are computed once per step and
    /// shared by the RSUs' sensor models (each RSU has its own connection).
    /// </summary>
    private async Task RunRoadsideAsync(long startMs, CancellationToken cancellationToken)
    {
        List<MqttPublisher> publishers = [];
        try
        {
            foreach (RsuSite rsu in _rsus)
            {
                MqttPublisher publisher = new(_broker, $"bench-{Environment.ProcessId}-{rsu.Id}");
                publishers.Add(publisher);
                await publisher.ConnectAsync(cancellationToken);
            }

            // Distances are compared in the lane map's local frame: one conversion per RSU here, and per vehicle only
            // for the participants an RSM carries (the trigonometry of 7 x 2,000 conversions every 100 ms was most of
            // the generator's time, which the cloud it measures shares on a small machine).
            (double East, double North)[] sites = [.. _rsus.Select(r => _traffic.ToLocal(r.Pos.LatitudeDeg, r.Pos.LongitudeDeg))];
            (double East, double North, double Heading, double Speed)[] states = new (double, double, double, double)[_traffic.Count];
            long seq = 0;
            byte msgCnt = 0;
            List<(double Distance, int Vehicle)> seen = [];
            int perStep = _rsus.Count + _spatBy.Count;
            for (long step = 0; ; step++)
            {
                long due = startMs + 50 + (step * 100);
                long wait = due - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                if (wait <= -100)
                {
                    step += -wait / 100;
                    Interlocked.Add(ref _skipped, -wait / 100 * perStep);
                    due = startMs + 50 + (step * 100);
                    wait = due - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                }

                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken);
                }

                long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                double t = (now - startMs) / 1000.0;
                for (int v = 0; v < states.Length; v++)
                {
                    states[v] = _traffic.LocalStateAt(v, t);
                }

                for (int r = 0; r < _rsus.Count; r++)
                {
                    RsuSite rsu = _rsus[r];
                    seen.Clear();
                    for (int v = 0; v < states.Length; v++)
                    {
                        double e = states[v].East - sites[r].East;
                        double n = states[v].North - sites[r].North;
                        double d = Math.Sqrt((e * e) + (n * n));
                        if (d <= rsu.SensorRangeM)
                        {
                            seen.Add((d, v));
                        }
                    }

                    if (seen.Count > 0)
                    {
                        seen.Sort((a, b) => a.Distance.CompareTo(b.Distance));
                        Rsm rsm = new()
                        {
                            MsgCnt = msgCnt,
                            Id = rsu.RsuId,
                            RefPos = rsu.Pos with { Elevation = null },
                            Participants = seen.Take(Rsm.MaxParticipants).Select(s => Participant(_traffic.PtcIdAt(s.Vehicle, t), _traffic.IdAt(s.Vehicle, t), Wgs84(states[s.Vehicle]), now)).ToArray(),
                        };
                        await publishers[r].PublishAsync(_topics.Uplink(SourceKind.Rsu, rsu.Id, MessageType.Rsm), JsonCodec.Encode(new V2xMessage(default, rsm)), ++seq, now, atLeastOnce: false, cancellationToken);
                        Interlocked.Increment(ref _published);
                    }

                    if (_spatBy.TryGetValue(rsu, out IntersectionSignalPlan? plan))
                    {
                        await publishers[r].PublishAsync(_topics.Uplink(SourceKind.Rsu, rsu.Id, MessageType.Spat), JsonCodec.Encode(new V2xMessage(default, EdgeSimulation.SpatOf(plan, now, msgCnt))), ++seq, now, atLeastOnce: false, cancellationToken);
                        Interlocked.Increment(ref _published);
                    }
                }

                msgCnt = (byte)((msgCnt + 1) % 128);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (MqttPublisher publisher in publishers)
            {
                await publisher.DisposeAsync();
            }
        }
    }

    private (double Lat, double Lon, double Heading, double Speed) Wgs84((double East, double North, double Heading, double Speed) local)
    {
        (double lat, double lon) = _traffic.ToWgs84(local.East, local.North);
        return (lat, lon, local.Heading, local.Speed);
    }

    // The RSU names the BSM id of the vehicle it sees (it has heard its BSMs), as roadside units that associate do.
    private static ParticipantData Participant(ushort ptcId, OctetId8 bsmId, (double Lat, double Lon, double Heading, double Speed) state, long now) => new()
    {
        PtcType = ParticipantType.Motor,
        PtcId = ptcId,
        Id = bsmId,
        Source = SourceType.Video,
        SecMark = (ushort)(now % 60000),
        Pos = Position3D.FromDegrees(state.Lat, state.Lon),
        PosConfidence = new PositionConfidenceSet(PositionConfidence.A50cm),
        Speed = (ushort)Math.Round(state.Speed / 0.02),
        Heading = (ushort)(Math.Round(((state.Heading % 360) + 360) % 360 / 0.0125) % 28800),
        Size = new VehicleSize(185, 480, 30),
    };
    /// <summary>Each signalised junction's SPAT is published by the RSU nearest to it.</summary>
    private static Dictionary<RsuSite, IntersectionSignalPlan> SpatPublishers(ZoneMap zone, LaneMap map)
    {
        Dictionary<RsuSite, IntersectionSignalPlan> result = [];
        foreach (IntersectionSignalPlan plan in zone.SignalPlans)
        {
            int node = map.FindNode(plan.Id);
            if (node < 0 || zone.Rsus.Count == 0)
            {
                continue;
            }

            (double lat, double lon) = map.Frame.ToWgs84(map.Nodes[node].XM, map.Nodes[node].YM);
            RsuSite nearest = zone.Rsus.Where(r => !result.ContainsKey(r)).DefaultIfEmpty(zone.Rsus[0]).MinBy(r => Distance(r.Pos, lat, lon))!;
            result[nearest] = plan;
        }

        return result;
    }

    private static double Distance(Position3D pos, double lat, double lon)
    {
        LocalFrame frame = new(lat, lon);
        (double e, double n) = frame.ToLocal(pos.LatitudeDeg, pos.LongitudeDeg);
        return Math.Sqrt((e * e) + (n * n));
    }
}
