using Quantize.Core.Onnx;
using Xunit.Abstractions;
using static Quantize.Core.Tests.Fp16.Fp16RealModelTests;
using static Quantize.Core.Tests.Int8Static.StaticHarness;

namespace Quantize.Core.Tests.Int8Static;

/// <summary>
/// ResNet-18 (opset 8, BatchNormalization after every Conv): calibrated on smooth synthetic images (real
/// photos come with the calibration data readers), evaluated on other synthetic images.
/// </summary>
public class StaticResNet18Tests(ITestOutputHelper output)
{
    [Fact]
    public void ResNet18_static_int8_loads_runs_is_a_quarter_of_the_size_and_every_conv_is_QLinearConv()
    {
        var (inputName, shape) = ImageInput(RealModels.ResNet18Path);
        List<Dictionary<string, OrtRunner.Input>> Images(int first, int count) =>
            [.. Enumerable.Range(first, count).Select(seed => new Dictionary<string, OrtRunner.Input> { [inputName] = new(SyntheticImage(shape, seed), shape) })];
        var (original, _) = ModelReader.Load(RealModels.ResNet18Path);
        var ranges = ExactRanges.Compute(original, Images(0, 8));

        var outcome = QuantizeFile(RealModels.ResNet18Path, ranges, folder: RealModels.ScratchFolder("resnet18-static"));
        double ratio = (double)outcome.Result.BytesAfter / outcome.Result.BytesBefore;

        var cosines = new List<double>();
        using (var floatSession = OrtRunner.Open(RealModels.ResNet18Path))
        using (var quantizedSession = OrtRunner.Open(outcome.OutputPath))
        {
            foreach (var image in Images(100, 10))
            {
                var expected = OrtRunner.Run(floatSession, image);
                var actual = OrtRunner.Run(quantizedSession, image);
                cosines.AddRange(expected.Select(e => Similarity.Cosine(e.Value, actual[e.Key])));
            }
        }

        var optimized = Int8.Int8FusionTests.Optimize(outcome.OutputPath);
        int convs = Count(Passes.Int8Static.StaticPreprocessor.Optimize(RealModels.ResNet18Path, new StaticInt8Options()), "Conv");
        int fused = Count(optimized, "QLinearConv");
        double median = cosines.Order().ElementAt(cosines.Count / 2);
        output.WriteLine($"ResNet-18 static INT8 (per-channel, u8 activations, 8 synthetic calibration images): size {ratio:F4} of FP32; feature cosine on 10 held-out synthetic images median {median:F5}, min {cosines.Min():F5}; {fused} of {convs} Conv fused into QLinearConv; float Conv left {Count(optimized, "Conv")}; quantized in {outcome.Result.Elapsed.TotalSeconds:F1} s");
        output.WriteLine(string.Join(Environment.NewLine, outcome.Result.Notes));
        output.WriteLine("optimized ops: " + string.Join(", ", optimized.Graph.Node.GroupBy(n => n.OpType).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}×{g.Count()}")));

        Assert.Equal(0, Count(outcome.Model, "BatchNormalization"));
        Assert.Equal(0, Count(outcome.Model, "Conv"));
        Assert.All(outcome.Model.Graph.Node, n => Assert.True(n.Domain is "" or "com.microsoft", $"{n.OpType} in domain '{n.Domain}'"));
        // Opset 8 stays opset 8: the Q/DQ nodes come from com.microsoft.
        Assert.Equal(8, Graph.Opsets.Version(outcome.Model, string.Empty));
        Assert.All(outcome.Model.Graph.Node.Where(n => n.OpType is "QuantizeLinear" or "DequantizeLinear" or "QLinearConv"), n => Assert.Equal("com.microsoft", n.Domain));
        Assert.True(ratio <= 0.27, $"size ratio {ratio}");
        Assert.Equal(convs, fused);
        // Measured 0.998 on these synthetic images (2-core dev machine run); the bar is 0.98 on photos.
        Assert.True(median >= 0.98, $"median cosine {median}");
    }
}
