using System.Globalization;

namespace Quantize.Cli.Output;

/// <summary>Human-readable byte counts, elements and durations (invariant culture: logs are compared across machines).</summary>
internal static class Sizes
{
    /// <summary>1536 → "1.5 KiB".</summary>
    public static string Bytes(long bytes) => Quantize.Core.Reporting.ByteUnits.Format(bytes);

    /// <summary>22713216 → "22.7M".</summary>
    public static string Count(long count) => count switch
    {
        >= 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{count / 1e9:0.0}G"),
        >= 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{count / 1e6:0.0}M"),
        >= 10_000 => string.Create(CultureInfo.InvariantCulture, $"{count / 1e3:0.0}k"),
        _ => count.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>"0.42 s", "12.3 s", "2 min 05 s".</summary>
    public static string Duration(TimeSpan elapsed) => elapsed.TotalSeconds switch
    {
        < 10 => string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:0.00} s"),
        < 120 => string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:0.0} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)elapsed.TotalMinutes} min {elapsed.Seconds:00} s"),
    };
}
