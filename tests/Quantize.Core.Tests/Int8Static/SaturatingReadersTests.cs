using Quantize.Core.Calibration;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;
using Quantize.Core.Passes.Int8Static;
using Xunit.Abstractions;
using static Quantize.Core.Tests.Int8Static.StaticHarness;
using static Quantize.Testing.TestModels.ModelBuilder;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Tests.Int8Static;

/// <summary>
/// Ranges cut where their readers saturate: the logits of a probability map (−30…10, read only by a Sigmoid) get the
/// grid of [−8, 8], computed here from the exact calibrated range and σ's bound, and the map then follows float more
/// closely than with the MinMax range; readers that do not saturate, and graph outputs, keep their range.
/// </summary>
public class SaturatingReadersTests(ITestOutputHelper output)
{
    [Fact]
    public void Wide_logits_before_a_sigmoid_get_the_grid_of_its_unsaturated_part_and_the_map_improves()
    {
        var model = WideLogitsSigmoid();
        var samples = ExactRanges.RandomSamples(model, 8);
        var clipped = QuantizeModel(model, samples, new StaticInt8Options { BiasCorrection = BiasCorrectionScope.None }, name: "saturating-on");
        var calibrated = QuantizeModel(model, samples, new StaticInt8Options { BiasCorrection = BiasCorrectionScope.None, ClipSaturatedRanges = false }, name: "saturating-off");

        var range = clipped.Ranges.Ranges["logits_out"];
        Assert.True(range.Min < -SaturatingReaders.SigmoidBound && range.Max > SaturatingReaders.SigmoidBound, $"test model's logits span {range}");
        Assert.Equal(2 * SaturatingReaders.SigmoidBound / 255, LogitsScale(clipped.Model), 5);
        Assert.Equal((range.Max - range.Min) / 255, LogitsScale(calibrated.Model), 5);

        double Error(Outcome outcome) => ExactRanges.RandomSamples(model, 8, seed: 300)
            .Average(s => Similarity.MaxAbsDiff(OrtRunner.Run(model, s)["y"], OrtRunner.Run(outcome.OutputPath, s)["y"]));
        double with = Error(clipped), without = Error(calibrated);
        output.WriteLine($"logits {range.Min:F1}…{range.Max:F1}; largest |σ error| per sample, mean of 8 held-out: {without:G3} with the calibrated range, {with:G3} cut to ±{SaturatingReaders.SigmoidBound}");
        // The logits step halves (34/255 → 16/255); the input's and the weights' rounding stay, so the error falls by less.
        Assert.True(with < 0.75 * without, $"{with:G3} vs {without:G3}");
    }

    [Fact]
    public void Only_a_tensor_every_reader_of_which_saturates_is_cut_and_the_bounds_are_the_ops_own()
    {
        var b = new ModelBuilder(13);
        var x = b.Input("x", DataType.Float, 4);
        b.Node("Sigmoid", [x], "sigmoid", "s");
        b.Node("Tanh", [x], "tanh", "t");
        var h = b.Node("Relu", ["t"], "relu");
        b.Node("Tanh", [h], "tanh2", "u");
        b.Node("HardSigmoid", ["u"], "hard", "v", Float("alpha", 1f / 6), Float("beta", 0.5f));
        b.Node("HardSigmoid", ["v"], "hard_default", "w");
        b.Output("s", DataType.Float, 4);
        b.Output("w", DataType.Float, 4);
        var index = new GraphIndex(b.Model.Graph);
        var wide = new TensorRange(-50, 50);

        Assert.Equal(new TensorRange(-8, 8), SaturatingReaders.Clip(wide, x, index)); // Sigmoid ±8 ∪ Tanh ±4
        Assert.Equal(wide, SaturatingReaders.Clip(wide, "t", index)); // read by Relu
        Assert.Equal(new TensorRange(-4, 4), SaturatingReaders.Clip(wide, h, index));
        Assert.Equal(new TensorRange(-3, 3), SaturatingReaders.Clip(wide, "u", index)); // α = 1/6, β = 0.5
        Assert.Equal(new TensorRange(-2.5f, 2.5f), SaturatingReaders.Clip(wide, "v", index)); // ONNX defaults α = 0.2, β = 0.5
        Assert.Equal(wide, SaturatingReaders.Clip(wide, "s", index)); // a graph output
        Assert.Equal(new TensorRange(-1, 2), SaturatingReaders.Clip(new TensorRange(-1, 2), x, index)); // already inside
    }

    /// <summary>x[1,3,8,8] → Conv (2 channels, biases −20 and +2: logits about −30…10) → Sigmoid → y.</summary>
    private static ModelProto WideLogitsSigmoid()
    {
        var b = new ModelBuilder(13);
        var x = b.Input("x", DataType.Float, 1, 3, 8, 8);
        var h = b.Node("Conv", [x, b.RandomInitializer("logits.weight", 1.5f, 2, 3, 3, 3), b.Initializer("logits.bias", [-20f, 2f], 2)], "logits", "logits_out", Ints("pads", 1, 1, 1, 1));
        b.Node("Sigmoid", [h], "sigmoid", "y");
        b.Output("y", DataType.Float, 1, 2, 8, 8);
        return b.Model;
    }

    private static float LogitsScale(ModelProto quantized) =>
        Initializer(quantized, Nodes(quantized, "QuantizeLinear").Single(n => n.Input[0] == "logits_out").Input[1]).ReadFloats()[0];
}
