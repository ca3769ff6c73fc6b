using System.Globalization;
using System.Text;
using Quantize.Core.Evaluation;

namespace Quantize.Core.Reporting;

/// <summary>
/// Renders a <see cref="QualityReport"/> as a Markdown summary with the same facts as the HTML page, for
/// pull requests and CI job summaries. The chart becomes a table of the layers with the largest error.
/// Every name is escaped, so a node called <c>a|b</c> cannot break a table.
/// </summary>
internal static class MarkdownReport
{
    /// <summary>How many layers the Markdown table lists; the HTML page charts them all.</summary>
    public const int TopLayers = 20;

    public static string Render(QualityReport report, string modelName)
    {
        var md = new StringBuilder(4 * 1024);
        md.Append("# Quantization report: ").Append(M(modelName)).Append("\n\n");
        md.Append("**Precision:** ").Append(M(report.Precision)).Append(" · **Float model:** ").Append(M(report.ModelPath)).Append("\n\n");
        var failed = report.Failures.Select(f => f.Metric).Distinct(StringComparer.Ordinal).ToList();
        if (failed.Count > 0)
        {
            md.Append("**Gates not met:** ").Append(M(string.Join(", ", failed))).Append("\n\n");
        }
        else if (!report.Gates.IsEmpty)
        {
            md.Append("**All gates passed.**\n\n");
        }

        Size(md, report);
        Accuracy(md, report.Evaluation);
        Latency(md, report);
        Gates(md, report);
        Layers(md, report);
        Fallbacks(md, report);
        if (report.Notes.Count > 0)
        {
            md.Append("## Notes\n\n");
            foreach (var note in report.Notes)
            {
                md.Append("- ").Append(M(note)).Append('\n');
            }

            md.Append('\n');
        }

        return md.ToString().TrimEnd('\n') + "\n";
    }

    private static void Size(StringBuilder md, QualityReport report)
    {
        md.Append("## Size\n\n| Model | Size | Bytes |\n|---|---:|---:|\n");
        Row(md, "Float", ReportNumbers.Bytes(report.BytesBefore), ReportNumbers.Count(report.BytesBefore));
        Row(md, report.Precision, ReportNumbers.Bytes(report.BytesAfter), ReportNumbers.Count(report.BytesAfter));
        var ratio = ReportNumbers.SizeRatio(report.BytesBefore, report.BytesAfter);
        md.Append('\n').Append(ratio is null ? "The float model's size is unknown." : $"The quantized model is {ratio} the size of the float model.").Append("\n\n");
    }

    private static void Accuracy(StringBuilder md, EvaluationResult? evaluation)
    {
        md.Append("## Accuracy\n\n");
        if (evaluation is null || evaluation.Outputs.Count == 0)
        {
            md.Append("Accuracy was not measured for this model: no evaluation data was available (see the notes).\n\n");
            return;
        }

        bool top1 = evaluation.Outputs.Any(o => o.Top1Agreement is not null);
        md.Append("Data: ").Append(M(evaluation.DataSource)).Append("; samples compared: ")
            .Append(evaluation.SampleCount.ToString(CultureInfo.InvariantCulture)).Append(".\n\n");
        md.Append("| Output | Cosine | SQNR | Max abs error | Relative L2 |").Append(top1 ? " Top-1 agreement |" : string.Empty).Append('\n');
        md.Append("|---|---:|---:|---:|---:|").Append(top1 ? "---:|" : string.Empty).Append('\n');
        foreach (var output in evaluation.Outputs)
        {
            var cells = new List<string>
            {
                output.Output,
                ReportNumbers.Cosine(output.Cosine),
                ReportNumbers.Decibels(output.SqnrDb),
                ReportNumbers.Error(output.MaxAbsError),
                ReportNumbers.Error(output.RelativeL2),
            };
            if (top1)
            {
                cells.Add(output.Top1Agreement is { } agreement ? ReportNumbers.Percent(agreement) : "—");
            }

            Row(md, [.. cells]);
        }

        md.Append('\n');
    }

    private static void Latency(StringBuilder md, QualityReport report)
    {
        md.Append("## Latency\n\n");
        if (report.Speed is not { } speed)
        {
            md.Append("The speed check did not run for this model").Append(report.Notes.Count > 0 ? " (the notes say why)" : string.Empty).Append(".\n\n");
            return;
        }

        md.Append("| Model | Median latency |\n|---|---:|\n");
        Row(md, "Float", ReportNumbers.Milliseconds(speed.FloatMedianMs));
        Row(md, report.Precision, ReportNumbers.Milliseconds(speed.QuantizedMedianMs));
        md.Append('\n').Append(speed.Speedup >= 1
            ? $"The quantized model is {ReportNumbers.Factor(speed.Speedup)} faster than the float model"
            : $"The quantized model is slower than the float model on this machine: {ReportNumbers.Factor(speed.Speedup)} its speed");
        md.Append(string.Create(CultureInfo.InvariantCulture, $" (medians of {speed.Runs} interleaved runs of each, CPU execution provider).\n\n"));
        if (report.Decoder is { } decoder)
        {
            md.Append("The latency above is one decode step. As a decoder with a KV cache: ").Append(decoder.Describe()).Append(".\n\n");
        }
    }

    private static void Gates(StringBuilder md, QualityReport report)
    {
        md.Append("## Gates\n\n");
        var rows = GateRow.From(report);
        if (rows.Count == 0)
        {
            md.Append("No gates were set for this model.\n\n");
            return;
        }

        md.Append("| Gate | Requirement | Measured | Result |\n|---|---|---:|---|\n");
        foreach (var row in rows)
        {
            var result = row.Status switch
            {
                GateStatus.Passed => "Passed",
                GateStatus.Failed => "**Failed**",
                _ => "Not measured",
            };
            md.Append("| ").Append(M(row.Metric)).Append(" | ").Append(M(row.Requirement)).Append(" | ").Append(M(row.Measured ?? "—")).Append(" | ").Append(result).Append(" |\n");
        }

        md.Append('\n');
    }

    private static void Layers(StringBuilder md, QualityReport report)
    {
        md.Append("## Per-layer error\n\n");
        if (report.Layers.Count == 0)
        {
            md.Append("Per-layer sensitivity was not analysed for this model.\n\n");
            return;
        }

        var ranked = LayerRanking.ByLocalError(report.Layers);
        var kept = new HashSet<string>(report.Fallbacks.Select(f => f.Key), StringComparer.Ordinal);
        int shown = Math.Min(TopLayers, ranked.Count);
        md.Append(shown == ranked.Count
            ? string.Create(CultureInfo.InvariantCulture, $"All {ranked.Count} quantized layers, largest error first")
            : string.Create(CultureInfo.InvariantCulture, $"The {shown} of {ranked.Count} quantized layers with the largest error"));
        md.Append(" (the error each layer adds: relative L2 error of its output against the float model on the same inputs, minus that of its input, never below 0; the HTML report charts every layer).\n\n");
        md.Append("| # | Node | Op | Local error | Cosine gain if kept in float | Kept |\n|---:|---|---|---:|---:|---|\n");
        for (int i = 0; i < shown; i++)
        {
            var layer = ranked[i];
            Row(md, (i + 1).ToString(CultureInfo.InvariantCulture), layer.Node, layer.OpType, ReportNumbers.Error(layer.LocalError),
                layer.EndToEndGain is { } gain ? ReportNumbers.Signed(gain) : "—", kept.Contains(layer.Node) ? "yes" : string.Empty);
        }

        md.Append('\n');
    }

    private static void Fallbacks(StringBuilder md, QualityReport report)
    {
        md.Append("## Fallback decisions\n\n");
        if (report.Fallbacks.Count == 0)
        {
            md.Append("No node was kept in higher precision.\n\n");
            return;
        }

        md.Append("| Node | Kept in |\n|---|---|\n");
        foreach (var (node, precision) in report.Fallbacks)
        {
            Row(md, node, precision);
        }

        md.Append('\n');
        var exclude = ExcludeSuggestion.From(report.Fallbacks);
        if (exclude.Element is { } element)
        {
            md.Append("To pin the FP32 choices without searching again, add this inside the model's `QuantizedModel` item (as a child element):\n\n")
                .Append(MarkdownText.Fence(element, "xml")).Append('\n');
        }

        if (exclude.Unlisted.Count > 0)
        {
            md.Append("Not expressible in Exclude (the name contains ';' or ',' or surrounding spaces): ")
                .Append(M(string.Join(", ", exclude.Unlisted))).Append("\n\n");
        }
    }

    private static void Row(StringBuilder md, params string[] cells)
    {
        md.Append('|');
        foreach (var cell in cells)
        {
            md.Append(' ').Append(M(cell)).Append(" |");
        }

        md.Append('\n');
    }

    private static string M(string? text) => MarkdownText.Escape(text);
}
