using Quantize.Core.Onnx;
using Xunit.Abstractions;

namespace Quantize.Core.Tests.Int4;

/// <summary>
/// all-MiniLM-L6-v2 to INT4, judged by mean-pooled sentence embeddings of 60 real sentences against the
/// float model. Measured on the 2-core dev machine (block size 32): symmetric (the default) 0.163 of FP32
/// and mean cosine 0.967; asymmetric 0.167 and 0.974. Only asymmetric reaches issue 2's 0.97 bar with
/// ONNX Runtime's block rule; the symmetric assertion guards against regressions at what it measures.
/// </summary>
public class Int4MiniLmTests(ITestOutputHelper output)
{
    private static readonly Lazy<float[][]> FloatEmbeddings = new(() => MiniLmEmbedder.Embed(RealModels.MiniLmPath, Sentences.All));

    [Fact]
    public void Default_symmetric_int4_is_under_a_fifth_of_fp32_and_close_to_it()
    {
        var cosine = QuantizeAndCompare(new QuantizeOptions { Precision = Precision.Int4 }, "minilm-int4-sym");
        Assert.InRange(cosine, 0.96, 1.0);
    }

    [Fact]
    public void Asymmetric_int4_meets_the_issue_bar()
    {
        var cosine = QuantizeAndCompare(new QuantizeOptions { Precision = Precision.Int4, Symmetric = false }, "minilm-int4-asym");
        Assert.InRange(cosine, 0.97, 1.0);
    }

    private double QuantizeAndCompare(QuantizeOptions options, string name)
    {
        var quantized = Path.Combine(RealModels.ScratchFolder(name), "minilm.int4.onnx");
        var result = QuantizeEngine.Quantize(RealModels.MiniLmPath, quantized, options);

        var model = ModelReader.Load(quantized).Model;
        // 48 MatMuls: 36 read weights (Q, K, V, output and two FFN per layer × 6); 12 multiply activations.
        Assert.Equal(36, Int4Harness.Count(model, "MatMulNBits"));
        Assert.Equal(12, Int4Harness.Count(model, "MatMul"));
        Assert.Equal(3, Int4Harness.Count(model, "GatherBlockQuantized")); // word, position and token-type tables
        Assert.Equal(36, result.QuantizedByOpType["MatMul"]);
        Assert.Equal(3, result.QuantizedByOpType["Gather"]);

        double ratio = new FileInfo(quantized).Length / (double)new FileInfo(RealModels.MiniLmPath).Length;
        var actual = MiniLmEmbedder.Embed(quantized, Sentences.All);
        var cosines = FloatEmbeddings.Value.Zip(actual, (e, a) => Similarity.Cosine(e, a)).ToList();
        output.WriteLine($"{name}: size ratio {ratio:F3}, cosine over {cosines.Count} sentences mean {cosines.Average():F4} min {cosines.Min():F4}, {result.Elapsed.TotalSeconds:F2} s");
        Assert.Equal(60, cosines.Count);
        Assert.InRange(ratio, 0, 0.20);
        return cosines.Average();
    }
}
