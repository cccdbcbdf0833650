using System.Net;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Cloud.Tests;

/// <summary>
/// <c>/healthz</c> as an orchestrator or a load balancer reads it: 200 <c>ok</c> while the cloud does its job, 503 with
/// the reasons when a partition has no worker or its worker has stalled, and 200 again once that is over.
/// </summary>
public sealed class HealthTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_stalled_worker_makes_healthz_unhealthy_naming_its_partition_until_it_moves_again()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using TempDirectory dir = new();
        using BlockingSink stuck = new();
        CloudHost cloud = await CloudHost.StartAsync(new CloudOptions
        {
            Mqtt = new MqttEndpoint("127.0.0.1", 0),
            HttpUrl = "http://127.0.0.1:0",
            DataDir = dir.Path,
            Workers = 1,
            HealthStallAfter = TimeSpan.FromSeconds(1),
            ExtraSinks = [stuck], // runs on the worker's thread, as a sink that hangs would
        }, ct);
        await using (cloud)
        {
            using HttpClient http = new() { BaseAddress = cloud.HttpAddress };
            await WaitForAsync(http, HttpStatusCode.OK, "ok", ct);

            // The demo's traffic raises events; the first batch holds the worker.
            await DemoTraffic.PublishAsync(cloud.MqttEndpoint, DemoTraffic.Build(seconds: 16), ct);
            Assert.True(stuck.Entered.Wait(Patience, ct), "no event reached the sink");
            string unhealthy = await WaitForAsync(http, HttpStatusCode.ServiceUnavailable, "partition 0: worker", ct);
            Assert.StartsWith("unhealthy\n", unhealthy, StringComparison.Ordinal);
            Assert.Contains("has not gone round its loop", unhealthy, StringComparison.Ordinal);

            stuck.Release();
            await WaitForAsync(http, HttpStatusCode.OK, "ok", ct);
        }
    }

    [Fact]
    public async Task A_partition_without_a_worker_is_unhealthy_until_a_worker_takes_it_again()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using TempDirectory dir = new();
        CloudHost cloud = await CloudHost.StartAsync(new CloudOptions { Mqtt = new MqttEndpoint("127.0.0.1", 0), HttpUrl = "http://127.0.0.1:0", DataDir = dir.Path, Workers = 1 }, ct);
        await using (cloud)
        {
            using HttpClient http = new() { BaseAddress = cloud.HttpAddress };
            await WaitForAsync(http, HttpStatusCode.OK, "ok", ct);

            await cloud.KillWorkerAsync(Assert.Single(cloud.Workers));
            string unhealthy = await WaitForAsync(http, HttpStatusCode.ServiceUnavailable, "partition 0: no worker owns it", ct);
            Assert.StartsWith("unhealthy\n", unhealthy, StringComparison.Ordinal);

            cloud.StartWorker();
            await WaitForAsync(http, HttpStatusCode.OK, "ok", ct);
        }
    }

    private static async Task<string> WaitForAsync(HttpClient http, HttpStatusCode status, string text, CancellationToken ct)
    {
        DateTime deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri("healthz", UriKind.Relative), ct);
            string body = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode == status && body.Contains(text, StringComparison.Ordinal))
            {
                return body;
            }

            Assert.True(DateTime.UtcNow < deadline, $"/healthz did not answer {(int)status} with '{text}' within {Patience.TotalSeconds:0} s; last: {(int)response.StatusCode} {body}");
            await Task.Delay(50, ct);
        }
    }

    /// <summary>A sink that holds the worker's thread on its first batch until released.</summary>
    private sealed class BlockingSink : IEventSink, IDisposable
    {
        private readonly ManualResetEventSlim _release = new(false);

        public ManualResetEventSlim Entered { get; } = new(false);

        public void Release() => _release.Set();

        public ValueTask WriteAsync(IReadOnlyList<V2xEvent> events, CancellationToken cancellationToken)
        {
            Entered.Set();
            _release.Wait(Patience, CancellationToken.None);
            return ValueTask.CompletedTask;
        }

        public void Dispose()
        {
            _release.Set();
            _release.Dispose();
            Entered.Dispose();
        }
    }
}
