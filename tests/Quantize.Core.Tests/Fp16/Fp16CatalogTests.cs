using Quantize.Core.Diagnostics;
using Quantize.Core.Onnx;
using Xunit.Abstractions;
using static Quantize.Core.Tests.Fp16.PrecisionHarness;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Tests.Fp16;

/// <summary>
/// FP16 on the catalog models, run in ONNX Runtime against the float model. Tolerances: float16 keeps 11
/// significant bits (relative rounding 2^-11 ≈ 4.9e-4 per weight and per activation), and these models chain
/// two to six roundings over sums of 16 to 128 terms, so outputs must agree to cosine ≥ 0.9999 and to a
/// largest difference ≤ 1% of the float output's largest magnitude. Measured values are far inside both.
/// </summary>
public class Fp16CatalogTests(ITestOutputHelper output)
{
    private static readonly QuantizeOptions Fp16 = new() { Precision = Precision.Fp16 };

    public static TheoryData<string, int> CatalogModels => new()
    {
        // model, Cast nodes expected: one per float32 graph input and output (KeepIoTypes), none elsewhere.
        { "Mlp", 2 },
        { "NonTopological", 2 },
        { "SmallCnn", 2 },
        { "AttentionBlock", 2 }, // x feeds four nodes through one shared Cast
        { "ConstantAndIf-true", 2 },
        { "ConstantAndIf-false", 2 },
        { "Embedding", 1 }, // int64 input: only the output is cast
        { "LoopOverOuterOutput", 4 }, // x in; y, h, history out (h is also read inside the loop body)
    };

    [Theory]
    [MemberData(nameof(CatalogModels))]
    public void Converted_model_runs_in_onnx_runtime_close_to_the_float_model(string name, int expectedCasts)
    {
        var (model, inputs) = Catalog(name);
        var converted = Convert(model, Fp16, name);

        var expected = OrtRunner.Run(converted.FloatPath, inputs);
        var actual = OrtRunner.Run(converted.OutputPath, inputs);
        foreach (var (outputName, reference) in expected)
        {
            double cosine = Similarity.Cosine(reference, actual[outputName]);
            double relative = RelativeMaxDiff(reference, actual[outputName]);
            output.WriteLine($"{name}/{outputName}: cosine {cosine:F7}, max diff {relative:E2} of max |y|");
            Assert.True(cosine >= 0.9999, $"cosine {cosine}");
            Assert.True(relative <= 0.01, $"max diff {relative}");
        }

        Assert.Equal(expectedCasts, Count(converted.Model, "Cast"));
        Assert.All(AllInitializers(converted.Model).Where(i => i.ElementType() is not (DataType.Int64 or DataType.Bool)), i => Assert.Equal(DataType.Float16, i.ElementType()));
        Assert.All(converted.Model.Graph.Input.Concat(converted.Model.Graph.Output), v => Assert.NotEqual(DataType.Float16, DeclaredType(v)));
        Assert.Equal(AllInitializers(model).Count(i => i.ElementType() == DataType.Float), converted.Result.QuantizedByOpType["initializer"]);
        Assert.Contains(converted.Result.Warnings, w => w.Code == ErrorCodes.SlowerOnCpu);
    }

    [Fact]
    public void Counts_converted_nodes_by_op_type_and_initializers_separately()
    {
        var converted = Convert(TestModelCatalog.Mlp(), Fp16, "mlp-counts");
        var counts = converted.Result.QuantizedByOpType;
        Assert.Equal(2, counts["MatMul"]);
        Assert.Equal(2, counts["Add"]);
        Assert.Equal(2, counts["Relu"]);
        Assert.Equal(1, counts["Gemm"]);
        Assert.Equal(6, counts["initializer"]);
        Assert.False(counts.ContainsKey("Cast"));
    }

    [Fact]
    public void Weights_in_constant_nodes_and_in_if_branches_become_float16_and_branch_outputs_follow()
    {
        var converted = Convert(TestModelCatalog.ConstantAndIf(), Fp16, "constant-if");
        var constant = converted.Model.Graph.Node.Single(n => n.OpType == "Constant");
        Assert.Equal(DataType.Float16, (DataType)constant.Attribute.Single(a => a.Name == "value").T.DataType);
        Assert.Equal(DataType.Float16, InitializerType(converted.Model, "then_weight"));
        Assert.Equal(DataType.Float16, InitializerType(converted.Model, "outer_weight"));

        var branch = converted.Model.Graph.Node.Single(n => n.OpType == "If");
        Assert.All(branch.Attribute, a => Assert.Equal(DataType.Float16, DeclaredType(a.G.Output.Single())));
        Assert.Equal(1, converted.Result.QuantizedByOpType["Constant"]);
    }

    [Fact]
    public void Float32_islands_keep_resize_scales_topk_and_range_in_float32_with_casts_only_at_their_edges()
    {
        var (model, inputs) = Catalog("Float32Islands");
        var converted = Convert(model, Fp16, "islands");

        var expected = OrtRunner.Run(converted.FloatPath, inputs);
        var actual = OrtRunner.Run(converted.OutputPath, inputs);
        double cosine = Similarity.Cosine(expected["y"], actual["y"]);
        output.WriteLine($"islands: cosine {cosine:F7}, max diff {RelativeMaxDiff(expected["y"], actual["y"]):E2}");
        Assert.True(cosine >= 0.9999, $"cosine {cosine}");
        Assert.True(RelativeMaxDiff(expected["y"], actual["y"]) <= 0.01);
        // Indices of the 8 largest values agree: float16 rounding of Conv/Resize must not reorder the leaders
        // by more than ties, and these random values have no near-ties at the top.
        Assert.Equal(expected["top_indices"], actual["top_indices"]);

        var m = converted.Model;
        Assert.Equal(DataType.Float16, InitializerType(m, "conv.weight"));
        Assert.Equal(DataType.Float16, InitializerType(m, "conv.bias"));
        Assert.Equal(DataType.Float16, InitializerType(m, "gain"));
        Assert.Equal(DataType.Float, InitializerType(m, "resize.scales"));
        Assert.Equal(DataType.Float, InitializerType(m, "range.start"));
        Assert.Equal(DataType.Float, InitializerType(m, "range.limit"));
        Assert.Equal(DataType.Float, InitializerType(m, "range.delta"));

        // x→fp16, Flatten→fp32 for TopK, TopK values→fp16, Range→fp16, y→fp32.
        Assert.Equal(5, Count(m, "Cast"));
        var resize = m.Graph.Node.Single(n => n.OpType == "Resize");
        Assert.Equal("resize.scales", resize.Input[2]);
        Assert.Equal("top_values_fp16", m.Graph.Node.Single(n => n.OpType == "Add").Input[0]);
        Assert.Contains("TopK", converted.Result.Skipped.Keys);
        Assert.Contains("Range", converted.Result.Skipped.Keys);
        Assert.False(converted.Result.QuantizedByOpType.ContainsKey("TopK"));
    }

    [Fact]
    public void An_excluded_node_stays_float32_with_its_weight_and_casts_around_it()
    {
        var (model, inputs) = Catalog("Mlp");
        var converted = Convert(model, Fp16 with { Exclude = ["fc2"] }, "mlp-exclude");

        var expected = OrtRunner.Run(converted.FloatPath, inputs);
        var actual = OrtRunner.Run(converted.OutputPath, inputs);
        Assert.True(Similarity.Cosine(expected["y"], actual["y"]) >= 0.9999);

        Assert.Equal(DataType.Float, InitializerType(converted.Model, "fc2.weight"));
        Assert.Equal(DataType.Float16, InitializerType(converted.Model, "fc1.weight"));
        // x→fp16, relu1→fp32 into fc2, fc2→fp16 into its bias Add, y→fp32.
        Assert.Equal(4, Count(converted.Model, "Cast"));
        Assert.Equal("excluded by the user", converted.Result.Skipped["MatMul"]);
    }

    [Theory]
    [InlineData("Mlp")]
    [InlineData("ConstantAndIf-true")]
    [InlineData("ConstantAndIf-false")]
    public void Without_KeepIoTypes_float_inputs_and_outputs_become_float16_and_no_cast_is_needed(string name)
    {
        var (model, inputs) = Catalog(name);
        var converted = Convert(model, Fp16 with { KeepIoTypes = false }, name + "-io16");

        var graph = converted.Model.Graph;
        Assert.Equal(DataType.Float16, DeclaredType(graph.Input.Single(i => i.Name == "x")));
        Assert.Equal(DataType.Float16, DeclaredType(graph.Output.Single()));
        Assert.Equal(0, Count(converted.Model, "Cast"));

        var expected = OrtRunner.Run(converted.FloatPath, inputs);
        var x = (float[])inputs["x"].Data;
        var halfInputs = new Dictionary<string, OrtRunner.Input>(inputs) { ["x"] = OrtRunner.Float16s(x, inputs["x"].Shape) };
        var actual = OrtRunner.Run(converted.OutputPath, halfInputs);
        Assert.True(Similarity.Cosine(expected["y"], actual["y"]) >= 0.9999);
        Assert.True(RelativeMaxDiff(expected["y"], actual["y"]) <= 0.01);
    }

    [Fact]
    public void Value_info_of_converted_tensors_follows_their_new_type()
    {
        var model = TestModelCatalog.Mlp();
        model.Graph.ValueInfo.Add(ModelBuilder.ValueInfo("relu1_out", DataType.Float, "batch", 128));
        model.Graph.ValueInfo.Add(ModelBuilder.ValueInfo("fc2_out", DataType.Float, "batch", 64));
        var converted = Convert(model, Fp16, "mlp-value-info");

        // ONNX Runtime checks value_info against inferred types when loading; the engine loaded it already.
        Assert.All(converted.Model.Graph.ValueInfo, v => Assert.Equal(DataType.Float16, DeclaredType(v)));
        Assert.Equal(2, converted.Model.Graph.ValueInfo.Count);
    }

    [Theory]
    [InlineData("AttentionBlock")]
    [InlineData("ConstantAndIf-true")]
    [InlineData("Float32Islands")]
    public void Converting_twice_gives_byte_identical_files(string name)
    {
        var (model, _) = Catalog(name);
        var first = Convert(model, Fp16, name + "-a");
        var second = Convert(model, Fp16, name + "-b");
        Assert.Equal(File.ReadAllBytes(first.OutputPath), File.ReadAllBytes(second.OutputPath));
    }

    [Fact]
    public void In_an_ir3_model_the_graph_input_entries_of_initializers_become_float16_with_them()
    {
        var (_, inputs) = Catalog("Mlp");
        var converted = Convert(Ir3Mlp(opset: 8), Fp16, "mlp-ir3-fp16");
        var graph = converted.Model.Graph;
        var declared = graph.Input.ToDictionary(i => i.Name, DeclaredType);
        Assert.Equal(DataType.Float, declared["x"]);
        Assert.All(graph.Initializer, i => Assert.Equal(DataType.Float16, declared[i.Name]));
        Assert.True(Similarity.Cosine(OrtRunner.Run(converted.FloatPath, inputs)["y"], OrtRunner.Run(converted.OutputPath, inputs)["y"]) >= 0.9999);
    }

    [Fact]
    public void A_graph_output_read_inside_a_loop_body_is_renamed_there_too_and_the_loop_runs_in_float16()
    {
        var converted = Convert(TestModelCatalog.LoopOverOuterOutput(), Fp16, "loop-fp16");
        var graph = converted.Model.Graph;
        var outputCast = graph.Node.Single(n => n.OpType == "Cast" && n.Output[0] == "h");
        Assert.Equal("h_fp16", outputCast.Input[0]);
        Assert.Equal("h_fp16", graph.Node.Single(n => n.OpType == "Mul").Output[0]);

        var body = graph.Node.Single(n => n.OpType == "Loop").Attribute.Single().G;
        Assert.Equal("h_fp16", body.Node.Single(n => n.OpType == "Add").Input[1]);
        Assert.Equal(DataType.Float16, DeclaredType(body.Input[2]));
        Assert.Equal(DataType.Float16, DeclaredType(body.Output[1]));
        Assert.Equal(DataType.Float16, DeclaredType(body.Output[2]));
        Assert.Equal(0, body.Node.Count(n => n.OpType == "Cast"));
    }
}
