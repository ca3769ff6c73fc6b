using Quantize.Core.Passes.Int8Static;
using static Quantize.Core.Tests.Int8Static.StaticHarness;

namespace Quantize.Core.Tests.Int8Static;

/// <summary>ONNX Runtime's basic optimizations as our pre-processing: what they change and what they must not.</summary>
public class StaticPreprocessorTests
{
    [Fact]
    public void ResNet18_batch_norms_fold_into_convs_and_the_graph_stays_plain_onnx_at_opset_8()
    {
        var (original, _) = Onnx.ModelReader.Load(RealModels.ResNet18Path);
        var preprocessed = StaticPreprocessor.Optimize(RealModels.ResNet18Path, new StaticInt8Options());

        Assert.True(Count(original, "BatchNormalization") > 0);
        Assert.Equal(0, Count(preprocessed, "BatchNormalization"));
        Assert.Equal(Count(original, "Conv"), Count(preprocessed, "Conv"));
        // Basic optimizations are provider-independent: no fused or layout-specific contrib nodes.
        Assert.All(preprocessed.Graph.Node, n => Assert.Equal(string.Empty, n.Domain));
        Assert.Equal(8, Graph.Opsets.Version(preprocessed, string.Empty));
        // The Conv that absorbed a BatchNormalization writes the BatchNormalization's output, so ranges
        // calibrated on the original model still apply.
        var originalOutputs = original.Graph.Node.SelectMany(n => n.Output).ToHashSet(StringComparer.Ordinal);
        Assert.All(preprocessed.Graph.Node.Where(n => n.OpType == "Conv"), c => Assert.Contains(c.Output[0], originalOutputs));
    }
}
