using System.Globalization;

namespace Quantize.Core.Passes.Int4;

/// <summary>Counts why nodes were left alone, per op type, and writes one line per op type into the result.</summary>
internal sealed class SkipLog
{
    private readonly SortedDictionary<string, SortedDictionary<string, int>> _reasons = new(StringComparer.Ordinal);

    /// <summary>Records one <paramref name="opType"/> node left alone because <paramref name="reason"/>.</summary>
    public void Add(string opType, string reason)
    {
        if (!_reasons.TryGetValue(opType, out var counts))
        {
            _reasons[opType] = counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        }

        counts.TryGetValue(reason, out var n);
        counts[reason] = n + 1;
    }

    /// <summary>Writes e.g. "MatMul → 2 left in float: K is smaller than the block size 32 (2)".</summary>
    public void WriteTo(QuantizeResult result)
    {
        foreach (var (opType, counts) in _reasons)
        {
            int total = counts.Values.Sum();
            var reasons = string.Join("; ", counts.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} ({c.Value})")));
            result.Skipped[opType] = string.Create(CultureInfo.InvariantCulture, $"{total} left in float: {reasons}");
        }
    }
}
