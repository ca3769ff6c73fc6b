using System.Globalization;

namespace Quantize.Core.Reporting;

/// <summary>Byte counts as people read them, one spelling for the CLI, the build log and the report.</summary>
public static class ByteUnits
{
    /// <summary>1536 → "1.5 KiB" (binary units, invariant culture: logs are compared across machines).</summary>
    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = 0;
        while (Math.Abs(value) >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }
}
