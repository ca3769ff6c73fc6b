using Quantize.Core.Diagnostics;
using Xunit.Abstractions;

namespace Quantize.Core.Tests.Bf16;

/// <summary>
/// BF16 on the real models: MiniLM against the target (size ≤ 0.51, mean sentence-embedding
/// cosine ≥ 0.999 over all 60 sentences); ResNet-18 (opset 8) is refused, since Cast reads bfloat16 only
/// from opset 13 on.
/// </summary>
public class Bf16RealModelTests(ITestOutputHelper output)
{
    private static readonly QuantizeOptions Bf16 = new() { Precision = Precision.Bf16 };

    [Fact]
    public void MiniLm_bf16_is_half_the_size_and_embeds_sentences_like_fp32()
    {
        var target = Path.Combine(RealModels.ScratchFolder("minilm-bf16"), "minilm.bf16.onnx");
        var result = QuantizeEngine.Quantize(RealModels.MiniLmPath, target, Bf16);
        double ratio = (double)result.BytesAfter / result.BytesBefore;

        var expected = MiniLmEmbedder.Embed(RealModels.MiniLmPath, Sentences.All);
        var actual = MiniLmEmbedder.Embed(target, Sentences.All);
        double cosine = MiniLmEmbedder.MeanCosine(expected, actual);
        double worst = expected.Zip(actual, (e, a) => Similarity.Cosine(e, a)).Min();
        output.WriteLine($"MiniLM BF16: size {ratio:F4} of FP32, mean cosine {cosine:F6} (worst {worst:F6}) over {Sentences.All.Count} sentences, converted in {result.Elapsed.TotalSeconds:F2} s");

        Assert.True(ratio <= 0.51, $"size ratio {ratio}");
        Assert.True(cosine >= 0.999, $"mean cosine {cosine}");
    }

    [Fact]
    public void ResNet18_at_opset_8_is_refused_with_QNT0010_because_cast_reads_bfloat16_only_from_opset_13()
    {
        var folder = RealModels.ScratchFolder("resnet18-bf16");
        var target = Path.Combine(folder, "resnet18.bf16.onnx");
        var error = Assert.Throws<QuantizeException>(() => QuantizeEngine.Quantize(RealModels.ResNet18Path, target, Bf16));
        Assert.Equal(ErrorCodes.OpsetTooOld, error.Code);
        Assert.Contains("opset 8", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }
}
