using Quantize.Core.Calibration.Data;
using Quantize.Core.Graph;
using Quantize.Core.Tests.Calibration;
using Quantize.Core.Tests.Evaluation;
using Quantize.Core.Onnx;
using Quantize.Core.Passes.Int8Static;
using Xunit.Abstractions;
using static Quantize.Testing.TestModels.ModelBuilder;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Tests.Int8Static;

/// <summary>
/// Cross-layer equalization's two properties from Nagel et al. (2019, §4.1): the equalized model computes the same
/// float function (ONNX Runtime runs both), and after it each channel's weight range in the first Conv equals the range
/// of the weights reading it in the second (r₁ᵢ = r₂ᵢ = √(r₁ᵢ r₂ᵢ) of the original), checked from the weights.
/// </summary>
public class CrossLayerEqualizationTests(ITestOutputHelper output)
{
    [Fact]
    public void Equalizing_across_Relu_keeps_the_float_function_and_matches_the_channel_ranges()
    {
        var model = ImbalancedConvRelu();
        var equalized = model.Clone();

        Assert.Equal(1, CrossLayerEqualization.Apply(equalized, EqualizationScope.Exact));

        AssertSameFunction(model, equalized);
        var first = Weight(equalized, "conv1.weight");
        var second = Weight(equalized, "conv2.weight");
        for (int channel = 0; channel < 6; channel++)
        {
            double r1 = OutputRange(first, 6, channel), r2 = InputRange(second, 4, 6, channel);
            Assert.True(Math.Abs(r1 - r2) <= 1e-5 * r1, $"channel {channel}: {r1} vs {r2}");
            double expected = Math.Sqrt(OutputRange(Weight(model, "conv1.weight"), 6, channel) * InputRange(Weight(model, "conv2.weight"), 4, 6, channel));
            Assert.True(Math.Abs(r1 - expected) <= 1e-5 * expected, $"channel {channel}: {r1} vs √(r₁r₂) {expected}");
        }
    }

    [Fact]
    public void A_chain_through_a_depthwise_Conv_settles_and_Relu6_becomes_Relu_only_when_asked()
    {
        var model = TestModelCatalog.DepthwiseBlock();

        var exact = model.Clone();
        Assert.Equal(0, CrossLayerEqualization.Apply(exact, EqualizationScope.Exact)); // both activations are Relu6
        Assert.Equal(model.Graph.Node.Select(n => n.OpType), exact.Graph.Node.Select(n => n.OpType));

        var replaced = model.Clone();
        Assert.Equal(2, CrossLayerEqualization.Apply(replaced, EqualizationScope.ReplaceRelu6));
        Assert.Equal(["Conv", "Relu", "Conv", "Relu", "Conv"], replaced.Graph.Node.Select(n => n.OpType));

        // Independent expectation: the same model with Relu written in place of each Clip(0, 6) by hand.
        var withRelu = model.Clone();
        foreach (var clip in withRelu.Graph.Node.Where(n => n.OpType == "Clip"))
        {
            var input = clip.Input[0];
            clip.OpType = "Relu";
            clip.Input.Clear();
            clip.Input.Add(input);
        }

        AssertSameFunction(withRelu, replaced);
        // The depthwise Conv sits in both pairs: after the sweeps both of its sides are balanced at once.
        var depthwise = Weight(replaced, "depthwise.weight");
        for (int channel = 0; channel < 16; channel++)
        {
            double left = OutputRange(Weight(replaced, "expand.weight"), 16, channel), middle = OutputRange(depthwise, 16, channel);
            double right = InputRange(Weight(replaced, "project.weight"), 8, 16, channel);
            Assert.True(Math.Abs(left - middle) <= 1e-3 * middle && Math.Abs(middle - right) <= 1e-3 * middle, $"channel {channel}: {left} {middle} {right}");
        }
    }

    [Fact]
    public void Pairs_whose_middle_tensor_has_another_reader_or_whose_weights_are_shared_are_left_alone()
    {
        var b = new ModelBuilder(13);
        var x = b.Input("x", DataType.Float, 1, 3, 8, 8);
        var h = b.Node("Conv", [x, b.RandomInitializer("a.weight", 0.4f, 6, 3, 1, 1)], "a");
        h = b.Node("Relu", [h], "relu");
        var c = b.Node("Conv", [h, b.RandomInitializer("c.weight", 0.4f, 6, 6, 1, 1)], "c");
        b.Node("Add", [h, c], "residual", "y"); // the Relu's output is read twice
        var shared = b.RandomInitializer("shared.weight", 0.4f, 6, 6, 1, 1);
        var d = b.Node("Conv", ["y", shared], "d");
        b.Node("Conv", [d, shared], "e", "z"); // d → e, but both read one weight
        b.Output("y", DataType.Float, 1, 6, 8, 8);
        b.Output("z", DataType.Float, 1, 6, 8, 8);

        Assert.Empty(CrossLayerEqualization.Find(new GraphIndex(b.Model.Graph), EqualizationScope.ReplaceRelu6));
    }

    [Fact]
    public void A_malformed_weight_or_bias_is_left_as_it_is_instead_of_read_out_of_range()
    {
        var shortBias = TestModelCatalog.ConvRelu();
        var bias = shortBias.Graph.Initializer.Single(i => i.Name == "conv1.bias");
        shortBias.Graph.Initializer[shortBias.Graph.Initializer.IndexOf(bias)] = TensorValues.FromFloats(bias.Name, [6], [1f, 2f, 3f]); // 3 values for 6 channels
        var shortWeight = TestModelCatalog.ConvRelu();
        var weight = shortWeight.Graph.Initializer.Single(i => i.Name == "conv2.weight");
        shortWeight.Graph.Initializer[shortWeight.Graph.Initializer.IndexOf(weight)] = TensorValues.FromFloats(weight.Name, weight.Dims, new float[10]);

        Assert.Equal(0, CrossLayerEqualization.Apply(shortBias, EqualizationScope.Exact));
        Assert.Equal(0, CrossLayerEqualization.Apply(shortWeight, EqualizationScope.Exact));
    }

    [Fact]
    public void Static_int8_calibrates_the_equalized_graph_and_says_so()
    {
        var model = ImbalancedConvRelu();
        var folder = RealModels.ScratchFolder("cle-static");
        var input = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(input, Google.Protobuf.MessageExtensions.ToByteArray(model));
        var samples = ExactRanges.RandomSamples(model, 16);
        for (int i = 0; i < samples.Count; i++)
        {
            var x = samples[i]["x"];
            CalibrationFixtures.WriteFile(Path.Combine(folder, "data", $"{i:D2}.npy"), CalibrationFixtures.Npy("<f4", [.. x.Shape], CalibrationFixtures.FloatBytes((float[])x.Data)));
        }

        double Cosine(EqualizationScope scope, out QuantizeResult result)
        {
            var output = Path.Combine(folder, $"{scope}.onnx");
            result = CheckedRun.Calibrated(input, output, new QuantizeOptions { Precision = Precision.Int8, Static = new StaticInt8Options { CrossLayerEqualization = scope } },
                new CalibrationDataOptions { Sources = ["data"], BaseDirectory = folder }, new Quantize.Core.Calibration.CalibrationOptions());
            return samples.Average(s => Similarity.Cosine(OrtRunner.Run(model, s)["y"], OrtRunner.Run(output, s)["y"]));
        }

        double without = Cosine(EqualizationScope.None, out _);
        double with = Cosine(EqualizationScope.Exact, out var equalized);

        output.WriteLine($"mean output cosine to float on the calibration inputs: {without:F5} without, {with:F5} with equalization");
        Assert.Contains(equalized.Notes, n => n.StartsWith("Cross-layer equalization rescaled 1 Conv", StringComparison.Ordinal));
        Assert.True(with > 0.99, $"cosine {with:F5}");
    }

    /// <summary>ConvRelu with the first Conv's channels scaled from 0.01 to 10: the imbalance equalization removes.</summary>
    private static ModelProto ImbalancedConvRelu()
    {
        var model = TestModelCatalog.ConvRelu();
        var weight = model.Graph.Initializer.Single(i => i.Name == "conv1.weight");
        var values = weight.ReadFloats();
        int perChannel = values.Length / 6;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] *= MathF.Pow(10f, (i / perChannel) - 2f);
        }

        model.Graph.Initializer[model.Graph.Initializer.IndexOf(weight)] = TensorValues.FromFloats(weight.Name, weight.Dims, values);
        return model;
    }

    private void AssertSameFunction(ModelProto expectedModel, ModelProto actualModel)
    {
        double worst = 0, scale = 0;
        foreach (var sample in ExactRanges.RandomSamples(expectedModel, 4))
        {
            var expected = OrtRunner.Run(expectedModel, sample).Single().Value;
            var actual = OrtRunner.Run(actualModel, sample).Single().Value;
            worst = Math.Max(worst, Similarity.MaxAbsDiff(expected, actual));
            scale = Math.Max(scale, expected.Max(MathF.Abs));
        }

        output.WriteLine($"largest difference {worst:G3} on outputs up to {scale:G3}");
        Assert.True(worst <= 1e-5 * scale, $"{worst:G3} > 1e-5 × {scale:G3}");
    }

    private static float[] Weight(ModelProto model, string name) => model.Graph.Initializer.Single(i => i.Name == name).ReadFloats();

    private static double OutputRange(float[] weight, int outputs, int channel)
    {
        int per = weight.Length / outputs;
        return weight.AsSpan(channel * per, per).ToArray().Max(MathF.Abs);
    }

    /// <summary>Group-1 (or depthwise when inputs = outputs... not here) weight [outputs, inputs, k]: the largest |w| reading input channel.</summary>
    private static double InputRange(float[] weight, int outputs, int inputs, int channel)
    {
        int kernel = weight.Length / (outputs * inputs);
        double range = 0;
        for (int o = 0; o < outputs; o++)
        {
            range = Math.Max(range, weight.AsSpan(((o * inputs) + channel) * kernel, kernel).ToArray().Max(MathF.Abs));
        }

        return range;
    }
}
