using Quantize.Core.Diagnostics;
using Quantize.Core.Evaluation;
using Xunit.Abstractions;

namespace Quantize.Core.Tests.Evaluation;

/// <summary>
/// The default guard against collapse, through the quality-checked quantizer and real ONNX Runtime sessions: a model
/// that INT8 wrecks (FragileMlp with a 10⁶ outlier channel) is refused with QNT0027 and nothing is written; the
/// switch and explicit gates take precedence; a healthy model passes.
/// </summary>
public class CollapseGuardTests(ITestOutputHelper output)
{
    private static readonly QuantizeOptions Int8 = new() { Precision = Precision.Int8 };

    [Fact]
    public void A_collapsed_model_is_refused_naming_the_output_the_value_the_worst_layer_and_the_exclude()
    {
        var (model, data) = SensitivityFixtures.FragileMlp("collapse-refused", boost: 1e6f);
        var target = Path.Combine(Path.GetDirectoryName(model)!, "collapsed.onnx");
        QualityReport? report = null;

        var failure = Assert.Throws<QuantizeException>(() => CheckedRun.Quantize(model, target, Int8, Checked(data), measured: r => report = r));

        output.WriteLine(failure.Message);
        Assert.Equal(ErrorCodes.QuantizationCollapsed, failure.Code);
        Assert.Equal(model, failure.FilePath);
        var cosine = Assert.Single(report!.Evaluation!.Outputs).Cosine;
        Assert.True(cosine < CollapseGuard.MinCosine, $"the model must collapse for this test to mean anything: cosine {cosine}");
        Assert.Contains($"output 'y' has cosine {cosine:0.####}", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"<Exclude>{Quantize.Testing.TestModels.TestModelCatalog.FragileLayer}", failure.Message, StringComparison.Ordinal);
        Assert.Contains("CollapseGuard=\"false\"", failure.Message, StringComparison.Ordinal);
        Assert.Equal(CollapseGuard.Metric, Assert.Single(report.Failures).Metric);
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetDirectories(Path.GetDirectoryName(model)!, ".quantize-*"));
    }

    [Fact]
    public void The_switch_and_an_explicit_gate_take_precedence()
    {
        var (model, data) = SensitivityFixtures.FragileMlp("collapse-off", boost: 1e6f);
        var folder = Path.GetDirectoryName(model)!;

        var off = CheckedRun.Quantize(model, Path.Combine(folder, "off.onnx"), Int8, Checked(data) with { CollapseGuard = false });
        var gated = CheckedRun.Quantize(model, Path.Combine(folder, "gated.onnx"), Int8, Checked(data) with { Gates = new QualityGates { MinCosine = -1 } });

        Assert.True(off.Quality!.Evaluation!.WorstCosine < CollapseGuard.MinCosine);
        Assert.Empty(off.Quality.Failures);
        Assert.DoesNotContain(off.Quality.Notes, n => n.StartsWith("Collapse guard", StringComparison.Ordinal));
        Assert.Empty(gated.Quality!.Failures);
        Assert.True(File.Exists(Path.Combine(folder, "off.onnx")) && File.Exists(Path.Combine(folder, "gated.onnx")));
    }

    [Fact]
    public void A_healthy_model_passes_and_nothing_compared_means_nothing_judged()
    {
        var (model, data) = SensitivityFixtures.FragileMlp("collapse-healthy", boost: 1f);

        var healthy = CheckedRun.Quantize(model, Path.Combine(Path.GetDirectoryName(model)!, "healthy.onnx"), Int8, Checked(data));

        Assert.True(healthy.Quality!.Evaluation!.WorstCosine >= CollapseGuard.MinCosine);
        Assert.Empty(healthy.Quality.Failures);
        Assert.Contains(healthy.Quality.Notes, n => n.StartsWith("Collapse guard: every output's cosine to float is at least 0.90", StringComparison.Ordinal));
        Assert.Empty(CollapseGuard.Check(new QualityCheckOptions(), evaluation: null));
    }

    [Fact]
    public void Without_data_the_summary_says_accuracy_was_not_checked_and_the_guard_stays_silent()
    {
        var (model, _) = SensitivityFixtures.FragileMlp("collapse-nodata", boost: 1e6f);

        var result = CheckedRun.Quantize(model, Path.Combine(Path.GetDirectoryName(model)!, "unchecked.onnx"), Int8, new QualityCheckOptions { SpeedCheck = false });

        Assert.Null(result.Quality!.Evaluation);
        Assert.Contains(result.Quality.Notes, n => n.StartsWith("Accuracy was not checked: there is no data", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Quality.Notes, n => n.StartsWith("Collapse guard", StringComparison.Ordinal));
    }

    private static QualityCheckOptions Checked(Quantize.Core.Calibration.Data.CalibrationDataOptions data) => new() { ValidationData = data, SpeedCheck = false };
}
