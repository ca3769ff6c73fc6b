using Quantize.Testing.TestModels;
using Xunit.Abstractions;

namespace Quantize.Core.Tests.Int4;

/// <summary>
/// INT4 on the Llama-style test decoder (RMSNorm, rotary embeddings, grouped-query attention with past/present, SwiGLU,
/// lm_head tied to the embedding): every projection, the lm_head and the embedding are quantized, and the quantized
/// model's logits follow the float model's through a KV-cache loop (prefill, then one token a step), both run by ONNX
/// Runtime. The float model's own loop is first checked against one full-sequence run, which it must equal.
/// </summary>
public sealed class DecoderInt4Tests(ITestOutputHelper output)
{
    private static readonly long[] Prompt = [5, 17, 99, 3, 250, 42];
    private static readonly long[] Continuation = [7, 8, 200, 13, 64, 1, 128, 77];

    [Fact]
    public void The_float_decoders_kv_cache_loop_equals_one_full_run()
    {
        var folder = RealModels.ScratchFolder("decoder-float");
        var path = Write(folder, DecoderTestModels.Llama(DecoderShape.Tiny));
        using var runner = new DecoderRunner(path, DecoderShape.Tiny.KvHeads, DecoderShape.Tiny.HeadWidth);

        var stepped = runner.Generate(Prompt, Continuation);
        var full = runner.Full([.. Prompt, .. Continuation]);

        int v = DecoderShape.Tiny.Vocabulary;
        for (int step = 0; step < stepped.Count; step++)
        {
            var row = full.AsSpan((Prompt.Length - 1 + step) * v, v).ToArray();
            for (int i = 0; i < v; i++)
            {
                Assert.Equal(row[i], stepped[step][i], 1e-4);
            }
        }
    }

    [Fact]
    public void Int4_covers_every_projection_the_lm_head_and_the_embedding_and_follows_float_through_the_cache()
    {
        var folder = RealModels.ScratchFolder("decoder-int4");
        var shape = DecoderShape.Tiny;
        var input = Write(folder, DecoderTestModels.Llama(shape));
        var quantized = Path.Combine(folder, "decoder-int4.onnx");

        var result = QuantizeEngine.Quantize(input, quantized, new QuantizeOptions { Precision = Precision.Int4, BlockSize = 32 });

        var (model, _) = Onnx.ModelReader.Load(quantized);
        var nbits = model.Graph.Node.Where(n => n.OpType == "MatMulNBits").Select(n => n.Name).ToList();
        Assert.Equal((7 * shape.Layers) + 1, nbits.Count);
        Assert.Contains("/lm_head/MatMul", nbits);
        Assert.Single(model.Graph.Node, n => n.OpType == "GatherBlockQuantized" && n.Name == "/model/embed_tokens/Gather");
        Assert.DoesNotContain(model.Graph.Initializer, t => t.Name == "model.embed_tokens.weight");
        Assert.Equal(2 * shape.Layers, model.Graph.Node.Count(n => n.OpType == "MatMul")); // attention's two activation products per block

        using var floatRunner = new DecoderRunner(input, shape.KvHeads, shape.HeadWidth);
        using var int4Runner = new DecoderRunner(quantized, shape.KvHeads, shape.HeadWidth);
        var expected = floatRunner.Generate(Prompt, Continuation);
        var actual = int4Runner.Generate(Prompt, Continuation);
        var cosines = expected.Zip(actual, (e, a) => Similarity.Cosine(e, a)).ToList();
        output.WriteLine($"logits cosine per step: {string.Join(", ", cosines.Select(c => c.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}; size {new FileInfo(quantized).Length / (double)new FileInfo(input).Length:F3}");
        // Uniform random weights are the worst case for 16 levels (each product's relative error 0.03–0.09, see
        // Int4PassModelTests); trained decoders do better.
        Assert.All(cosines, c => Assert.True(c >= 0.95, $"logits cosine {c:F4}"));
        Assert.True(new FileInfo(quantized).Length < 0.3 * new FileInfo(input).Length);

        // The cache still works after quantization: the quantized model's loop equals its own full run.
        var full = int4Runner.Full([.. Prompt, .. Continuation]);
        int v = shape.Vocabulary;
        for (int step = 0; step < actual.Count; step++)
        {
            Assert.True(Similarity.MaxAbsDiff(full.AsSpan((Prompt.Length - 1 + step) * v, v), actual[step]) < 1e-3, $"step {step}");
        }
    }

    [Fact]
    public void A_decoder_keeps_blocks_of_32_everywhere_and_its_positional_tables_float()
    {
        // Head width 32: the rotary tables are wide enough to be taken for embeddings.
        var shape = new DecoderShape(Layers: 1, Hidden: 128, Heads: 4, KvHeads: 2, Intermediate: 128, Vocabulary: 256) { MaxPositions = 64 };
        var folder = RealModels.ScratchFolder("decoder-int4-blocks");
        var input = Write(folder, DecoderTestModels.Llama(shape));
        var quantized = Path.Combine(folder, "int4.onnx");

        var result = QuantizeEngine.Quantize(input, quantized, new QuantizeOptions { Precision = Precision.Int4 });

        var (model, _) = Onnx.ModelReader.Load(quantized);
        Assert.All(model.Graph.Node.Where(n => n.OpType is "MatMulNBits" or "GatherBlockQuantized"), n => Assert.Equal(32, n.Attribute.Single(a => a.Name == "block_size").I));
        Assert.Equal(8, model.Graph.Node.Count(n => n.OpType == "MatMulNBits"));
        Assert.Equal(["/model/embed_tokens/Gather"], model.Graph.Node.Where(n => n.OpType == "GatherBlockQuantized").Select(n => n.Name));
        Assert.Equal(2, model.Graph.Node.Count(n => n.OpType == "Gather" && n.Input[1] == "position_ids"));
        Assert.Contains(result.Notes, n => n.Contains("a decoder with a KV cache keeps blocks of 32 everywhere", StringComparison.Ordinal));
        Assert.Contains("it looks up positional tables by position_ids (2)", result.Skipped["Gather"], StringComparison.Ordinal);
    }

    [Fact]
    public void An_8_bit_lm_head_brings_the_int4_logits_closer_to_float()
    {
        var folder = RealModels.ScratchFolder("decoder-int4-lm-head");
        var shape = DecoderShape.Tiny;
        var input = Write(folder, DecoderTestModels.Llama(shape));
        var options = new QuantizeOptions { Precision = Precision.Int4, BlockSize = 32 };
        QuantizeEngine.Quantize(input, Path.Combine(folder, "int4.onnx"), options);
        var result = QuantizeEngine.Quantize(input, Path.Combine(folder, "mixed.onnx"), options with { Overrides = PrecisionOverride.Parse("/lm_head/MatMul=Int8", input) });

        Assert.Equal([new("/lm_head/MatMul", "INT8")], result.Overridden);
        using var floatRunner = new DecoderRunner(input, shape.KvHeads, shape.HeadWidth);
        using var int4Runner = new DecoderRunner(Path.Combine(folder, "int4.onnx"), shape.KvHeads, shape.HeadWidth);
        using var mixedRunner = new DecoderRunner(Path.Combine(folder, "mixed.onnx"), shape.KvHeads, shape.HeadWidth);
        var expected = floatRunner.Generate(Prompt, Continuation);
        double int4 = expected.Zip(int4Runner.Generate(Prompt, Continuation), (e, a) => Similarity.Cosine(e, a)).Average();
        double mixed = expected.Zip(mixedRunner.Generate(Prompt, Continuation), (e, a) => Similarity.Cosine(e, a)).Average();
        output.WriteLine($"mean logits cosine: INT4 {int4:F4}, INT4 with an 8-bit lm_head {mixed:F4}");
        Assert.True(mixed > int4, $"8-bit lm_head {mixed:F4} vs all 4-bit {int4:F4}");
    }

    private static string Write(string folder, Onnx.ModelProto model)
    {
        var path = Path.Combine(folder, "decoder.onnx");
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(model));
        return path;
    }
}
