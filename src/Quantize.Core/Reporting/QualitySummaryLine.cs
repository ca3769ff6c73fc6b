using System.Globalization;
using System.Text;
using Quantize.Core.Evaluation;

namespace Quantize.Core.Reporting;

/// <summary>
/// The one line per model that a build prints at normal verbosity: precision, size ratio, the key accuracy
/// metric and the speedup, plus the gates missed and the nodes kept in higher precision when there are any.
/// Plain ASCII punctuation (<c>-&gt;</c>, not an arrow), because build logs pass through consoles and CI
/// log viewers with unknown encodings.
/// </summary>
public static class QualitySummaryLine
{
    /// <summary>
    /// Formats the line, e.g. <c>MiniLM: Int8, 0.25x size (86.2 MiB -&gt; 21.8 MiB), cosine 0.9962, 2.31x faster</c>.
    /// The key metric is the worst top-1 agreement when an output is declared as class scores, else the worst
    /// output cosine; a check that did not run says so ("accuracy not checked", "speed not checked").
    /// </summary>
    /// <param name="modelName">The name the build knows the model by (its class name or file name).</param>
    /// <param name="report">What the quality check found.</param>
    public static string Format(string modelName, QualityReport report)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(report);
        var line = new StringBuilder();
        line.Append(OneLine(modelName)).Append(": ").Append(OneLine(report.Precision));
        line.Append(", ").Append(ReportNumbers.SizeRatio(report.BytesBefore, report.BytesAfter) is { } ratio ? ratio + " size" : "size")
            .Append(" (").Append(ReportNumbers.Bytes(report.BytesBefore)).Append(" -> ").Append(ReportNumbers.Bytes(report.BytesAfter)).Append(')');
        line.Append(", ").Append(KeyMetric(report.Evaluation));
        line.Append(", ").Append(report.Speed switch
        {
            null => "speed not checked",
            { Speedup: >= 1 } speed => ReportNumbers.Factor(speed.Speedup) + " faster",
            var speed => ReportNumbers.Factor(speed.Speedup) + " speed (slower than float)",
        });

        if (report.Fallbacks.Count > 0)
        {
            line.Append(", ").Append(Count(report.Fallbacks.Count, "node")).Append(" kept in higher precision");
        }

        if (report.Failures.Count > 0)
        {
            var failures = report.Failures
                .GroupBy(f => f.Metric, StringComparer.Ordinal)
                .Select(g => g.First())
                .Select(f => $"{OneLine(f.Metric)} {ReportNumbers.Threshold(Math.Round(f.Measured, 4))} vs {ReportNumbers.Threshold(f.Threshold)}");
            line.Append("; FAILED ").Append(string.Join(", ", failures));
        }

        return line.ToString();
    }

    private static string KeyMetric(EvaluationResult? evaluation)
    {
        if (evaluation is null || evaluation.Outputs.Count == 0)
        {
            return "accuracy not checked";
        }

        var top1 = evaluation.Outputs.Where(o => o.Top1Agreement is not null).Select(o => o.Top1Agreement!.Value).ToList();
        return top1.Count > 0
            ? "top-1 agreement " + ReportNumbers.Percent(top1.Min())
            : "cosine " + ReportNumbers.Cosine(evaluation.WorstCosine);
    }

    private static string Count(int count, string noun) => string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");

    /// <summary>A log line must stay one line whatever a model or precision name contains.</summary>
    private static string OneLine(string text) => string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c));
}
