using Quantize.Core.Evaluation;

namespace Quantize.Core.Reporting;

/// <summary>What became of one gate: met, missed, or set but not measurable (e.g. MinSpeedup with the speed check skipped).</summary>
internal enum GateStatus
{
    Passed,
    Failed,
    NotMeasured,
}

/// <summary>One row of the report's gate table.</summary>
/// <param name="Metric">The gate's name (MinCosine...).</param>
/// <param name="Requirement">The condition in words, with the threshold.</param>
/// <param name="Measured">The value measured (and on which output), or null when not measured.</param>
/// <param name="Status">The verdict.</param>
internal sealed record GateRow(string Metric, string Requirement, string? Measured, GateStatus Status)
{
    /// <summary>
    /// One row per gate that was set, plus one per failed metric the report's gates do not name (a newer
    /// gate). <see cref="QualityReport.Failures"/> decides pass or fail, so the table can never contradict
    /// the build's verdict; for passed gates the value shown is recomputed from the measurements.
    /// </summary>
    public static IReadOnlyList<GateRow> From(QualityReport report)
    {
        var gates = report.Gates;
        var rows = new List<GateRow>();
        var evaluation = report.Evaluation;
        if (gates.MinCosine is { } minCosine)
        {
            var worst = evaluation?.Outputs.MinBy(o => o.Cosine);
            rows.Add(Row(report, "MinCosine", $"worst output cosine ≥ {ReportNumbers.Threshold(minCosine)}", true,
                ReportNumbers.Cosine, worst is null ? null : (worst.Cosine, worst.Output)));
        }

        if (gates.MinSqnr is { } minSqnr)
        {
            var worst = evaluation?.Outputs.MinBy(o => o.SqnrDb);
            rows.Add(Row(report, "MinSqnr", $"worst output SQNR ≥ {ReportNumbers.Threshold(minSqnr)} dB", true,
                ReportNumbers.Decibels, worst is null ? null : (worst.SqnrDb, worst.Output)));
        }

        if (gates.MaxTop1Drop is { } maxDrop)
        {
            // Without labels the drop is measured against the float model's own predictions: 1 − agreement.
            var worst = evaluation?.Outputs.Where(o => o.Top1Agreement is not null).MinBy(o => o.Top1Agreement);
            rows.Add(Row(report, "MaxTop1Drop", $"top-1 agreement drop ≤ {ReportNumbers.Percent(maxDrop)}", false,
                ReportNumbers.Percent, worst is null ? null : (1 - worst.Top1Agreement!.Value, worst.Output)));
        }

        if (gates.MinSpeedup is { } minSpeedup)
        {
            rows.Add(Row(report, "MinSpeedup", $"float ÷ quantized latency ≥ {ReportNumbers.Threshold(minSpeedup)}x", true,
                ReportNumbers.Factor, report.Speed is { } speed ? (speed.Speedup, null) : null));
        }

        var known = new HashSet<string>(rows.Select(r => r.Metric), StringComparer.Ordinal);
        foreach (var failure in report.Failures.Where(f => !known.Contains(f.Metric)))
        {
            rows.Add(new GateRow(failure.Metric, $"threshold {ReportNumbers.Threshold(failure.Threshold)}",
                WithOutput(ReportNumbers.Threshold(failure.Measured), failure.Output), GateStatus.Failed));
        }

        return rows;
    }

    private static GateRow Row(QualityReport report, string metric, string requirement, bool higherIsBetter,
        Func<double, string> format, (double Value, string? Output)? measured)
    {
        var failures = report.Failures.Where(f => f.Metric == metric).ToList();
        if (failures.Count > 0)
        {
            // Several outputs may miss the same gate: show the worst of them.
            var worst = higherIsBetter ? failures.MinBy(f => f.Measured)! : failures.MaxBy(f => f.Measured)!;
            return new GateRow(metric, requirement, WithOutput(format(worst.Measured), worst.Output), GateStatus.Failed);
        }

        return measured is { } m
            ? new GateRow(metric, requirement, WithOutput(format(m.Value), m.Output), GateStatus.Passed)
            : new GateRow(metric, requirement, null, GateStatus.NotMeasured);
    }

    private static string WithOutput(string value, string? output) => output is null ? value : $"{value} ({output})";
}
