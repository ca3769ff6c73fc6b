using Quantize.Core.Onnx;
using Xunit.Abstractions;
using static Quantize.Core.Tests.Int4.Int4Harness;

namespace Quantize.Core.Tests.Int4;

/// <summary>
/// The automatic block size (BlockSize left null): MatMul weights whose output meets a Softmax before any
/// other weighted layer (attention query and key projections) and embedding tables keep 32; every other
/// MatMul weight gets 16. Checked on built models through the real engine and ONNX Runtime.
/// </summary>
public class Int4BlockSizeChoiceTests(ITestOutputHelper output)
{
    private static Dictionary<string, OrtRunner.Input> AttentionInput => new() { ["x"] = OrtRunner.Floats(RandomFloats(2 * 5 * 32, 2), 2, 5, 32) };

    [Fact]
    public void Attention_query_and_key_keep_32_while_value_and_output_projections_get_16()
    {
        var outcome = Run(TestModelCatalog.AttentionBlock(), Options(blockSize: null), "int4-auto-attention");

        var sizes = Nodes(outcome.Model, "MatMulNBits").ToDictionary(n => n.Name, n => Attribute(n, "block_size"));
        Assert.Equal(new Dictionary<string, long> { ["query_matmul"] = 32, ["key_matmul"] = 32, ["value_matmul"] = 16, ["out_matmul"] = 16 }, sizes);
        foreach (var node in Nodes(outcome.Model, "MatMulNBits"))
        {
            long blockSize = Attribute(node, "block_size");
            long blocks = (Attribute(node, "K") + blockSize - 1) / blockSize;
            Assert.Equal(new[] { Attribute(node, "N"), blocks, blockSize / 2 }, Initializer(outcome.Model, node.Input[1]).Dims);
            Assert.Equal(new[] { Attribute(node, "N") * blocks }, Initializer(outcome.Model, node.Input[2]).Dims);
        }

        Assert.Contains(outcome.Result.Notes, n => n.StartsWith("INT4 block sizes: 2 of 4 MatMul weights use blocks of 16 because", StringComparison.Ordinal));
        Assert.Contains(outcome.Result.Notes, n => n.Contains("blocks of 16 or 32", StringComparison.Ordinal));
        AssertWithinTolerance(outcome);
    }

    [Fact]
    public void Embedding_tables_keep_32_and_the_matmul_after_them_gets_16()
    {
        var outcome = Run(TestModelCatalog.Embedding(), Options(blockSize: null), "int4-auto-embedding");

        Assert.Equal(32, Attribute(Nodes(outcome.Model, "GatherBlockQuantized").Single(), "block_size"));
        Assert.Equal(16, Attribute(Nodes(outcome.Model, "MatMulNBits").Single(), "block_size"));
        Assert.Contains(outcome.Result.Notes, n => n.Contains("1 embedding tables keep 32", StringComparison.Ordinal));
    }

    [Fact]
    public void A_weight_shared_by_a_softmax_path_and_a_plain_path_takes_16_on_both_and_is_stored_once()
    {
        var outcome = Run(TestModelCatalog.WeightSharedBySoftmaxAndPlainPaths(), Options(blockSize: null), "int4-auto-shared");

        var nodes = Nodes(outcome.Model, "MatMulNBits").ToList();
        Assert.Equal(2, nodes.Count);
        Assert.All(nodes, n => Assert.Equal(16, Attribute(n, "block_size")));
        Assert.Equal(nodes[0].Input[1], nodes[1].Input[1]);
        Assert.Equal(new long[] { 32, 2, 8 }, Initializer(outcome.Model, nodes[0].Input[1]).Dims);
        foreach (var (name, error) in RelativeErrors(outcome, new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(RandomFloats(64, 3), 2, 32) }))
        {
            output.WriteLine($"{name}: relative RMS error {error:F4}");
            Assert.InRange(error, 0, 0.15);
        }
    }

    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    [InlineData(64)]
    public void A_block_size_the_user_sets_applies_to_every_weight_and_adds_no_note(int blockSize)
    {
        var attention = Run(TestModelCatalog.AttentionBlock(), Options(blockSize: blockSize), "int4-fixed-attention");
        var embedding = Run(TestModelCatalog.Embedding(), Options(blockSize: blockSize), "int4-fixed-embedding");

        Assert.All(Nodes(attention.Model, "MatMulNBits"), n => Assert.Equal(blockSize, Attribute(n, "block_size")));
        Assert.All(Nodes(embedding.Model, "MatMulNBits").Concat(Nodes(embedding.Model, "GatherBlockQuantized")), n => Assert.Equal(blockSize, Attribute(n, "block_size")));
        Assert.DoesNotContain(attention.Result.Notes, n => n.StartsWith("INT4 block sizes", StringComparison.Ordinal));
    }

    [Fact]
    public void The_standard_onnx_form_uses_the_same_choice_per_DequantizeLinear()
    {
        var outcome = Run(TestModelCatalog.AttentionBlock(opset: 21), Options(blockSize: null, standard: true), "int4-auto-qdq");

        var sizes = Nodes(outcome.Model, "MatMul")
            .Where(m => Nodes(outcome.Model, "DequantizeLinear").Any(d => d.Output[0] == m.Input[1]))
            .ToDictionary(m => m.Name, m => Attribute(Nodes(outcome.Model, "DequantizeLinear").Single(d => d.Output[0] == m.Input[1]), "block_size"));
        Assert.Equal(new Dictionary<string, long> { ["query_matmul"] = 32, ["key_matmul"] = 32, ["value_matmul"] = 16, ["out_matmul"] = 16 }, sizes);
        AssertWithinTolerance(outcome);
    }

    private static TensorProto Initializer(ModelProto model, string name) => model.Graph.Initializer.Single(i => i.Name == name);

    /// <summary>Runs in ORT against the float model within the pass's documented tolerance (relative RMS ≤ 0.15).</summary>
    private void AssertWithinTolerance(Outcome outcome)
    {
        foreach (var (name, error) in RelativeErrors(outcome, AttentionInput))
        {
            output.WriteLine($"{name}: relative RMS error {error:F4}");
            Assert.InRange(error, 0, 0.15);
        }
    }
}
