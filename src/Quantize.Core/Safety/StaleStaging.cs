using System.Diagnostics;
using System.Globalization;

namespace Quantize.Core.Safety;

/// <summary>
/// Names the engine's staging folders and temporary files after the process that owns them
/// (<c>.quantize-staging-&lt;pid&gt;-&lt;guid&gt;</c>), and removes those a dead process left behind: a kill, Ctrl+C or
/// timeout skips every <c>finally</c>. A leftover is removed by the next run that stages in the same folder once
/// its owner process is gone and it is older than <see cref="MinimumAge"/> (so a process that just started, whose
/// PID another may briefly share, is never touched); one without an owner in its name after <see cref="UnownedAge"/>.
/// </summary>
public static class StaleStaging
{
    /// <summary>A leftover whose owner is gone is removed once it is this old.</summary>
    public static readonly TimeSpan MinimumAge = TimeSpan.FromMinutes(10);

    /// <summary>A leftover without an owner PID (written by an older version) is removed once it is this old.</summary>
    public static readonly TimeSpan UnownedAge = TimeSpan.FromDays(1);

    /// <summary>The prefixes of everything the engine stages (folders beside outputs, folders in the temp folder).</summary>
    private static readonly string[] Prefixes = [".quantize-staging-", ".quantize-check-", "quantize-preprocess-"];

    /// <summary>A new staging name with <paramref name="prefix"/> (one of the engine's), owned by this process.</summary>
    public static string NewName(string prefix) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}{Environment.ProcessId}-{Guid.NewGuid():N}");

    /// <summary>Removes leftovers of dead processes in <paramref name="folder"/>; never fails the run that calls it.</summary>
    public static void Sweep(string folder) => Sweep(folder, DateTime.UtcNow);

    /// <summary>As <see cref="Sweep(string)"/>, with the current time given (tests).</summary>
    internal static void Sweep(string folder, DateTime now)
    {
        try
        {
            foreach (var entry in Directory.EnumerateDirectories(folder, "*quantize-*"))
            {
                if (IsStale(Path.GetFileName(entry), Directory.GetLastWriteTimeUtc(entry), now))
                {
                    Directory.Delete(entry, recursive: true);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a folder we cannot list or a leftover we cannot delete must not fail a quantization.
        }
    }

    /// <summary>True when a staging entry named <paramref name="name"/>, last written at <paramref name="written"/>, belongs to nobody alive.</summary>
    internal static bool IsStale(string name, DateTime written, DateTime now)
    {
        var prefix = Prefixes.FirstOrDefault(p => name.StartsWith(p, StringComparison.Ordinal));
        if (prefix is null)
        {
            return false;
        }

        var rest = name[prefix.Length..];
        int dash = rest.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0 || !int.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
        {
            return now - written > UnownedAge;
        }

        return now - written > MinimumAge && pid != Environment.ProcessId && !IsAlive(pid);
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
