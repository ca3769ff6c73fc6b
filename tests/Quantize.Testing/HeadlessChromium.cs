using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Quantize.Testing;

/// <summary>
/// Renders a local HTML file in headless Chromium and returns what the browser made of it: the DOM after
/// load, the messages the page wrote to the console (script errors, invalid SVG attributes...) and every
/// network request the page started. Uses Debian's <c>chromium</c> package, installed on first use
/// (<see cref="DebianPackages"/>).
/// </summary>
public static partial class HeadlessChromium
{
    private const string Package = "chromium";
    private const string DefaultExecutable = "/usr/bin/chromium";
    private static readonly Lazy<string> Executable = new(FindOrInstall);

    /// <summary>The browser used: <c>QUANTIZE_CHROMIUM</c> when set, else Debian's <c>/usr/bin/chromium</c> (installed on first use).</summary>
    public static string ExecutablePath => Executable.Value;

    /// <summary>How long this process spent installing the package; null when it was already there.</summary>
    public static TimeSpan? InstallDuration { get; private set; }

    /// <summary>
    /// Loads <paramref name="htmlPath"/> with <c>--dump-dom</c>, killing the browser when it takes longer than
    /// <paramref name="timeout"/>. Throws when the browser fails or times out.
    /// </summary>
    public static ChromiumPage Render(string htmlPath, TimeSpan timeout)
    {
        var executable = ExecutablePath;
        var profile = Path.Combine(Path.GetTempPath(), "quantize-chromium-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(profile);
        var netLog = Path.Combine(profile, "netlog.json");
        try
        {
            string[] arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                // No first-run UI, crash reporter, extensions or background fetches: only the page's own work.
                "--no-first-run", "--no-default-browser-check", "--disable-breakpad", "--disable-crash-reporter",
                "--disable-extensions", "--disable-component-update", "--disable-background-networking",
                "--disable-sync", "--disable-default-apps", "--mute-audio",
                // A private profile per run: two test processes sharing one would block on its lock.
                "--user-data-dir=" + profile,
                // Console messages go to stderr as INFO:CONSOLE lines; network requests to the net log.
                "--enable-logging=stderr", "--v=0", "--log-net-log=" + netLog,
                "--dump-dom", new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri,
            ];
            var clock = Stopwatch.StartNew();
            var (exitCode, stdout, stderr) = ChildProcess.Run(executable, arguments, timeout, environment: null);
            clock.Stop();
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"{executable} exited with {exitCode} rendering {htmlPath}:\n{stderr}");
            }

            var console = stderr.Split('\n').Select(l => ConsoleLine().Match(l)).Where(m => m.Success).Select(m => m.Groups["message"].Value.Trim()).ToList();
            return new ChromiumPage(stdout, console, PageRequests(netLog), clock.Elapsed, stderr);
        }
        finally
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                // A browser helper may still be closing files; the temp folder is cleaned eventually.
            }
        }
    }

    /// <summary>
    /// Requests made on behalf of the page: their network isolation key is the page's own <c>file://</c>
    /// origin. Chromium's background services (update checks, account lookups) use other keys and are not the
    /// report's doing.
    /// </summary>
    private static List<string> PageRequests(string netLog)
    {
        if (!File.Exists(netLog))
        {
            throw new InvalidOperationException($"Chromium wrote no net log at {netLog}; cannot tell which resources the page loaded.");
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(netLog));
        var requests = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entry in document.RootElement.GetProperty("events").EnumerateArray())
        {
            if (entry.TryGetProperty("params", out var parameters) && parameters.ValueKind == JsonValueKind.Object &&
                parameters.TryGetProperty("url", out var url) &&
                parameters.TryGetProperty("network_isolation_key", out var key) &&
                key.GetString() is { } isolation && isolation.StartsWith("file://", StringComparison.Ordinal))
            {
                requests.Add(url.GetString() ?? string.Empty);
            }
        }

        return [.. requests];
    }

    private static string FindOrInstall()
    {
        if (Environment.GetEnvironmentVariable("QUANTIZE_CHROMIUM") is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"QUANTIZE_CHROMIUM names {configured}, which does not exist.");
        }

        var (path, took) = DebianPackages.EnsureInstalled(Package, DefaultExecutable, "The HTML report tests need headless Chromium", "QUANTIZE_CHROMIUM");
        InstallDuration = took;
        return path;
    }

    [GeneratedRegex(@":CONSOLE[^\]]*\]\s*(?<message>.*)$")]
    private static partial Regex ConsoleLine();
}

/// <summary>What headless Chromium made of a page.</summary>
/// <param name="Dom">The serialized DOM after load (<c>--dump-dom</c>).</param>
/// <param name="ConsoleMessages">Everything the page wrote to the console, errors included; a static report should write nothing.</param>
/// <param name="NetworkRequests">URLs the page asked the network for (images, style sheets, fonts, scripts); a self-contained report asks for none.</param>
/// <param name="Elapsed">Wall-clock time of the browser run.</param>
/// <param name="BrowserLog">The browser's whole stderr, for failure messages.</param>
public sealed record ChromiumPage(string Dom, IReadOnlyList<string> ConsoleMessages, IReadOnlyList<string> NetworkRequests, TimeSpan Elapsed, string BrowserLog);
