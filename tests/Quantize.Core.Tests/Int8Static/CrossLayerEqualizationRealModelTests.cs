using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Tests.Evaluation;
using Xunit.Abstractions;

namespace Quantize.Core.Tests.Int8Static;

/// <summary>
/// Cross-layer equalization on real models, side by side with the default in one run: ResNet-18 (Conv → Relu → Conv
/// inside every residual block) with per-channel and per-tensor weights, and MLSD tiny (Relu6 everywhere, so only the
/// few pairs without an activation), calibrated on 9 photos and judged on the other 9. The figures (and those of the
/// Relu6 variant, which breaks MLSD's float function) are in docs/passes.md; the default stays off because of them.
/// </summary>
public class CrossLayerEqualizationRealModelTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("resnet18", EqualizationScope.Exact, true)]
    [InlineData("resnet18", EqualizationScope.Exact, false)]
    [InlineData("mlsd-tiny", EqualizationScope.Exact, true)]
    public void Equalization_measured_against_the_default(string name, EqualizationScope scope, bool perChannel)
    {
        var (model, image) = name switch
        {
            "resnet18" => (RealModels.ResNet18Path, ResNet18Preprocessing.MlNet),
            "mlsd-tiny" => (NpmModels.MlsdTiny, MlsdStaticInt8Tests.MlsdInput),
            _ => (NpmModels.MlsdLarge, MlsdStaticInt8Tests.MlsdInput),
        };
        var photos = RealPhotos.All;
        var calibration = photos.Where((_, i) => i % 2 == 0).ToList();
        var heldOut = photos.Where((_, i) => i % 2 == 1).ToList();
        var folder = RealModels.ScratchFolder($"cle-{name}-{scope}-{perChannel}");

        (Dictionary<string, double> Cosines, QuantizeResult Result) Run(EqualizationScope equalization)
        {
            var path = Path.Combine(folder, $"{equalization}-{perChannel}.onnx");
            var result = CheckedRun.Calibrated(model, path, new QuantizeOptions { Precision = Precision.Int8, PerChannel = perChannel, Static = new StaticInt8Options { CrossLayerEqualization = equalization, PerChannel = perChannel } },
                new CalibrationDataOptions { Sources = calibration, Image = image }, new CalibrationOptions());
            return (MlsdStaticInt8Tests.MeanCosines(model, path, heldOut, image), result);
        }

        var (without, _) = Run(EqualizationScope.None);
        var (with, equalized) = Run(scope);

        var note = equalized.Notes.Single(n => n.StartsWith("Cross-layer equalization", StringComparison.Ordinal));
        output.WriteLine($"{name}, {(perChannel ? "per-channel" : "per-tensor")} weights, mean cosine on {heldOut.Count} held-out photos, default → {scope}: "
            + string.Join(", ", without.Keys.Select(k => $"{k} {without[k]:F4} → {with[k]:F4}")) + $"; {note}; {equalized.Elapsed.TotalSeconds:F1} s");
        Assert.Contains("rescaled", note, StringComparison.Ordinal);
        if (!perChannel)
        {
            // Per-tensor weights are where equalization pays (one scale for channels of unequal range): it must not lose.
            Assert.True(with.Values.Single() >= without.Values.Single(), $"{without.Values.Single():F4} → {with.Values.Single():F4}");
        }
    }
}
