using Microsoft.ML.OnnxRuntime;
using Quantize.Core.Onnx;
using Xunit.Abstractions;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Tests.Fp16;

/// <summary>
/// FP16 on the real pretrained models against the targets: size ≤ 0.51 of FP32 and cosine ≥ 0.9999
/// (MiniLM: mean sentence-embedding cosine over all 60 real sentences; ResNet-18: output features on
/// deterministic ImageNet-normalized images).
/// </summary>
public class Fp16RealModelTests(ITestOutputHelper output)
{
    private static readonly QuantizeOptions Fp16 = new() { Precision = Precision.Fp16 };

    [Fact]
    public void MiniLm_fp16_is_half_the_size_and_embeds_sentences_like_fp32()
    {
        var target = Path.Combine(RealModels.ScratchFolder("minilm-fp16"), "minilm.fp16.onnx");
        var result = QuantizeEngine.Quantize(RealModels.MiniLmPath, target, Fp16);
        double ratio = (double)result.BytesAfter / result.BytesBefore;

        var expected = MiniLmEmbedder.Embed(RealModels.MiniLmPath, Sentences.All);
        var actual = MiniLmEmbedder.Embed(target, Sentences.All);
        double cosine = MiniLmEmbedder.MeanCosine(expected, actual);
        double worst = expected.Zip(actual, (e, a) => Similarity.Cosine(e, a)).Min();
        output.WriteLine($"MiniLM FP16: size {ratio:F4} of FP32, mean cosine {cosine:F6} (worst {worst:F6}) over {Sentences.All.Count} sentences, converted in {result.Elapsed.TotalSeconds:F2} s");

        Assert.True(ratio <= 0.51, $"size ratio {ratio}");
        Assert.True(cosine >= 0.9999, $"mean cosine {cosine}");
        var (model, _) = ModelReader.Load(target);
        Assert.DoesNotContain(PrecisionHarness.AllInitializers(model), i => i.ElementType() == DataType.Float);
    }

    [Fact]
    public void ResNet18_fp16_is_half_the_size_and_gives_the_same_features()
    {
        var target = Path.Combine(RealModels.ScratchFolder("resnet18-fp16"), "resnet18.fp16.onnx");
        var result = QuantizeEngine.Quantize(RealModels.ResNet18Path, target, Fp16);
        double ratio = (double)result.BytesAfter / result.BytesBefore;

        var (inputName, shape) = ImageInput(RealModels.ResNet18Path);
        var cosines = new List<double>();
        for (int seed = 0; seed < 3; seed++)
        {
            var inputs = new Dictionary<string, OrtRunner.Input> { [inputName] = new(SyntheticImage(shape, seed), shape) };
            var expected = OrtRunner.Run(RealModels.ResNet18Path, inputs);
            var actual = OrtRunner.Run(target, inputs);
            cosines.AddRange(expected.Select(e => Similarity.Cosine(e.Value, actual[e.Key])));
        }

        output.WriteLine($"ResNet-18 FP16: input {inputName} [{string.Join(',', shape)}], size {ratio:F4} of FP32, feature cosine min {cosines.Min():F7} over {cosines.Count} outputs, converted in {result.Elapsed.TotalSeconds:F2} s");
        Assert.True(ratio <= 0.51, $"size ratio {ratio}");
        Assert.All(cosines, c => Assert.True(c >= 0.9999, $"cosine {c}"));
    }

    [Fact]
    public void MiniLm_fp16_conversion_is_byte_identical_when_repeated()
    {
        var folder = RealModels.ScratchFolder("minilm-fp16-twice");
        QuantizeEngine.Quantize(RealModels.MiniLmPath, Path.Combine(folder, "a.onnx"), Fp16, verifyOutput: false);
        QuantizeEngine.Quantize(RealModels.MiniLmPath, Path.Combine(folder, "b.onnx"), Fp16, verifyOutput: false);
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder, "a.onnx")), File.ReadAllBytes(Path.Combine(folder, "b.onnx")));
    }

    /// <summary>The model's image input and its shape (symbolic batch taken as 1).</summary>
    internal static (string Name, long[] Shape) ImageInput(string modelPath)
    {
        using var session = new InferenceSession(modelPath);
        var (name, metadata) = session.InputMetadata.Single();
        return (name, [.. metadata.Dimensions.Select(d => d > 0 ? (long)d : 1L)]);
    }

    /// <summary>
    /// A smooth pseudo-photograph (overlapping colour gradients and waves, values in [0, 1]) normalized with
    /// ImageNet's channel means and deviations, as ResNet preprocessing does.
    /// </summary>
    internal static float[] SyntheticImage(long[] shape, int seed)
    {
        float[] mean = [0.485f, 0.456f, 0.406f];
        float[] std = [0.229f, 0.224f, 0.225f];
        int channels = (int)shape[1], height = (int)shape[2], width = (int)shape[3];
        var image = new float[channels * height * width];
        var random = new Random(seed);
        double fx = 2 + (random.NextDouble() * 6), fy = 2 + (random.NextDouble() * 6), phase = random.NextDouble() * Math.PI;
        for (int c = 0; c < channels; c++)
        {
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    double u = (double)x / width, v = (double)y / height;
                    double value = 0.5 + (0.3 * Math.Sin((fx * u * Math.PI) + (c * 1.3) + phase)) + (0.2 * Math.Cos(fy * v * Math.PI * (1 + c)));
                    value = Math.Clamp(value * (0.6 + (0.4 * u)), 0, 1);
                    image[(c * height * width) + (y * width) + x] = (float)((value - mean[c % 3]) / std[c % 3]);
                }
            }
        }

        return image;
    }
}
