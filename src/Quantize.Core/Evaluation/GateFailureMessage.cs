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

        if (report.Layers.Count > 0)
        {
            var worst = report.Layers.Take(WorstLayers).ToList();
            text.Append(" Worst layers: ");
            text.AppendJoin(", ", worst.Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Node} ({l.OpType}, local error {l.LocalError:0.####})")));
            text.Append(CultureInfo.InvariantCulture, $". Keeping them in float: Exclude=\"{string.Join(";", worst.Select(l => l.Node))}\".");
        }

        return text.ToString();
    }

    /// <summary>One failure: "MinCosine 0.995 not met by output 'y': cosine 0.9871".</summary>
    public static string Describe(GateFailure failure, QualityReport report)
    {
        ArgumentNullException.ThrowIfNull(failure);
        ArgumentNullException.ThrowIfNull(report);
        var on = failure.Output is null ? "" : $" by output '{failure.Output}'";
        return failure.Metric switch
        {
            GateChecker.MinSpeedup when report.Speed is { } speed => Invariant(
                $"MinSpeedup {failure.Threshold:0.###} not met: speedup {failure.Measured:0.###}x (float {speed.FloatMedianMs:0.###} ms, quantized {speed.QuantizedMedianMs:0.###} ms, median of {speed.Runs} interleaved runs each)"),
            GateChecker.MaxTop1Drop => Invariant($"MaxTop1Drop {failure.Threshold:0.####} not met{on}: top-1 drop {failure.Measured:0.####} (agreement {1 - failure.Measured:0.####})"),
            GateChecker.MinSqnr => Invariant($"MinSqnr {failure.Threshold:0.##} dB not met{on}: SQNR {failure.Measured:0.##} dB"),
            GateChecker.MinCosine => Invariant($"MinCosine {failure.Threshold:G7} not met{on}: cosine {failure.Measured:G7}"),
            _ => Invariant($"{failure.Metric} {failure.Threshold:0.######} not met{on}: measured {failure.Measured:0.######}"),
        };
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
