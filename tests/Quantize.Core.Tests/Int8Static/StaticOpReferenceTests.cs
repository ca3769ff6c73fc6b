using Quantize.Core.Onnx;
using Xunit.Abstractions;
using static Quantize.Core.Tests.Int8Static.StaticHarness;
using Weight = Quantize.Core.Tests.Int8Static.FakeQuantReference.Weight;

namespace Quantize.Core.Tests.Int8Static;

/// <summary>
/// The op patterns of mobile CNN exports, each in a model built in code, quantized by the pass and run by ONNX
/// Runtime's integer kernels, against <see cref="FakeQuantReference"/>: the float graph with the rounding REFERENCE.md
/// prescribes at the tensors the pass's rules name (written out here, not read from the pass's output). The pass must
/// quantize exactly those tensors, and every output must be within one quantization step of the reference.
/// </summary>
public class StaticOpReferenceTests(ITestOutputHelper output)
{
    public static TheoryData<string> Patterns => ["depthwise+relu6", "squeeze-excite+hardswish", "convtranspose", "resize", "sigmoid head"];

    [Theory]
    [MemberData(nameof(Patterns))]
    public void Each_pattern_computes_what_explicit_fake_quantization_of_the_float_graph_computes(string pattern)
    {
        var (model, activations, weights, graphOutput, step) = pattern switch
        {
            // Relu6 absorbed: y's range is the clipped one, and QuantizeLinear's clamp does the Clip.
            "depthwise+relu6" => (TestModelCatalog.DepthwiseRelu6(), new[] { "x", "y" }, new[] { new Weight("dw.weight", 0, "dw.bias", "x") }, "y", "y"),
            // HardSwish, HardSigmoid and a Mul of float inputs stay float; so does c1, a thin Conv between the graph
            // input and a HardSwish (an island slower quantized, SlowConvIsland). The pool after a float op stays float,
            // the Conv reading it quantizes its input, and a Conv always quantizes its output.
            "squeeze-excite+hardswish" => (TestModelCatalog.SqueezeExcite(), ["gap_out", "relu_out", "expand_out"],
                [new Weight("reduce.weight", 0, "reduce.bias", "gap_out"), new Weight("expand.weight", 0, "expand.bias", "relu_out")], "y", "expand_out"),
            // ConvTranspose weights are [in, out, kH, kW]: the output channel is axis 1.
            "convtranspose" => (TestModelCatalog.ConvTransposeUpsample(), ["x", "y"], [new Weight("up.weight", 1, "up.bias", "x")], "y", "y"),
            // Resize moves values: its output shares its input's parameters.
            "resize" => (TestModelCatalog.ConvResizeConv(), ["x", "c1_out", "up_out", "y"],
                [new Weight("c1.weight", 0, "c1.bias", "x"), new Weight("c2.weight", 0, "c2.bias", "up_out")], "y", "y"),
            // A Sigmoid writing a graph output stays float, on the quantized logits.
            _ => (TestModelCatalog.ConvSigmoid(), ["x", "logits_out"], [new Weight("logits.weight", 0, "logits.bias", "x")], "y", "logits_out"),
        };
        var samples = ExactRanges.RandomSamples(model, 8);
        var outcome = QuantizeModel(model, samples, new StaticInt8Options { BiasCorrection = BiasCorrectionScope.None }, name: "static-reference");

        Assert.Equal(activations.Length, Count(outcome.Model, "QuantizeLinear"));
        var reference = FakeQuantReference.Build(model, outcome.Ranges, activations, weights);
        float tolerance = FakeQuantReference.Activation(outcome.Ranges.Ranges[step]).Scale;
        double worst = 0;
        foreach (var sample in samples.Take(4))
        {
            var expected = FakeQuantReference.Run(reference, sample)[graphOutput];
            var actual = OrtRunner.Run(outcome.OutputPath, sample)[graphOutput];
            worst = Math.Max(worst, Similarity.MaxAbsDiff(expected, actual));
        }

        output.WriteLine($"{pattern}: largest difference from the reference {worst:G4} = {worst / tolerance:F3} steps of '{step}'");
        Assert.True(worst <= tolerance * 1.0001, $"{worst:G4} > one step {tolerance:G4}");
    }
}
