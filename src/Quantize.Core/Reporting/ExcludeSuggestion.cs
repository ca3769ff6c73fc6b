using System.Text;

namespace Quantize.Core.Reporting;

/// <summary>
/// The nodes returned to FP32 as a ready-to-paste <c>Exclude="..."</c> attribute for the QuantizedModel
/// item, so a project can pin the mix that was found instead of searching again on every clean build.
/// </summary>
/// <param name="Attribute">The attribute text, or null when no node went back to FP32 or none can be written.</param>
/// <param name="Unlisted">FP32 nodes whose names the Exclude syntax cannot express (they contain <c>;</c> or <c>,</c>, or start or end with white space).</param>
internal sealed record ExcludeSuggestion(string? Attribute, IReadOnlyList<string> Unlisted)
{
    public static ExcludeSuggestion From(IEnumerable<KeyValuePair<string, string>> fallbacks)
    {
        var names = fallbacks
            .Where(f => string.Equals(f.Value, "FP32", StringComparison.OrdinalIgnoreCase))
            .Select(f => f.Key)
            .Distinct(StringComparer.Ordinal)
            .ToList();

        // Exclude is split on ';' and ',' and its entries are trimmed: such names cannot round-trip.
        var unlisted = names.Where(n => n.Length == 0 || n.AsSpan().IndexOfAny(";,") >= 0 || n.Trim().Length != n.Length).ToList();
        var listed = names.Except(unlisted, StringComparer.Ordinal).ToList();
        var attribute = listed.Count == 0 ? null : $"Exclude=\"{string.Join(";", listed.Select(EscapeForMsBuildAttribute))}\"";
        return new ExcludeSuggestion(attribute, unlisted);
    }

    /// <summary>
    /// MSBuild expands <c>$(...)</c>, <c>@(...)</c> and <c>%(...)</c> and un-escapes <c>%XX</c> in item
    /// metadata, so those characters are written %-escaped; then the value is escaped for an XML attribute.
    /// </summary>
    private static string EscapeForMsBuildAttribute(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        foreach (char c in name)
        {
            builder.Append(c switch
            {
                '%' => "%25",
                '$' => "%24",
                '@' => "%40",
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }
}
