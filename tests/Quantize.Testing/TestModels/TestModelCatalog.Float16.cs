using Quantize.Core.Onnx;
using static Quantize.Testing.TestModels.ModelBuilder;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Testing.TestModels;

/// <summary>Models for the FP16/BF16 passes: float32 islands inside a float16 model, and a model born float16.</summary>
public static partial class TestModelCatalog
{
    /// <summary>
    /// Ops that must stay float32 in an FP16 model, between ops that convert:
    /// x[1,4,8,8] → Conv → Resize(scales [1,1,2,2], linear) → Flatten → TopK(k=8) → values + Range(0, 8, 1)
    /// → Mul(gain[8]) → y[1,8]; TopK's indices → top_indices[1,8] int64. Resize's scales, TopK and Range stay
    /// float32; Conv, Flatten, Add and Mul go to float16.
    /// </summary>
    public static ModelProto Float32Islands(long opset = 13)
    {
        var b = new ModelBuilder(opset, seed: 11);
        var x = b.Input("x", DataType.Float, 1, 4, 8, 8);
        var conv = b.Node("Conv", [x, b.RandomInitializer("conv.weight", 0.3f, 4, 4, 3, 3), b.RandomInitializer("conv.bias", 0.1f, 4)], "conv", null, Ints("pads", 1, 1, 1, 1), Ints("kernel_shape", 3, 3));
        var resized = b.Node("Resize", [conv, string.Empty, b.Initializer("resize.scales", [1f, 1f, 2f, 2f], 4)], "resize", null,
            new AttributeProto { Name = "mode", Type = AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8("linear") });
        var flat = b.Node("Flatten", [resized], "flatten", null, Int("axis", 1));
        var top = b.NodeWithOutputs("TopK", [flat, b.Int64Initializer("topk.k", [8], 1)], 2, "topk", ["top_values", "top_indices"], Int("axis", -1));
        var positions = b.Node("Range", [b.Initializer("range.start", [0f]), b.Initializer("range.limit", [8f]), b.Initializer("range.delta", [1f])], "range");
        var shifted = b.Node("Add", [top[0], positions], "shift");
        b.Node("Mul", [shifted, b.RandomInitializer("gain", 1f, 8)], "gain_mul", "y");
        b.Output("y", DataType.Float, 1, 8);
        b.Output("top_indices", DataType.Int64, 1, 8);
        foreach (var scalar in b.Graph.Initializer.Where(i => i.Name.StartsWith("range.", StringComparison.Ordinal)))
        {
            scalar.Dims.Clear(); // Range takes scalars
        }

        return b.Model;
    }

    /// <summary>The MLP as an exporter would write it in float16 from the start: float16 input, weights and output.</summary>
    public static ModelProto Float16Mlp()
    {
        var b = new ModelBuilder(seed: 5);
        var x = b.Input("x", DataType.Float16, "batch", 16);
        var h = b.Node("MatMul", [x, Float16Initializer(b, "fc1.weight", b.RandomValues([16, 32], 0.3f), 16, 32)], "fc1");
        h = b.Node("Relu", [h], "relu");
        b.Node("MatMul", [h, Float16Initializer(b, "fc2.weight", b.RandomValues([32, 4], 0.3f), 32, 4)], "fc2", "y");
        b.Output("y", DataType.Float16, "batch", 4);
        return b.Model;
    }

    private static string Float16Initializer(ModelBuilder b, string name, float[] values, params long[] dims)
    {
        b.Graph.Initializer.Add(TensorValues.Create<Half>(name, DataType.Float16, dims, values.Select(v => (Half)v).ToArray()));
        return name;
    }

    /// <summary>
    /// A Loop whose body reads an enclosing value that is also a graph output:
    /// h = x * gain (output "h"); acc₀ = x; 3 times: acc = acc * scale + h (scale: outer initializer,
    /// bias-free body), collecting every acc → history[3,4]; y = acc_final + x.
    /// </summary>
    public static ModelProto LoopOverOuterOutput(long opset = 17)
    {
        var b = new ModelBuilder(opset, seed: 21);
        var x = b.Input("x", DataType.Float, 4);
        var h = b.Node("Mul", [x, b.RandomInitializer("gain", 1f, 4)], "gain_mul", "h");
        var scale = b.RandomInitializer("scale", 0.9f, 4);
        b.Graph.Initializer.Add(TensorValues.Create<long>("trip_count", DataType.Int64, [], [3L]));
        b.Graph.Initializer.Add(TensorValues.Create<bool>("keep_going", DataType.Bool, [], [true]));

        var body = new ModelBuilder(opset, seed: 22, graph: new GraphProto { Name = "loop_body" });
        body.Input("iteration", DataType.Int64);
        body.Input("condition_in", DataType.Bool);
        var acc = body.Input("acc_in", DataType.Float, 4);
        body.Node("Identity", ["condition_in"], "pass_condition", "condition_out");
        var next = body.Node("Add", [body.Node("Mul", [acc, scale], "body_scale"), h], "body_add", "acc_out");
        body.Node("Identity", [next], "collect", "acc_copy");
        body.Output("condition_out", DataType.Bool);
        body.Output("acc_out", DataType.Float, 4);
        body.Output("acc_copy", DataType.Float, 4);

        b.NodeWithOutputs("Loop", ["trip_count", "keep_going", x], 2, "loop", ["acc_final", "history"], GraphAttribute("body", body.Graph));
        b.Node("Add", ["acc_final", x], "residual", "y");
        b.Output("y", DataType.Float, 4);
        b.Output("h", DataType.Float, 4);
        b.Output("history", DataType.Float, 3, 4);
        return b.Model;
    }
}
