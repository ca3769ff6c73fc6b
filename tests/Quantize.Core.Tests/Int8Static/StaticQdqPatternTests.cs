using Quantize.Core.Numerics;
using Quantize.Core.Onnx;
using static Quantize.Core.Tests.Int8Static.StaticHarness;

namespace Quantize.Core.Tests.Int8Static;

/// <summary>
/// The Q/DQ structure emitted for each pattern, checked node by node, and its numbers checked against ORT's
/// float run on one of the calibration inputs (seeds 100..107): inside the calibrated ranges the error is a
/// few quantization steps; outside them static quantization clips by design (held-out inputs are the
/// business of the fusion and real-model tests).
/// </summary>
public class StaticQdqPatternTests
{
    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void Conv_gets_activation_pairs_an_int8_weight_and_an_int32_bias(bool bias, bool perChannel)
    {
        var model = TestModelCatalog.SingleConv(bias);
        var outcome = QuantizeModel(model, options: new StaticInt8Options { PerChannel = perChannel });

        // x and y: one QuantizeLinear each; DequantizeLinear for x, y, the weight and the bias.
        Assert.Equal(2, Count(outcome.Model, "QuantizeLinear"));
        Assert.Equal(bias ? 4 : 3, Count(outcome.Model, "DequantizeLinear"));
        var conv = Assert.Single(Nodes(outcome.Model, "Conv"));
        var weightDq = DequantizeFeeding(outcome.Model, conv, 1);
        var weight = Initializer(outcome.Model, weightDq.Input[0]);
        Assert.Equal(TensorProto.Types.DataType.Int8, weight.ElementType());
        Assert.Equal(perChannel ? 4 : 1, Initializer(outcome.Model, weightDq.Input[1]).ElementCount());
        Assert.Equal(perChannel, weightDq.Attribute.Any(a => a.Name == "axis" && a.I == 0));
        if (bias)
        {
            var biasDq = DequantizeFeeding(outcome.Model, conv, 2);
            Assert.Equal(TensorProto.Types.DataType.Int32, Initializer(outcome.Model, biasDq.Input[0]).ElementType());
            // Bias scale = input scale × weight scale, channel by channel.
            var inputScale = Initializer(outcome.Model, DequantizeFeeding(outcome.Model, conv, 0).Input[1]).ReadFloats()[0];
            var weightScales = Initializer(outcome.Model, weightDq.Input[1]).ReadFloats();
            var biasScales = Initializer(outcome.Model, biasDq.Input[1]).ReadFloats();
            Assert.Equal(weightScales.Select(s => inputScale * s), biasScales);
        }

        Assert.DoesNotContain(outcome.Model.Graph.Initializer, t => t.Name == "conv.weight");
        var inputs = ModelInputs.For(model, seed: 101);
        Close(OrtRunner.Run(model, inputs)["y"], OrtRunner.Run(outcome.OutputPath, inputs)["y"], 0.04);
    }

    [Fact]
    public void Relu_after_a_conv_is_absorbed_into_the_quantize_range()
    {
        var model = TestModelCatalog.ConvRelu();
        var outcome = QuantizeModel(model);

        Assert.Equal(0, Count(outcome.Model, "Relu"));
        // x, the Relu's output (now written by conv1), y.
        Assert.Equal(3, Count(outcome.Model, "QuantizeLinear"));
        var conv1 = outcome.Model.Graph.Node.Single(n => n.Name == "conv1");
        Assert.Equal("relu_out", conv1.Output[0]);
        var q = Nodes(outcome.Model, "QuantizeLinear").Single(n => n.Input[0] == "relu_out");
        Assert.Equal(0, Initializer(outcome.Model, q.Input[2]).ReadZeroPoint());
        var inputs = ModelInputs.For(model, seed: 102);
        Close(OrtRunner.Run(model, inputs)["y"], OrtRunner.Run(outcome.OutputPath, inputs)["y"], 0.04);
    }

    [Fact]
    public void Clip_is_absorbed_and_Reshape_reuses_its_input_parameters()
    {
        var model = TestModelCatalog.ConvClipReshape();
        var outcome = QuantizeModel(model);

        Assert.Equal(0, Count(outcome.Model, "Clip"));
        // x, the Clip's output, the Reshape's output (y is the Gemm's float graph output).
        Assert.Equal(3, Count(outcome.Model, "QuantizeLinear"));
        var reshape = Assert.Single(Nodes(outcome.Model, "Reshape"));
        var before = DequantizeFeeding(outcome.Model, reshape, 0);
        var after = Nodes(outcome.Model, "QuantizeLinear").Single(n => n.Input[0] == reshape.Output[0]);
        Assert.Equal(Initializer(outcome.Model, before.Input[1]).ReadFloats(), Initializer(outcome.Model, after.Input[1]).ReadFloats());
        Assert.Equal(Initializer(outcome.Model, before.Input[2]).ReadZeroPoint(), Initializer(outcome.Model, after.Input[2]).ReadZeroPoint());
        // Clip(0, 6): the range starts at 0, so the zero point sits at the bottom of uint8.
        Assert.Equal(0, Initializer(outcome.Model, before.Input[2]).ReadZeroPoint());
        var inputs = ModelInputs.For(model, seed: 103);
        Close(OrtRunner.Run(model, inputs)["y"], OrtRunner.Run(outcome.OutputPath, inputs)["y"], 0.05);
    }

    [Fact]
    public void An_input_read_by_two_convs_gets_one_shared_pair()
    {
        var model = TestModelCatalog.SharedInputConvs();
        var outcome = QuantizeModel(model);

        Assert.Single(Nodes(outcome.Model, "QuantizeLinear"), n => n.Input[0] == "x");
        var dequantizedX = Nodes(outcome.Model, "DequantizeLinear").Single(n => Nodes(outcome.Model, "QuantizeLinear").Single(q => q.Input[0] == "x").Output[0] == n.Input[0]).Output[0];
        Assert.All(Nodes(outcome.Model, "Conv"), c => Assert.Equal(dequantizedX, c.Input[0]));
        // x, left, right; the Add writes the graph output, read by no integer op, so it stays float.
        Assert.Equal(3, Count(outcome.Model, "QuantizeLinear"));
        var inputs = ModelInputs.For(model, seed: 104);
        Close(OrtRunner.Run(model, inputs)["y"], OrtRunner.Run(outcome.OutputPath, inputs)["y"], 0.05);
    }

    [Fact]
    public void A_bias_that_would_overflow_int32_raises_the_weight_scale_and_stays_exact()
    {
        var model = TestModelCatalog.BiasOverflowConv();
        var samples = Enumerable.Range(100, 4).Select(seed =>
        {
            var inputs = ModelInputs.For(model, seed);
            return new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats([.. ((float[])inputs["x"].Data).Select(v => v * 1e-3f)], 1, 2, 4, 4) };
        }).ToList();
        var outcome = QuantizeModel(model, samples);

        Assert.Contains(outcome.Result.Notes, n => n.Contains("bias fits", StringComparison.Ordinal) && n.Contains("conv.weight", StringComparison.Ordinal));
        var conv = Assert.Single(Nodes(outcome.Model, "Conv"));
        var biasDq = DequantizeFeeding(outcome.Model, conv, 2);
        var quantizedBias = Initializer(outcome.Model, biasDq.Input[0]);
        var ints = quantizedBias.RawData.ToByteArray().Chunk(4).Select(c => BitConverter.ToInt32(c)).ToArray();
        var scales = Initializer(outcome.Model, biasDq.Input[1]).ReadFloats();
        float[] bias = [20f, -15f, 0.5f];
        for (int c = 0; c < 3; c++)
        {
            Assert.InRange(Math.Abs((long)ints[c]), 0, int.MaxValue - 1);
            Assert.True(Math.Abs((ints[c] * (double)scales[c]) - bias[c]) <= (scales[c] / 2) + 1e-6, $"channel {c}: {ints[c] * (double)scales[c]} vs {bias[c]}");
        }

        // The output is the bias plus a tiny product: the bias must come through exactly.
        Close(OrtRunner.Run(model, samples[0])["y"], OrtRunner.Run(outcome.OutputPath, samples[0])["y"], 0.01);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Gemm_weight_is_per_channel_along_the_output_axis_for_both_transB(bool transB)
    {
        var model = TestModelCatalog.GemmTransB(transB);
        var outcome = QuantizeModel(model);

        var gemm = Assert.Single(Nodes(outcome.Model, "Gemm"));
        var weightDq = DequantizeFeeding(outcome.Model, gemm, 1);
        Assert.Equal(transB ? 0 : 1, weightDq.Attribute.Single(a => a.Name == "axis").I);
        Assert.Equal(16, Initializer(outcome.Model, weightDq.Input[1]).ElementCount());
        // alpha and beta went into the weight and the bias.
        Assert.DoesNotContain(gemm.Attribute, a => a.Name is "alpha" or "beta");
        var inputs = ModelInputs.For(model, seed: 105);
        Close(OrtRunner.Run(model, inputs)["y"], OrtRunner.Run(outcome.OutputPath, inputs)["y"], 0.04);
    }

    [Fact]
    public void MatMul_of_two_activations_quantizes_both()
    {
        var model = TestModelCatalog.ActivationMatMul();
        var outcome = QuantizeModel(model);

        var matmul = Assert.Single(Nodes(outcome.Model, "MatMul"));
        // a and b; the product is the graph output (MatMulIntegerToFloat writes float directly).
        Assert.Equal(2, Count(outcome.Model, "QuantizeLinear"));
        Assert.Equal("QuantizeLinear", outcome.Model.Graph.Node.Single(n => n.Output[0] == DequantizeFeeding(outcome.Model, matmul, 1).Input[0]).OpType);
        var inputs = ModelInputs.For(model, seed: 106);
        Close(OrtRunner.Run(model, inputs)["y"], OrtRunner.Run(outcome.OutputPath, inputs)["y"], 0.04);
    }

    [Fact]
    public void Int8_activations_use_int8_zero_points()
    {
        var model = TestModelCatalog.ConvRelu();
        var outcome = QuantizeModel(model, options: new StaticInt8Options { ActivationType = ActivationType.Int8 });

        Assert.All(Nodes(outcome.Model, "QuantizeLinear"), q => Assert.Equal(TensorProto.Types.DataType.Int8, Initializer(outcome.Model, q.Input[2]).ElementType()));
        // Relu absorbed: its range starts at 0, the bottom of int8 asymmetric.
        Assert.Equal(-128, Initializer(outcome.Model, Nodes(outcome.Model, "QuantizeLinear").Single(n => n.Input[0] == "relu_out").Input[2]).ReadZeroPoint());
        var inputs = ModelInputs.For(model, seed: 107);
        Close(OrtRunner.Run(model, inputs)["y"], OrtRunner.Run(outcome.OutputPath, inputs)["y"], 0.04);
    }

    [Fact]
    public void Symmetric_activations_keep_the_relu()
    {
        var outcome = QuantizeModel(TestModelCatalog.ConvRelu(), options: new StaticInt8Options { SymmetricActivations = true });

        Assert.Equal(1, Count(outcome.Model, "Relu"));
        Assert.All(Nodes(outcome.Model, "QuantizeLinear"), q => Assert.Equal(127, Initializer(outcome.Model, q.Input[2]).ReadZeroPoint()));
    }

    [Fact]
    public void Reduce_range_keeps_weights_within_seven_bits()
    {
        var outcome = QuantizeModel(TestModelCatalog.SingleConv(), options: new StaticInt8Options { ReduceRange = true });

        var conv = Assert.Single(Nodes(outcome.Model, "Conv"));
        var weight = Initializer(outcome.Model, DequantizeFeeding(outcome.Model, conv, 1).Input[0]);
        var values = weight.RawData.ToByteArray().Select(b => (int)(sbyte)b).ToArray();
        Assert.InRange(values.Min(), -64, 0);
        Assert.Equal(64, values.Max(Math.Abs));
    }

    [Fact]
    public void Same_input_gives_byte_identical_output()
    {
        var first = QuantizeModel(TestModelCatalog.SmallCnn(), name: "det-a");
        var second = QuantizeFile(first.InputPath, first.Ranges, folder: RealModels.ScratchFolder("det-b"));

        Assert.Equal(File.ReadAllBytes(first.OutputPath), File.ReadAllBytes(second.OutputPath));
    }

    [Fact]
    public void Without_ranges_int8_stays_dynamic()
    {
        Assert.IsType<Passes.Int8.Int8DynamicPass>(Passes.PassRegistry.For(Precision.Int8, hasRanges: false));
        Assert.IsType<Passes.Int8Static.Int8StaticPass>(Passes.PassRegistry.For(Precision.Int8, hasRanges: true));
        Assert.IsType<Passes.Fp16.Fp16Pass>(Passes.PassRegistry.For(Precision.Fp16, hasRanges: true));
    }
}

internal static class ZeroPointReading
{
    /// <summary>The single zero point stored in a uint8/int8/int32 scalar or 1-element tensor.</summary>
    public static int ReadZeroPoint(this TensorProto tensor)
    {
        var bytes = tensor.RawData.ToByteArray();
        return tensor.ElementType() switch
        {
            TensorProto.Types.DataType.Uint8 => bytes[0],
            TensorProto.Types.DataType.Int8 => (sbyte)bytes[0],
            _ => BitConverter.ToInt32(bytes),
        };
    }
}
