namespace Quantize.Cli.Commands;

/// <summary>Turns repeated and comma-separated <c>--exclude</c> values into one list, in the order given.</summary>
internal static class ExclusionList
{
    /// <summary>Splits every value on commas, trims, drops empty entries and duplicates.</summary>
    public static IReadOnlyList<string> Split(IEnumerable<string>? values) =>
        values is null
            ? []
            : values
                .SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                .Distinct(StringComparer.Ordinal)
                .ToList();
}
