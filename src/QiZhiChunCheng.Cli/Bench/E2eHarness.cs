using System.Diagnostics;
using System.Globalization;
using QiZhiChunCheng.Cloud;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Geo;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Zone;
using QiZhiChunCheng.Edge.Simulation;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Mqtt;
using QiZhiChunCheng.NetTopologySuite;

namespace QiZhiChunCheng.Cli.Bench;

/// <summary>What <c>qzcc bench e2e</c> runs.</summary>
internal sealed record E2eOptions
{
    /// <summary>Target messages per second over all devices.</summary>
    public double Rate { get; init; } = 20_000;

    public double DurationS { get; init; } = 30;

    /// <summary>Seconds at the start not measured (connections, JIT, the first ticks).</summary>
    public double WarmUpS { get; init; } = 3;

    public int Workers { get; init; } = 2;

    /// <summary>Partitions; 0: the cloud's default (two per worker, or 12 on Kafka).</summary>
    public int Partitions { get; init; }

    /// <summary>null: the in-process bus; <c>mock</c> or a bootstrap list: Kafka.</summary>
    public string? Kafka { get; init; }

    /// <summary>Send warnings down over MQTT (on by default; off to see what the downlink costs).</summary>
    public bool Downlink { get; init; } = true;

    /// <summary>MQTT connections the vehicles' BSMs are spread over (the RSUs have one each).</summary>
    public int Connections { get; init; } = 16;
}

/// <summary>The harness's figures; <c>--json</c> prints this object.</summary>
internal sealed record E2eResult
{
    public double TargetMsgsPerS { get; init; }
    public double SustainedMsgsPerS { get; init; }
    public double P50Ms { get; init; }
    public double P99Ms { get; init; }
    public double MaxMs { get; init; }
    public long Lost { get; init; }

    /// <summary>Generation to ingest (broker and MQTT only), p50 and p99, ms (1 ms resolution).</summary>
    public double IngestP50Ms { get; init; }
    public double IngestP99Ms { get; init; }
    public long Published { get; init; }
    public long Accepted { get; init; }
    public long Rejected { get; init; }
    public long Measured { get; init; }
    public long Events { get; init; }
    public Dictionary<string, long> EventsByType { get; init; } = [];
    public int Vehicles { get; init; }
    public int Workers { get; init; }
    public int Partitions { get; init; }
    public string Bus { get; init; } = "";
    public double DurationS { get; init; }
    public double CpuPercent { get; init; }
    public double PeakMemoryMb { get; init; }
}

/// <summary>
/// The end-to-end load harness: starts the cloud tier in this process (embedded MQTT broker, the chosen bus, fusion
/// workers, the SQLite store, the downlink), and publishes generated traffic through the real broker at the target
/// rate: vehicles on every lane of the zone sending 10 Hz BSMs over <see cref="E2eOptions.Connections"/> MQTT
/// connections, and each RSU of the zone its 10 Hz RSM of the nearest 16 vehicles in its 300 m sensor range and,
/// for the junction it stands nearest, the SPAT. Each message's <c>ts</c> is the moment it is generated; the cloud
/// records, per message, the time until a fusion worker has applied it and run the detection it completes
/// (<see cref="CloudMetrics.MessageLatency"/>). After the warm-up the histogram is cleared; at the end publishing
/// stops, the pipeline drains, and what was published but never accepted is lost.
/// </summary>
internal static class E2eHarness
{
    public static async Task<E2eResult> RunAsync(E2eOptions options, Action<string>? progress, CancellationToken cancellationToken)
    {
        string dataDir = Path.Combine(Path.GetTempPath(), $"qzcc-bench-{Environment.ProcessId}-{Guid.NewGuid():N}");
        int partitions = options.Partitions > 0 ? options.Partitions : options.Kafka is null ? 0 : 12;
        try
        {
            CloudHost cloud = await CloudHost.StartAsync(
                new CloudOptions
                {
                    Mqtt = new MqttEndpoint("127.0.0.1", 0),
                    HttpUrl = null,
                    DataDir = dataDir,
                    Workers = options.Workers,
                    Partitions = partitions,
                    Kafka = options.Kafka,
                    Downlink = options.Downlink,
                },
                cancellationToken);
            await using (cloud)
            {
                return await DriveAsync(cloud, options, progress, cancellationToken);
            }
        }
        finally
        {
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<E2eResult> DriveAsync(CloudHost cloud, E2eOptions options, Action<string>? progress, CancellationToken cancellationToken)
    {
        ZoneMap zone = ZoneMapLoader.Default;
        LaneMap map = zone.RequireLaneMap();
        IReadOnlyList<RsuSite> rsus = zone.Rsus;
        double rsuRate = rsus.Count * 10.0 + (zone.SignalPlans.Count * 10.0);
        int vehicles = Math.Max(1, (int)Math.Round((options.Rate - rsuRate) / 10.0));
        LaneTraffic traffic = new(map, vehicles);
        V2xTopics topics = cloud.Topics;
        Dictionary<RsuSite, IntersectionSignalPlan> spatBy = SpatPublishers(zone, map);

        long startMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long published = 0;
        using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        int connections = Math.Clamp(options.Connections, 1, vehicles);
        List<Task> publishers = [];
        for (int c = 0; c < connections; c++)
        {
            int first = c * vehicles / connections;
            int last = (c + 1) * vehicles / connections;
            int offsetMs = c * 100 / connections;
            publishers.Add(Task.Run(() => RunVehiclesAsync(cloud.MqttEndpoint, topics, traffic, first, last, startMs, offsetMs, () => Interlocked.Increment(ref published), stop.Token), CancellationToken.None));
        }

        publishers.Add(Task.Run(() => RunRoadsideAsync(cloud.MqttEndpoint, topics, traffic, rsus, spatBy, startMs, () => Interlocked.Increment(ref published), stop.Token), CancellationToken.None));

        progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"bench e2e: {vehicles} vehicles on {map.Lanes.Length} lanes ({traffic.SpacingM:0.#} m apart), {rsus.Count} RSUs, target {options.Rate:0} msg/s for {options.DurationS:0} s on {cloud.BusName} ({cloud.Partitions} partitions, {options.Workers} workers)"));
        Process self = Process.GetCurrentProcess();
        double peakMb = 0;
        Stopwatch clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(options.WarmUpS), cancellationToken);
        cloud.Metrics.MessageLatency.Reset();
        long acceptedAtStart = cloud.Metrics.AcceptedTotal;
        long eventsAtStart = cloud.Metrics.EventsByType().Sum(e => e.Count);
        TimeSpan cpuAtStart = self.TotalProcessorTime;
        double windowStart = clock.Elapsed.TotalSeconds;
        while (clock.Elapsed.TotalSeconds < options.WarmUpS + options.DurationS)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            self.Refresh();
            peakMb = Math.Max(peakMb, self.WorkingSet64 / 1048576.0);
            double elapsed = clock.Elapsed.TotalSeconds - windowStart;
            progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"  {elapsed,4:0} s  in {(cloud.Metrics.AcceptedTotal - acceptedAtStart) / elapsed,8:0} msg/s  p99 {cloud.Metrics.MessageLatency.PercentileMs(0.99),6:0.0} ms  lag {cloud.Metrics.Partitions.Values.Sum(p => p.LagCount)}"));
        }

        double windowS = clock.Elapsed.TotalSeconds - windowStart;
        long acceptedInWindow = cloud.Metrics.AcceptedTotal - acceptedAtStart;
        self.Refresh();
        TimeSpan cpu = self.TotalProcessorTime - cpuAtStart;
        await stop.CancelAsync();
        await Task.WhenAll(publishers);

        // Drain: everything published must come through ingest.
        Stopwatch drain = Stopwatch.StartNew();
        while (cloud.Metrics.AcceptedTotal + cloud.Metrics.RejectedTotal < Interlocked.Read(ref published) && drain.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(50, cancellationToken);
        }

        long total = Interlocked.Read(ref published);
        await cloud.StopAsync();
        LatencyHistogram latency = cloud.Metrics.MessageLatency;
        return new E2eResult
        {
            TargetMsgsPerS = options.Rate,
            SustainedMsgsPerS = Math.Round(acceptedInWindow / windowS, 0),
            P50Ms = Math.Round(latency.PercentileMs(0.50), 2),
            P99Ms = Math.Round(latency.PercentileMs(0.99), 2),
            MaxMs = Math.Round(latency.MaxMs, 2),
            IngestP50Ms = Percentile(cloud.Metrics.IngestLatenciesMs(), 0.50),
            IngestP99Ms = Percentile(cloud.Metrics.IngestLatenciesMs(), 0.99),
            Lost = Math.Max(0, total - cloud.Metrics.AcceptedTotal - cloud.Metrics.RejectedTotal),
            Published = total,
            Accepted = cloud.Metrics.AcceptedTotal,
            Rejected = cloud.Metrics.RejectedTotal,
            Measured = latency.Count,
            Events = cloud.Metrics.EventsByType().Sum(e => e.Count) - eventsAtStart,
            EventsByType = cloud.Metrics.EventsByType().ToDictionary(e => V2xEvent.TypeCode(e.Type), e => e.Count),
            Vehicles = vehicles,
            Workers = options.Workers,
            Partitions = cloud.Partitions,
            Bus = cloud.BusName,
            DurationS = Math.Round(windowS, 1),
            CpuPercent = Math.Round(100 * cpu.TotalSeconds / (windowS * Environment.ProcessorCount), 1),
            PeakMemoryMb = Math.Round(peakMb, 0),
        };
    }

    private static double Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1))];

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

    private static async Task RunVehiclesAsync(MqttEndpoint broker, V2xTopics topics, LaneTraffic traffic, int first, int last, long startMs, int offsetMs, Action counted, CancellationToken cancellationToken)
    {
        await using MqttPublisher publisher = new(broker, $"bench-veh-{first}");
        await publisher.ConnectAsync(cancellationToken);
        string[] topicOf = new string[last - first];
        for (int v = first; v < last; v++)
        {
            topicOf[v - first] = topics.Uplink(SourceKind.Obu, DeviceId.Parse(string.Create(CultureInfo.InvariantCulture, $"LOAD{v:D6}")), MessageType.Bsm);
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
                        Bsm bsm = traffic.BsmAt(v, (now - startMs) / 1000.0, now, msgCnt);
                        await publisher.PublishAsync(topicOf[v - first], JsonCodec.Encode(new V2xMessage(default, bsm)), ++seq, now, atLeastOnce: false, cancellationToken);
                        counted();
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
    private static async Task RunRoadsideAsync(MqttEndpoint broker, V2xTopics topics, LaneTraffic traffic, IReadOnlyList<RsuSite> rsus, Dictionary<RsuSite, IntersectionSignalPlan> spatBy, long startMs, Action counted, CancellationToken cancellationToken)
    {
        List<MqttPublisher> publishers = [];
        try
        {
            foreach (RsuSite rsu in rsus)
            {
                MqttPublisher publisher = new(broker, $"bench-{rsu.Id}");
                publishers.Add(publisher);
                await publisher.ConnectAsync(cancellationToken);
            }

            LocalFrame[] frames = [.. rsus.Select(r => new LocalFrame(r.Pos.LatitudeDeg, r.Pos.LongitudeDeg))];
            (double Lat, double Lon, double Heading, double Speed)[] states = new (double, double, double, double)[traffic.Count];
            long seq = 0;
            byte msgCnt = 0;
            List<(double Distance, int Vehicle)> seen = [];
            for (long step = 0; ; step++)
            {
                long due = startMs + 50 + (step * 100);
                long wait = due - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken);
                }

                long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                double t = (now - startMs) / 1000.0;
                for (int v = 0; v < states.Length; v++)
                {
                    states[v] = traffic.StateAt(v, t);
                }

                for (int r = 0; r < rsus.Count; r++)
                {
                    RsuSite rsu = rsus[r];
                    seen.Clear();
                    for (int v = 0; v < states.Length; v++)
                    {
                        (double e, double n) = frames[r].ToLocal(states[v].Lat, states[v].Lon);
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
                            Participants = seen.Take(Rsm.MaxParticipants).Select(s => Participant(s.Vehicle, traffic.IdOf(s.Vehicle), states[s.Vehicle], now)).ToArray(),
                        };
                        await publishers[r].PublishAsync(topics.Uplink(SourceKind.Rsu, rsu.Id, MessageType.Rsm), JsonCodec.Encode(new V2xMessage(default, rsm)), ++seq, now, atLeastOnce: false, cancellationToken);
                        counted();
                    }

                    if (spatBy.TryGetValue(rsu, out IntersectionSignalPlan? plan))
                    {
                        await publishers[r].PublishAsync(topics.Uplink(SourceKind.Rsu, rsu.Id, MessageType.Spat), JsonCodec.Encode(new V2xMessage(default, EdgeSimulation.SpatOf(plan, now, msgCnt))), ++seq, now, atLeastOnce: false, cancellationToken);
                        counted();
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

    // The RSU names the BSM id of the vehicle it sees (it has heard its BSMs), as roadside units that associate do.
    private static ParticipantData Participant(int vehicle, OctetId8 bsmId, (double Lat, double Lon, double Heading, double Speed) state, long now) => new()
    {
        PtcType = ParticipantType.Motor,
        PtcId = (ushort)(vehicle % 65535),
        Id = bsmId,
        Source = SourceType.Video,
        SecMark = (ushort)(now % 60000),
        Pos = Position3D.FromDegrees(state.Lat, state.Lon),
        PosConfidence = new PositionConfidenceSet(PositionConfidence.A50cm),
        Speed = (ushort)Math.Round(state.Speed / 0.02),
        Heading = (ushort)(Math.Round(((state.Heading % 360) + 360) % 360 / 0.0125) % 28800),
        Size = new VehicleSize(185, 480, 30),
    };
}
