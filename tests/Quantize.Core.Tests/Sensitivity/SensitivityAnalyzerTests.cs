using Quantize.Core.Calibration;
using Quantize.Core.Evaluation;
using Quantize.Core.MixedPrecision;
using Xunit.Abstractions;

namespace Quantize.Core.Tests.Sensitivity;

/// <summary>
/// Per-layer sensitivity on a model with one deliberately fragile layer (fc2 reads an activation with a
/// ~1000× outlier channel): whatever the precision, the ranking must put that layer first, by the end-to-end
/// gain of keeping it in float, measured with real ONNX Runtime runs of real quantized models.
/// </summary>
public class SensitivityAnalyzerTests(ITestOutputHelper output)
{
    private static readonly QualityCheckOptions Quality = new() { SpeedCheck = false };

    [Fact]
    public void Int8_dynamic_ranks_the_fragile_layer_first()
    {
        var (model, data) = SensitivityFixtures.FragileMlp("sensitivity-int8");
        var layers = SensitivityAnalyzer.Analyze(model, new QuantizeOptions { Precision = Precision.Int8 }, Quality with { ValidationData = data });

        Print(layers);
        AssertFragileFirst(layers, ["fc1", "fc2", "fc3", "fc4"]);
    }

    [Fact]
    public void Static_int8_ranks_the_fragile_layer_first()
    {
        var (model, data) = SensitivityFixtures.FragileMlp("sensitivity-static");
        var layers = SensitivityAnalyzer.Analyze(model, new QuantizeOptions { Precision = Precision.Int8 }, Quality with { ValidationData = data },
            new CalibrationSetup(data, new CalibrationOptions { MinimumSamples = 1 }));

        Print(layers);
        Assert.Equal(TestModelCatalog.FragileLayer, layers[0].Node);
        Assert.Contains(layers, l => l.Node == "fc1");
        Assert.True(layers[0].EndToEndGain > 0);
    }

    [Fact]
    public void Int4_ranks_the_fragile_layer_first()
    {
        var (model, data) = SensitivityFixtures.FragileMlp("sensitivity-int4");
        var layers = SensitivityAnalyzer.Analyze(model, new QuantizeOptions { Precision = Precision.Int4 }, Quality with { ValidationData = data });

        Print(layers);
        AssertFragileFirst(layers, ["fc1", "fc2", "fc3", "fc4"]);
        Assert.All(layers, l => Assert.True(l.LocalError >= 0 && double.IsFinite(l.LocalError), $"{l.Node}: {l.LocalError}"));
    }

    [Fact]
    public void Without_data_sensitivity_is_an_evaluation_data_error()
    {
        var (model, _) = SensitivityFixtures.FragileMlp("sensitivity-nodata");
        var error = Assert.Throws<Diagnostics.QuantizeException>(() => SensitivityAnalyzer.Analyze(model, new QuantizeOptions { Precision = Precision.Int8 }, Quality));
        Assert.Equal(ErrorCodes.EvaluationDataMissing, error.Code);
    }

    private static void AssertFragileFirst(IReadOnlyList<LayerSensitivity> layers, string[] quantized)
    {
        Assert.Equal(quantized, layers.Select(l => l.Node).Order(StringComparer.Ordinal));
        var first = layers[0];
        Assert.Equal(TestModelCatalog.FragileLayer, first.Node);
        Assert.Equal("MatMul", first.OpType);
        Assert.True(first.EndToEndGain > 0, $"gain {first.EndToEndGain}");
        Assert.All(layers.Skip(1), l => Assert.True(l.EndToEndGain < first.EndToEndGain, $"{l.Node}: gain {l.EndToEndGain}"));
        // The probes see it too: fc2 adds more error to its activation than fc1, which reads the model's own input.
        Assert.True(first.LocalError > layers.Single(l => l.Node == "fc1").LocalError);
    }

    private void Print(IReadOnlyList<LayerSensitivity> layers)
    {
        foreach (var layer in layers)
        {
            output.WriteLine($"{layer.Node,-6} {layer.OpType,-8} local {layer.LocalError:F6} gain {layer.EndToEndGain:F6}");
        }
    }
}
