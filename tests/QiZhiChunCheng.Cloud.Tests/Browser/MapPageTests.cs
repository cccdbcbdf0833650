using OpenQA.Selenium;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Mqtt;

namespace QiZhiChunCheng.Cloud.Tests.Browser;

/// <summary>
/// The map page in real headless Chromium against the real cloud host (a SQLite file, HTTP on a free port). Events
/// are written through the store writer, the path the detection workers use, so the live one arrives over the real
/// server-sent event stream.
/// </summary>
public sealed class MapPageTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private CloudHost _cloud = null!;

    public async ValueTask InitializeAsync() =>
        _cloud = await CloudHost.StartAsync(new CloudOptions { Mqtt = new MqttEndpoint("127.0.0.1", 0), HttpUrl = "http://127.0.0.1:0", DataDir = _dir.Path });

    public async ValueTask DisposeAsync()
    {
        await _cloud.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task The_page_shows_the_zone_and_seeded_events_filters_by_type_and_takes_a_live_event()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        List<V2xEvent> seeded = [];
        for (int i = 0; i < 12; i++)
        {
            // Along Dongfeng Street, 8 SLW and 4 FCW, in the last hour.
            seeded.Add(HttpApiTests.Event($"SEED-{i:D2}", now - 3_000_000 + (i * 60_000), i % 3 == 2 ? EventType.Fcw : EventType.Slw, (byte)(1 + (i % 3)), lat: 43.8440 + (i * 0.0003), lon: 125.2140 + (i * 0.0008)));
        }

        await _cloud.StoreWriter.WriteAsync(seeded, ct);

        using HeadlessChromium chromium = HeadlessChromium.StartOrSkip();
        chromium.WebDriver.Navigate().GoToUrl(_cloud.HttpAddress!);
        chromium.WaitUntil(() => chromium.Script<string>("return document.body.dataset.state") == "ready" && chromium.Number("return window.qzcc.markerCount()") == 12, "the 12 seeded events on the map");

        // The zone is drawn (lanes, crosswalks, intersections: well over a hundred shapes) and every event is on
        // screen, as a marker or inside a cluster's count.
        Assert.True(chromium.Number("return document.querySelectorAll('.leaflet-overlay-pane path').length") > 100, "the zone's lanes and crosswalks are drawn");
        chromium.WaitUntil(() => chromium.Number("return window.qzcc.renderedMarkers()") == 12, "12 markers rendered");
        Assert.Equal("8", chromium.WebDriver.FindElement(By.CssSelector("#types .count[data-type='SLW']")).Text);
        Assert.Equal("4", chromium.WebDriver.FindElement(By.CssSelector("#types .count[data-type='FCW']")).Text);

        // Filter out FCW: only the 8 SLW remain.
        chromium.WebDriver.FindElement(By.CssSelector("#types input[value='FCW']")).Click();
        chromium.WaitUntil(() => chromium.Number("return window.qzcc.markerCount()") == 8 && chromium.Script<string>("return document.body.dataset.state") == "ready", "8 markers once FCW is filtered out");
        Assert.DoesNotContain(chromium.Script<IReadOnlyCollection<object>>("return window.qzcc.markerIds()"), id => ((string)id).Length > 0 && seeded.Single(e => e.Id == (string)id).Type == EventType.Fcw);

        // Live mode: the page subscribes to the stream; an event stored now appears without a reload.
        TaskCompletionSource subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _cloud.Live.Subscribed += () => subscribed.TrySetResult();
        chromium.WebDriver.FindElement(By.Id("live")).Click();
        await subscribed.Task.WaitAsync(TimeSpan.FromSeconds(20), ct);
        chromium.WaitUntil(() => chromium.Number("return window.qzcc.live()") == 1 && chromium.Script<string>("return document.body.dataset.state") == "ready", "the live stream open");
        await _cloud.StoreWriter.WriteAsync([HttpApiTests.Event("LIVE-1", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), EventType.Slw, 3, lat: 43.8466, lon: 125.2215)], ct);
        chromium.WaitUntil(() => chromium.Number("return window.qzcc.markerCount()") == 9, "the live event on the map");
        Assert.NotEmpty(chromium.WebDriver.FindElements(By.CssSelector("#feed li[data-id='LIVE-1']")));

        // Its detail panel, from /api/events/{id}.
        chromium.WebDriver.FindElement(By.CssSelector("#feed li[data-id='LIVE-1']")).Click();
        chromium.WaitUntil(() => chromium.Script<string?>("return document.getElementById('detail-body').dataset.id") == "LIVE-1", "the detail panel of the live event");

        chromium.Screenshot("map-page");
        Assert.Empty(chromium.ConsoleErrors());
    }

    [Fact]
    public async Task The_table_view_pages_through_the_events_on_the_server()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        List<V2xEvent> seeded = [];
        for (int i = 0; i < 250; i++)
        {
            seeded.Add(HttpApiTests.Event($"T-{i:D3}", now - (i * 1000), EventType.Slw, 1));
        }

        await _cloud.StoreWriter.WriteAsync(seeded, ct);
        using HeadlessChromium chromium = HeadlessChromium.StartOrSkip();
        chromium.WebDriver.Navigate().GoToUrl(_cloud.HttpAddress!);
        chromium.WaitUntil(() => chromium.Script<string>("return document.body.dataset.state") == "ready", "the page loaded");
        chromium.WebDriver.FindElement(By.Id("tab-table")).Click();
        chromium.WaitUntil(() => chromium.WebDriver.FindElements(By.CssSelector("#events-table tbody tr")).Count == 100, "the first 100 rows");
        Assert.Equal("T-000", chromium.WebDriver.FindElement(By.CssSelector("#events-table tbody tr")).GetDomAttribute("data-id"));
        chromium.WebDriver.FindElement(By.Id("next")).Click();
        chromium.WebDriver.FindElement(By.Id("next")).Click();
        chromium.WaitUntil(() => chromium.WebDriver.FindElements(By.CssSelector("#events-table tbody tr")).Count == 50, "the last 50 rows on page 3");
        Assert.Equal("T-200", chromium.WebDriver.FindElement(By.CssSelector("#events-table tbody tr")).GetDomAttribute("data-id"));
        Assert.Contains("page 3 of 3", chromium.WebDriver.FindElement(By.Id("page-info")).Text, StringComparison.Ordinal);
        Assert.Empty(chromium.ConsoleErrors());
    }

    [Fact]
    public async Task The_exported_report_opens_from_disk_and_shows_the_events()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string store = Path.Combine(_dir.Path, "report", "events.db");
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using (Store.SqliteEventStore events = await Store.SqliteEventStore.OpenAsync(store, ct))
        {
            await events.WriteAsync([.. Enumerable.Range(0, 7).Select(i => HttpApiTests.Event($"R-{i}", now - (i * 60_000), i < 3 ? EventType.Rlvw : EventType.Vrucw, 2, lat: 43.8450 + (i * 0.0004), lon: 125.2170 + (i * 0.0009)))], ct);
        }

        // The real command line: qzcc map export, as a user runs it.
        string report = Path.Combine(_dir.Path, "report", "report.html");
        System.Diagnostics.ProcessStartInfo start = new(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in (string[])[Path.Combine(AppContext.BaseDirectory, "qzcc.dll"), "map", "export", "--store", store, "--out", report])
        {
            start.ArgumentList.Add(arg);
        }

        using (System.Diagnostics.Process export = System.Diagnostics.Process.Start(start)!)
        {
            Task<string> error = export.StandardError.ReadToEndAsync(ct);
            await export.StandardOutput.ReadToEndAsync(ct);
            await export.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(60), ct);
            Assert.True(export.ExitCode == 0, await error);
        }

        // Stop the server first: the report must not need it.
        await _cloud.StopAsync();
        using HeadlessChromium chromium = HeadlessChromium.StartOrSkip();
        chromium.WebDriver.Navigate().GoToUrl(new Uri(report).AbsoluteUri);
        chromium.WaitUntil(() => chromium.Script<string>("return document.body.dataset.state") == "ready" && chromium.Number("return window.qzcc.markerCount()") == 7, "the report's 7 events on the map");
        Assert.True(chromium.Number("return document.querySelectorAll('.leaflet-overlay-pane path').length") > 100, "the zone is drawn");
        chromium.WebDriver.FindElement(By.CssSelector("#types input[value='RLVW']")).Click();
        chromium.WaitUntil(() => chromium.Number("return window.qzcc.markerCount()") == 4, "4 VRUCW once RLVW is filtered out");
        chromium.Screenshot("report-from-disk");
        Assert.Empty(chromium.ConsoleErrors());
    }
}
