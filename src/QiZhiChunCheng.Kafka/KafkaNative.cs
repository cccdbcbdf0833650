using System.Reflection;
using System.Runtime.InteropServices;

namespace QiZhiChunCheng.Kafka;

/// <summary>
/// The librdkafka calls Confluent.Kafka does not wrap (the mock cluster), bound to the very file Confluent.Kafka
/// loaded. Two copies of librdkafka in one process would each have their own globals; a mock cluster made by one
/// copy still answers the other's clients over loopback, but that is luck, not design.
/// <para>
/// How the file is found, as seen with Confluent.Kafka 2.16 on Debian: librdkafka.redist ships three Linux x64
/// builds in <c>runtimes/linux-x64/native/</c>; the plain <c>librdkafka.so</c> needs <c>libsasl2.so.3</c>, which
/// Debian does not have, so Confluent.Kafka's own fallback loads <c>centos8-librdkafka.so</c>.
/// <c>Confluent.Kafka.Library.Load(path)</c> cannot be used to pin a file instead: on Linux it calls <c>dlopen</c>
/// through a P/Invoke of "libdl", and Debian ships only <c>libdl.so.2</c>, so it throws DllNotFoundException. So this
/// class lets Confluent.Kafka load first (asking its version does), reads the path of the librdkafka file mapped
/// into the process from <c>/proc/self/maps</c>, and loads that path: the dynamic loader hands back the same handle.
/// Where there is no <c>/proc</c> (Windows, macOS) it loads the first of the package's files found next to the app.
/// </para>
/// Thread-safe; loads once per process.
/// </summary>
internal static partial class KafkaNative
{
    private const string Library = "librdkafka";
    private static readonly Lazy<IntPtr> Handle = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

#pragma warning disable CA1810 // the resolver must be registered before the first P/Invoke of this class runs
    static KafkaNative()
    {
        NativeLibrary.SetDllImportResolver(typeof(KafkaNative).Assembly, Resolve);
    }
#pragma warning restore CA1810

    /// <summary>The file both Confluent.Kafka and this class use; null before <see cref="EnsureLoaded"/>.</summary>
    public static string? LoadedPath { get; private set; }

    public static void EnsureLoaded() => _ = Handle.Value;

    /// <summary>The librdkafka files mapped into this process, from /proc/self/maps; empty where there is no /proc.</summary>
    public static IReadOnlyList<string> MappedLibrdkafkaFiles()
    {
        const string Maps = "/proc/self/maps";
        if (!File.Exists(Maps))
        {
            return [];
        }

        SortedSet<string> files = new(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(Maps))
        {
            int slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                continue;
            }

            string path = line[slash..];
            if (Path.GetFileName(path).Contains("rdkafka", StringComparison.Ordinal))
            {
                files.Add(path);
            }
        }

        return [.. files];
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == Library ? Handle.Value : IntPtr.Zero;

    private static IntPtr Load()
    {
        // Confluent.Kafka picks and loads its build on first use; asking its version is such a use.
        _ = Confluent.Kafka.Library.Version;
        IReadOnlyList<string> mapped = MappedLibrdkafkaFiles();
        if (mapped.Count == 1)
        {
            LoadedPath = mapped[0];
            return NativeLibrary.Load(mapped[0]);
        }

        if (mapped.Count > 1)
        {
            throw new InvalidOperationException($"more than one librdkafka is loaded in this process: {string.Join(", ", mapped)}");
        }

        foreach (string candidate in Candidates())
        {
            if (NativeLibrary.TryLoad(candidate, out IntPtr handle))
            {
                LoadedPath = candidate;
                return handle;
            }
        }

        throw new DllNotFoundException($"librdkafka was not found under {AppContext.BaseDirectory}runtimes/");
    }

    private static IEnumerable<string> Candidates()
    {
        string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        string[] names = OperatingSystem.IsWindows() ? ["librdkafka.dll"]
            : OperatingSystem.IsMacOS() ? ["librdkafka.dylib"]
            : ["centos8-librdkafka.so", "librdkafka.so"];
        foreach (string name in names)
        {
            yield return Path.Combine(AppContext.BaseDirectory, "runtimes", $"{os}-{arch}", "native", name);
            yield return Path.Combine(AppContext.BaseDirectory, name); // a RID-specific publish puts natives next to the app
        }
    }

    // librdkafka's C API (rdkafka.h, rdkafka_mock.h). Errors are rd_kafka_resp_err_t (0 = no error).
    [LibraryImport(Library)]
    internal static partial IntPtr rd_kafka_conf_new();

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, byte[] errstr, nuint errstrSize);

    [LibraryImport(Library)]
    internal static partial IntPtr rd_kafka_new(int type, IntPtr conf, byte[] errstr, nuint errstrSize);

    [LibraryImport(Library)]
    internal static partial void rd_kafka_destroy(IntPtr rk);

    [LibraryImport(Library)]
    internal static partial IntPtr rd_kafka_err2str(int err);

    [LibraryImport(Library)]
    internal static partial IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokers);

    [LibraryImport(Library)]
    internal static partial IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr mcluster);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_topic_create(IntPtr mcluster, string topic, int partitions, int replicationFactor);

    [LibraryImport(Library)]
    internal static partial int rd_kafka_mock_broker_set_down(IntPtr mcluster, int brokerId);

    [LibraryImport(Library)]
    internal static partial int rd_kafka_mock_broker_set_up(IntPtr mcluster, int brokerId);

    [LibraryImport(Library)]
    internal static partial void rd_kafka_mock_group_initial_rebalance_delay_ms(IntPtr mcluster, int delayMs);

    [LibraryImport(Library)]
    internal static partial void rd_kafka_mock_cluster_destroy(IntPtr mcluster);

    internal static string ErrorText(int err) => Marshal.PtrToStringUTF8(rd_kafka_err2str(err)) ?? $"error {err}";
}
