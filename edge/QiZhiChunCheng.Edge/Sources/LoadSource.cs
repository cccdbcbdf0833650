using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Edge.Simulation;
using QiZhiChunCheng.Edge.Spool;

namespace QiZhiChunCheng.Edge.Sources;

/// <summary>
/// <c>sim:load:RATE</c>: BSMs of 50 vehicles on Dongfeng Street at RATE messages per second in total (0: as fast
/// as the agent takes them), each freshly encoded. For the load figures and the tests of the agent's plumbing.
/// </summary>
public sealed class LoadSource : IMessageSource
{
    private const int Vehicles = 50;

    public LoadSource(int ratePerSecond, long limit = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ratePerSecond);
        RatePerSecond = ratePerSecond;
        Limit = limit;
    }

    public int RatePerSecond { get; }

    /// <summary>Stop after this many messages (0: never).</summary>
    public long Limit { get; }

    public string Description => RatePerSecond == 0 ? "BSM load as fast as possible" : $"BSM load at {RatePerSecond} messages/s";

    public bool IsFinite => Limit > 0;

    public async Task RunAsync(SourceContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        SimulatedVehicle[] vehicles = new SimulatedVehicle[Vehicles];
        for (int i = 0; i < Vehicles; i++)
        {
            vehicles[i] = DongfengTraffic.Vehicles[i % DongfengTraffic.Vehicles.Count] with
            {
                BsmId = new OctetId8((ulong)(0x4C4F414400000000 + i)),
                StartM = 30.0 * i,
                Lane = i % 3,
            };
        }

        long start = context.NowUtcMs;
        long sent = 0;
        using PeriodicTimer? timer = RatePerSecond == 0 ? null : new PeriodicTimer(TimeSpan.FromMilliseconds(10), context.Time);
        while (!cancellationToken.IsCancellationRequested && (Limit == 0 || sent < Limit))
        {
            long now = context.NowUtcMs;
            // Catch up to where the rate says we should be (at most one second behind).
            long due = RatePerSecond == 0 ? sent + 256 : Math.Max(sent, ((now - start) * RatePerSecond / 1000) - RatePerSecond);
            due = RatePerSecond == 0 ? due : Math.Max(due, (now - start) * RatePerSecond / 1000);
            if (Limit > 0)
            {
                due = Math.Min(due, Limit);
            }

            while (sent < due)
            {
                SimulatedVehicle v = vehicles[sent % Vehicles];
                Bsm bsm = v.BsmAt((now - start) / 1000.0, now, (byte)(sent / Vehicles % 128));
                await context.EmitAsync(UplinkKind.Bsm, JsonCodec.Encode(new V2xMessage(default, bsm)), now, cancellationToken);
                sent++;
            }

            if (timer is not null && !await timer.WaitForNextTickAsync(cancellationToken))
            {
                break;
            }
        }
    }
}
