using QiZhiChunCheng.Edge.Sources;
using QiZhiChunCheng.Edge.Tests.Fixtures;

namespace QiZhiChunCheng.Edge.Tests;

/// <summary>
/// The broker goes away for 30 s in the middle of a stream and comes back: a real stop of the broker (connections
/// dropped, sessions gone) and a start on the same port. The subscriber checks every seq arrived, in order.
/// </summary>
public sealed class OutageTests
{
    /// <summary>How long the broker stays down: a parameter of the scenario, not a synchronisation.</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);
    private const int Rate = 500;

    [Fact]
    public async Task Broker_down_30_s_mid_stream_then_back_nothing_lost_and_order_kept()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using TempDirectory dir = new();
        await using TestBroker broker = new();
        await broker.StartAsync();
        await using RunningAgent agent = new(TestData.Rsu(broker.Endpoint, dir.Path) with { HeartbeatInterval = TimeSpan.FromSeconds(2) }, new LoadSource(Rate));

        // Mid-stream: a thousand messages through, then the broker stops.
        await broker.Received.WaitUntilAsync(r => TestData.MaxSeq(r, "RSU-T-01") >= 1000, TestData.Patience, "1000 messages before the outage");
        await broker.StopAsync();
        long before = TestData.MaxSeq(broker.Received.Snapshot(), "RSU-T-01");

        await Task.Delay(Outage, ct);
        Assert.False(agent.Run.IsCompleted);
        long spooled = agent.Agent.Spool!.PendingRecords;
        Assert.True(spooled >= Rate * Outage.TotalSeconds * 0.8, $"only {spooled} records spooled during a {Outage.TotalSeconds} s outage at {Rate}/s");

        await broker.StartAsync();
        long target = before + spooled + 500;
        await broker.Received.WaitUntilAsync(r => TestData.MaxSeq(r, "RSU-T-01") >= target, TestData.Patience, $"seq {target} after the outage");
        // Then live traffic: the backlog is gone, only about a second's worth is in flight.
        await TestData.WaitForAsync(() => agent.Agent.Spool!.PendingRecords < Rate * 2, TestData.Patience, "the backlog to drain");
        Assert.Equal(0, await agent.StopAsync());

        (long max, int duplicates) = TestData.AssertContiguousInOrder(broker.Received.Snapshot(), "RSU-T-01");
        Assert.True(max >= target);
        TestContext.Current.SendDiagnosticMessage($"outage: {spooled} spooled, {max} seqs in order, {duplicates} duplicates");
        IReadOnlyList<Received> all = broker.Received.Snapshot();
        Assert.Contains(all, r => r.Topic == "V2X/RSU/RSU-T-01/HB/UP" && r.Seq is not null);
        Assert.Contains(all, r => r.Topic == "V2X/RSU/RSU-T-01/STATUS" && r.Retain);
    }

    [Fact]
    public async Task Broker_down_30_s_mid_stream_on_Mosquitto_nothing_lost_and_order_kept()
    {
        Mosquitto.RequireOrSkip();
        CancellationToken ct = TestContext.Current.CancellationToken;
        using TempDirectory dir = new();
        await using Mosquitto broker = new(Path.Combine(dir.Path, "mosquitto"));
        await broker.StartAsync();
        await using MosquittoSubscriber subscriber = new(broker.Endpoint, "V2X/#");
        await subscriber.ConnectAsync(ct);
        await using RunningAgent agent = new(TestData.Rsu(broker.Endpoint, Path.Combine(dir.Path, "spool")) with { HeartbeatInterval = TimeSpan.FromSeconds(2) }, new LoadSource(Rate));

        await subscriber.Received.WaitUntilAsync(r => TestData.MaxSeq(r, "RSU-T-01") >= 1000, TestData.Patience, "1000 messages before the outage");
        await broker.StopAsync();
        long before = TestData.MaxSeq(subscriber.Received.Snapshot(), "RSU-T-01");

        await Task.Delay(Outage, ct);
        long spooled = agent.Agent.Spool!.PendingRecords;
        Assert.True(spooled >= Rate * Outage.TotalSeconds * 0.8, $"only {spooled} records spooled during a {Outage.TotalSeconds} s outage at {Rate}/s");

        await broker.StartAsync();
        long target = before + spooled + 500;
        await subscriber.Received.WaitUntilAsync(r => TestData.MaxSeq(r, "RSU-T-01") >= target, TestData.Patience, $"seq {target} after the outage");
        // Then live traffic: the backlog is gone, only about a second's worth is in flight.
        await TestData.WaitForAsync(() => agent.Agent.Spool!.PendingRecords < Rate * 2, TestData.Patience, "the backlog to drain");
        Assert.Equal(0, await agent.StopAsync());

        (long max, int duplicates) = TestData.AssertContiguousInOrder(subscriber.Received.Snapshot(), "RSU-T-01");
        TestContext.Current.SendDiagnosticMessage($"mosquitto outage: {spooled} spooled, {max} seqs in order, {duplicates} duplicates");
    }
}
