using Google.Protobuf;
using Quantize.Testing.TestModels;
using Xunit.Abstractions;

namespace Quantize.Core.Tests.Int8;

/// <summary>
/// Dynamic INT8 on the Llama-style test decoder: every projection and the lm_head, which reads the embedding table
/// through a Transpose (tied), are quantized, the float table and its Transpose are gone, and the logits follow the
/// float model's through a KV-cache loop run by ONNX Runtime.
/// </summary>
public sealed class DecoderInt8Tests(ITestOutputHelper output)
{
    [Fact]
    public void Int8_quantizes_the_tied_lm_head_drops_the_float_table_and_follows_float_through_the_cache()
    {
        var shape = DecoderShape.Tiny;
        var folder = RealModels.ScratchFolder("decoder-int8");
        var input = Path.Combine(folder, "decoder.onnx");
        File.WriteAllBytes(input, DecoderTestModels.Llama(shape).ToByteArray());
        var quantized = Path.Combine(folder, "decoder-int8.onnx");

        var result = QuantizeEngine.Quantize(input, quantized, new QuantizeOptions { Precision = Precision.Int8 });

        Assert.Equal((7 * shape.Layers) + 1, result.QuantizedByOpType["MatMul"]);
        var (model, _) = Onnx.ModelReader.Load(quantized);
        Assert.DoesNotContain(model.Graph.Initializer, t => t.Name == "model.embed_tokens.weight");
        Assert.DoesNotContain(model.Graph.Node, n => n.Name == "/lm_head/Transpose");
        double size = new FileInfo(quantized).Length / (double)new FileInfo(input).Length;
        Assert.True(size < 0.4, $"size {size:F3}");

        using var floatRunner = new DecoderRunner(input, shape.KvHeads, shape.HeadWidth);
        using var int8Runner = new DecoderRunner(quantized, shape.KvHeads, shape.HeadWidth);
        long[] prompt = [5, 17, 99, 3], next = [7, 8, 200, 13, 64];
        var cosines = floatRunner.Generate(prompt, next).Zip(int8Runner.Generate(prompt, next), (e, a) => Similarity.Cosine(e, a)).ToList();
        output.WriteLine($"logits cosine per step: {string.Join(", ", cosines.Select(c => c.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}; size {size:F3}");
        Assert.All(cosines, c => Assert.True(c >= 0.99, $"logits cosine {c:F4}"));
    }
}
