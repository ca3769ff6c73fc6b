using Quantize.Core.Onnx;
using static Quantize.Testing.TestModels.ModelBuilder;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Testing.TestModels;

/// <summary>Models for the INT4 weight-only pass: shared, overridable and hand-valued weights.</summary>
public static partial class TestModelCatalog
{
    /// <summary>
    /// One weight read three ways: x[2,32] → MatMul(x, W) → MatMul(·, W) → y[2,32], and W + bias → w_shifted[32,32]
    /// (a float consumer that must keep the float W).
    /// </summary>
    public static ModelProto SharedWeightWithFloatUse(long opset = 17)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, 2, 32);
        var w = b.RandomInitializer("shared.weight", 0.3f, 32, 32);
        var h = b.Node("MatMul", [x, w], "first_matmul");
        b.Node("MatMul", [h, w], "second_matmul", "y");
        b.Node("Add", [w, b.RandomInitializer("shift", 0.1f, 32)], "shift_weight", "w_shifted");
        b.Output("y", DataType.Float, 2, 32);
        b.Output("w_shifted", DataType.Float, 32, 32);
        return b.Model;
    }

    /// <summary>
    /// One weight read by a projection whose output goes straight into a Softmax and by one whose output does
    /// not: x[2,32] → MatMul(x, W) → Softmax → probs[2,32]; x[2,32] → MatMul(x, W) → y[2,32].
    /// </summary>
    public static ModelProto WeightSharedBySoftmaxAndPlainPaths(long opset = 17)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, 2, 32);
        var w = b.RandomInitializer("shared.weight", 0.3f, 32, 32);
        b.Node("Softmax", [b.Node("MatMul", [x, w], "score_matmul")], "softmax", "probs", Int("axis", -1));
        b.Node("MatMul", [x, w], "plain_matmul", "y");
        b.Output("probs", DataType.Float, 2, 32);
        b.Output("y", DataType.Float, 2, 32);
        return b.Model;
    }

    /// <summary>
    /// Weights the INT4 pass must leave alone: x[2,64] → MatMul(tiny K = 8 slice) and an initializer that is
    /// also a graph input (callers may override it). x[2,8] → MatMul(x_small, small.weight[8,32]);
    /// x[2,64] → MatMul(x, override.weight[64,32]).
    /// </summary>
    public static ModelProto WeightsToLeaveAlone(long opset = 17)
    {
        var b = new ModelBuilder(opset);
        var small = b.Input("x_small", DataType.Float, 2, 8);
        var x = b.Input("x", DataType.Float, 2, 64);
        b.Node("MatMul", [small, b.RandomInitializer("small.weight", 0.3f, 8, 32)], "small_matmul", "y_small");
        var overridable = b.RandomInitializer("override.weight", 0.3f, 64, 32);
        b.Graph.Input.Add(ValueInfo(overridable, DataType.Float, 64, 32));
        b.Node("MatMul", [x, overridable], "override_matmul", "y");
        b.Output("y_small", DataType.Float, 2, 32);
        b.Output("y", DataType.Float, 2, 32);
        return b.Model;
    }

    /// <summary>
    /// probe[K,K] → MatMul(probe, weight[K,N]) → y[K,N]: fed the identity, the output is the weight as the
    /// runtime sees it, which lets a test read back exactly what a quantized weight dequantizes to.
    /// </summary>
    public static ModelProto WeightProbe(float[] weight, int k, int n, long opset = 17)
    {
        var b = new ModelBuilder(opset);
        var probe = b.Input("probe", DataType.Float, k, k);
        b.Node("MatMul", [probe, b.Initializer("weight", weight, k, n)], "probe_matmul", "y");
        b.Output("y", DataType.Float, k, n);
        return b.Model;
    }

    /// <summary>ids[n] int64 → Gather(table[V,D]) → rows[n,D]: returns table rows as the runtime dequantizes them.</summary>
    public static ModelProto TableProbe(float[] table, int rows, int width, long opset = 17)
    {
        var b = new ModelBuilder(opset);
        var ids = b.Input("ids", DataType.Int64, "n");
        b.Node("Gather", [b.Initializer("table", table, rows, width), ids], "lookup", "rows", Int("axis", 0));
        b.Output("rows", DataType.Float, "n", width);
        return b.Model;
    }

    /// <summary>
    /// x[4,32] → Loop (2 iterations; body: state ← MatMul(state, body.weight) with the weight a body
    /// initializer) → y[4,32].
    /// </summary>
    public static ModelProto LoopWithWeight(long opset = 17)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, 4, 32);
        var body = new ModelBuilder(opset, seed: 9, graph: new GraphProto { Name = "loop_body" });
        body.Input("iteration", DataType.Int64);
        body.Input("condition_in", DataType.Bool);
        body.Input("state_in", DataType.Float, 4, 32);
        body.Node("Identity", ["condition_in"], "keep_going", "condition_out");
        body.Node("MatMul", ["state_in", body.RandomInitializer("body.weight", 0.3f, 32, 32)], "body_matmul", "state_out");
        body.Output("condition_out", DataType.Bool);
        body.Output("state_out", DataType.Float, 4, 32);
        var trips = b.Int64Initializer("trip_count", [2]);
        b.Node("Loop", [trips, string.Empty, x], "loop", "y", GraphAttribute("body", body.Graph));
        b.Output("y", DataType.Float, 4, 32);
        return b.Model;
    }

    /// <summary>
    /// The MLP as an IR 3 / opset 8 exporter wrote it: every initializer is also listed as a graph input,
    /// which IR 3 required (and which does not make them overridable there).
    /// </summary>
    public static ModelProto MlpIr3()
    {
        var model = Mlp(opset: 8);
        model.IrVersion = 3;
        foreach (var initializer in model.Graph.Initializer)
        {
            model.Graph.Input.Add(ValueInfo(initializer.Name, (DataType)initializer.DataType, [.. initializer.Dims.Cast<object>()]));
        }

        return model;
    }
}

