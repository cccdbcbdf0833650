using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Edge.Simulation;

/// <summary>
/// The free-running traffic of the agent's <c>sim:dongfeng</c> source on the 1.7 km straight of Dongfeng Street:
/// four vehicles at 45, 48, 50 and 55 km/h (the limit is 60), one of them a speeder at 72 km/h for 10 s out of
/// every 20. The demo (<see cref="EdgeSimulation.DongfengDemo"/>) keeps its own, richer scene.
/// </summary>
public static class DongfengTraffic
{
    public static IReadOnlyList<SimulatedVehicle> Vehicles { get; } =
    [
        Vehicle("VEH-0001", 100, 0, true, 45),
        Vehicle("VEH-0002", 400, 1, false, 55),
        Vehicle("VEH-0003", 700, 2, true, 50, speedingKmh: 72),
        Vehicle("VEH-0004", 900, 1, true, 48),
    ];

    private static SimulatedVehicle Vehicle(string id, double startM, int lane, bool forward, double kmh, double? speedingKmh = null) => new()
    {
        DeviceId = DeviceId.Parse(id),
        BsmId = OctetId8.FromAscii(id.Replace("-", "", StringComparison.Ordinal)),
        Corridor = Corridor.DongfengMidBlock,
        StartM = startM,
        Lane = lane,
        Forward = forward,
        CruiseKmh = kmh,
        SpeedingKmh = speedingKmh,
    };
}
