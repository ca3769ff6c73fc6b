using System.Globalization;
using System.Text;
using Quantize.Core.Evaluation;

namespace Quantize.Core.Reporting;

/// <summary>
/// Renders a <see cref="QualityReport"/> as one self-contained HTML page: inline CSS, an inline SVG chart,
/// no script and no reference to anything outside the file, so it opens the same from a build folder, a CI
/// artifact or an e-mail attachment. The markup is also well-formed XML (void elements self-closed), so
/// tools and tests can read it with an XML parser. Every name from the model is HTML-encoded; a part that was not
/// measured gets a sentence saying so instead of an empty table.
/// </summary>
internal static class HtmlReport
{
    public static string Render(QualityReport report, string modelName)
    {
        var html = new StringBuilder(16 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
        html.Append("<title>").Append(E($"Quantization report: {modelName} ({report.Precision})")).Append("</title>\n");
        html.Append("<style>\n").Append(HtmlStyle.Css).Append("\n</style>\n</head>\n<body>\n");

        Header(html, report, modelName);
        html.Append("<main>\n");
        Size(html, report);
        Accuracy(html, report.Evaluation);
        Latency(html, report);
        Gates(html, report);
        Layers(html, report);
        Fallbacks(html, report);
        Notes(html, report);
        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Header(StringBuilder html, QualityReport report, string modelName)
    {
        html.Append("<header>\n<h1>").Append(E(modelName)).Append("</h1>\n");
        html.Append("<p class=\"subtitle\">").Append(E(report.Precision)).Append(" quantization of ")
            .Append("<span class=\"path\">").Append(E(report.ModelPath)).Append("</span></p>\n");
        var failed = report.Failures.Select(f => f.Metric).Distinct(StringComparer.Ordinal).ToList();
        if (failed.Count > 0)
        {
            html.Append("<p class=\"verdict fail\" id=\"verdict\">").Append(E(Plural(failed.Count, "gate") + " not met: " + string.Join(", ", failed)))
                .Append(".</p>\n");
        }
        else if (!report.Gates.IsEmpty)
        {
            html.Append("<p class=\"verdict pass\" id=\"verdict\">All gates passed.</p>\n");
        }

        html.Append("</header>\n");
    }

    private static void Size(StringBuilder html, QualityReport report)
    {
        html.Append("<section id=\"size\">\n<h2>Size</h2>\n<table>\n<thead><tr><th scope=\"col\">Model</th><th scope=\"col\" class=\"num\">Size</th><th scope=\"col\" class=\"num\">Bytes</th></tr></thead>\n<tbody>\n");
        SizeRow(html, "Float", report.BytesBefore);
        SizeRow(html, E(report.Precision), report.BytesAfter);
        html.Append("</tbody>\n</table>\n");
        var ratio = ReportNumbers.SizeRatio(report.BytesBefore, report.BytesAfter);
        html.Append("<p>").Append(ratio is null ? "The float model's size is unknown." : $"The quantized model is {E(ratio)} the size of the float model.").Append("</p>\n</section>\n");
    }

    private static void SizeRow(StringBuilder html, string label, long bytes) =>
        html.Append("<tr><th scope=\"row\">").Append(label).Append("</th><td class=\"num\">").Append(E(ReportNumbers.Bytes(bytes)))
            .Append("</td><td class=\"num\">").Append(E(ReportNumbers.Count(bytes))).Append("</td></tr>\n");

    private static void Accuracy(StringBuilder html, EvaluationResult? evaluation)
    {
        html.Append("<section id=\"accuracy\">\n<h2>Accuracy</h2>\n");
        if (evaluation is null || evaluation.Outputs.Count == 0)
        {
            html.Append("<p class=\"missing\">Accuracy was not measured for this model: no evaluation data was available (see the notes).</p>\n</section>\n");
            return;
        }

        bool top1 = evaluation.Outputs.Any(o => o.Top1Agreement is not null);
        html.Append("<p>The quantized model's outputs against the float model's. Data: <span class=\"data-source\">").Append(E(evaluation.DataSource))
            .Append("</span>; samples compared: <span class=\"sample-count\">").Append(evaluation.SampleCount.ToString(CultureInfo.InvariantCulture)).Append("</span>.</p>\n");
        html.Append("<table>\n<thead><tr><th scope=\"col\">Output</th><th scope=\"col\" class=\"num\">Cosine</th><th scope=\"col\" class=\"num\">SQNR</th>")
            .Append("<th scope=\"col\" class=\"num\">Max abs error</th><th scope=\"col\" class=\"num\">Relative L2</th>");
        if (top1)
        {
            html.Append("<th scope=\"col\" class=\"num\">Top-1 agreement</th>");
        }

        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var output in evaluation.Outputs)
        {
            html.Append("<tr><th scope=\"row\" class=\"name\">").Append(E(output.Output)).Append("</th>");
            Cell(html, ReportNumbers.Cosine(output.Cosine));
            Cell(html, ReportNumbers.Decibels(output.SqnrDb));
            Cell(html, ReportNumbers.Error(output.MaxAbsError));
            Cell(html, ReportNumbers.Error(output.RelativeL2));
            if (top1)
            {
                Cell(html, output.Top1Agreement is { } agreement ? ReportNumbers.Percent(agreement) : "—");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n<p class=\"note\">Cosine: mean over samples (1 = same direction). SQNR: signal-to-quantization-noise ratio, higher is better. Relative L2: ‖float − quantized‖ / ‖float‖.</p>\n</section>\n");
    }

    private static void Latency(StringBuilder html, QualityReport report)
    {
        html.Append("<section id=\"latency\">\n<h2>Latency</h2>\n");
        if (report.Speed is not { } speed)
        {
            html.Append("<p class=\"missing\">The speed check did not run for this model").Append(report.Notes.Count > 0 ? " (the notes say why)" : string.Empty).Append(".</p>\n</section>\n");
            return;
        }

        html.Append("<table>\n<thead><tr><th scope=\"col\">Model</th><th scope=\"col\" class=\"num\">Median latency</th></tr></thead>\n<tbody>\n");
        html.Append("<tr><th scope=\"row\">Float</th>");
        Cell(html, ReportNumbers.Milliseconds(speed.FloatMedianMs));
        html.Append("</tr>\n<tr><th scope=\"row\">").Append(E(report.Precision)).Append("</th>");
        Cell(html, ReportNumbers.Milliseconds(speed.QuantizedMedianMs));
        html.Append("</tr>\n</tbody>\n</table>\n<p>");
        html.Append(speed.Speedup >= 1
            ? E($"The quantized model is {ReportNumbers.Factor(speed.Speedup)} faster than the float model")
            : E($"The quantized model is slower than the float model on this machine: {ReportNumbers.Factor(speed.Speedup)} its speed"));
        html.Append(E(string.Create(CultureInfo.InvariantCulture, $" (medians of {speed.Runs} interleaved runs of each, CPU execution provider).")))
            .Append("</p>\n");
        if (report.Decoder is { } decoder)
        {
            html.Append("<p>").Append(E($"The latency above is one decode step. As a decoder with a KV cache: {decoder.Describe()}.")).Append("</p>\n");
        }

        html.Append("</section>\n");
    }

    private static void Gates(StringBuilder html, QualityReport report)
    {
        html.Append("<section id=\"gates\">\n<h2>Gates</h2>\n");
        var rows = GateRow.From(report);
        if (rows.Count == 0)
        {
            html.Append("<p class=\"missing\">No gates were set for this model.</p>\n</section>\n");
            return;
        }

        html.Append("<table>\n<thead><tr><th scope=\"col\">Gate</th><th scope=\"col\">Requirement</th><th scope=\"col\" class=\"num\">Measured</th><th scope=\"col\">Result</th></tr></thead>\n<tbody>\n");
        foreach (var row in rows)
        {
            var (css, word) = row.Status switch
            {
                GateStatus.Passed => ("status-pass", "Passed"),
                GateStatus.Failed => ("status-fail", "Failed"),
                _ => ("status-none", "Not measured"),
            };
            html.Append("<tr class=\"gate\" data-gate=\"").Append(E(row.Metric)).Append("\"><th scope=\"row\">").Append(E(row.Metric)).Append("</th><td>")
                .Append(E(row.Requirement)).Append("</td>");
            Cell(html, row.Measured ?? "—");
            html.Append("<td class=\"").Append(css).Append("\">").Append(word).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void Layers(StringBuilder html, QualityReport report)
    {
        html.Append("<section id=\"layers\" class=\"layers\">\n<h2>Per-layer error</h2>\n");
        if (report.Layers.Count == 0)
        {
            html.Append("<p class=\"missing\">Per-layer sensitivity was not analysed for this model.</p>\n</section>\n");
            return;
        }

        var ranked = LayerRanking.ByLocalError(report.Layers);
        var scale = ChartScale.For(ranked.Select(l => l.LocalError));
        var kept = new HashSet<string>(report.Fallbacks.Select(f => f.Key), StringComparer.Ordinal);
        html.Append("<p>").Append(E(string.Create(CultureInfo.InvariantCulture,
            $"{Plural(ranked.Count, "quantized layer")}, largest error first: the error each layer adds (relative L2 error of its output against the float model on the same inputs, minus that of its input, never below 0; {(scale.IsLogarithmic ? "logarithmic scale: the errors span several decades" : "linear scale")}).")));
        if (ranked.Any(l => kept.Contains(l.Node)))
        {
            html.Append(" <span class=\"legend-swatch\" style=\"background: var(--kept)\"></span>kept in higher precision");
        }

        html.Append("</p>\n<div class=\"chart-frame\">\n").Append(LayerErrorChart.Render(ranked, scale, kept)).Append("\n</div>\n");
        html.Append("<details>\n<summary>The same layers as a table</summary>\n<table>\n<thead><tr><th scope=\"col\" class=\"num\">#</th><th scope=\"col\">Node</th><th scope=\"col\">Op</th>")
            .Append("<th scope=\"col\" class=\"num\">Local error</th><th scope=\"col\" class=\"num\">Cosine gain if kept in float</th></tr></thead>\n<tbody>\n");
        for (int i = 0; i < ranked.Count; i++)
        {
            var layer = ranked[i];
            html.Append("<tr>");
            Cell(html, (i + 1).ToString(CultureInfo.InvariantCulture));
            html.Append("<td class=\"name\">").Append(E(layer.Node)).Append("</td><td>").Append(E(layer.OpType)).Append("</td>");
            Cell(html, ReportNumbers.Error(layer.LocalError));
            Cell(html, layer.EndToEndGain is { } gain ? ReportNumbers.Signed(gain) : "—");
            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n</details>\n</section>\n");
    }

    private static void Fallbacks(StringBuilder html, QualityReport report)
    {
        html.Append("<section id=\"fallbacks\">\n<h2>Fallback decisions</h2>\n");
        if (report.Fallbacks.Count == 0)
        {
            html.Append("<p class=\"missing\">No node was kept in higher precision.</p>\n</section>\n");
            return;
        }

        html.Append("<table>\n<thead><tr><th scope=\"col\">Node</th><th scope=\"col\">Kept in</th></tr></thead>\n<tbody>\n");
        foreach (var (node, precision) in report.Fallbacks)
        {
            html.Append("<tr class=\"fallback\"><td class=\"name\">").Append(E(node)).Append("</td><td>").Append(E(precision)).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
        var exclude = ExcludeSuggestion.From(report.Fallbacks);
        if (exclude.Element is { } element)
        {
            html.Append("<p>To pin the FP32 choices without searching again, add this inside the model's <code>QuantizedModel</code> item (as a child element):</p>\n")
                .Append("<pre id=\"exclude\"><code>").Append(E(element)).Append("</code></pre>\n");
        }

        if (exclude.Unlisted.Count > 0)
        {
            html.Append("<p class=\"note\">").Append(E("Not expressible in Exclude (the name contains ';' or ',' or surrounding spaces): " + string.Join(", ", exclude.Unlisted))).Append("</p>\n");
        }

        html.Append("</section>\n");
    }

    private static void Notes(StringBuilder html, QualityReport report)
    {
        if (report.Notes.Count == 0)
        {
            return;
        }

        html.Append("<section id=\"notes\">\n<h2>Notes</h2>\n<ul>\n");
        foreach (var note in report.Notes)
        {
            html.Append("<li>").Append(E(note)).Append("</li>\n");
        }

        html.Append("</ul>\n</section>\n");
    }

    private static void Cell(StringBuilder html, string text) => html.Append("<td class=\"num\">").Append(E(text)).Append("</td>");

    private static string Plural(int count, string noun) => string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");

    private static string E(string? text) => HtmlText.Encode(text);
}
