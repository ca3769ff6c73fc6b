using System.Diagnostics;

namespace Quantize.Testing;

/// <summary>
/// Debian packages the tests need (headless Chromium, nginx): when a package's program is missing, the first use
/// installs it with apt-get (the tests run as root on Debian 12), one installer at a time across test processes by
/// a lock file. A machine that cannot install it fails the test with the reason: never a silent skip.
/// </summary>
public static class DebianPackages
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(20);

    /// <summary>
    /// Returns <paramref name="executable"/>, installing <paramref name="package"/> first when it is missing, and how
    /// long installing took (null when nothing was installed). <paramref name="purpose"/> starts the failure message;
    /// <paramref name="overrideVariable"/> names the variable that points the tests at another copy.
    /// </summary>
    public static (string Path, TimeSpan? Installed) EnsureInstalled(string package, string executable, string purpose, string overrideVariable)
    {
        if (File.Exists(executable))
        {
            return (executable, null);
        }

        // One installer at a time across test processes: apt-get refuses to run twice, and the loser would fail.
        var lockPath = Path.Combine(Path.GetTempPath(), "quantize-apt-install.lock");
        using var installLock = AcquireLock(lockPath, InstallTimeout);
        if (File.Exists(executable))
        {
            return (executable, null);
        }

        var clock = Stopwatch.StartNew();
        Install(package, purpose, overrideVariable);
        return File.Exists(executable)
            ? (executable, clock.Elapsed)
            : throw new InvalidOperationException($"apt-get installed {package} but {executable} does not exist.");
    }

    private static void Install(string package, string purpose, string overrideVariable)
    {
        var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        // Wait for another apt/dpkg user (an unattended upgrade, another agent) instead of failing at once.
        string[] install = ["install", "-y", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=600", package];
        var first = TryApt(install, environment);
        if (first is null)
        {
            return;
        }

        // A fresh container has empty or stale package lists: refresh them once and try again.
        var update = TryApt(["update", "-o", "DPkg::Lock::Timeout=600"], environment);
        var second = update is null ? TryApt(install, environment) : null;
        if (update is not null || second is not null)
        {
            throw new InvalidOperationException(
                $"{purpose} (Debian's '{package}' package) and could not install it with apt-get. " +
                $"Install it (apt-get install --no-install-recommends {package}) or set {overrideVariable}.\n" +
                $"First attempt: {first}\nRetry after apt-get update: {update ?? second}");
        }
    }

    /// <summary>Runs apt-get; returns null on success, else what went wrong.</summary>
    private static string? TryApt(string[] arguments, IReadOnlyDictionary<string, string> environment)
    {
        try
        {
            var (exitCode, _, stderr) = ChildProcess.Run("apt-get", arguments, InstallTimeout, environment);
            return exitCode == 0 ? null : $"'apt-get {string.Join(' ', arguments)}' exited with {exitCode}: {stderr.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"apt-get could not be started ({e.Message}); this needs a Debian-based machine.";
        }
        catch (TimeoutException e)
        {
            return e.Message;
        }
    }

    private static FileStream AcquireLock(string path, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (clock.Elapsed < timeout)
            {
                Thread.Sleep(500);
            }
        }
    }
}
