using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace QiZhiChunCheng.Cloud.Tests.Browser;

/// <summary>
/// Debian's chromium, headless, driven by its chromium-driver through Selenium WebDriver. Skips the test when the
/// two are not installed, and fails it instead when the environment variable <c>CI</c> is set (`.ci/run` installs
/// them). Started with the flags that keep it off the network (this machine's network is closed) and a fresh
/// profile; the browser's console is recorded so that tests can require it free of errors.
/// </summary>
public sealed class HeadlessChromium : IDisposable
{
    public const string Browser = "/usr/bin/chromium";
    public const string Driver = "/usr/bin/chromedriver";

    private readonly string _profile = Directory.CreateTempSubdirectory("qzcc-chromium-").FullName;

    private HeadlessChromium()
    {
        ChromeOptions options = new() { BinaryLocation = Browser };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1400,900", $"--user-data-dir={_profile}");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        ChromeDriverService service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        WebDriver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    public ChromeDriver WebDriver { get; }

    /// <summary>Starts the browser, or skips the test (fails it under CI) when Chromium or its driver is missing.</summary>
    public static HeadlessChromium StartOrSkip()
    {
        if (!File.Exists(Browser) || !File.Exists(Driver))
        {
            string reason = $"needs Debian's chromium and chromium-driver ({Browser}, {Driver}): apt-get install chromium chromium-driver";
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
            {
                Assert.Fail($"CI is set and the browser test cannot run: it {reason}");
            }

            Assert.Skip($"This test {reason}");
        }

        return new HeadlessChromium();
    }

    /// <summary>Waits until <paramref name="condition"/> holds (polled every 100 ms), failing with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public void WaitUntil(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        WebDriverWait wait = new(WebDriver, timeout ?? TimeSpan.FromSeconds(20)) { PollingInterval = TimeSpan.FromMilliseconds(100), Message = what };
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException));
        wait.Until(_ => condition());
    }

    public T Script<T>(string script) => (T)WebDriver.ExecuteScript(script)!;

    public long Number(string script) => Convert.ToInt64(WebDriver.ExecuteScript(script), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The console messages logged as errors (SEVERE) since the last call.</summary>
    public IReadOnlyList<string> ConsoleErrors() =>
        [.. WebDriver.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level == LogLevel.Severe).Select(e => e.Message)];

    /// <summary>Saves a screenshot under the repository's <c>artifacts/browser/</c> (ignored by git) and returns its path.</summary>
    public string Screenshot(string name)
    {
        string folder = Path.Combine(ArtifactsFolder(), "browser");
        Directory.CreateDirectory(folder);
        string file = Path.Combine(folder, name + ".png");
        WebDriver.GetScreenshot().SaveAsFile(file);
        return file;
    }

    public void Dispose()
    {
        WebDriver.Quit();
        WebDriver.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // The browser's last writes to its profile; the temp folder is cleaned by the system.
        }
    }

    private static string ArtifactsFolder()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "QiZhiChunCheng.sln")))
            {
                return Path.Combine(d.FullName, "artifacts");
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "artifacts");
    }
}
