using static Quantize.Core.Tests.Int8.Int8TestSupport;

namespace Quantize.Core.Tests.Int8;

/// <summary>INT8 dynamic on the real pretrained models, judged on real sentences.</summary>
public class Int8RealModelTests
{
    private static readonly Lazy<float[][]> FloatEmbeddings = new(() => MiniLmEmbedder.Embed(RealModels.MiniLmPath, Sentences.All));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MiniLm_int8_is_a_quarter_of_the_size_and_embeds_sentences_like_the_float_model(bool perChannel)
    {
        var outcome = QuantizeFile(RealModels.MiniLmPath, new QuantizeOptions { Precision = Precision.Int8, PerChannel = perChannel });

        Assert.True(outcome.Result.BytesAfter <= 0.27 * outcome.Result.BytesBefore, $"{outcome.Result.BytesAfter} / {outcome.Result.BytesBefore}");
        // 48 MatMuls of which 36 have constant weights (6 layers × Q, K, V, attention output, two FFN),
        // the pooler Gemm, and the three embedding Gathers.
        Assert.Equal(36, outcome.Result.QuantizedByOpType["MatMul"]);
        Assert.Equal(1, outcome.Result.QuantizedByOpType["Gemm"]);
        Assert.Equal(3, outcome.Result.QuantizedByOpType["Gather"]);

        var quantized = MiniLmEmbedder.Embed(outcome.OutputPath, Sentences.All);
        var cosines = FloatEmbeddings.Value.Zip(quantized, (e, a) => Similarity.Cosine(e, a)).ToList();
        Assert.Equal(60, cosines.Count);
        Assert.True(cosines.Average() >= 0.99, $"mean cosine {cosines.Average():F4}, min {cosines.Min():F4}");
    }

    /// <summary>This ResNet-18 (an image featurizer) ends at the pooled features: Conv, BatchNorm, pools, no Gemm.</summary>
    [Fact]
    public void ResNet18_keeps_conv_float_and_says_why()
    {
        var outcome = QuantizeFile(RealModels.ResNet18Path);

        Assert.Empty(outcome.Result.QuantizedByOpType);
        Assert.Contains(outcome.Result.Notes, n => n.StartsWith("Conv left in float", StringComparison.Ordinal));
        Assert.Contains(outcome.Result.Warnings, w => w.Code == ErrorCodes.NothingQuantized);
        Assert.Equal(0, Count(outcome.Model, "MatMulInteger"));
        Assert.Equal(Count(ModelProto(RealModels.ResNet18Path), "Conv"), Count(outcome.Model, "Conv"));
    }

    private static Quantize.Core.Onnx.ModelProto ModelProto(string path) => Quantize.Core.Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
}
