using System.Globalization;
using Quantize.Core.Diagnostics;
using Quantize.Core.Reporting;

namespace Quantize.Core.Tests.Reporting;

public sealed class QualityReportWriterTests
{
    [Fact]
    public void Writes_both_files_named_after_the_model_and_nothing_else()
    {
        var folder = RealModels.ScratchFolder("report-write");
        var (html, markdown) = QualityReportWriter.Write(ReportSamples.MiniLmInt8(), folder, "MiniLM");

        Assert.Equal(Path.Combine(folder, "MiniLM.quantize-report.html"), html);
        Assert.Equal(Path.Combine(folder, "MiniLM.quantize-report.md"), markdown);
        // No temporary file is left behind.
        Assert.Equal([html, markdown], Directory.GetFiles(folder).Order(StringComparer.Ordinal));
        Assert.Equal("MiniLM", ReportHtml.Parse(File.ReadAllText(html)).Named("h1").Single().Value);
        Assert.StartsWith("# Quantization report: MiniLM", File.ReadAllText(markdown), StringComparison.Ordinal);
        // UTF-8 without a byte-order mark, LF line ends.
        var bytes = File.ReadAllBytes(html);
        Assert.Equal((byte)'<', bytes[0]);
        Assert.DoesNotContain((byte)'\r', bytes);
    }

    [Fact]
    public void Same_report_gives_identical_bytes_in_any_culture()
    {
        var first = RealModels.ScratchFolder("report-determinism-a");
        var second = RealModels.ScratchFolder("report-determinism-b");
        var (html1, md1) = QualityReportWriter.Write(ReportSamples.Hostile(), first, "Model");
        var saved = CultureInfo.CurrentCulture;
        try
        {
            // A culture with decimal commas and different digit grouping must not leak into the files.
            CultureInfo.CurrentCulture = new CultureInfo("fr-FR");
            var (html2, md2) = QualityReportWriter.Write(ReportSamples.Hostile(), second, "Model");
            Assert.Equal(File.ReadAllBytes(html1), File.ReadAllBytes(html2));
            Assert.Equal(File.ReadAllBytes(md1), File.ReadAllBytes(md2));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }

        foreach (var report in new[] { ReportSamples.MiniLmInt8(), ReportSamples.FailedClassifier(), ReportSamples.SizeOnly(), ReportSamples.Large(300) })
        {
            var (html, md) = QualityReportWriter.Write(report, first, "Again");
            var (htmlBytes, mdBytes) = (File.ReadAllBytes(html), File.ReadAllBytes(md));
            QualityReportWriter.Write(report, first, "Again");
            Assert.Equal(htmlBytes, File.ReadAllBytes(html));
            Assert.Equal(mdBytes, File.ReadAllBytes(md));
        }
    }

    [Fact]
    public void Rewrites_replace_the_previous_report()
    {
        var folder = RealModels.ScratchFolder("report-rewrite");
        QualityReportWriter.Write(ReportSamples.MiniLmInt8(), folder, "m");
        var (html, _) = QualityReportWriter.Write(ReportSamples.SizeOnly(), folder, "m");

        Assert.Empty(ReportHtml.Parse(File.ReadAllText(html)).Named("svg"));
        Assert.Equal(2, Directory.GetFiles(folder).Length);
    }

    [Fact]
    public void Creates_the_folder_when_missing()
    {
        var folder = Path.Combine(RealModels.ScratchFolder("report-mkdir"), "obj", "quantize");
        var (html, markdown) = QualityReportWriter.Write(ReportSamples.SizeOnly(), folder, "tiny");

        Assert.True(File.Exists(html));
        Assert.True(File.Exists(markdown));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData(" ")]
    public void Model_names_that_are_not_file_names_are_rejected(string name)
    {
        var folder = RealModels.ScratchFolder("report-bad-name");
        Assert.ThrowsAny<ArgumentException>(() => QualityReportWriter.Write(ReportSamples.SizeOnly(), folder, name));
        Assert.Empty(Directory.GetFiles(folder));
    }

    [Fact]
    public void Unwritable_folder_is_a_qnt_error()
    {
        var blocker = Path.Combine(RealModels.ScratchFolder("report-unwritable"), "file");
        File.WriteAllText(blocker, "a file where the folder should be");

        var error = Assert.Throws<QuantizeException>(() => QualityReportWriter.Write(ReportSamples.SizeOnly(), blocker, "m"));
        Assert.Equal(ErrorCodes.OutputWriteFailed, error.Code);
    }
}
