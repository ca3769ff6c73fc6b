using static Quantize.Core.Tests.Int8Static.StaticHarness;

namespace Quantize.Core.Tests.Int8Static;

/// <summary>
/// Never slower by default: Convs between float ops that ONNX Runtime's CPU kernels run slower quantized than float
/// (grouped, or under 64 multiply-adds per output; measured in docs/measured-results.md) stay float with a note naming
/// them, <c>AvoidSlowPatterns=false</c> quantizes them, and Convs heavy enough to pay for their Q/DQ are quantized.
/// </summary>
public class SlowConvIslandTests
{
    [Theory]
    [InlineData(32, 1, 1)]   // 1×1, 32 inputs: 32 multiply-adds per output (measured 0.68× float).
    [InlineData(32, 3, 32)]  // depthwise 3×3 (0.43×).
    [InlineData(128, 3, 16)] // grouped 3×3, 8 inputs per group (0.57×).
    public void A_slow_island_stays_float_with_a_note_and_the_switch_quantizes_it(int channels, int kernel, int group)
    {
        var model = TestModelCatalog.ConvIslands(channels, kernel, group, size: 8);

        var kept = QuantizeModel(model, name: "slow-island");
        Assert.Equal(6, Count(kept.Model, "Conv"));
        Assert.Equal(0, Count(kept.Model, "QuantizeLinear"));
        var note = Assert.Single(kept.Result.Notes, n => n.Contains("stayed float because their integer kernel", StringComparison.Ordinal));
        Assert.Contains("conv0", note, StringComparison.Ordinal);
        Assert.Contains("AvoidSlowPatterns=false", note, StringComparison.Ordinal);

        var forced = QuantizeModel(model, options: new StaticInt8Options { AvoidSlowPatterns = false, BiasCorrection = BiasCorrectionScope.None }, name: "slow-island-forced");
        Assert.Equal(6, forced.Result.QuantizedByOpType["Conv"]);
        Assert.DoesNotContain(forced.Result.Notes, n => n.Contains("stayed float because", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(64, 1, 1)]   // 64 multiply-adds (1.09×).
    [InlineData(32, 3, 1)]   // dense 3×3, 288 (1.52×).
    public void An_island_heavy_enough_to_pay_for_its_pairs_is_quantized(int channels, int kernel, int group)
    {
        var outcome = QuantizeModel(TestModelCatalog.ConvIslands(channels, kernel, group, size: 8), name: "heavy-island");
        Assert.Equal(6, outcome.Result.QuantizedByOpType["Conv"]);
    }

    [Fact]
    public void A_depthwise_conv_between_quantized_ops_is_not_an_island()
    {
        // Conv → Clip → depthwise → Clip → Conv: every neighbour runs on integers (MLSD's blocks, 2.3–3.3× faster than float).
        var outcome = QuantizeModel(TestModelCatalog.DepthwiseBlock(), name: "depthwise-block");
        Assert.Equal(3, outcome.Result.QuantizedByOpType["Conv"]);
    }
}
