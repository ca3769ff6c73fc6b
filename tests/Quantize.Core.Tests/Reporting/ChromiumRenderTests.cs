using System.Net;
using System.Text.RegularExpressions;
using Quantize.Core.Evaluation;
using Quantize.Core.Reporting;
using Xunit.Abstractions;

namespace Quantize.Core.Tests.Reporting;

/// <summary>
/// The HTML report in a real browser: headless Chromium (Debian's package, installed on first use) loads the
/// written file; the page must produce no console message (script errors, invalid SVG attributes), request
/// nothing from the network, and its DOM must hold one chart bar per quantized layer.
/// </summary>
public sealed partial class ChromiumRenderTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RenderTimeout = TimeSpan.FromMinutes(2);

    public static TheoryData<string> Reports => ["MiniLM", "Hostile", "Failed", "SizeOnly", "Large"];

    private static QualityReport Build(string name) => name switch
    {
        "MiniLM" => ReportSamples.MiniLmInt8(),
        "Hostile" => ReportSamples.Hostile(),
        "Failed" => ReportSamples.FailedClassifier(),
        "SizeOnly" => ReportSamples.SizeOnly(),
        _ => ReportSamples.Large(400),
    };

    [Theory]
    [MemberData(nameof(Reports))]
    public void Report_renders_without_errors_with_one_bar_per_layer(string name)
    {
        var report = Build(name);
        var (html, _) = QualityReportWriter.Write(report, RealModels.ScratchFolder("report-chromium"), name);

        var page = Render(html);

        Assert.True(page.ConsoleMessages.Count == 0, "the page logged to the console:\n" + string.Join("\n", page.ConsoleMessages));
        Assert.True(page.NetworkRequests.Count == 0, "the page requested:\n" + string.Join("\n", page.NetworkRequests));
        Assert.Contains("</html>", page.Dom, StringComparison.Ordinal);

        // The browser's own DOM, not our source text: bars are rect elements inside the chart's svg.
        var chart = ChartElement().Match(page.Dom);
        Assert.Equal(report.Layers.Count > 0, chart.Success);
        var bars = chart.Success ? Bars(chart.Value) : [];
        Assert.Equal(report.Layers.Count, bars.Count);
        Assert.Equal(report.Layers.Select(l => l.Node).Order(StringComparer.Ordinal), bars.Order(StringComparer.Ordinal));
        Assert.Equal(report.Layers.Count, Bars(page.Dom).Count); // and none outside the chart
    }

    /// <summary>The checks above can fail: a page with a script error, an invalid SVG length and an external image trips all three.</summary>
    [Fact]
    public void Harness_sees_console_errors_network_requests_and_misplaced_bars()
    {
        var path = Path.Combine(RealModels.ScratchFolder("report-chromium-broken"), "broken.html");
        File.WriteAllText(path, """
            <!DOCTYPE html><html><head><meta charset="utf-8"/><title>broken</title></head><body>
            <img alt="" src="https://quantize-report.invalid/pixel.png"/>
            <svg id="layer-chart"><rect class="layer-bar" data-node="a" width="NaN" height="4"/></svg>
            <rect class="layer-bar" data-node="b"/>
            <script>undefinedFunction();</script>
            </body></html>
            """);

        var page = Render(path);

        Assert.Contains(page.ConsoleMessages, m => m.Contains("undefinedFunction", StringComparison.Ordinal));
        Assert.Contains(page.ConsoleMessages, m => m.Contains("<rect> attribute width", StringComparison.Ordinal));
        Assert.Contains("https://quantize-report.invalid/pixel.png", page.NetworkRequests);
        Assert.Equal(["a"], Bars(ChartElement().Match(page.Dom).Value));
        Assert.Equal(2, Bars(page.Dom).Count);
    }

    private ChromiumPage Render(string path)
    {
        var executable = HeadlessChromium.ExecutablePath;
        output.WriteLine(HeadlessChromium.InstallDuration is { } install
            ? $"installed Debian's chromium package in {install.TotalSeconds:0.0} s"
            : $"using {executable} (already installed)");
        var page = HeadlessChromium.Render(path, RenderTimeout);
        output.WriteLine($"rendered {Path.GetFileName(path)} ({new FileInfo(path).Length / 1024.0:0.0} KiB) in {page.Elapsed.TotalSeconds:0.00} s");
        return page;
    }

    /// <summary>The data-node of every rect whose class list holds layer-bar, HTML-decoded as the DOM holds it.</summary>
    private static List<string> Bars(string dom) =>
        [.. RectElement().Matches(dom)
            .Select(m => m.Value)
            .Where(tag => ClassAttribute().Match(tag) is { Success: true } c && WebUtility.HtmlDecode(c.Groups[1].Value).Split(' ').Contains("layer-bar"))
            .Select(tag => WebUtility.HtmlDecode(NodeAttribute().Match(tag).Groups[1].Value))];

    [GeneratedRegex("""<svg\b[^>]*\bid="layer-chart"[^>]*>.*?</svg>""", RegexOptions.Singleline)]
    private static partial Regex ChartElement();

    [GeneratedRegex("<rect\\b[^>]*>")]
    private static partial Regex RectElement();

    [GeneratedRegex("\\sclass=\"([^\"]*)\"")]
    private static partial Regex ClassAttribute();

    [GeneratedRegex("\\sdata-node=\"([^\"]*)\"")]
    private static partial Regex NodeAttribute();
}
