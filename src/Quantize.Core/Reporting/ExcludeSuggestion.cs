using System.Text;

namespace Quantize.Core.Reporting;

/// <summary>
/// The nodes returned to FP32 as a ready-to-paste <c>&lt;Exclude&gt;…&lt;/Exclude&gt;</c> child element for the
/// QuantizedModel item, so a project can pin the mix that was found instead of searching again on every clean build.
/// An element, never an attribute: on an item, <c>Exclude="…"</c> is MSBuild's own file-exclusion attribute, which
/// would silently drop the names instead of passing them to the quantizer.
/// </summary>
/// <param name="Element">The element text, or null when no node went back to FP32 or none can be written.</param>
/// <param name="Unlisted">FP32 nodes whose names the Exclude syntax cannot express (they contain <c>;</c> or <c>,</c>, or start or end with white space).</param>
internal sealed record ExcludeSuggestion(string? Element, IReadOnlyList<string> Unlisted)
{
    public static ExcludeSuggestion From(IEnumerable<KeyValuePair<string, string>> fallbacks) =>
        For(fallbacks.Where(f => string.Equals(f.Value, "FP32", StringComparison.OrdinalIgnoreCase)).Select(f => f.Key));

    /// <summary>The suggestion that keeps <paramref name="nodes"/> in float.</summary>
    public static ExcludeSuggestion For(IEnumerable<string> nodes)
    {
        var names = nodes.Distinct(StringComparer.Ordinal).ToList();

        // Exclude is split on ';' and ',' and its entries are trimmed: such names cannot round-trip.
        var unlisted = names.Where(n => n.Length == 0 || n.AsSpan().IndexOfAny(";,") >= 0 || n.Trim().Length != n.Length).ToList();
        var listed = names.Except(unlisted, StringComparer.Ordinal).ToList();
        var element = listed.Count == 0 ? null : $"<Exclude>{string.Join(";", listed.Select(EscapeForMsBuildElement))}</Exclude>";
        return new ExcludeSuggestion(element, unlisted);
    }

    /// <summary>
    /// The advice in a message that both a project and a command line may act on:
    /// <c>&lt;Exclude&gt;a;b&lt;/Exclude&gt; in the QuantizedModel item (command line: --exclude "a;b")</c>.
    /// </summary>
    public static string Advice(IEnumerable<string> nodes)
    {
        var names = nodes.ToList();
        var suggestion = For(names);
        var cli = $"--exclude \"{string.Join(";", names.Except(suggestion.Unlisted, StringComparer.Ordinal))}\"";
        return suggestion.Element is { } element
            ? $"{element} in the QuantizedModel item (command line: {cli})"
            : "no Exclude can name them (their names contain ';' or ',' or surrounding spaces)";
    }

    /// <summary>
    /// MSBuild expands <c>$(...)</c>, <c>@(...)</c> and <c>%(...)</c> and un-escapes <c>%XX</c> in item
    /// metadata, so those characters are written %-escaped; then the value is escaped for XML element text.
    /// </summary>
    private static string EscapeForMsBuildElement(string name)
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
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }
}
