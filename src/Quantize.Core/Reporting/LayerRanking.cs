using Quantize.Core.Evaluation;

namespace Quantize.Core.Reporting;

/// <summary>
/// Orders layers for the chart and the Markdown table: largest local error first, unmeasurable (NaN)
/// errors last, ties in the order the sensitivity analysis listed them (a stable sort, so the report is
/// deterministic).
/// </summary>
internal static class LayerRanking
{
    public static IReadOnlyList<LayerSensitivity> ByLocalError(IEnumerable<LayerSensitivity> layers) =>
        layers
            .Select((layer, index) => (layer, index))
            .OrderBy(x => double.IsNaN(x.layer.LocalError) ? 1 : 0)
            .ThenByDescending(x => double.IsNaN(x.layer.LocalError) ? 0 : x.layer.LocalError)
            .ThenBy(x => x.index)
            .Select(x => x.layer)
            .ToList();
}
