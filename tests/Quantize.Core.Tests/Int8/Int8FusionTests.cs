using Microsoft.ML.OnnxRuntime;
using Quantize.Core.Onnx;
using static Quantize.Core.Tests.Int8.Int8TestSupport;

namespace Quantize.Core.Tests.Int8;

/// <summary>
/// The point of the emitted chain is that ONNX Runtime's CPU optimizer fuses it into one integer kernel
/// (MatMulIntegerToFloat, or DynamicQuantizeMatMul when the activation's quantization feeds only one
/// chain). ORT writes the graph it actually runs to <c>OptimizedModelFilePath</c>; we read that back.
/// </summary>
public class Int8FusionTests
{
    public static TheoryData<string, bool> Models => new()
    {
        { nameof(TestModelCatalog.Mlp), false },
        { nameof(TestModelCatalog.Mlp), true },
        { nameof(TestModelCatalog.AttentionBlock), false },
        { nameof(TestModelCatalog.ConstantAndIf), false },
        { nameof(TestModelCatalog.Embedding), true },
        { nameof(TestModelCatalog.GemmForms), false },
        { nameof(TestModelCatalog.SmallCnn), false },
        { nameof(TestModelCatalog.SharedWeight), true },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_integer_chain_is_fused_by_onnx_runtime(string modelName, bool perChannel)
    {
        var model = (ModelProto)typeof(TestModelCatalog).GetMethod(modelName)!.Invoke(null, [.. typeof(TestModelCatalog).GetMethod(modelName)!.GetParameters().Select(p => p.DefaultValue)])!;
        var outcome = QuantizeModel(model, new QuantizeOptions { Precision = Precision.Int8, PerChannel = perChannel });
        int chains = Count(outcome.Model, "MatMulInteger");
        Assert.True(chains > 0);

        var optimized = Optimize(outcome.OutputPath);

        Assert.Equal(0, Count(optimized, "MatMulInteger"));
        Assert.Equal(0, Count(optimized, "Cast"));
        Assert.Equal(chains, Count(optimized, "DynamicQuantizeMatMul") + Count(optimized, "MatMulIntegerToFloat"));
    }

    [Fact]
    public void An_activation_read_by_one_chain_fuses_completely_into_DynamicQuantizeMatMul_with_its_bias()
    {
        var outcome = QuantizeModel(TestModelCatalog.Mlp());

        var optimized = Optimize(outcome.OutputPath);

        Assert.Equal(3, Count(optimized, "DynamicQuantizeMatMul"));
        Assert.Equal(0, Count(optimized, "DynamicQuantizeLinear"));
        // The bias Adds after fc1, fc2 and the Gemm went into the kernels.
        Assert.Equal(0, Count(optimized, "Add"));
        Assert.Equal(0, Count(optimized, "Mul"));
    }

    [Fact]
    public void A_bias_written_before_the_product_is_reordered_so_that_it_fuses()
    {
        var outcome = QuantizeModel(TestModelCatalog.BiasFirstLinear());

        var optimized = Optimize(outcome.OutputPath);

        Assert.Equal(1, Count(optimized, "DynamicQuantizeMatMul"));
        Assert.Equal(0, Count(optimized, "Add"));
        var inputs = new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(RandomFloats(3 * 32, seed: 9), 3, 32) };
        Close(OrtRunner.Run(TestModelCatalog.BiasFirstLinear(), inputs)["y"], OrtRunner.Run(outcome.OutputPath, inputs)["y"], 0.03);
    }

    [Fact]
    public void Shared_activation_quantization_fuses_into_MatMulIntegerToFloat()
    {
        var outcome = QuantizeModel(TestModelCatalog.AttentionBlock());

        var optimized = Optimize(outcome.OutputPath);

        // Q, K, V read one DynamicQuantizeLinear of x; the output projection has its own.
        Assert.Equal(3, Count(optimized, "MatMulIntegerToFloat"));
        Assert.Equal(1, Count(optimized, "DynamicQuantizeMatMul"));
        Assert.Equal(1, Count(optimized, "DynamicQuantizeLinear"));
    }

    /// <summary>Loads <paramref name="path"/> with extended optimizations and returns the graph ORT will run.</summary>
    internal static ModelProto Optimize(string path)
    {
        var optimizedPath = Path.Combine(Path.GetDirectoryName(path)!, "optimized.onnx");
        using (var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
            OptimizedModelFilePath = optimizedPath,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        })
        using (new InferenceSession(path, options))
        {
        }

        return ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimizedPath));
    }
}
