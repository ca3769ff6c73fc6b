using Quantize.Cli.Build;
using Quantize.Core;
using Quantize.Core.Inspection;
using Quantize.Core.Passes;
using Quantize.Testing;

namespace Quantize.Cli.Tests;

/// <summary>
/// The oldest ONNX Runtime a quantized model needs comes from what the passes declare they emit
/// (<see cref="IQuantizationPass.EmittedOperators"/>), checked against what the output really contains.
/// </summary>
[Trait(PassTraits.Requires, PassTraits.Passes)]
public sealed class RuntimeRequirementsTests : IDisposable
{
    private readonly string _folder = RealModels.ScratchFolder("runtime-requirements");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Int4_on_MiniLm_needs_the_release_that_shipped_GatherBlockQuantized_and_every_contrib_op_it_emits_is_declared()
    {
        var output = Path.Combine(_folder, "minilm.int4.onnx");
        QuantizeEngine.Quantize(RealModels.MiniLmPath, output, new QuantizeOptions { Precision = Precision.Int4 }, verifyOutput: false);
        var inspection = ModelInspector.Inspect(output);

        var contrib = inspection.Operators.Where(o => o.Domain == "com.microsoft").Select(o => o.OpType).ToList();
        Assert.Contains("MatMulNBits", contrib);
        Assert.Contains("GatherBlockQuantized", contrib);
        Assert.All(contrib, op => Assert.Contains(PassRegistry.EmittedOperators, e => e.Domain == "com.microsoft" && e.OpType == op));

        var (version, reason) = RuntimeRequirements.Minimum(inspection)!.Value;
        Assert.Equal("1.20.0", version.ToNormalizedString());
        Assert.Contains("GatherBlockQuantized", reason, StringComparison.Ordinal);
        Assert.Contains("needs ONNX Runtime 1.20.0 or later", RuntimeRequirements.Check(inspection, "1.19.2"), StringComparison.Ordinal);
        Assert.Null(RuntimeRequirements.Check(inspection, "1.20.0"));
    }

    [Fact]
    public void Each_declared_operator_belongs_to_the_pass_that_emits_it()
    {
        Assert.Equal(["GatherBlockQuantized", "MatMulNBits"], PassRegistry.For(Precision.Int4).EmittedOperators.Select(o => o.OpType).Order(StringComparer.Ordinal));
        Assert.Equal(["DynamicQuantizeLSTM"], PassRegistry.For(Precision.Int8).EmittedOperators.Select(o => o.OpType));
        Assert.Empty(PassRegistry.For(Precision.Fp16).EmittedOperators);
    }
}
