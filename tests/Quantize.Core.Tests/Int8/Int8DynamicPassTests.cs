using Quantize.Core.Onnx;
using static Quantize.Core.Tests.Int8.Int8TestSupport;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Tests.Int8;

/// <summary>
/// The INT8 dynamic pass on the test catalog, checked against ONNX Runtime running the float model.
/// Tolerance: dynamic INT8 rounds each activation and weight to 1/254 of its range; through two or three
/// layers the outputs stay within 3 % of the output range (measured ≈ 1 %).
/// </summary>
public class Int8DynamicPassTests
{
    private const double Tolerance = 0.03;

    private static Dictionary<string, OrtRunner.Input> MlpInputs() => new() { ["x"] = OrtRunner.Floats(RandomFloats(2 * 64, seed: 1), 2, 64) };

    [Fact]
    public void Mlp_becomes_three_fused_chains_close_to_float()
    {
        var model = TestModelCatalog.Mlp();
        var outcome = QuantizeModel(model);

        Assert.Equal(3, Count(outcome.Model, "DynamicQuantizeLinear"));
        Assert.Equal(3, Count(outcome.Model, "MatMulInteger"));
        Assert.Equal(3, Count(outcome.Model, "Cast"));
        Assert.Equal(6, Count(outcome.Model, "Mul"));
        Assert.Equal(0, Count(outcome.Model, "MatMul"));
        Assert.Equal(0, Count(outcome.Model, "Gemm"));
        Assert.Equal(2, outcome.Result.QuantizedByOpType["MatMul"]);
        Assert.Equal(1, outcome.Result.QuantizedByOpType["Gemm"]);
        // Float weights are gone; biases are still read by their Adds.
        Assert.False(HasTensor(outcome.Model, "fc1.weight"));
        Assert.False(HasTensor(outcome.Model, "head.weight"));
        Assert.True(HasTensor(outcome.Model, "fc1.bias"));
        Assert.True(HasTensor(outcome.Model, "head.bias"));

        var inputs = MlpInputs();
        Close(OrtRunner.Run(model, inputs)["y"], OrtRunner.Run(outcome.OutputPath, inputs)["y"], Tolerance);
    }

    [Fact]
    public void Stored_weights_are_symmetric_int8_that_dequantize_to_the_float_weights()
    {
        var model = TestModelCatalog.Mlp();
        var original = model.Graph.Initializer.Single(t => t.Name == "fc1.weight").ReadFloats();
        var outcome = QuantizeModel(model);

        var values = Initializers(outcome.Model).Single(t => t.Name == "fc1.weight_quantized");
        var scale = Initializers(outcome.Model).Single(t => t.Name == "fc1.weight_scale").ReadFloats().Single();
        var zeroPoint = Initializers(outcome.Model).Single(t => t.Name == "fc1.weight_zero_point");
        Assert.Equal(DataType.Int8, values.ElementType());
        Assert.Equal([64L, 128L], values.Dims);
        Assert.Equal(DataType.Int8, zeroPoint.ElementType());
        Assert.Equal(0, (sbyte)zeroPoint.RawData[0]);

        // Independent expectation: symmetric ±127 means scale = max|w| / 127.
        Assert.Equal(original.Max(MathF.Abs) / 127f, scale, 1e-6f);
        var q = values.RawData.Span.ToArray().Select(v => (sbyte)v).ToArray();
        Assert.Equal(127, q.Max(v => Math.Abs((int)v)));
        for (int i = 0; i < q.Length; i++)
        {
            Assert.True(Math.Abs((q[i] * scale) - original[i]) <= (scale / 2) * 1.0001, $"element {i}");
        }
    }

    [Fact]
    public void Per_channel_uses_one_scale_per_output_column()
    {
        var model = TestModelCatalog.Mlp();
        var outcome = QuantizeModel(model, new QuantizeOptions { Precision = Precision.Int8, PerChannel = true });

        var scale = Initializers(outcome.Model).Single(t => t.Name == "fc1.weight_scale");
        Assert.Equal([128L], scale.Dims);
        // Symmetric: the zero point is 0 for every column, so one scalar serves (the kernel's uniform-zero-point path).
        Assert.Empty(Initializers(outcome.Model).Single(t => t.Name == "fc1.weight_zero_point").Dims);
        // Gemm with transB: the weight is stored transposed to K×N, so its scales follow N = 10.
        Assert.Equal([10L], Initializers(outcome.Model).Single(t => t.Name == "head.weight_transposed_scale").Dims);

        var inputs = MlpInputs();
        Close(OrtRunner.Run(model, inputs)["y"], OrtRunner.Run(outcome.OutputPath, inputs)["y"], Tolerance);
    }

    [Fact]
    public void A_weight_dominated_by_outlier_columns_gets_per_column_scales_even_per_tensor()
    {
        var model = TestModelCatalog.OutlierColumnLinear();
        var outcome = QuantizeModel(model);

        Assert.Equal([48L], Initializers(outcome.Model).Single(t => t.Name == "outlier.weight_scale").Dims);
        Assert.Contains(outcome.Result.Notes, n => n.Contains("outlier.weight", StringComparison.Ordinal));
        // Ordinary random weights stay per-tensor.
        Assert.Empty(Initializers(QuantizeModel(TestModelCatalog.Mlp()).Model).Single(t => t.Name == "fc1.weight_scale").Dims);

        // Outside the outlier column the error stays that of a normal per-tensor weight.
        var inputs = new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(RandomFloats(2 * 64, seed: 8), 2, 64) };
        var expected = OrtRunner.Run(model, inputs)["y"];
        var actual = OrtRunner.Run(outcome.OutputPath, inputs)["y"];
        var ordinaryColumns = Enumerable.Range(0, expected.Length).Where(i => i % 48 != 5).ToArray();
        Close([.. ordinaryColumns.Select(i => expected[i])], [.. ordinaryColumns.Select(i => actual[i])], Tolerance);
    }

    [Fact]
    public void Attention_block_quantizes_projections_and_shares_one_dynamic_quantization_of_x()
    {
        var model = TestModelCatalog.AttentionBlock();
        var outcome = QuantizeModel(model);

        Assert.Equal(4, Count(outcome.Model, "MatMulInteger"));
        // x feeds Q, K and V: quantized once. The context feeds the output projection.
        Assert.Equal(2, Count(outcome.Model, "DynamicQuantizeLinear"));
        // Activation × activation products (scores, context) stay float.
        Assert.Equal(2, Count(outcome.Model, "MatMul"));

        var inputs = new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(RandomFloats(2 * 5 * 32, seed: 2), 2, 5, 32) };
        Close(OrtRunner.Run(model, inputs)["y"], OrtRunner.Run(outcome.OutputPath, inputs)["y"], Tolerance);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Weights_in_constant_nodes_and_if_branches_are_quantized(bool condition)
    {
        var model = TestModelCatalog.ConstantAndIf();
        var outcome = QuantizeModel(model);

        Assert.Equal(3, outcome.Result.QuantizedByOpType["MatMul"]);
        Assert.Equal(3, Count(outcome.Model, "MatMulInteger"));
        Assert.Equal(0, Count(outcome.Model, "MatMul"));
        Assert.Equal(0, Count(outcome.Model, "Constant"));
        Assert.False(HasTensor(outcome.Model, "outer_weight"));
        Assert.False(HasTensor(outcome.Model, "then_weight"));
        // The outer weight's int8 form lives in the main graph, where the else branch reads it from.
        Assert.Contains(outcome.Model.Graph.Initializer, t => t.Name == "outer_weight_quantized");

        var inputs = new Dictionary<string, OrtRunner.Input>
        {
            ["x"] = OrtRunner.Floats(RandomFloats(4 * 32, seed: 3), 4, 32),
            ["cond"] = new(new[] { condition }, []),
        };
        Close(OrtRunner.Run(model, inputs)["y"], OrtRunner.Run(outcome.OutputPath, inputs)["y"], Tolerance);
    }

    [Fact]
    public void Nodes_out_of_topological_order_are_handled()
    {
        var model = TestModelCatalog.NonTopological();
        var outcome = QuantizeModel(model);

        Assert.Equal(3, Count(outcome.Model, "MatMulInteger"));
        var inputs = MlpInputs();
        Close(OrtRunner.Run(model, inputs)["y"], OrtRunner.Run(outcome.OutputPath, inputs)["y"], Tolerance);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Embedding_table_is_stored_int8_and_gathered_rows_are_dequantized(bool perChannel)
    {
        var model = TestModelCatalog.Embedding();
        var outcome = QuantizeModel(model, new QuantizeOptions { Precision = Precision.Int8, PerChannel = perChannel });

        Assert.Equal(1, outcome.Result.QuantizedByOpType["Gather"]);
        Assert.False(HasTensor(outcome.Model, "embedding.weight"));
        var table = Initializers(outcome.Model).Single(t => t.Name == "embedding.weight_quantized");
        Assert.Equal(DataType.Int8, table.ElementType());
        var dequantize = outcome.Model.Graph.Node.Single(n => n.OpType == "DequantizeLinear");
        // Gather first, then dequantize only the gathered rows.
        var gather = outcome.Model.Graph.Node.Single(n => n.OpType == "Gather");
        Assert.Equal(gather.Output[0], dequantize.Input[0]);
        Assert.Equal(perChannel ? [32L] : [], Initializers(outcome.Model).Single(t => t.Name == dequantize.Input[1]).Dims);

        var ids = new long[] { 0, 7, 499, 250, 3, 3 };
        var inputs = new Dictionary<string, OrtRunner.Input> { ["ids"] = new(ids, [2, 3]) };
        Close(OrtRunner.Run(model, inputs)["y"], OrtRunner.Run(outcome.OutputPath, inputs)["y"], Tolerance);
    }

    [Fact]
    public void Small_cnn_keeps_conv_float_and_quantizes_the_gemm()
    {
        var model = TestModelCatalog.SmallCnn();
        var outcome = QuantizeModel(model);

        Assert.Equal(2, Count(outcome.Model, "Conv"));
        Assert.Equal(0, Count(outcome.Model, "ConvInteger"));
        Assert.Equal(DataType.Float, Initializers(outcome.Model).Single(t => t.Name == "conv1.weight").ElementType());
        Assert.Equal(1, outcome.Result.QuantizedByOpType["Gemm"]);
        Assert.False(outcome.Result.QuantizedByOpType.ContainsKey("Conv"));
        Assert.Contains(outcome.Result.Notes, n => n.Contains("Conv left in float", StringComparison.Ordinal) && n.Contains("ConvInteger", StringComparison.Ordinal));

        var inputs = new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(RandomFloats(3 * 16 * 16, seed: 4), 1, 3, 16, 16) };
        Close(OrtRunner.Run(model, inputs)["y"], OrtRunner.Run(outcome.OutputPath, inputs)["y"], Tolerance);
    }

    [Fact]
    public void Gemm_alpha_beta_transB_and_computed_bias_are_honoured_and_transA_stays_float()
    {
        var model = TestModelCatalog.GemmForms();
        var outcome = QuantizeModel(model);

        Assert.Equal(2, outcome.Result.QuantizedByOpType["Gemm"]);
        Assert.Equal(1, Count(outcome.Model, "Gemm"));
        Assert.Contains("transA", outcome.Result.Skipped["Gemm"], StringComparison.Ordinal);
        Assert.True(HasTensor(outcome.Model, "g3.weight"));
        // g1's constant bias is pre-multiplied by beta; the original is no longer read.
        Assert.False(HasTensor(outcome.Model, "g1.bias"));

        var inputs = new Dictionary<string, OrtRunner.Input>
        {
            ["x"] = OrtRunner.Floats(RandomFloats(3 * 24, seed: 5), 3, 24),
            ["c"] = OrtRunner.Floats(RandomFloats(12, seed: 6), 12),
        };
        Close(OrtRunner.Run(model, inputs)["y"], OrtRunner.Run(outcome.OutputPath, inputs)["y"], Tolerance);
    }

    [Fact]
    public void A_weight_shared_by_two_matmuls_is_quantized_once()
    {
        var model = TestModelCatalog.SharedWeight();
        var outcome = QuantizeModel(model);

        Assert.Equal(2, outcome.Result.QuantizedByOpType["MatMul"]);
        var integerMatMuls = outcome.Model.Graph.Node.Where(n => n.OpType == "MatMulInteger").ToList();
        Assert.Equal(2, integerMatMuls.Count);
        Assert.Equal(integerMatMuls[0].Input[1], integerMatMuls[1].Input[1]);
        Assert.Single(outcome.Model.Graph.Initializer, t => t.ElementType() == DataType.Int8 && t.Dims.Count == 2);
        Assert.False(HasTensor(outcome.Model, "tied.weight"));

        var inputs = new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(RandomFloats(4 * 32, seed: 7), 4, 32) };
        Close(OrtRunner.Run(model, inputs)["y"], OrtRunner.Run(outcome.OutputPath, inputs)["y"], Tolerance);
    }

    [Fact]
    public void A_shared_weight_still_read_by_an_excluded_node_keeps_its_float_copy()
    {
        var outcome = QuantizeModel(TestModelCatalog.SharedWeight(), new QuantizeOptions { Precision = Precision.Int8, Exclude = ["second"] });

        Assert.Equal(1, outcome.Result.QuantizedByOpType["MatMul"]);
        Assert.Equal("second", outcome.Model.Graph.Node.Single(n => n.OpType == "MatMul").Name);
        Assert.True(HasTensor(outcome.Model, "tied.weight"));
    }

    [Fact]
    public void Excluded_nodes_and_small_weights_stay_float()
    {
        var excluded = QuantizeModel(TestModelCatalog.Mlp(), new QuantizeOptions { Precision = Precision.Int8, Exclude = ["fc2", "Gemm"] });
        Assert.Equal(1, excluded.Result.QuantizedByOpType["MatMul"]);
        Assert.False(excluded.Result.QuantizedByOpType.ContainsKey("Gemm"));
        Assert.True(HasTensor(excluded.Model, "fc2.weight"));
        Assert.True(HasTensor(excluded.Model, "head.weight"));

        // fc1 (64×128 = 8192) and fc2 (128×64) are below 10 000 elements; nothing qualifies.
        var small = QuantizeModel(TestModelCatalog.Mlp(), new QuantizeOptions { Precision = Precision.Int8, MinElements = 10_000 });
        Assert.Empty(small.Result.QuantizedByOpType);
        Assert.Equal(2, Count(small.Model, "MatMul"));
        Assert.Contains(small.Result.Warnings, w => w.Code == ErrorCodes.NothingQuantized);
    }

    [Fact]
    public void Opset_10_models_keep_matmul_and_gemm_float_with_a_note_and_the_opset_is_not_raised()
    {
        var outcome = QuantizeModel(TestModelCatalog.Mlp(opset: 10));

        Assert.Empty(outcome.Result.QuantizedByOpType);
        Assert.Equal(2, Count(outcome.Model, "MatMul"));
        Assert.Equal(1, Count(outcome.Model, "Gemm"));
        Assert.Equal(10, Graph.Opsets.Version(outcome.Model, string.Empty));
        Assert.Contains(outcome.Result.Notes, n => n.Contains("opset 10", StringComparison.Ordinal));
        Assert.Contains("opset", outcome.Result.Skipped["MatMul"], StringComparison.Ordinal);
    }

    [Fact]
    public void Output_is_byte_identical_across_runs()
    {
        var first = QuantizeModel(TestModelCatalog.AttentionBlock());
        var second = QuantizeModel(TestModelCatalog.AttentionBlock());

        Assert.Equal(File.ReadAllBytes(first.OutputPath), File.ReadAllBytes(second.OutputPath));
    }
}
