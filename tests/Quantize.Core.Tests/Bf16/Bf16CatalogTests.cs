using Quantize.Core.Diagnostics;
using Quantize.Core.Onnx;
using Xunit.Abstractions;
using static Quantize.Core.Tests.Fp16.PrecisionHarness;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Tests.Bf16;

/// <summary>
/// BF16 on the catalog models, run in ONNX Runtime against the float model. Only weights are rounded
/// (bfloat16 keeps 8 significant bits: relative rounding ≤ 2^-9 per weight, compute stays float32), so
/// outputs must agree to cosine ≥ 0.999 and to a largest difference ≤ 2% of the float output's largest
/// magnitude.
/// </summary>
public class Bf16CatalogTests(ITestOutputHelper output)
{
    private static readonly QuantizeOptions Bf16 = new() { Precision = Precision.Bf16 };

    public static TheoryData<string, int> CatalogModels => new()
    {
        // model, weights of at least 16 elements (each becomes a bfloat16 initializer + one Cast)
        { "Mlp", 5 }, // head.bias (10) stays float32
        { "NonTopological", 5 },
        { "SmallCnn", 4 }, // conv1.bias (8) and fc.bias (10) stay float32
        { "AttentionBlock", 10 }, // inv_sqrt_d (1) stays float32
        { "ConstantAndIf-true", 3 }, // Constant node, outer initializer, then-branch initializer
        { "ConstantAndIf-false", 3 },
        { "Embedding", 2 },
        { "LoopOverOuterOutput", 0 }, // gain and scale have 4 elements: below MinElements
    };

    [Theory]
    [MemberData(nameof(CatalogModels))]
    public void Converted_model_runs_in_onnx_runtime_close_to_the_float_model(string name, int expectedWeights)
    {
        var (model, inputs) = Catalog(name);
        var converted = Convert(model, Bf16, name + "-bf16");

        var expected = OrtRunner.Run(converted.FloatPath, inputs);
        var actual = OrtRunner.Run(converted.OutputPath, inputs);
        foreach (var (outputName, reference) in expected)
        {
            double cosine = Similarity.Cosine(reference, actual[outputName]);
            double relative = RelativeMaxDiff(reference, actual[outputName]);
            output.WriteLine($"{name}/{outputName}: cosine {cosine:F7}, max diff {relative:E2} of max |y|");
            Assert.True(cosine >= 0.999, $"cosine {cosine}");
            Assert.True(relative <= 0.02, $"max diff {relative}");
        }

        var m = converted.Model;
        Assert.Equal(expectedWeights, Count(m, "Cast"));
        Assert.Equal(expectedWeights, AllInitializers(m).Count(i => i.ElementType() == DataType.Bfloat16)
            + AllNodes(m).Count(n => n.OpType == "Constant" && n.Attribute[0].T?.ElementType() == DataType.Bfloat16));
        Assert.All(AllInitializers(m).Where(i => i.ElementType() == DataType.Float), i => Assert.True(i.ElementCount() < 16));
        Assert.All(m.Graph.Input.Concat(m.Graph.Output).Where(v => v.Type.TensorType.ElemType != (int)DataType.Int64 && v.Type.TensorType.ElemType != (int)DataType.Bool),
            v => Assert.Equal(DataType.Float, DeclaredType(v)));
        Assert.Equal(expectedWeights, converted.Result.QuantizedByOpType.Values.Sum());
    }

    [Fact]
    public void Each_weight_keeps_its_name_as_the_output_of_a_cast_from_its_bfloat16_copy()
    {
        var converted = Convert(TestModelCatalog.ConstantAndIf(), Bf16, "constant-if-bf16");
        var main = converted.Model.Graph;
        var cast = main.Node.Single(n => n.OpType == "Cast" && n.Output[0] == "outer_weight");
        Assert.Equal(DataType.Float, (DataType)cast.Attribute.Single(a => a.Name == "to").I);
        Assert.Equal(DataType.Bfloat16, InitializerType(converted.Model, cast.Input[0]));

        var constant = main.Node.Single(n => n.OpType == "Constant");
        Assert.Equal(DataType.Bfloat16, constant.Attribute.Single(a => a.Name == "value").T.ElementType());
        Assert.Contains(main.Node, n => n.OpType == "Cast" && n.Input[0] == constant.Output[0] && n.Output[0] == "const_weight");

        var thenBranch = main.Node.Single(n => n.OpType == "If").Attribute.Single(a => a.Name == "then_branch").G;
        Assert.Contains(thenBranch.Node, n => n.OpType == "Cast" && n.Output[0] == "then_weight");
        Assert.Equal(1, converted.Result.QuantizedByOpType["Constant"]);
        Assert.Equal(2, converted.Result.QuantizedByOpType["initializer"]);
    }

    [Fact]
    public void MinElements_leaves_smaller_weights_in_float32()
    {
        var converted = Convert(TestModelCatalog.Mlp(), Bf16 with { MinElements = 1000 }, "mlp-bf16-min");
        var bf16 = AllInitializers(converted.Model).Where(i => i.ElementType() == DataType.Bfloat16).Select(i => i.Name).Order();
        Assert.Equal(["fc1.weight_bf16", "fc2.weight_bf16"], bf16);
        Assert.Equal(2, Count(converted.Model, "Cast"));
    }

    [Fact]
    public void A_weight_read_by_an_excluded_node_stays_float32()
    {
        var (model, inputs) = Catalog("Mlp");
        var converted = Convert(model, Bf16 with { Exclude = ["fc2"] }, "mlp-bf16-exclude");
        Assert.Equal(DataType.Float, InitializerType(converted.Model, "fc2.weight"));
        Assert.Equal(DataType.Bfloat16, InitializerType(converted.Model, "fc2.bias_bf16"));
        Assert.Equal(4, Count(converted.Model, "Cast"));
        Assert.True(Similarity.Cosine(OrtRunner.Run(converted.FloatPath, inputs)["y"], OrtRunner.Run(converted.OutputPath, inputs)["y"]) >= 0.999);
    }

    [Theory]
    [InlineData("Mlp", 5)]
    [InlineData("ConstantAndIf-true", 3)]
    [InlineData("ConstantAndIf-false", 3)]
    public void Without_KeepIoTypes_float_inputs_and_outputs_become_bfloat16(string name, int weights)
    {
        var (model, inputs) = Catalog(name);
        var converted = Convert(model, Bf16 with { KeepIoTypes = false }, name + "-bf16-io");

        var graph = converted.Model.Graph;
        Assert.Equal(DataType.Bfloat16, DeclaredType(graph.Input.Single(i => i.Name == "x")));
        Assert.Equal(DataType.Bfloat16, DeclaredType(graph.Output.Single()));
        Assert.Equal(weights + 2, Count(converted.Model, "Cast"));

        var expected = OrtRunner.Run(converted.FloatPath, inputs);
        var bf16Inputs = new Dictionary<string, OrtRunner.Input>(inputs) { ["x"] = OrtRunner.BFloat16s((float[])inputs["x"].Data, inputs["x"].Shape) };
        var actual = OrtRunner.Run(converted.OutputPath, bf16Inputs);
        Assert.True(Similarity.Cosine(expected["y"], actual["y"]) >= 0.999);
        Assert.True(RelativeMaxDiff(expected["y"], actual["y"]) <= 0.02);
    }

    [Fact]
    public void Converting_a_bf16_output_again_reports_it_and_changes_nothing()
    {
        var once = Convert(TestModelCatalog.AttentionBlock(), Bf16, "attention-bf16-once");
        var twice = QuantizeFile(once.OutputPath, Bf16, Path.Combine(Path.GetDirectoryName(once.OutputPath)!, "twice.onnx"));
        Assert.True(twice.Result.Unchanged);
        Assert.Contains(twice.Result.Warnings, w => w.Code == ErrorCodes.AlreadyInPrecision);
        Assert.Equal(File.ReadAllBytes(once.OutputPath), File.ReadAllBytes(twice.OutputPath));
    }

    [Theory]
    [InlineData("AttentionBlock")]
    [InlineData("ConstantAndIf-true")]
    public void Converting_twice_gives_byte_identical_files(string name)
    {
        var (model, _) = Catalog(name);
        var first = Convert(model, Bf16, name + "-bf16-a");
        var second = Convert(model, Bf16, name + "-bf16-b");
        Assert.Equal(File.ReadAllBytes(first.OutputPath), File.ReadAllBytes(second.OutputPath));
    }

    [Fact]
    public void In_an_ir3_model_the_graph_input_entries_of_converted_initializers_follow_them()
    {
        var (_, inputs) = Catalog("Mlp");
        var converted = Convert(Ir3Mlp(opset: 13), Bf16, "mlp-ir3-bf16");
        var graph = converted.Model.Graph;
        var declared = graph.Input.ToDictionary(i => i.Name, DeclaredType);
        Assert.All(graph.Initializer, i => Assert.Equal(i.ElementType(), declared[i.Name]));
        Assert.Equal(DataType.Bfloat16, declared["fc1.weight_bf16"]);
        Assert.False(declared.ContainsKey("fc1.weight"));
        Assert.True(Similarity.Cosine(OrtRunner.Run(converted.FloatPath, inputs)["y"], OrtRunner.Run(converted.OutputPath, inputs)["y"]) >= 0.999);
    }

    [Fact]
    public void A_model_below_opset_13_is_refused_with_QNT0010_and_no_output()
    {
        var folder = RealModels.ScratchFolder("mlp-opset12-bf16");
        var floatPath = Path.Combine(folder, "float.onnx");
        File.WriteAllBytes(floatPath, Google.Protobuf.MessageExtensions.ToByteArray(TestModelCatalog.Mlp(opset: 12)));
        var error = Assert.Throws<QuantizeException>(() => QuantizeEngine.Quantize(floatPath, Path.Combine(folder, "out.onnx"), Bf16));
        Assert.Equal(ErrorCodes.OpsetTooOld, error.Code);
        Assert.Equal(["float.onnx"], Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName));
    }

    /// <summary>
    /// The design rests on ONNX Runtime folding each bfloat16 weight's Cast into a float32 constant when it
    /// loads the model (so the CPU computes in float32): ask ORT for its optimized graph and look.
    /// </summary>
    [Fact]
    public void Onnx_runtime_folds_the_weight_casts_into_float32_constants_at_load()
    {
        var converted = Convert(TestModelCatalog.Mlp(), Bf16, "mlp-bf16-folded");
        var optimizedPath = Path.Combine(Path.GetDirectoryName(converted.OutputPath)!, "optimized.onnx");
        using (var options = new Microsoft.ML.OnnxRuntime.SessionOptions
        {
            GraphOptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_BASIC,
            OptimizedModelFilePath = optimizedPath,
        })
        using (new Microsoft.ML.OnnxRuntime.InferenceSession(converted.OutputPath, options))
        {
        }

        var (optimized, _) = ModelReader.Load(optimizedPath);
        Assert.Equal(5, Count(converted.Model, "Cast"));
        Assert.Equal(0, Count(optimized, "Cast"));
        Assert.DoesNotContain(AllInitializers(optimized), i => i.ElementType() == DataType.Bfloat16);
    }
}
