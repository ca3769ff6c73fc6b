using Quantize.Core.Evaluation;
using Quantize.Core.Reporting;

namespace Quantize.Core.Tests.Reporting;

public sealed class QualitySummaryLineTests
{
    [Fact]
    public void Full_report_gives_precision_size_worst_cosine_and_speedup()
    {
        var report = ReportSamples.MiniLmInt8();
        var line = QualitySummaryLine.Format("MiniLM", report);

        Assert.StartsWith("MiniLM: Int8, 0.26x size (", line, StringComparison.Ordinal);
        Assert.Contains(" MiB -> ", line, StringComparison.Ordinal);
        // The worst of the two outputs' cosines, not the first or the mean.
        Assert.Contains("cosine 0.9962", line, StringComparison.Ordinal);
        Assert.Contains("2.31x faster", line, StringComparison.Ordinal);
        Assert.Contains("3 nodes kept in higher precision", line, StringComparison.Ordinal);
        Assert.DoesNotContain("FAILED", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void Declared_class_scores_make_top1_the_key_metric_and_failures_are_named()
    {
        var line = QualitySummaryLine.Format("ResNet18", ReportSamples.FailedClassifier());

        Assert.Contains("top-1 agreement 94.0%", line, StringComparison.Ordinal);
        Assert.DoesNotContain("cosine", line, StringComparison.Ordinal);
        Assert.Contains("0.88x speed (slower than float)", line, StringComparison.Ordinal);
        Assert.EndsWith("; FAILED MaxTop1Drop 0.06 vs 0.01, MinSpeedup 0.875 vs 1.1", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Checks_that_did_not_run_are_said_plainly()
    {
        var line = QualitySummaryLine.Format("tiny", ReportSamples.SizeOnly());

        Assert.Equal("tiny: Fp16, 0.50x size (1.2 MiB -> 603.5 KiB), accuracy not checked, speed not checked", line);
    }

    [Fact]
    public void Cosines_just_below_one_keep_enough_digits_to_differ_from_one()
    {
        var report = ReportSamples.SizeOnly();
        report.Evaluation = new EvaluationResult([new OutputMetrics("y", 0.9999871, 48.9, 0.001, 0.005, null)], 10, "validation data");

        Assert.Contains("cosine 0.999987", QualitySummaryLine.Format("m", report), StringComparison.Ordinal);
    }

    [Fact]
    public void Line_is_the_same_in_every_culture()
    {
        var report = ReportSamples.MiniLmInt8();
        var expected = QualitySummaryLine.Format("MiniLM", report);
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal(expected, QualitySummaryLine.Format("MiniLM", report));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = saved;
        }
    }
}
