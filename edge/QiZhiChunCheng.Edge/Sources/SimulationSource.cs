using System.IO.Compression;
using System.Text.Json;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Edge.Simulation;
using QiZhiChunCheng.Edge.Spool;

namespace QiZhiChunCheng.Edge.Sources;

/// <summary>One participant's true state at one moment (a line of a scenario's <c>truth.jsonl</c>).</summary>
public readonly record struct TruthState(long OffsetMs, string Id, ParticipantType Type, double LatDeg, double LonDeg, double SpeedMps, double HeadingDeg, double LengthM, double WidthM);

/// <summary>
/// <c>sim:dongfeng</c> and <c>sim:PATH</c>: true trajectories driven through the <see cref="SensorModel"/> at 10 Hz.
/// An RSU publishes what its sensors see as RSM (and, on Dongfeng Street, forwards the BSMs it hears); a test
/// vehicle publishes its own BSM. The trajectories are the demo's traffic on Dongfeng Street, or the
/// <c>truth.jsonl</c> of a scenario folder (format in <c>scenarios/README.md</c>), played in a loop.
/// </summary>
public sealed class SimulationSource : IMessageSource
{
    private readonly IReadOnlyList<(long OffsetMs, TruthState[] States)>? _frames;
    private readonly long _loopMs;

    private SimulationSource(string description, IReadOnlyList<(long, TruthState[])>? frames)
    {
        Description = description;
        _frames = frames;
        _loopMs = frames is { Count: > 0 } ? frames[^1].Item1 + 100 : 0;
    }

    public string Description { get; }

    public bool IsFinite => false;

    /// <summary>The demo's traffic on Dongfeng Street.</summary>
    public static SimulationSource Dongfeng() => new("simulated traffic on Dongfeng Street through the sensor model", null);

    /// <summary>The true states of a scenario folder (<c>truth.jsonl</c> or <c>truth.jsonl.gz</c>).</summary>
    public static SimulationSource FromScenario(string folder)
    {
        string path = Path.Combine(folder, "truth.jsonl");
        if (!File.Exists(path) && File.Exists(path + ".gz"))
        {
            path += ".gz";
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"sim:{folder}: no truth.jsonl in that folder", path);
        }

        SortedDictionary<long, List<TruthState>> frames = [];
        using Stream file = File.OpenRead(path);
        using Stream input = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using StreamReader reader = new(input);
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            TruthState state = ParseTruth(line, $"{path}:{lineNumber}");
            if (!frames.TryGetValue(state.OffsetMs, out List<TruthState>? list))
            {
                frames[state.OffsetMs] = list = [];
            }

            list.Add(state);
        }

        if (frames.Count == 0)
        {
            throw new InvalidDataException($"{path} holds no true states");
        }

        return new SimulationSource($"true states of {folder} through the sensor model", [.. frames.Select(f => (f.Key, f.Value.ToArray()))]);
    }

    /// <summary>Reads one truth line: <c>{"t": ms, "id": "...", "type": "motor|pedestrian|non-motor", "lat", "lon", "speedMps", "headingDeg"}</c>.</summary>
    public static TruthState ParseTruth(string line, string where)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement e = doc.RootElement;
            string type = e.TryGetProperty("type", out JsonElement t) ? t.GetString() ?? "motor" : "motor";
            return new TruthState(
                e.GetProperty("t").GetInt64(),
                e.GetProperty("id").GetString() ?? throw new InvalidDataException($"{where}: id is null"),
                type switch
                {
                    "motor" => ParticipantType.Motor,
                    "pedestrian" => ParticipantType.Pedestrian,
                    "non-motor" => ParticipantType.NonMotor,
                    _ => throw new InvalidDataException($"{where}: type '{type}' is not motor, pedestrian or non-motor"),
                },
                e.GetProperty("lat").GetDouble(),
                e.GetProperty("lon").GetDouble(),
                e.TryGetProperty("speedMps", out JsonElement s) ? s.GetDouble() : 0,
                e.TryGetProperty("headingDeg", out JsonElement h) ? h.GetDouble() : 0,
                e.TryGetProperty("lengthM", out JsonElement l) ? l.GetDouble() : 4.8,
                e.TryGetProperty("widthM", out JsonElement w) ? w.GetDouble() : 1.85);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{where}: not a truth line ({ex.Message})", ex);
        }
    }

    public async Task RunAsync(SourceContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        Random random = new(context.Sensor.Seed);
        long start = context.NowUtcMs;
        byte msgCnt = 0;
        using PeriodicTimer timer = new(TimeSpan.FromMilliseconds(100), context.Time);
        do
        {
            long now = context.NowUtcMs;
            long measuredAt = now - context.Sensor.LatencyMs;
            TruthState[] states = _frames is null ? DongfengStates((measuredAt - start) / 1000.0) : FrameAt(measuredAt - start);
            if (context.Kind == SourceKind.Rsu)
            {
                await EmitRsuAsync(context, states, measuredAt, now, msgCnt, random, cancellationToken);
            }
            else
            {
                TruthState? own = Own(context.DeviceId.ToString(), states);
                if (own is { } state && !context.Sensor.Drops(random))
                {
                    await EmitBsmAsync(context, state, context.DeviceId.ToString(), measuredAt, now, msgCnt, random, cancellationToken);
                }
            }

            msgCnt = (byte)((msgCnt + 1) % 128);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    private static async Task EmitRsuAsync(SourceContext context, TruthState[] states, long measuredAt, long now, byte msgCnt, Random random, CancellationToken cancellationToken)
    {
        List<ParticipantData> seen = [];
        foreach (TruthState state in states)
        {
            if (context.Sensor.Drops(random))
            {
                continue;
            }

            (double lat, double lon) = context.Sensor.Distort(state.LatDeg, state.LonDeg, random);
            seen.Add(new ParticipantData
            {
                PtcType = state.Type,
                PtcId = (ushort)(seen.Count + 1),
                Source = SourceType.Video,
                SecMark = (ushort)(measuredAt % 60000),
                Pos = Position3D.FromDegrees(lat, lon),
                PosConfidence = new PositionConfidenceSet(PositionConfidence.A50cm),
                Speed = (ushort)Math.Clamp(Math.Round(state.SpeedMps / 0.02), 0, 8191),
                Heading = (ushort)(Math.Round(((state.HeadingDeg % 360) + 360) % 360 / 0.0125) % 28800),
                Size = new VehicleSize((ushort)Math.Round(state.WidthM * 100), (ushort)Math.Round(state.LengthM * 100), null),
            });

            // On Dongfeng Street the RSU also forwards the BSMs it hears from V2X vehicles.
            if (state.Type == ParticipantType.Motor && state.Id.StartsWith("VEH-", StringComparison.Ordinal) && !context.Sensor.Drops(random))
            {
                await EmitBsmAsync(context, state, state.Id, measuredAt, now, msgCnt, random, cancellationToken);
            }
        }

        for (int i = 0; i < seen.Count; i += Rsm.MaxParticipants)
        {
            ParticipantData[] chunk = [.. seen.Skip(i).Take(Rsm.MaxParticipants)];
            Rsm rsm = new()
            {
                MsgCnt = msgCnt,
                Id = OctetId8.FromAscii(Compact(context.DeviceId.ToString())),
                RefPos = chunk[0].Pos,
                Participants = chunk,
            };
            await context.EmitAsync(UplinkKind.Rsm, JsonCodec.Encode(new V2xMessage(default, rsm)), now, cancellationToken);
        }
    }

    private static async Task EmitBsmAsync(SourceContext context, TruthState state, string id, long measuredAt, long now, byte msgCnt, Random random, CancellationToken cancellationToken)
    {
        (double lat, double lon) = context.Sensor.Distort(state.LatDeg, state.LonDeg, random);
        Bsm bsm = new()
        {
            MsgCnt = msgCnt,
            Id = OctetId8.FromAscii(Compact(id)),
            SecMark = (ushort)(measuredAt % 60000),
            Pos = Position3D.FromDegrees(lat, lon, 215.0),
            PosConfidence = new PositionConfidenceSet(PositionConfidence.A1m),
            Transmission = TransmissionState.ForwardGears,
            Speed = (ushort)Math.Clamp(Math.Round(state.SpeedMps / 0.02), 0, 8191),
            Heading = (ushort)(Math.Round(((state.HeadingDeg % 360) + 360) % 360 / 0.0125) % 28800),
            AccelSet = new AccelerationSet4Way(0, 0, 0, 0),
            Brakes = new BrakeSystemStatus { BrakePadel = BrakePedalStatus.Off },
            Size = new VehicleSize((ushort)Math.Round(state.WidthM * 100), (ushort)Math.Round(state.LengthM * 100), 30),
            VehicleClass = new VehicleClassification(10),
        };
        await context.EmitAsync(UplinkKind.Bsm, JsonCodec.Encode(new V2xMessage(default, bsm)), now, cancellationToken);
    }

    /// <summary>The device's own participant: the one with its id, else the first motor vehicle.</summary>
    private static TruthState? Own(string id, TruthState[] states)
    {
        foreach (TruthState s in states)
        {
            if (s.Id == id)
            {
                return s;
            }
        }

        foreach (TruthState s in states)
        {
            if (s.Type == ParticipantType.Motor)
            {
                return s;
            }
        }

        return null;
    }

    private static string Compact(string id)
    {
        string compact = id.Replace("-", "", StringComparison.Ordinal);
        return compact.Length <= 8 ? compact : compact[^8..];
    }

    private static TruthState[] DongfengStates(double t)
    {
        IReadOnlyList<SimulatedVehicle> vehicles = DongfengTraffic.Vehicles;
        TruthState[] states = new TruthState[vehicles.Count];
        for (int i = 0; i < vehicles.Count; i++)
        {
            SimulatedVehicle v = vehicles[i];
            (double lat, double lon, double heading) = v.Corridor.At(v.DistanceAt(Math.Max(0, t)), v.Lane, v.Forward);
            states[i] = new TruthState(0, v.DeviceId.ToString(), ParticipantType.Motor, lat, lon, v.SpeedMpsAt(Math.Max(0, t)), heading, 4.8, 1.85);
        }

        return states;
    }

    private TruthState[] FrameAt(long offsetMs)
    {
        long t = ((offsetMs % _loopMs) + _loopMs) % _loopMs;
        // The latest frame at or before t.
        int lo = 0;
        int hi = _frames!.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (_frames[mid].OffsetMs <= t)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return _frames[lo].States;
    }
}
