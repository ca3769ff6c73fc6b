using Quantize.Core.Diagnostics;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;
using Xunit.Abstractions;
using static Quantize.Core.Tests.Int4.Int4Harness;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Tests.Int4;

/// <summary>
/// The INT4 pass on the catalog models, run by real ONNX Runtime sessions. Tolerance: relative RMS error
/// of each output against the float model ≤ 0.15. The catalog's weights are uniform random, the worst
/// case for 16 levels (measured 0.03–0.09 at block size 32); trained weights do better.
/// </summary>
public class Int4PassModelTests(ITestOutputHelper output)
{
    private const double Tolerance = 0.15;

    private static Dictionary<string, OrtRunner.Input> MlpInput => new() { ["x"] = OrtRunner.Floats(RandomFloats(3 * 64, 1), 3, 64) };

    private static Dictionary<string, OrtRunner.Input> EmbeddingInput => new()
    {
        ["ids"] = new(Enumerable.Range(0, 14).Select(i => (long)((i * 37) % 500)).ToArray(), [2, 7]),
    };

    [Fact]
    public void Mlp_matmuls_become_MatMulNBits_and_the_float_weights_are_dropped()
    {
        var outcome = Run(TestModelCatalog.Mlp(), Options());

        Assert.Equal(2, Count(outcome.Model, "MatMulNBits"));
        Assert.Equal(0, Count(outcome.Model, "MatMul"));
        Assert.Equal(1, Count(outcome.Model, "Gemm")); // not a MatMul: left to other passes
        Assert.Equal(2, outcome.Result.QuantizedByOpType["MatMul"]);
        var initializers = outcome.Model.Graph.Initializer.Select(i => i.Name).ToList();
        Assert.DoesNotContain("fc1.weight", initializers);
        Assert.DoesNotContain("fc2.weight", initializers);
        Assert.Equal(1, Opsets.Version(outcome.Model, Opsets.Microsoft));

        var fc2 = Nodes(outcome.Model, "MatMulNBits").Single(n => n.Name == "fc2");
        Assert.Equal(Opsets.Microsoft, fc2.Domain);
        Assert.Equal(128, Attribute(fc2, "K"));
        Assert.Equal(64, Attribute(fc2, "N"));
        Assert.Equal(4, Attribute(fc2, "bits"));
        Assert.Equal(32, Attribute(fc2, "block_size"));
        Assert.Equal(4, Attribute(fc2, "accuracy_level"));
        Assert.Equal(3, fc2.Input.Count); // symmetric: no zero points
        var b = outcome.Model.Graph.Initializer.Single(i => i.Name == fc2.Input[1]);
        Assert.Equal(new long[] { 64, 4, 16 }, b.Dims);
        Assert.Equal(DataType.Uint8, b.ElementType());
        var scales = outcome.Model.Graph.Initializer.Single(i => i.Name == fc2.Input[2]);
        Assert.Equal(new long[] { 64 * 4 }, scales.Dims);
        Assert.Equal(DataType.Float, scales.ElementType());

        AssertClose(outcome, MlpInput);
    }

    [Fact]
    public void Attention_projections_are_quantized_and_activation_matmuls_are_not()
    {
        var outcome = Run(TestModelCatalog.AttentionBlock(), Options());

        Assert.Equal(4, Count(outcome.Model, "MatMulNBits"));
        Assert.Equal(2, Count(outcome.Model, "MatMul")); // QKᵀ and probabilities × V read no constant
        AssertClose(outcome, new() { ["x"] = OrtRunner.Floats(RandomFloats(2 * 5 * 32, 2), 2, 5, 32) });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Constant_node_and_both_if_branches_are_quantized(bool condition)
    {
        var outcome = Run(TestModelCatalog.ConstantAndIf(), Options());

        Assert.Equal(3, Count(outcome.Model, "MatMulNBits"));
        Assert.Equal(0, Count(outcome.Model, "MatMul"));
        Assert.Equal(0, Count(outcome.Model, "Constant")); // the Constant node held only the weight
        Assert.DoesNotContain("outer_weight", outcome.Model.Graph.Initializer.Select(i => i.Name));
        AssertClose(outcome, new()
        {
            ["x"] = OrtRunner.Floats(RandomFloats(4 * 32, 3), 4, 32),
            ["cond"] = new(new[] { condition }, []),
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_weight_read_through_a_transpose_is_quantized_in_its_stored_layout(bool standard)
    {
        // MatMul(x, Transpose(W[N, K])), as tied lm_heads read the embedding table.
        var b = new Quantize.Testing.TestModels.ModelBuilder(opset: standard ? 21 : 17);
        var x = b.Input("x", DataType.Float, "batch", 64);
        var transposed = b.Node("Transpose", [b.RandomInitializer("table", 0.2f, 48, 64)], "t", null, Quantize.Testing.TestModels.ModelBuilder.Ints("perm", 1, 0));
        b.Node("MatMul", [x, transposed], "head", "y");
        b.Output("y", DataType.Float, "batch", 48);

        var outcome = Run(b.Model, Options(standard: standard));

        Assert.Equal(1, outcome.Result.QuantizedByOpType["MatMul"]);
        Assert.DoesNotContain("table", outcome.Model.Graph.Initializer.Select(i => i.Name));
        if (standard)
        {
            // The Transpose now reads the block-wise DequantizeLinear of the [N, K] table (blocks along axis 1).
            var dq = Assert.Single(Nodes(outcome.Model, "DequantizeLinear"));
            Assert.Equal(1, Attribute(dq, "axis"));
            Assert.Equal(dq.Output[0], Assert.Single(Nodes(outcome.Model, "Transpose")).Input[0]);
        }
        else
        {
            var head = Assert.Single(Nodes(outcome.Model, "MatMulNBits"));
            Assert.Equal(64, Attribute(head, "K"));
            Assert.Equal(48, Attribute(head, "N"));
            Assert.Empty(Nodes(outcome.Model, "Transpose"));
        }

        AssertClose(outcome, MlpInput);
    }

    [Fact]
    public void Loop_body_weight_is_quantized()
    {
        var outcome = Run(TestModelCatalog.LoopWithWeight(), Options());

        Assert.Equal(1, Count(outcome.Model, "MatMulNBits"));
        var body = outcome.Model.Graph.Node.Single(n => n.OpType == "Loop").Attribute.Single(a => a.Name == "body").G;
        Assert.DoesNotContain("body.weight", body.Initializer.Select(i => i.Name));
        Assert.Contains(body.Node, n => n.OpType == "MatMulNBits");
        AssertClose(outcome, new() { ["x"] = OrtRunner.Floats(RandomFloats(4 * 32, 5), 4, 32) });
    }

    [Fact]
    public void Ir3_model_keeps_every_initializer_declared_as_a_graph_input()
    {
        var outcome = Run(TestModelCatalog.MlpIr3(), Options());

        Assert.Equal(2, Count(outcome.Model, "MatMulNBits"));
        var inputs = outcome.Model.Graph.Input.Select(i => i.Name).ToHashSet();
        Assert.All(outcome.Model.Graph.Initializer, i => Assert.Contains(i.Name, inputs));
        Assert.DoesNotContain("fc1.weight", inputs);
        AssertClose(outcome, MlpInput);
    }

    [Fact]
    public void Non_topological_model_is_quantized_and_runs()
    {
        var outcome = Run(TestModelCatalog.NonTopological(), Options());

        Assert.Equal(2, Count(outcome.Model, "MatMulNBits"));
        AssertClose(outcome, MlpInput);
    }

    [Fact]
    public void Embedding_table_becomes_GatherBlockQuantized()
    {
        var outcome = Run(TestModelCatalog.Embedding(), Options());

        Assert.Equal(1, Count(outcome.Model, "GatherBlockQuantized"));
        Assert.Equal(1, Count(outcome.Model, "MatMulNBits"));
        Assert.Equal(0, Count(outcome.Model, "Gather"));
        Assert.Equal(1, outcome.Result.QuantizedByOpType["Gather"]);
        var gather = Nodes(outcome.Model, "GatherBlockQuantized").Single();
        Assert.Equal(Opsets.Microsoft, gather.Domain);
        Assert.Equal(0, Attribute(gather, "gather_axis"));
        Assert.Equal(1, Attribute(gather, "quantize_axis"));
        Assert.Equal(4, Attribute(gather, "bits"));
        Assert.Equal(32, Attribute(gather, "block_size"));
        Assert.DoesNotContain(gather.Attribute, a => a.Name == "axis");
        var data = outcome.Model.Graph.Initializer.Single(i => i.Name == gather.Input[0]);
        Assert.Equal(DataType.Uint8, data.ElementType());
        Assert.Equal(new long[] { 500, 16 }, data.Dims);
        Assert.Equal(new long[] { 500, 1 }, outcome.Model.Graph.Initializer.Single(i => i.Name == gather.Input[2]).Dims);
        Assert.DoesNotContain("embedding.weight", outcome.Model.Graph.Initializer.Select(i => i.Name));

        AssertClose(outcome, EmbeddingInput);
    }

    [Fact]
    public void Asymmetric_blocks_carry_packed_zero_points()
    {
        var mlp = Run(TestModelCatalog.Mlp(), Options(symmetric: false));
        var fc1 = Nodes(mlp.Model, "MatMulNBits").Single(n => n.Name == "fc1");
        Assert.Equal(4, fc1.Input.Count);
        var zeroPoints = mlp.Model.Graph.Initializer.Single(i => i.Name == fc1.Input[3]);
        Assert.Equal(DataType.Uint8, zeroPoints.ElementType());
        Assert.Equal(new long[] { 128 * 1 }, zeroPoints.Dims); // N = 128 rows × ceil(2 blocks / 2)
        AssertClose(mlp, MlpInput);

        var embedding = Run(TestModelCatalog.Embedding(), Options(symmetric: false, blockSize: 16));
        var gather = Nodes(embedding.Model, "GatherBlockQuantized").Single();
        Assert.Equal(4, gather.Input.Count);
        Assert.Equal(new long[] { 500, 1 }, embedding.Model.Graph.Initializer.Single(i => i.Name == gather.Input[3]).Dims);
        AssertClose(embedding, EmbeddingInput);
    }

    [Theory]
    [InlineData(16, 2)]
    [InlineData(32, 2)]
    [InlineData(64, 2)]
    [InlineData(128, 1)]
    public void Block_sizes(int blockSize, int expectedMatMulNBits)
    {
        var outcome = Run(TestModelCatalog.Mlp(), Options(blockSize: blockSize));

        var nodes = Nodes(outcome.Model, "MatMulNBits").ToList();
        Assert.Equal(expectedMatMulNBits, nodes.Count);
        foreach (var node in nodes)
        {
            long k = Attribute(node, "K");
            long n = Attribute(node, "N");
            Assert.Equal(blockSize, Attribute(node, "block_size"));
            Assert.Equal(new[] { n, (k + blockSize - 1) / blockSize, blockSize / 2 }, outcome.Model.Graph.Initializer.Single(i => i.Name == node.Input[1]).Dims);
        }

        if (blockSize == 128)
        {
            // fc1 has K = 64 < 128: one padded block would be half padding.
            Assert.Equal("fc1", Nodes(outcome.Model, "MatMul").Single().Name);
            Assert.Contains("K is smaller than the block size 128 (1)", outcome.Result.Skipped["MatMul"], StringComparison.Ordinal);
        }

        AssertClose(outcome, MlpInput);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Accuracy_levels(int level)
    {
        var outcome = Run(TestModelCatalog.AttentionBlock(), Options(accuracyLevel: level));

        Assert.All(Nodes(outcome.Model, "MatMulNBits"), n => Assert.Equal(level, Attribute(n, "accuracy_level")));
        AssertClose(outcome, new() { ["x"] = OrtRunner.Floats(RandomFloats(2 * 5 * 32, 2), 2, 5, 32) });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Standard_onnx_form_uses_int4_initializers_behind_blockwise_DequantizeLinear(bool symmetric)
    {
        var outcome = Run(TestModelCatalog.Mlp(opset: 21), Options(standard: true, symmetric: symmetric));

        Assert.Equal(0, Count(outcome.Model, "MatMulNBits"));
        Assert.Equal(2, Count(outcome.Model, "MatMul"));
        Assert.Equal(2, Count(outcome.Model, "DequantizeLinear"));
        Assert.Equal(0, Opsets.Version(outcome.Model, Opsets.Microsoft));
        Assert.Equal(2, outcome.Result.QuantizedByOpType["MatMul"]);
        var dq = Nodes(outcome.Model, "DequantizeLinear").Single(n => n.Output[0] == Nodes(outcome.Model, "MatMul").Single(m => m.Name == "fc2").Input[1]);
        Assert.Equal(0, Attribute(dq, "axis"));
        Assert.Equal(32, Attribute(dq, "block_size"));
        var data = outcome.Model.Graph.Initializer.Single(i => i.Name == dq.Input[0]);
        Assert.Equal(symmetric ? DataType.Int4 : DataType.Uint4, data.ElementType());
        Assert.Equal(new long[] { 128, 64 }, data.Dims);
        Assert.Equal(128 * 64 / 2, data.RawData.Length);
        Assert.Equal(new long[] { 4, 64 }, outcome.Model.Graph.Initializer.Single(i => i.Name == dq.Input[1]).Dims);
        Assert.Equal(symmetric ? 2 : 3, dq.Input.Count);

        AssertClose(outcome, MlpInput);
    }

    [Fact]
    public void Standard_onnx_form_on_an_opset_17_model_fails_with_QNT0010_and_writes_nothing()
    {
        var folder = RealModels.ScratchFolder("int4-opset17");
        var input = Path.Combine(folder, "float.onnx");
        var outputPath = Path.Combine(folder, "int4.onnx");
        File.WriteAllBytes(input, Google.Protobuf.MessageExtensions.ToByteArray(TestModelCatalog.Mlp(opset: 17)));

        var error = Assert.Throws<QuantizeException>(() => QuantizeEngine.Quantize(input, outputPath, Options(standard: true)));

        Assert.Equal(ErrorCodes.OpsetTooOld, error.Code);
        Assert.Contains("opset 17", error.Message, StringComparison.Ordinal);
        Assert.Contains("21", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(outputPath));
        Assert.Equal(["float.onnx"], Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Shared_weight_is_quantized_once_and_kept_in_float_for_its_float_consumer()
    {
        var outcome = Run(TestModelCatalog.SharedWeightWithFloatUse(), Options());

        var nodes = Nodes(outcome.Model, "MatMulNBits").ToList();
        Assert.Equal(2, nodes.Count);
        Assert.Equal(nodes[0].Input[1], nodes[1].Input[1]);
        Assert.Equal(nodes[0].Input[2], nodes[1].Input[2]);
        Assert.Single(outcome.Model.Graph.Initializer, i => i.Name.StartsWith("shared.weight_Q4", StringComparison.Ordinal));
        Assert.Contains("shared.weight", outcome.Model.Graph.Initializer.Select(i => i.Name)); // Add still reads it

        var inputs = new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(RandomFloats(64, 4), 2, 32) };
        var errors = RelativeErrors(outcome, inputs);
        Assert.InRange(errors["y"], 0, Tolerance);
        Assert.Equal(0, errors["w_shifted"]); // the float consumer is untouched
    }

    [Fact]
    public void Excluded_tiny_and_overridable_weights_stay_float_with_reasons()
    {
        var outcome = Run(TestModelCatalog.WeightsToLeaveAlone(), Options());

        Assert.Equal(0, Count(outcome.Model, "MatMulNBits"));
        Assert.Equal(2, Count(outcome.Model, "MatMul"));
        var reasons = outcome.Result.Skipped["MatMul"];
        Assert.Contains("K is smaller than the block size 32 (1)", reasons, StringComparison.Ordinal);
        Assert.Contains("graph input callers may override (1)", reasons, StringComparison.Ordinal);
        Assert.Contains(outcome.Result.Warnings, w => w.Code == ErrorCodes.NothingQuantized);

        var excluded = Run(TestModelCatalog.Mlp(), Options(exclude: ["fc2"]));
        Assert.Equal("fc2", Nodes(excluded.Model, "MatMul").Single().Name);
        Assert.Equal("fc1", Nodes(excluded.Model, "MatMulNBits").Single().Name);
        Assert.Contains("excluded by the user (1)", excluded.Result.Skipped["MatMul"], StringComparison.Ordinal);
        Assert.Contains("fc2.weight", excluded.Model.Graph.Initializer.Select(i => i.Name));

        var large = Run(TestModelCatalog.Mlp(), Options(minElements: 64 * 128 + 1));
        Assert.Equal(0, Count(large.Model, "MatMulNBits"));
        Assert.Contains("fewer than 8193 elements (2)", large.Result.Skipped["MatMul"], StringComparison.Ordinal);
    }

    [Fact]
    public void Quantizing_twice_gives_byte_identical_files()
    {
        var first = Run(TestModelCatalog.ConstantAndIf(), Options(symmetric: false));
        var second = Run(TestModelCatalog.ConstantAndIf(), Options(symmetric: false));
        Assert.Equal(File.ReadAllBytes(first.OutputPath), File.ReadAllBytes(second.OutputPath));

        var firstStandard = Run(TestModelCatalog.Mlp(opset: 21), Options(standard: true));
        var secondStandard = Run(TestModelCatalog.Mlp(opset: 21), Options(standard: true));
        Assert.Equal(File.ReadAllBytes(firstStandard.OutputPath), File.ReadAllBytes(secondStandard.OutputPath));
    }

    private void AssertClose(Outcome outcome, Dictionary<string, OrtRunner.Input> inputs)
    {
        foreach (var (name, error) in RelativeErrors(outcome, inputs))
        {
            output.WriteLine($"{name}: relative RMS error {error:F4}");
            Assert.InRange(error, 0, Tolerance);
        }
    }
}
