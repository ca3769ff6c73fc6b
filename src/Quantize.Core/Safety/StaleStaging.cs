using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Quantize.Core.Safety;

/// <summary>
/// Names the engine's staging folders after the process that owns them
/// (<c>.quantize-staging-&lt;pid&gt;@&lt;host&gt;-&lt;guid&gt;</c>), and removes those a dead process left behind: a kill,
/// Ctrl+C or timeout skips every <c>finally</c>. The next run that stages in the same folder removes a leftover of
/// this machine whose owner process is gone; one of another machine (a cache folder on a network share) or without
/// an owner in its name only once it is older than <see cref="ForeignAge"/>, since its owner cannot be asked.
/// </summary>
public static partial class StaleStaging
{
    /// <summary>A leftover of another machine, or without an owner in its name, is removed once it is this old.</summary>
    public static readonly TimeSpan ForeignAge = TimeSpan.FromDays(1);

    /// <summary>
    /// The prefixes of everything the engine stages (folders beside outputs, folders in the temp folder);
    /// <c>.quantize-check-</c> is what versions before the one staging folder left.
    /// </summary>
    private static readonly string[] Prefixes = [".quantize-staging-", ".quantize-check-", "quantize-preprocess-"];

    /// <summary>Length of a GUID in the "N" format that ends every name.</summary>
    private const int GuidLength = 32;

    /// <summary>A new staging name with <paramref name="prefix"/> (one of the engine's), owned by this process.</summary>
    public static string NewName(string prefix) => prefix + OwnerTag();

    /// <summary>A unique <c>&lt;pid&gt;@&lt;host&gt;-&lt;guid&gt;</c> tag naming this process as the owner, for temporary files (<c>&lt;stem&gt;.&lt;tag&gt;.tmp</c>).</summary>
    public static string OwnerTag() =>
        string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}@{Environment.MachineName}-{Guid.NewGuid():N}");

    /// <summary>
    /// Removes temporary files named <c>&lt;stem&gt;.&lt;owner tag&gt;.tmp</c> (and their <c>.tmp.data</c>) in
    /// <paramref name="folder"/> whose owner is gone, by the same rules as staging folders; never fails the caller.
    /// </summary>
    public static void SweepTemporaryFiles(string folder)
    {
        var now = DateTime.UtcNow;
        try
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*.tmp*"))
            {
                var match = OwnedTemporaryFile().Match(Path.GetFileName(file));
                if (match.Success && IsStaleOwner(match.Groups["owner"].Value, File.GetLastWriteTimeUtc(file), now))
                {
                    File.Delete(file);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort, as for folders.
        }
    }

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

        return IsStaleOwner(name[prefix.Length..], written, now);
    }

    /// <summary>True when the owner tag <paramref name="tag"/> (<c>&lt;pid&gt;@&lt;host&gt;-&lt;guid&gt;</c>) names nobody alive.</summary>
    internal static bool IsStaleOwner(string tag, DateTime written, DateTime now)
    {
        var owner = tag.Length > GuidLength + 1 && tag[^(GuidLength + 1)] == '-' ? tag[..^(GuidLength + 1)] : "";
        int at = owner.IndexOf('@', StringComparison.Ordinal);
        if (at < 0 || !int.TryParse(owner[..at], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            || !string.Equals(owner[(at + 1)..], Environment.MachineName, StringComparison.OrdinalIgnoreCase))
        {
            return now - written > ForeignAge;
        }

        return pid != Environment.ProcessId && !IsAlive(pid);
    }

    [GeneratedRegex(@"\.(?<owner>\d+@.+-[0-9a-f]{32})\.tmp(\.data)?$", RegexOptions.CultureInvariant)]
    private static partial Regex OwnedTemporaryFile();

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
