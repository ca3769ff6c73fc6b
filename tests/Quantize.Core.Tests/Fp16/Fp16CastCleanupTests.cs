using Quantize.Core.Onnx;
using static Quantize.Core.Tests.Fp16.PrecisionHarness;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Tests.Fp16;

/// <summary>Casts that conversion makes pointless are removed; graph outputs stay defined.</summary>
public class Fp16CastCleanupTests
{
    private static readonly QuantizeOptions Fp16 = new() { Precision = Precision.Fp16 };

    /// <summary>x → MatMul → Cast(to fp16) → Cast(to fp32) → Relu → y: both Casts become identities in float16.</summary>
    [Fact]
    public void Casts_that_became_identities_are_removed()
    {
        var b = new ModelBuilder();
        var x = b.Input("x", DataType.Float, 2, 16);
        var h = b.Node("MatMul", [x, b.RandomInitializer("w", 0.3f, 16, 8)], "matmul");
        h = b.Node("Cast", [h], "to_half", null, ModelBuilder.Int("to", (long)DataType.Float16));
        h = b.Node("Cast", [h], "to_float", null, ModelBuilder.Int("to", (long)DataType.Float));
        b.Node("Relu", [h], "relu", "y");
        b.Output("y", DataType.Float, 2, 8);

        var inputs = Floats("x", 9, 2, 16);
        var converted = Convert(b.Model, Fp16, "identity-casts");
        var graph = converted.Model.Graph;
        Assert.Equal(2, Count(converted.Model, "Cast")); // the input and output boundary only
        Assert.Equal(graph.Node.Single(n => n.OpType == "MatMul").Output[0], graph.Node.Single(n => n.OpType == "Relu").Input[0]);
        Assert.True(Similarity.Cosine(OrtRunner.Run(converted.FloatPath, inputs)["y"], OrtRunner.Run(converted.OutputPath, inputs)["y"]) >= 0.9999);
    }

    /// <summary>
    /// A float16 input widened by a Cast the user keeps in float32, then read by a float16 node: the Cast
    /// back to float16 would round-trip losslessly, so the node reads the original input instead.
    /// </summary>
    [Fact]
    public void A_lossless_float16_float32_float16_round_trip_is_removed()
    {
        var b = new ModelBuilder();
        var x = b.Input("x", DataType.Float16, 2, 8);
        var widened = b.Node("Cast", [x], "widen", null, ModelBuilder.Int("to", (long)DataType.Float));
        b.Node("Relu", [widened], "relu", "y");
        b.Output("y", DataType.Float, 2, 8);

        var values = Floats("x", 3, 2, 8)["x"];
        var inputs = new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Float16s((float[])values.Data, values.Shape) };
        var converted = Convert(b.Model, Fp16 with { Exclude = ["widen"] }, "round-trip");
        var graph = converted.Model.Graph;
        Assert.Equal("x", graph.Node.Single(n => n.OpType == "Relu").Input[0]);
        var remaining = graph.Node.Single(n => n.OpType == "Cast");
        Assert.Equal("y", remaining.Output[0]); // the output boundary, fp16 → fp32
        // Relu of float16 values is exact, so the outputs agree bit for bit.
        Assert.Equal(OrtRunner.Run(converted.FloatPath, inputs)["y"], OrtRunner.Run(converted.OutputPath, inputs)["y"]);
    }
}
