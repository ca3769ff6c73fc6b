using Quantize.Core.Onnx;
using static Quantize.Testing.TestModels.ModelBuilder;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Testing.TestModels;

/// <summary>Models for the INT8 dynamic pass: every Gemm form, bias order, shared weights.</summary>
public static partial class TestModelCatalog
{
    /// <summary>
    /// x[3,24], c[12] → Gemm(alpha 0.5, beta 2, constant C[16]) → Gemm(transB, beta 1.5, computed C = c)
    /// → Transpose → Gemm(transA) → y[3,8].
    /// </summary>
    public static ModelProto GemmForms(long opset = 17)
    {
        var b = new ModelBuilder(opset, seed: 11);
        var x = b.Input("x", DataType.Float, 3, 24);
        var c = b.Input("c", DataType.Float, 12);
        var g1 = b.Node("Gemm", [x, b.RandomInitializer("g1.weight", 0.3f, 24, 16), b.RandomInitializer("g1.bias", 0.2f, 16)], "g1", null, Float("alpha", 0.5f), Float("beta", 2f));
        var g2 = b.Node("Gemm", [g1, b.RandomInitializer("g2.weight", 0.3f, 12, 16), c], "g2", null, Int("transB", 1), Float("beta", 1.5f));
        var t = b.Node("Transpose", [g2], "transpose", null, Ints("perm", 1, 0));
        b.Node("Gemm", [t, b.RandomInitializer("g3.weight", 0.3f, 12, 8)], "g3", "y", Int("transA", 1));
        b.Output("y", DataType.Float, 3, 8);
        return b.Model;
    }

    /// <summary>x[batch,32] → MatMul → Add(bias, product) (bias first, as PyTorch often exports) → y.</summary>
    public static ModelProto BiasFirstLinear(long opset = 17)
    {
        var b = new ModelBuilder(opset, seed: 12);
        var x = b.Input("x", DataType.Float, "batch", 32);
        var product = b.Node("MatMul", [x, b.RandomInitializer("linear.weight", 0.3f, 32, 24)], "linear");
        b.Node("Add", [b.RandomInitializer("linear.bias", 0.1f, 24), product], "linear_bias", "y");
        b.Output("y", DataType.Float, "batch", 24);
        return b.Model;
    }

    /// <summary>x[4,32] → MatMul(W) → Relu → MatMul(W) with the same W (weight tying) → y[4,32].</summary>
    public static ModelProto SharedWeight(long opset = 17)
    {
        var b = new ModelBuilder(opset, seed: 13);
        var x = b.Input("x", DataType.Float, 4, 32);
        var w = b.RandomInitializer("tied.weight", 0.3f, 32, 32);
        var h = b.Node("Relu", [b.Node("MatMul", [x, w], "first")], "relu");
        b.Node("MatMul", [h, w], "second", "y");
        b.Output("y", DataType.Float, 4, 32);
        return b.Model;
    }

    /// <summary>
    /// x[batch,64] → MatMul(W[64,48]) → y, where W's column 5 is 40× larger than the others: the shape of
    /// transformer FFN output weights with outlier dimensions.
    /// </summary>
    public static ModelProto OutlierColumnLinear(long opset = 17)
    {
        var b = new ModelBuilder(opset, seed: 14);
        var x = b.Input("x", DataType.Float, "batch", 64);
        var values = b.RandomValues([64, 48], 0.1f);
        for (int r = 0; r < 64; r++)
        {
            values[(r * 48) + 5] *= 40;
        }

        b.Node("MatMul", [x, b.Initializer("outlier.weight", values, 64, 48)], "outlier", "y");
        b.Output("y", DataType.Float, "batch", 48);
        return b.Model;
    }
}
