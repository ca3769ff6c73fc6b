using System.Globalization;
using Quantize.Core.Evaluation;
using Quantize.Core.Reporting;

namespace Quantize.Core.Tests.Reporting;

public sealed class HtmlReportTests
{
    [Fact]
    public void Full_report_has_every_section_with_the_reports_values()
    {
        var report = ReportSamples.MiniLmInt8();
        var page = ReportHtml.Parse(HtmlReport.Render(report, "MiniLM"));

        Assert.Contains("MiniLM", page.Named("head").Single().Element("title")!.Value, StringComparison.Ordinal);
        Assert.Equal("MiniLM", page.Named("h1").Single().Value);
        foreach (var id in new[] { "size", "accuracy", "latency", "gates", "layers", "fallbacks", "notes" })
        {
            Assert.NotNull(page.Section(id));
        }

        var size = page.Section("size");
        Assert.Equal(report.BytesBefore.ToString("#,0", CultureInfo.InvariantCulture), size.Named("table").Single().BodyRows()[0][2]);
        Assert.Contains("0.26x", size.Value, StringComparison.Ordinal);

        // One accuracy row per output, in graph order, with the cosine shown to four decimals.
        var accuracy = page.Section("accuracy").Named("table").Single().BodyRows();
        Assert.Equal(report.Evaluation!.Outputs.Select(o => o.Output), accuracy.Select(r => r[0]));
        Assert.Equal("0.9962", accuracy[0][1]);
        Assert.Equal(5, accuracy[0].Count); // no Top-1 column when no output declares class scores
        Assert.Equal("50", page.Section("accuracy").Named("span").Single(s => (string?)s.Attribute("class") == "sample-count").Value);
        Assert.Contains("validation data", page.Section("accuracy").Value, StringComparison.Ordinal);

        var latency = page.Section("latency");
        Assert.Contains("2.31x faster", latency.Value, StringComparison.Ordinal);
        Assert.Contains("40 interleaved runs", latency.Value, StringComparison.Ordinal);

        // Both gates passed, with the measured value recomputed from the measurements.
        var gates = page.Section("gates").Named("tr").Where(r => (string?)r.Attribute("class") == "gate").ToList();
        Assert.Equal(["MinCosine", "MinSpeedup"], gates.Select(g => (string?)g.Attribute("data-gate")));
        Assert.All(gates, g => Assert.Equal("Passed", g.Elements().Last().Value));
        Assert.Contains("0.9962 (last_hidden_state)", gates[0].Value, StringComparison.Ordinal);
        Assert.Equal("pass", ((string?)page.Named("p").Single(p => (string?)p.Attribute("id") == "verdict").Attribute("class"))?.Split(' ')[1]);

        Assert.Equal(report.Notes, page.Section("notes").Named("li").Select(li => li.Value));
    }

    [Fact]
    public void Chart_has_one_bar_per_layer_ranked_by_error_with_kept_nodes_marked()
    {
        var report = ReportSamples.MiniLmInt8();
        var page = ReportHtml.Parse(HtmlReport.Render(report, "MiniLM"));
        var bars = page.Section("layers").LayerBars().ToList();

        Assert.Equal(report.Layers.Count, bars.Count);
        Assert.Equal(report.Layers.Select(l => l.Node).Order(StringComparer.Ordinal), bars.Select(b => (string)b.Attribute("data-node")!).Order(StringComparer.Ordinal));

        // Ranked: bar widths never grow down the chart, and bars sit one below the other.
        var widths = bars.Select(b => double.Parse((string)b.Attribute("width")!, CultureInfo.InvariantCulture)).ToList();
        var ys = bars.Select(b => double.Parse((string)b.Attribute("y")!, CultureInfo.InvariantCulture)).ToList();
        Assert.True(widths.Zip(widths.Skip(1)).All(p => p.First >= p.Second), "bars are not sorted by error");
        Assert.True(ys.Zip(ys.Skip(1)).All(p => p.Second > p.First), "bars overlap");
        Assert.Equal(report.Layers.Max(l => l.LocalError), report.Layers.Single(l => l.Node == (string)bars[0].Attribute("data-node")!).LocalError);

        // Errors span 2.5 decades: a log scale, so even the smallest bar is visible, not a sliver.
        Assert.Contains("logarithmic", page.Section("layers").Value, StringComparison.Ordinal);
        Assert.True(widths.Min() > widths.Max() / 10, $"smallest bar {widths.Min()} of {widths.Max()} on a log scale");

        // Every bar has a tooltip naming its node; the three fallbacks are drawn as kept.
        Assert.All(bars, b => Assert.StartsWith((string)b.Attribute("data-node")!, b.Named("title").Single().Value, StringComparison.Ordinal));
        var kept = bars.Where(b => ((string)b.Attribute("class")!).Split(' ').Contains("kept")).Select(b => (string)b.Attribute("data-node")!);
        Assert.Equal(report.Fallbacks.Select(f => f.Key).Order(StringComparer.Ordinal), kept.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Errors_within_two_decades_use_a_linear_scale_from_zero()
    {
        var report = ReportSamples.SizeOnly();
        report.Layers.Add(new LayerSensitivity("a", "MatMul", 0.04, null));
        report.Layers.Add(new LayerSensitivity("b", "MatMul", 0.01, null));
        report.Layers.Add(new LayerSensitivity("c", "MatMul", 0.02, null));
        var page = ReportHtml.Parse(HtmlReport.Render(report, "m"));

        var widths = page.LayerBars().ToDictionary(b => (string)b.Attribute("data-node")!, b => double.Parse((string)b.Attribute("width")!, CultureInfo.InvariantCulture));
        Assert.Contains("linear scale", page.Section("layers").Value, StringComparison.Ordinal);
        Assert.Equal(widths["a"] / 4, widths["b"], 1);
        Assert.Equal(widths["a"] / 2, widths["c"], 1);
    }

    [Fact]
    public void Failed_gates_are_shown_failed_with_the_measured_value_and_a_slower_model_says_so()
    {
        var page = ReportHtml.Parse(HtmlReport.Render(ReportSamples.FailedClassifier(), "ResNet18"));

        var verdict = page.Named("p").Single(p => (string?)p.Attribute("id") == "verdict");
        Assert.Contains("fail", ((string)verdict.Attribute("class")!).Split(' '));
        Assert.Contains("MaxTop1Drop", verdict.Value, StringComparison.Ordinal);

        var gates = page.Section("gates").Named("tr").Where(r => (string?)r.Attribute("class") == "gate")
            .ToDictionary(r => (string)r.Attribute("data-gate")!, r => r.Elements().Select(c => c.Value).ToList());
        Assert.Equal("Failed", gates["MaxTop1Drop"][3]);
        Assert.Equal("6.0% (logits)", gates["MaxTop1Drop"][2]);
        Assert.Equal("Failed", gates["MinSpeedup"][3]);
        Assert.Equal("Passed", gates["MinSqnr"][3]);

        var accuracy = page.Section("accuracy").Named("table").Single();
        Assert.Equal("Top-1 agreement", accuracy.Named("th").Last(th => th.Parent!.Parent!.Name.LocalName == "thead").Value);
        Assert.Equal("94.0%", accuracy.BodyRows()[0][5]);
        Assert.Contains("slower than the float model", page.Section("latency").Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_parts_get_a_sentence_instead_of_an_empty_table()
    {
        var page = ReportHtml.Parse(HtmlReport.Render(ReportSamples.SizeOnly(), "tiny"));

        foreach (var id in new[] { "accuracy", "latency", "gates", "layers", "fallbacks" })
        {
            var section = page.Section(id);
            Assert.Empty(section.Named("table"));
            Assert.Single(section.Named("p"), p => (string?)p.Attribute("class") == "missing");
        }

        Assert.Empty(page.Named("svg"));
        Assert.DoesNotContain(page.Named("p"), p => (string?)p.Attribute("id") == "verdict");
        Assert.DoesNotContain(page.Named("section"), s => (string?)s.Attribute("id") == "notes");
    }

    [Fact]
    public void Gate_set_but_not_measured_is_reported_as_such()
    {
        var report = ReportSamples.SizeOnly();
        report.Gates = new QualityGates { MinSpeedup = 1.5, MinCosine = 0.99 };
        var rows = ReportHtml.Parse(HtmlReport.Render(report, "tiny")).Section("gates").BodyRowsOfOnlyTable();

        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal("Not measured", r[3]));
    }

    [Fact]
    public void Hostile_names_stay_text_everywhere()
    {
        var report = ReportSamples.Hostile();
        var html = HtmlReport.Render(report, "Hostile");
        var page = ReportHtml.Parse(html);

        // Parsing succeeded and no name turned into markup: no script, no element the report does not write.
        Assert.Empty(page.Named("script"));
        Assert.Empty(page.Named("b"));
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);

        // Every name comes back exactly, as text and as attribute values.
        Assert.Equal(report.Layers.Select(l => l.Node).Order(StringComparer.Ordinal), page.LayerBars().Select(b => (string)b.Attribute("data-node")!).Order(StringComparer.Ordinal));
        Assert.Equal(report.Layers.Select(l => l.OpType).Order(StringComparer.Ordinal), page.LayerBars().Select(b => (string)b.Attribute("data-op")!).Order(StringComparer.Ordinal));
        Assert.Equal(report.Evaluation!.Outputs.Select(o => o.Output), page.Section("accuracy").Named("table").Single().BodyRows().Select(r => r[0]));
        Assert.Equal(report.Fallbacks.Select(f => f.Key), page.Section("fallbacks").Named("tr").Where(r => (string?)r.Attribute("class") == "fallback").Select(r => r.Elements().First().Value));
        Assert.Equal(report.Notes.Single(), page.Section("notes").Named("li").Single().Value);
        Assert.Contains(report.ModelPath, page.Named("header").Single().Value, StringComparison.Ordinal);
        Assert.Contains(report.Evaluation.DataSource, page.Section("accuracy").Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Control_characters_and_broken_surrogates_become_replacement_characters()
    {
        var report = ReportSamples.SizeOnly();
        report.Layers.Add(new LayerSensitivity("bell\u0007nul\u0000lone\ud800end", "MatMul", 0.1, null));
        var page = ReportHtml.Parse(HtmlReport.Render(report, "m"));

        Assert.Equal("bell\uFFFDnul\uFFFDlone\uFFFDend", (string)page.LayerBars().Single().Attribute("data-node")!);
    }

    [Fact]
    public void Page_loads_nothing_from_outside_and_runs_no_script()
    {
        foreach (var report in new[] { ReportSamples.MiniLmInt8(), ReportSamples.FailedClassifier(), ReportSamples.SizeOnly(), ReportSamples.Large(50) })
        {
            var html = HtmlReport.Render(report, "model");
            foreach (var forbidden in new[] { "http://", "https://", "src=", "href=", "url(", "@import", "<script", "<link", "<img", "<iframe", "<object", "<embed" })
            {
                Assert.DoesNotContain(forbidden, html, StringComparison.OrdinalIgnoreCase);
            }
        }

        // A name that looks like a URL is shown as text, never as an attribute the browser would fetch.
        var hostile = ReportHtml.Parse(HtmlReport.Render(ReportSamples.Hostile(), "Hostile"));
        Assert.DoesNotContain(hostile.Descendants().SelectMany(e => e.Attributes()), a => a.Name.LocalName is "src" or "href" or "srcset" or "poster" or "data" or "action");
        Assert.DoesNotContain(hostile.Descendants(), e => e.Name.LocalName is "a" or "img" or "link" or "image" or "use" or "script");
    }

    [Fact]
    public void Hundreds_of_layers_all_get_a_bar_and_the_chart_grows_to_fit()
    {
        var report = ReportSamples.Large(600);
        var page = ReportHtml.Parse(HtmlReport.Render(report, "decoder"));
        var svg = page.Named("svg").Single();
        var bars = svg.LayerBars().ToList();

        Assert.Equal(600, bars.Count);
        Assert.Equal(600, bars.Select(b => (string)b.Attribute("data-node")!).Distinct(StringComparer.Ordinal).Count());
        double height = double.Parse((string)svg.Attribute("height")!, CultureInfo.InvariantCulture);
        double lastBottom = bars.Max(b => double.Parse((string)b.Attribute("y")!, CultureInfo.InvariantCulture) + double.Parse((string)b.Attribute("height")!, CultureInfo.InvariantCulture));
        Assert.True(lastBottom <= height, $"last bar ends at {lastBottom}, below the chart's height {height}");
        // Five decades of error: a log axis with one grid line per decade.
        Assert.InRange(svg.Named("line").Count(), 6, 7);
    }
}
