using System.Globalization;
using System.Text;

namespace Quantize.Core.Evaluation;

/// <summary>
/// The text of a QNT0018 error: which model, which gate, its threshold, what was measured, on what data, and
/// the layers most worth keeping in float when sensitivity was analysed, so the user can act on it at once.
/// </summary>
public static class GateFailureMessage
{
    /// <summary>Layers listed in the message at most.</summary>
    public const int WorstLayers = 3;

    /// <summary>One message covering every failure in <paramref name="report"/>.</summary>
    public static string Format(QualityReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"'{report.ModelPath}' ({report.Precision}) does not meet its quality gates: ");
        text.AppendJoin("; ", report.Failures.Select(f => Describe(f, report)));
        text.Append('.');
        if (report.Evaluation is { } evaluation && report.Failures.Any(f => f.Output is not null))
        {
            text.Append(CultureInfo.InvariantCulture, $" Measured on {evaluation.DataSource}.");
        }

        return text.Append(WorstLayersAdvice(report)).ToString();
    }

    /// <summary>" Worst layers: a (MatMul, local error 0.1), …. Keeping them in float: &lt;Exclude&gt;a;…&lt;/Exclude&gt; …." when sensitivity was analysed, else "".</summary>
    public static string WorstLayersAdvice(QualityReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Layers.Count == 0)
        {
            return "";
        }

        var worst = report.Layers.Take(WorstLayers).ToList();
        var text = new StringBuilder(" Worst layers: ");
        text.AppendJoin(", ", worst.Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Node} ({l.OpType}, local error {l.LocalError:0.####})")));
        text.Append(". Keeping them in float: ").Append(Reporting.ExcludeSuggestion.Advice(worst.Select(l => l.Node))).Append('.');
        return text.ToString();
    }

    /// <summary>One failure: "MinCosine 0.995 not met by output 'y': cosine 0.9871".</summary>
    public static string Describe(GateFailure failure, QualityReport report)
    {
        ArgumentNullException.ThrowIfNull(failure);
        ArgumentNullException.ThrowIfNull(report);
        var on = failure.Output is null ? "" : $" by output '{failure.Output}'";
        var (threshold, measured) = (Text(failure.Threshold), Distinct(failure.Measured, failure.Threshold));
        return failure.Metric switch
        {
            GateChecker.MinSpeedup when report.Speed is { } speed => Invariant(
                $"MinSpeedup {threshold} not met: speedup {measured}x (float {speed.FloatMedianMs:0.###} ms, quantized {speed.QuantizedMedianMs:0.###} ms, median of {speed.Runs} interleaved runs each)"),
            GateChecker.MaxTop1Drop => Invariant($"MaxTop1Drop {threshold} not met{on}: top-1 drop {measured} (agreement {1 - failure.Measured:0.####})"),
            GateChecker.MinSqnr => $"MinSqnr {threshold} dB not met{on}: SQNR {measured} dB",
            GateChecker.MinCosine => $"MinCosine {threshold} not met{on}: cosine {measured}",
            CollapseGuard.Metric => $"collapse guard ({threshold}) not met{on}: cosine {measured}",
            _ => $"{failure.Metric} {threshold} not met{on}: measured {measured}",
        };
    }

    /// <summary>A threshold as the user wrote it (shortest round-trip form).</summary>
    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A measurement with 4 significant digits, or as many more as it takes to stay on its side of the
    /// threshold in print: "MinCosine 0.99999999 not met: cosine 1" would read as nonsense.
    /// </summary>
    private static string Distinct(double measured, double threshold)
    {
        if (!double.IsFinite(measured))
        {
            return Text(measured);
        }

        for (int digits = 4; digits < 17; digits++)
        {
            var text = measured.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (double.Parse(text, CultureInfo.InvariantCulture).CompareTo(threshold) == measured.CompareTo(threshold))
            {
                return text;
            }
        }

        return measured.ToString("R", CultureInfo.InvariantCulture);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
