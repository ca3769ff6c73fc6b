using System.Globalization;

namespace Quantize.Core.Reporting;

/// <summary>
/// How the report and the summary line print numbers: invariant culture and fixed formats, so the same
/// measurements give the same bytes on every machine and in every locale.
/// </summary>
internal static class ReportNumbers
{
    /// <summary>1536 → "1.5 KiB".</summary>
    public static string Bytes(long bytes) => ByteUnits.Format(bytes);

    /// <summary>90405214 → "90,405,214".</summary>
    public static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>Quantized size over float size ("0.25x"), or null when the float size is unknown.</summary>
    public static string? SizeRatio(long before, long after)
    {
        if (before <= 0)
        {
            return null;
        }

        double ratio = (double)after / before;
        return ratio < 0.1 ? Invariant($"{ratio:0.000}x") : Invariant($"{ratio:0.00}x");
    }

    /// <summary>
    /// Cosine similarity: four decimals, or six when it is within 1e-4 of 1, where four would print a
    /// misleading "1.0000" for a model that does differ.
    /// </summary>
    public static string Cosine(double cosine) => cosine switch
    {
        double.NaN => "NaN",
        >= 0.9999 and < 1 => Invariant($"{cosine:0.000000}"),
        _ => Invariant($"{cosine:0.0000}"),
    };

    /// <summary>SQNR in dB with one decimal; identical outputs have infinite SQNR.</summary>
    public static string Decibels(double db) => double.IsFinite(db) ? Invariant($"{db:0.0} dB") : Special(db);

    /// <summary>An error magnitude (max abs, relative L2, local error) with three significant digits.</summary>
    public static string Error(double value) => double.IsFinite(value) ? value.ToString("G3", CultureInfo.InvariantCulture) : Special(value);

    /// <summary>A fraction as a percentage with one decimal (0.984 → "98.4%").</summary>
    public static string Percent(double fraction) => double.IsFinite(fraction) ? Invariant($"{fraction * 100:0.0}%") : Special(fraction);

    /// <summary>Milliseconds: two decimals below 100 ms, one above.</summary>
    public static string Milliseconds(double ms) => !double.IsFinite(ms) ? Special(ms) : ms < 100 ? Invariant($"{ms:0.00} ms") : Invariant($"{ms:0.0} ms");

    /// <summary>A speedup or other factor ("2.31x").</summary>
    public static string Factor(double factor) => double.IsFinite(factor) ? Invariant($"{factor:0.00}x") : Special(factor);

    /// <summary>A change with its sign and three significant digits ("+0.0123", "−4.5E-05").</summary>
    public static string Signed(double value) => !double.IsFinite(value) ? Special(value) : value < 0
        ? "−" + (-value).ToString("G3", CultureInfo.InvariantCulture)
        : "+" + value.ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>A gate threshold as the user would write it: shortest round-trip form ("0.995", "1.2").</summary>
    public static string Threshold(double value) => double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : Special(value);

    private static string Special(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "∞" : "−∞";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
