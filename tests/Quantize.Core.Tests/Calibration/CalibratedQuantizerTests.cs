using Google.Protobuf;
using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Onnx;
using Quantize.Core.Tests.Evaluation;
using Quantize.Testing.TestModels;
using static Quantize.Core.Tests.Calibration.CalibrationFixtures;
using static Quantize.Testing.TestModels.ModelBuilder;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Tests.Calibration;

/// <summary>
/// <see cref="CalibratedQuantizer"/>: calibration observes the pre-processed graph (so a Conv that absorbed a
/// BatchNormalization has its range), ranges files are reused only under the same fingerprint.
/// </summary>
public sealed class CalibratedQuantizerTests : IDisposable
{
    private static readonly long[] Shape = [1, 3, 8, 8];

    private readonly string _folder = RealModels.ScratchFolder("calibrated-quantizer");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Conv_BatchNorm_Relu_is_calibrated_after_folding_so_every_conv_is_quantized_and_runs_close_to_float()
    {
        var b = new ModelBuilder(13);
        var x = b.Input("x", DataType.Float, 1, 3, 8, 8);
        var conv = b.Node("Conv", [x, b.RandomInitializer("w", 0.4f, 8, 3, 3, 3)], "conv", null, Ints("pads", 1, 1, 1, 1));
        var bn = b.Node("BatchNormalization", [conv, b.Initializer("gamma", [.. Enumerable.Range(0, 8).Select(i => 0.5f + (0.1f * i))], 8),
            b.Initializer("beta", [.. Enumerable.Range(0, 8).Select(i => 0.05f * i)], 8), b.Initializer("mean", new float[8], 8),
            b.Initializer("var", [.. Enumerable.Repeat(1f, 8)], 8)], "bn");
        b.Node("Relu", [bn], "relu", "y");
        b.Output("y", DataType.Float, 1, 8, 8, 8);
        var input = Path.Combine(_folder, "conv-bn.onnx");
        File.WriteAllBytes(input, b.Model.ToByteArray());
        var data = Directory.CreateDirectory(Path.Combine(_folder, "data")).FullName;
        for (int seed = 0; seed < 16; seed++)
        {
            File.WriteAllBytes(Path.Combine(data, $"{seed:D2}.npy"), Npy("<f4", Shape, FloatBytes(Sample(seed))));
        }

        var output = Path.Combine(_folder, "conv-bn.int8.onnx");
        var result = CheckedRun.Calibrated(input, output, new QuantizeOptions { Precision = Precision.Int8 },
            new CalibrationDataOptions { Sources = [data] }, new CalibrationOptions());

        Assert.Equal(new CalibrationReport("MinMax", 16, result.Calibration!.Elapsed, false, null), result.Calibration);
        Assert.Empty(result.Warnings);
        Assert.DoesNotContain(result.Notes, n => n.Contains("no calibrated range", StringComparison.Ordinal));
        var (model, _) = ModelReader.Load(output);
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "BatchNormalization");
        var quantizedConv = Assert.Single(model.Graph.Node, n => n.OpType == "Conv");
        Assert.All(quantizedConv.Input.Take(2), i => Assert.Equal("DequantizeLinear", model.Graph.Node.Single(n => n.Output.Contains(i)).OpType));

        var feed = new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(Sample(77), Shape) };
        var expected = OrtRunner.Run(input, feed)["y"];
        var actual = OrtRunner.Run(output, feed)["y"];
        Assert.True(Similarity.Cosine(expected, actual) >= 0.999, $"cosine {Similarity.Cosine(expected, actual)}");
    }

    [Fact]
    public void A_stamped_ranges_file_loads_only_under_its_own_fingerprint()
    {
        var ranges = new ActivationRanges(new Dictionary<string, TensorRange> { ["t"] = new(-1f, 2f) }, "MinMax");
        var path = Path.Combine(_folder, "sub", "m.ranges.json");

        Assert.Null(ActivationRangesFile.TryLoadMatching(path, "abc", out _));
        ActivationRangesFile.Save(ranges, path, new RangesStamp("abc", 7));
        var loaded = ActivationRangesFile.TryLoadMatching(path, "abc", out _);
        Assert.NotNull(loaded);
        Assert.Equal(ranges.Ranges, loaded.Value.Ranges.Ranges);
        Assert.Equal(new RangesStamp("abc", 7), loaded.Value.Stamp);
        Assert.Null(ActivationRangesFile.TryLoadMatching(path, "abd", out _));
        // An unstamped file (written by hand or by an older version) never counts as a match.
        ActivationRangesFile.Save(ranges, path);
        Assert.Null(ActivationRangesFile.TryLoadMatching(path, "abc", out _));
    }

    [Theory]
    [InlineData("\"max\": 2", "\"max\": 1e38", "SHA-256")] // a tampered maximum: the content hash catches it
    [InlineData("\"min\": -1", "\"min\": 3", "SHA-256")]
    public void A_damaged_ranges_file_is_ignored_with_the_reason(string original, string tampered, string reason)
    {
        var ranges = new ActivationRanges(new Dictionary<string, TensorRange> { ["t"] = new(-1f, 2f), ["u"] = new(0f, 1f) }, "MinMax");
        var path = Path.Combine(_folder, "tampered.ranges.json");
        ActivationRangesFile.Save(ranges, path, new RangesStamp("abc", 7));
        var text = File.ReadAllText(path);
        Assert.Contains(original, text, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace(original, tampered, StringComparison.Ordinal));

        Assert.Null(ActivationRangesFile.TryLoadMatching(path, "abc", out var damage));
        Assert.Contains(reason, damage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ranges_file_that_is_not_json_is_damaged_not_an_error()
    {
        var path = Path.Combine(_folder, "garbage.ranges.json");
        File.WriteAllText(path, "{ \"fingerprint\": \"abc\", \"ranges\": ");

        Assert.Null(ActivationRangesFile.TryLoadMatching(path, "abc", out var damage));
        Assert.NotNull(damage);
    }

    private static float[] Sample(int seed) =>
        [.. Enumerable.Range(0, 3 * 8 * 8).Select(i => MathF.Sin((i * 0.21f) + (seed * 1.3f)) * (1f + (0.1f * (i / 64))))];
}
