using Quantize.Core.Onnx;
using static Quantize.Core.Tests.Int8Static.StaticHarness;

namespace Quantize.Core.Tests.Int8Static;

/// <summary>
/// What the Q/DQ groups are for: ONNX Runtime's CPU optimizer turns them into integer kernels. We read
/// the graph ORT actually runs (OptimizedModelFilePath at the extended level) and count what is left, and
/// compare the quantized outputs on held-out inputs with ORT's float run of the original model.
/// </summary>
public class StaticQdqFusionTests
{
    [Fact]
    public void SmallCnn_runs_on_QLinearConv_and_QGemm_close_to_float()
    {
        var model = TestModelCatalog.SmallCnn();
        var outcome = QuantizeModel(model, ExactRanges.RandomSamples(model, 32));
        var optimized = Int8.Int8FusionTests.Optimize(outcome.OutputPath);

        Assert.Equal(2, Count(optimized, "QLinearConv"));
        Assert.Equal(0, Count(optimized, "Conv"));
        Assert.Equal(1, Count(optimized, "QGemm"));
        Assert.Equal(1, Count(optimized, "QLinearGlobalAveragePool"));
        // MaxPool (opset 13) and Flatten run on the integers: the only Q/DQ left are at the graph's edges.
        Assert.Equal(1, Count(optimized, "QuantizeLinear"));
        // QGemm writes the float graph output itself.
        Assert.Equal(0, Count(optimized, "DequantizeLinear"));
        AssertCloseOnHeldOutInputs(model, outcome, "y", 0.995);
    }

    [Fact]
    public void Mlp_runs_on_integer_matmuls_close_to_float()
    {
        var model = TestModelCatalog.Mlp();
        var outcome = QuantizeModel(model, ExactRanges.RandomSamples(model, 32));
        var optimized = Int8.Int8FusionTests.Optimize(outcome.OutputPath);

        Assert.Equal(0, Count(optimized, "MatMul") + Count(optimized, "Gemm"));
        Assert.Equal(3, Count(optimized, "QLinearMatMul") + Count(optimized, "QGemm"));
        AssertCloseOnHeldOutInputs(model, outcome, "y", 0.995);
    }

    [Fact]
    public void AttentionBlock_fuses_projections_scores_softmax_and_residual()
    {
        var model = TestModelCatalog.AttentionBlock();
        var outcome = QuantizeModel(model, ExactRanges.RandomSamples(model, 32));
        var optimized = Int8.Int8FusionTests.Optimize(outcome.OutputPath);

        // Six MatMuls: four projections, whose bias Adds stay float (MatMulBiasAdd) so they run as
        // MatMulIntegerToFloat, and two activation × activation products.
        Assert.Equal(0, Count(optimized, "MatMul"));
        Assert.Equal(4, Count(optimized, "MatMulIntegerToFloat"));
        Assert.Equal(2, Count(optimized, "QLinearMatMul"));
        Assert.Equal(1, Count(optimized, "QLinearSoftmax"));
        Assert.Equal(1, Count(optimized, "QLinearMul"));
        // The bias Adds stay float; the residual feeds LayerNormalization (float) and stays float.
        Assert.Equal(0, Count(optimized, "QLinearAdd"));
        // LayerNormalization has no integer kernel and stays float (ORT may fuse the float residual into it).
        Assert.Equal(1, Count(optimized, "LayerNormalization") + Count(optimized, "SkipLayerNormalization"));
        AssertCloseOnHeldOutInputs(model, outcome, "y", 0.99);
    }

    private static void AssertCloseOnHeldOutInputs(ModelProto model, Outcome outcome, string output, double minimumCosine)
    {
        // Calibration used seeds 100..131; these were never seen, so values outside the calibrated ranges
        // clip: judge the whole output's direction, not its worst element.
        for (int seed = 0; seed < 3; seed++)
        {
            var inputs = ModelInputs.For(model, seed);
            double cosine = Similarity.Cosine(OrtRunner.Run(model, inputs)[output], OrtRunner.Run(outcome.OutputPath, inputs)[output]);
            Assert.True(cosine >= minimumCosine, $"seed {seed}: cosine {cosine:F5} < {minimumCosine}");
        }
    }
}
