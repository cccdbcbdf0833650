using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Map;

namespace QiZhiChunCheng.Cli.Bench;

/// <summary>
/// Load traffic for the end-to-end harness: vehicles spread evenly over every vehicle lane of the zone's lane map,
/// all at one speed that keeps a 2 s gap to the one ahead (so dense traffic is slow traffic, as on a real road, and
/// the load is not a storm of warnings), wrapping round to the lane's start at its end.
/// Positions come from the lane's own points, so they map-match. Deterministic: no randomness.
/// </summary>
internal sealed class LaneTraffic
{
    private readonly LaneMap _map;
    private readonly Vehicle[] _vehicles;

    public LaneTraffic(LaneMap map, int vehicles)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentOutOfRangeException.ThrowIfLessThan(vehicles, 1);
        _map = map;
        List<int> lanes = [];
        double total = 0;
        for (int i = 0; i < map.Lanes.Length; i++)
        {
            if (map.Lanes[i].Type == LaneType.Vehicle && map.Lanes[i].LengthM > 20)
            {
                lanes.Add(i);
                total += map.Lanes[i].LengthM;
            }
        }

        double spacing = total / vehicles;
        SpacingM = spacing;
        _vehicles = new Vehicle[vehicles];
        int v = 0;
        double carry = 0;
        foreach (int lane in lanes)
        {
            MapLaneInfo info = map.Lanes[lane];
            // One speed for everyone (a 2 s gap, at most 30 km/h): nobody closes on or passes anybody, so the load is
            // messages, not a storm of blind-spot and collision warnings from vehicles overtaking each other.
            double speed = Math.Clamp((spacing - 5) / 2.0, 1, 8.3);
            for (double along = carry; along < info.LengthM && v < vehicles; along += spacing)
            {
                _vehicles[v] = new Vehicle(new OctetId8(0x4C4F414400000000UL | (uint)v), lane, along, speed);
                v++;
                carry = along + spacing - info.LengthM;
            }
        }

        for (; v < vehicles; v++)
        {
            _vehicles[v] = new Vehicle(new OctetId8(0x4C4F414400000000UL | (uint)v), lanes[v % lanes.Count], 0, 1);
        }
    }

    public int Count => _vehicles.Length;

    /// <summary>The gap between vehicles along the lanes.</summary>
    public double SpacingM { get; }

    /// <summary>
    /// Vehicle <paramref name="vehicle"/>'s BSM id at <paramref name="t"/> s. A vehicle that reaches its lane's end
    /// leaves the road and a new one enters at the lane's start: the same slot of the load, but another vehicle with
    /// a new id (the lap in bits 20 to 31). Keeping the id would make one vehicle jump hundreds of metres backwards
    /// every lap, which the engine rightly reads as a collision course (FCW with the cars around its new position)
    /// and the plausibility checks as misbehaviour: a storm of false events that real traffic never raises.
    /// </summary>
    public OctetId8 IdAt(int vehicle, double t) => new(_vehicles[vehicle].Id.Value | ((ulong)(Lap(vehicle, t) & 0xFFF) << 20));

    /// <summary>The roadside sensor's object id of vehicle <paramref name="vehicle"/> at <paramref name="t"/> s: new for each lap, as for a new object.</summary>
    public ushort PtcIdAt(int vehicle, double t) => (ushort)(((Lap(vehicle, t) * 2003L) + vehicle) % 65535);

    private long Lap(int vehicle, double t)
    {
        Vehicle v = _vehicles[vehicle];
        return (long)Math.Floor((v.StartM + (v.SpeedMps * t)) / _map.Lanes[v.Lane].LengthM);
    }

    /// <summary>Vehicle <paramref name="vehicle"/>'s BSM <paramref name="t"/> seconds into the run, generated at <paramref name="utcMs"/>.</summary>
    public Bsm BsmAt(int vehicle, double t, long utcMs, byte msgCnt)
    {
        (double lat, double lon, double heading, double speed) = StateAt(vehicle, t);
        return new Bsm
        {
            MsgCnt = msgCnt,
            Id = IdAt(vehicle, t),
            SecMark = (ushort)(utcMs % 60000),
            Pos = Position3D.FromDegrees(lat, lon, 215.0),
            PosConfidence = new PositionConfidenceSet(PositionConfidence.A1m),
            Transmission = TransmissionState.ForwardGears,
            Speed = (ushort)Math.Round(speed / 0.02),
            Heading = (ushort)(Math.Round(((heading % 360) + 360) % 360 / 0.0125) % 28800),
            AccelSet = new AccelerationSet4Way(0, 0, 0, 0),
            Size = new VehicleSize(185, 480, 30),
            VehicleClass = new VehicleClassification(10),
        };
    }

    /// <summary>Position (WGS-84), heading (degrees from north) and speed of a vehicle at <paramref name="t"/> s.</summary>
    public (double LatDeg, double LonDeg, double HeadingDeg, double SpeedMps) StateAt(int vehicle, double t)
    {
        (double east, double north, double heading, double speed) = LocalStateAt(vehicle, t);
        (double lat, double lon) = _map.Frame.ToWgs84(east, north);
        return (lat, lon, heading, speed);
    }

    /// <summary>
    /// Position in the lane map's local frame (metres east and north), heading and speed of a vehicle at
    /// <paramref name="t"/> s: what <see cref="StateAt"/> converts, for callers that only compare distances.
    /// </summary>
    public (double EastM, double NorthM, double HeadingDeg, double SpeedMps) LocalStateAt(int vehicle, double t)
    {
        Vehicle v = _vehicles[vehicle];
        MapLaneInfo lane = _map.Lanes[v.Lane];
        double along = (v.StartM + (v.SpeedMps * t)) % lane.LengthM;
        ReadOnlySpan<double> x = _map.PointX.Slice(lane.FirstPoint, lane.PointCount);
        ReadOnlySpan<double> y = _map.PointY.Slice(lane.FirstPoint, lane.PointCount);
        ReadOnlySpan<double> at = _map.PointAlongM.Slice(lane.FirstPoint, lane.PointCount);

        // The first point at or beyond `along` (distances along the lane only grow), between 1 and the last point.
        int i = at[1..^1].BinarySearch(along);
        i = Math.Clamp((i < 0 ? ~i : i) + 1, 1, at.Length - 1);
        double segment = Math.Max(1e-6, at[i] - at[i - 1]);
        double f = Math.Clamp((along - at[i - 1]) / segment, 0, 1);
        double east = x[i - 1] + ((x[i] - x[i - 1]) * f);
        double north = y[i - 1] + ((y[i] - y[i - 1]) * f);
        double heading = Math.Atan2(x[i] - x[i - 1], y[i] - y[i - 1]) * 180 / Math.PI;
        return (east, north, heading, v.SpeedMps);
    }

    /// <summary>A WGS-84 position in the lane map's local frame.</summary>
    public (double EastM, double NorthM) ToLocal(double latDeg, double lonDeg) => _map.Frame.ToLocal(latDeg, lonDeg);

    /// <summary>A position in the lane map's local frame as WGS-84.</summary>
    public (double LatDeg, double LonDeg) ToWgs84(double eastM, double northM) => _map.Frame.ToWgs84(eastM, northM);

    private readonly record struct Vehicle(OctetId8 Id, int Lane, double StartM, double SpeedMps);
}
