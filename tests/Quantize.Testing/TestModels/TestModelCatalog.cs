using Quantize.Core.Onnx;
using static Quantize.Testing.TestModels.ModelBuilder;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Testing.TestModels;

/// <summary>The models the tests build in code, each exercising a shape real exporters produce.</summary>
public static partial class TestModelCatalog
{
    /// <summary>x[batch,64] → MatMul+Add → Relu → MatMul+Add → Relu → Gemm(transB) → y[batch,10].</summary>
    public static ModelProto Mlp(long opset = 17)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, "batch", 64);
        var h1 = b.Node("MatMul", [x, b.RandomInitializer("fc1.weight", 0.2f, 64, 128)], "fc1");
        h1 = b.Node("Add", [h1, b.RandomInitializer("fc1.bias", 0.1f, 128)], "fc1_bias");
        h1 = b.Node("Relu", [h1], "relu1");
        var h2 = b.Node("MatMul", [h1, b.RandomInitializer("fc2.weight", 0.15f, 128, 64)], "fc2");
        h2 = b.Node("Add", [h2, b.RandomInitializer("fc2.bias", 0.1f, 64)], "fc2_bias");
        h2 = b.Node("Relu", [h2], "relu2");
        b.Node("Gemm", [h2, b.RandomInitializer("head.weight", 0.2f, 10, 64), b.RandomInitializer("head.bias", 0.1f, 10)], "head", "y", Int("transB", 1));
        b.Output("y", DataType.Float, "batch", 10);
        return b.Model;
    }

    /// <summary>x[1,3,16,16] → Conv+Relu → MaxPool → Conv+Relu → GlobalAveragePool → Flatten → Gemm → y[1,10].</summary>
    public static ModelProto SmallCnn(long opset = 13)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, 1, 3, 16, 16);
        var c1 = b.Node("Conv", [x, b.RandomInitializer("conv1.weight", 0.3f, 8, 3, 3, 3), b.RandomInitializer("conv1.bias", 0.1f, 8)], "conv1", null, Ints("pads", 1, 1, 1, 1), Ints("kernel_shape", 3, 3));
        c1 = b.Node("Relu", [c1], "relu1");
        c1 = b.Node("MaxPool", [c1], "pool1", null, Ints("kernel_shape", 2, 2), Ints("strides", 2, 2));
        var c2 = b.Node("Conv", [c1, b.RandomInitializer("conv2.weight", 0.2f, 16, 8, 3, 3), b.RandomInitializer("conv2.bias", 0.1f, 16)], "conv2", null, Ints("pads", 1, 1, 1, 1), Ints("kernel_shape", 3, 3));
        c2 = b.Node("Relu", [c2], "relu2");
        var pooled = b.Node("GlobalAveragePool", [c2], "gap");
        var flat = b.Node("Flatten", [pooled], "flatten", null, Int("axis", 1));
        b.Node("Gemm", [flat, b.RandomInitializer("fc.weight", 0.3f, 10, 16), b.RandomInitializer("fc.bias", 0.1f, 10)], "fc", "y", Int("transB", 1));
        b.Output("y", DataType.Float, 1, 10);
        return b.Model;
    }

    /// <summary>
    /// A single-head self-attention block with residual and LayerNormalization:
    /// x[batch,seq,32] → Q,K,V projections → softmax(QKᵀ/√d)V → output projection → +x → LayerNorm.
    /// </summary>
    public static ModelProto AttentionBlock(long opset = 17)
    {
        var b = new ModelBuilder(opset);
        const int d = 32;
        var x = b.Input("x", DataType.Float, "batch", "seq", d);
        string Projection(string name) =>
            b.Node("Add", [b.Node("MatMul", [x, b.RandomInitializer($"{name}.weight", 0.3f, d, d)], $"{name}_matmul"), b.RandomInitializer($"{name}.bias", 0.05f, d)], $"{name}_add");
        var q = Projection("query");
        var k = Projection("key");
        var v = Projection("value");
        var kt = b.Node("Transpose", [k], "key_transpose", null, Ints("perm", 0, 2, 1));
        var scores = b.Node("MatMul", [q, kt], "scores");
        scores = b.Node("Mul", [scores, b.Initializer("inv_sqrt_d", [1f / MathF.Sqrt(d)])], "scale");
        var probs = b.Node("Softmax", [scores], "softmax", null, Int("axis", -1));
        var context = b.Node("MatMul", [probs, v], "context");
        var projected = b.Node("Add", [b.Node("MatMul", [context, b.RandomInitializer("out.weight", 0.3f, d, d)], "out_matmul"), b.RandomInitializer("out.bias", 0.05f, d)], "out_add");
        var residual = b.Node("Add", [projected, x], "residual");
        b.Node("LayerNormalization", [residual, b.Initializer("ln.weight", Enumerable.Repeat(1f, d).ToArray(), d), b.Initializer("ln.bias", new float[d], d)], "layer_norm", "y", Int("axis", -1), Float("epsilon", 1e-5f));
        b.Output("y", DataType.Float, "batch", "seq", d);
        return b.Model;
    }

    /// <summary>
    /// Weights where exporters hide them: a Constant node in the main graph, and an If whose branches
    /// read one weight from their own initializers and one from the enclosing graph.
    /// x[4,32], cond[] bool → MatMul(x, Constant W) → If(cond, then: MatMul(h, W_then), else: MatMul(h, W_outer)) → y[4,32].
    /// </summary>
    public static ModelProto ConstantAndIf(long opset = 17)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, 4, 32);
        var cond = b.Input("cond", DataType.Bool);
        var h = b.Node("MatMul", [x, b.RandomConstant("const_weight", 0.3f, 32, 32)], "const_matmul");
        var outer = b.RandomInitializer("outer_weight", 0.3f, 32, 32);

        var thenBuilder = new ModelBuilder(opset, seed: 7, graph: new GraphProto { Name = "then_branch" });
        thenBuilder.Node("MatMul", [h, thenBuilder.RandomInitializer("then_weight", 0.3f, 32, 32)], "then_matmul", "then_out");
        thenBuilder.Output("then_out", DataType.Float, 4, 32);

        var elseBuilder = new ModelBuilder(opset, seed: 8, graph: new GraphProto { Name = "else_branch" });
        elseBuilder.Node("MatMul", [h, outer], "else_matmul", "else_out");
        elseBuilder.Output("else_out", DataType.Float, 4, 32);

        b.Node("If", [cond], "branch", "y", GraphAttribute("then_branch", thenBuilder.Graph), GraphAttribute("else_branch", elseBuilder.Graph));
        b.Output("y", DataType.Float, 4, 32);
        return b.Model;
    }

    /// <summary>The MLP with its node list reversed, as some exporters and hand edits leave it.</summary>
    public static ModelProto NonTopological()
    {
        var model = Mlp();
        var reversed = model.Graph.Node.Reverse().ToList();
        model.Graph.Node.Clear();
        model.Graph.Node.AddRange(reversed);
        return model;
    }

    /// <summary>ids[batch,seq] int64 → Gather(embedding[500,32]) → MatMul(32→32) → y[batch,seq,32].</summary>
    public static ModelProto Embedding(long opset = 17)
    {
        var b = new ModelBuilder(opset);
        var ids = b.Input("ids", DataType.Int64, "batch", "seq");
        var rows = b.Node("Gather", [b.RandomInitializer("embedding.weight", 0.5f, 500, 32), ids], "embedding", null, Int("axis", 0));
        b.Node("MatMul", [rows, b.RandomInitializer("proj.weight", 0.3f, 32, 32)], "proj", "y");
        b.Output("y", DataType.Float, "batch", "seq", 32);
        return b.Model;
    }
}
