using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Tests.Evaluation;
using Xunit.Abstractions;

namespace Quantize.Core.Tests.Int8Static;

/// <summary>
/// Static INT8 on real mobile CNN exports it was not developed on: MLSD tiny and large (tf2onnx, MobileNetV2 with
/// depthwise convs and Relu6, NHWC RGBA), fed what their own first ops expect (pixels 0–255, alpha 1), calibrated on
/// 9 photos and judged on the other 9 against ONNX Runtime's float run, with and without bias correction in one run.
/// The figures are in docs/measured-results.md; the bars here are below them by the spread between runs.
/// </summary>
public class MlsdStaticInt8Tests(ITestOutputHelper output)
{
    /// <summary>What MLSD's first ops expect: pixels 0–255 and alpha 1 (docs/passes.md).</summary>
    internal static readonly ImagePreprocessing MlsdInput = new() { Scale = 1f, Mean = [0f, 0f, 0f, 254f], Std = [1f] };

    [Theory]
    [InlineData("tiny", 0.97, 0.40)]
    [InlineData("large", 0.95, 0.35)]
    public void Depthwise_bias_correction_repairs_the_offsets_map(string size, double offsetsBar, double sizeBar)
    {
        var model = size == "tiny" ? NpmModels.MlsdTiny : NpmModels.MlsdLarge;
        var photos = RealPhotos.All;
        var calibration = photos.Where((_, i) => i % 2 == 0).ToList();
        var heldOut = photos.Where((_, i) => i % 2 == 1).ToList();
        var folder = RealModels.ScratchFolder($"mlsd-{size}");

        var uncorrected = Quantize(model, Path.Combine(folder, "none.onnx"), calibration, BiasCorrectionScope.None);
        var corrected = Quantize(model, Path.Combine(folder, "depthwise.onnx"), calibration, new StaticInt8Options().BiasCorrection);
        var without = MeanCosines(model, uncorrected.Path, heldOut);
        var with = MeanCosines(model, corrected.Path, heldOut);
        double ratio = (double)corrected.Result.BytesAfter / corrected.Result.BytesBefore;

        output.WriteLine($"MLSD {size}, mean cosine on {heldOut.Count} held-out photos: offsets {without["offsets"]:F4} → {with["offsets"]:F4}, " +
            $"scores {without["scores"]:F4} → {with["scores"]:F4}; size {ratio:F3} of FP32; quantized in {uncorrected.Result.Elapsed.TotalSeconds:F1} s without, {corrected.Result.Elapsed.TotalSeconds:F1} s with");
        Assert.Contains(corrected.Result.Notes, n => n.StartsWith("Bias correction (Depthwise)", StringComparison.Ordinal));
        Assert.True(with["offsets"] >= offsetsBar, $"offsets {with["offsets"]:F4}");
        Assert.True(with["offsets"] >= without["offsets"] + 0.05, $"offsets {without["offsets"]:F4} → {with["offsets"]:F4}");
        Assert.True(ratio <= sizeBar, $"size {ratio:F3}");
    }

    private static (string Path, QuantizeResult Result) Quantize(string model, string path, List<string> photos, BiasCorrectionScope scope) =>
        (path, CheckedRun.Calibrated(model, path, new QuantizeOptions { Precision = Precision.Int8, Static = new StaticInt8Options { BiasCorrection = scope } },
            new CalibrationDataOptions { Sources = photos, Image = MlsdInput }, new CalibrationOptions()));

    /// <summary>The mean over <paramref name="photos"/> of each output's cosine to the float model's.</summary>
    internal static Dictionary<string, double> MeanCosines(string model, string quantized, List<string> photos, ImagePreprocessing? preprocessing = null)
    {
        preprocessing ??= MlsdInput;
        var (proto, _) = Onnx.ModelReader.Load(model);
        var cosines = new Dictionary<string, List<double>>();
        using var floatSession = OrtRunner.Open(model);
        using var quantizedSession = OrtRunner.Open(quantized);
        foreach (var sample in new CalibrationDataReader(proto, new CalibrationDataOptions { Sources = photos, Image = preprocessing }).Read())
        {
            var inputs = sample.Inputs.ToDictionary(p => p.Key, p => new OrtRunner.Input(p.Value.FloatSpan.ToArray(), [.. p.Value.Shape]));
            var expected = OrtRunner.Run(floatSession, inputs);
            var actual = OrtRunner.Run(quantizedSession, inputs);
            foreach (var (name, values) in expected)
            {
                (cosines.TryGetValue(name, out var list) ? list : cosines[name] = []).Add(Similarity.Cosine(values, actual[name]));
            }
        }

        return cosines.ToDictionary(c => c.Key, c => c.Value.Average());
    }
}
