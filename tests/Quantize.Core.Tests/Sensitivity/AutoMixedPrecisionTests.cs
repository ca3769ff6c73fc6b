using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Diagnostics;
using Quantize.Core.Evaluation;
using Quantize.Core.Onnx;
using Quantize.Core.Tests.Evaluation;
using Xunit.Abstractions;

namespace Quantize.Core.Tests.Sensitivity;

/// <summary>
/// AutoMixedPrecision through the quality-checked quantizer: on the model with one fragile layer it must keep
/// exactly that layer in float and pass; an unreachable gate fails with QNT0019 and the best mix; the same
/// inputs choose the same nodes and write the same bytes.
/// </summary>
public class AutoMixedPrecisionTests(ITestOutputHelper output)
{
    private static readonly QuantizeOptions Int8 = new() { Precision = Precision.Int8 };

    private static QualityCheckOptions AutoMix(CalibrationDataOptions data, double minCosine, int maxFallbacks = QualityCheckOptions.DefaultMaxFallbacks) => new()
    {
        ValidationData = data,
        Gates = new QualityGates { MinCosine = minCosine },
        AutoMixedPrecision = true,
        MaxFallbacks = maxFallbacks,
        SpeedCheck = false,
    };

    [Fact]
    public void Int8_dynamic_keeps_exactly_the_fragile_layer_in_float()
    {
        var (model, data) = SensitivityFixtures.FragileMlp("automix-int8");
        var target = Path.Combine(Path.GetDirectoryName(model)!, "mixed.onnx");
        QualityReport? measured = null;

        var result = CheckedRun.Quantize(model, target, Int8, AutoMix(data, 0.999), measured: r => measured = r);

        var report = result.Quality!;
        Assert.Same(report, measured);
        output.WriteLine(string.Join(Environment.NewLine, report.Notes));
        Assert.Equal([new(TestModelCatalog.FragileLayer, "FP32")], report.Fallbacks);
        Assert.Empty(report.Failures);
        Assert.True(report.Evaluation!.WorstCosine >= 0.999);
        Assert.Equal(TestModelCatalog.FragileLayer, report.Layers[0].Node);
        Assert.Contains(report.Notes, n => n.Contains("<Exclude>fc2</Exclude>", StringComparison.Ordinal));
        var (written, _) = ModelReader.Load(target);
        var fc2 = Assert.Single(written.Graph.Node, n => n.Name == TestModelCatalog.FragileLayer);
        Assert.Equal("MatMul", fc2.OpType);
        Assert.Equal(3, written.Graph.Node.Count(n => n.OpType == "MatMulInteger"));
        Assert.Equal(["fc1", "fc3", "fc4"], result.QuantizedNodes.Select(n => n.Name));
        Assert.Empty(Directory.GetDirectories(Path.GetDirectoryName(model)!, ".quantize-*"));
    }

    [Fact]
    public void Without_AutoMixedPrecision_a_failed_gate_names_the_fragile_layer_first_and_a_passing_one_still_charts_every_layer()
    {
        var (model, data) = SensitivityFixtures.FragileMlp("gate-layers");
        var target = Path.Combine(Path.GetDirectoryName(model)!, "gated.onnx");

        var failure = Assert.Throws<QuantizeException>(() => CheckedRun.Quantize(model, target, Int8, AutoMix(data, 0.999) with { AutoMixedPrecision = false }));

        Assert.Equal(ErrorCodes.QualityGateFailed, failure.Code);
        Assert.Contains($"Worst layers: {TestModelCatalog.FragileLayer} (MatMul", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"<Exclude>{TestModelCatalog.FragileLayer};", failure.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(target));

        // A gate it meets: no ranking by gain, but the report still gets one local-error entry per quantized node.
        var passed = CheckedRun.Quantize(model, target, Int8, AutoMix(data, 0.5) with { AutoMixedPrecision = false });
        var layers = passed.Quality!.Layers;
        Assert.Equal(passed.QuantizedNodes.Select(n => n.Name).Order(StringComparer.Ordinal), layers.Select(l => l.Node).Order(StringComparer.Ordinal));
        Assert.All(layers, l => Assert.Null(l.EndToEndGain));
        Assert.Equal(TestModelCatalog.FragileLayer, layers[0].Node);
    }

    [Fact]
    public void Static_int8_keeps_exactly_the_fragile_layer_in_float()
    {
        var (model, data) = SensitivityFixtures.FragileMlp("automix-static");
        var target = Path.Combine(Path.GetDirectoryName(model)!, "mixed.onnx");

        var result = CheckedRun.Quantize(model, target, Int8, AutoMix(data, 0.999) with { ValidationData = null },
            new CalibrationSetup(data, new CalibrationOptions { MinimumSamples = 1 }));

        var report = result.Quality!;
        output.WriteLine(string.Join(Environment.NewLine, report.Notes));
        Assert.Equal([new(TestModelCatalog.FragileLayer, "FP32")], report.Fallbacks);
        Assert.Empty(report.Failures);
        Assert.DoesNotContain(result.QuantizedNodes, n => n.Name == TestModelCatalog.FragileLayer);
        Assert.Contains(result.QuantizedNodes, n => n.Name == "fc1");
    }

    [Fact]
    public void Unreachable_gate_fails_with_the_best_mix_and_writes_nothing()
    {
        var (model, data) = SensitivityFixtures.FragileMlp("automix-unreachable");
        var target = Path.Combine(Path.GetDirectoryName(model)!, "mixed.onnx");
        QualityReport? measured = null;

        var error = Assert.Throws<QuantizeException>(() => CheckedRun.Quantize(model, target, Int8, AutoMix(data, 0.99999999, maxFallbacks: 2), measured: r => measured = r));

        output.WriteLine(error.Message);
        Assert.Equal(ErrorCodes.NoMixMeetsGates, error.Code);
        Assert.Equal(model, error.FilePath);
        Assert.Contains("at most 2 node(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Best mix found: <Exclude>fc2", error.Message, StringComparison.Ordinal);
        Assert.Contains("still fails: MinCosine", error.Message, StringComparison.Ordinal);
        Assert.Contains("worst cosine", error.Message, StringComparison.Ordinal);
        Assert.Equal(TestModelCatalog.FragileLayer, measured!.Fallbacks[0].Key);
        Assert.InRange(measured.Fallbacks.Count, 1, 2);
        Assert.NotEmpty(measured.Failures);
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetDirectories(Path.GetDirectoryName(model)!, ".quantize-*"));
    }

    [Fact]
    public void Same_inputs_choose_the_same_nodes_and_write_the_same_bytes()
    {
        var (model, data) = SensitivityFixtures.FragileMlp("automix-deterministic");
        var folder = Path.GetDirectoryName(model)!;
        var first = CheckedRun.Quantize(model, Path.Combine(folder, "a.onnx"), Int8, AutoMix(data, 0.999));
        var second = CheckedRun.Quantize(model, Path.Combine(folder, "b.onnx"), Int8, AutoMix(data, 0.999));

        Assert.Equal(first.Quality!.Fallbacks, second.Quality!.Fallbacks);
        Assert.Equal(first.Quality.Layers, second.Quality.Layers);
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder, "a.onnx")), File.ReadAllBytes(Path.Combine(folder, "b.onnx")));
    }

    [Fact]
    public void A_model_that_already_passes_keeps_nothing_in_float()
    {
        var (model, data) = SensitivityFixtures.FragileMlp("automix-passes");
        var result = CheckedRun.Quantize(model, Path.Combine(Path.GetDirectoryName(model)!, "out.onnx"), Int8, AutoMix(data, 0.5));

        Assert.Empty(result.Quality!.Fallbacks);
        // No search ran: the layers carry only the cheap local error, for the report's chart.
        Assert.All(result.Quality.Layers, l => Assert.Null(l.EndToEndGain));
    }

    [Theory]
    [InlineData(null, 10)]
    [InlineData(0.99, 0)]
    public void AutoMixedPrecision_needs_an_accuracy_gate_and_a_positive_cap(double? minCosine, int maxFallbacks)
    {
        var (model, data) = SensitivityFixtures.FragileMlp("automix-invalid");
        var quality = new QualityCheckOptions { ValidationData = data, Gates = new QualityGates { MinCosine = minCosine }, AutoMixedPrecision = true, MaxFallbacks = maxFallbacks };

        var error = Assert.Throws<QuantizeException>(() => CheckedRun.Quantize(model, Path.Combine(Path.GetDirectoryName(model)!, "out.onnx"), Int8, quality));

        Assert.Equal(ErrorCodes.InvalidOption, error.Code);
    }
}
