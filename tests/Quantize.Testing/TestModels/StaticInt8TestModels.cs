using Quantize.Core.Onnx;
using static Quantize.Testing.TestModels.ModelBuilder;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Testing.TestModels;

/// <summary>Small models for static INT8 (QDQ): one pattern each.</summary>
public static partial class TestModelCatalog
{
    /// <summary>x[1,3,8,8] → Conv(4 filters 3×3, pads 1, optional bias) → y[1,4,8,8].</summary>
    public static ModelProto SingleConv(bool bias = true, long opset = 13)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, 1, 3, 8, 8);
        string[] inputs = bias
            ? [x, b.RandomInitializer("conv.weight", 0.4f, 4, 3, 3, 3), b.RandomInitializer("conv.bias", 0.2f, 4)]
            : [x, b.RandomInitializer("conv.weight", 0.4f, 4, 3, 3, 3)];
        b.Node("Conv", inputs, "conv", "y", Ints("pads", 1, 1, 1, 1), Ints("kernel_shape", 3, 3));
        b.Output("y", DataType.Float, 1, 4, 8, 8);
        return b.Model;
    }

    /// <summary>x[1,3,8,8] → Conv → Relu → Conv → y[1,4,8,8].</summary>
    public static ModelProto ConvRelu(long opset = 13)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, 1, 3, 8, 8);
        var h = b.Node("Conv", [x, b.RandomInitializer("conv1.weight", 0.4f, 6, 3, 3, 3), b.RandomInitializer("conv1.bias", 0.2f, 6)], "conv1", null, Ints("pads", 1, 1, 1, 1));
        h = b.Node("Relu", [h], "relu");
        b.Node("Conv", [h, b.RandomInitializer("conv2.weight", 0.4f, 4, 6, 3, 3), b.RandomInitializer("conv2.bias", 0.2f, 4)], "conv2", "y", Ints("pads", 1, 1, 1, 1));
        b.Output("y", DataType.Float, 1, 4, 8, 8);
        return b.Model;
    }

    /// <summary>x[1,3,8,8] → Conv → Clip(0, 6) → Reshape[1, 256] → Gemm(transB) → y[1,10].</summary>
    public static ModelProto ConvClipReshape(long opset = 13)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, 1, 3, 8, 8);
        var h = b.Node("Conv", [x, b.RandomInitializer("conv.weight", 0.5f, 4, 3, 3, 3), b.RandomInitializer("conv.bias", 0.2f, 4)], "conv", null, Ints("pads", 1, 1, 1, 1));
        h = b.Node("Clip", [h, b.Initializer("clip.min", [0f]), b.Initializer("clip.max", [6f])], "clip");
        h = b.Node("Reshape", [h, b.Int64Initializer("shape", [1, 256], 2)], "reshape");
        b.Node("Gemm", [h, b.RandomInitializer("fc.weight", 0.1f, 10, 256), b.RandomInitializer("fc.bias", 0.1f, 10)], "fc", "y", Int("transB", 1));
        b.Output("y", DataType.Float, 1, 10);
        return b.Model;
    }

    /// <summary>x[1,3,8,8] read by two Convs whose outputs are added → y[1,4,8,8].</summary>
    public static ModelProto SharedInputConvs(long opset = 13)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, 1, 3, 8, 8);
        var left = b.Node("Conv", [x, b.RandomInitializer("left.weight", 0.4f, 4, 3, 1, 1)], "left");
        var right = b.Node("Conv", [x, b.RandomInitializer("right.weight", 0.4f, 4, 3, 1, 1)], "right");
        b.Node("Add", [left, right], "sum", "y");
        b.Output("y", DataType.Float, 1, 4, 8, 8);
        return b.Model;
    }

    /// <summary>
    /// A Conv whose int32 bias would overflow: inputs within ±1e-3 (the caller feeds them), weights within
    /// ±1e-4, bias 20: bias / (input_scale × weight_scale) ≈ 20 / (8e-6 × 8e-7) ≫ 2³¹.
    /// </summary>
    public static ModelProto BiasOverflowConv(long opset = 13)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, 1, 2, 4, 4);
        b.Node("Conv", [x, b.RandomInitializer("conv.weight", 1e-4f, 3, 2, 1, 1), b.Initializer("conv.bias", [20f, -15f, 0.5f], 3)], "conv", "y");
        b.Output("y", DataType.Float, 1, 3, 4, 4);
        return b.Model;
    }

    /// <summary>x[3,32] → Gemm(W, bias, transB, alpha 0.5, beta 2) → y[3,16]; W is [16,32] with transB, else [32,16].</summary>
    public static ModelProto GemmTransB(bool transB, long opset = 13)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, 3, 32);
        var weight = transB ? b.RandomInitializer("w", 0.3f, 16, 32) : b.RandomInitializer("w", 0.3f, 32, 16);
        b.Node("Gemm", [x, weight, b.RandomInitializer("bias", 0.2f, 16)], "gemm", "y", Int("transB", transB ? 1 : 0), Float("alpha", 0.5f), Float("beta", 2f));
        b.Output("y", DataType.Float, 3, 16);
        return b.Model;
    }

    /// <summary>a[4,8] × b[8,6] (both activations) → y[4,6].</summary>
    public static ModelProto ActivationMatMul(long opset = 13)
    {
        var b = new ModelBuilder(opset);
        var a = b.Input("a", DataType.Float, 4, 8);
        var c = b.Input("b", DataType.Float, 8, 6);
        b.Node("MatMul", [a, c], "matmul", "y");
        b.Output("y", DataType.Float, 4, 6);
        return b.Model;
    }

    /// <summary>
    /// A MobileNetV2-style inverted residual without the residual: x[1,8,12,12] → Conv 1×1 (16) → Clip(0, 6) → depthwise
    /// Conv 3×3 (group 16) → Clip(0, 6) → Conv 1×1 (8) → y[1,8,12,12], every Conv with a bias. The depthwise filters'
    /// scales differ by channel from 0.02 to 1, as trained depthwise filters' do, so one scale for all of them rounds
    /// the small ones away and shifts their channels' means.
    /// </summary>
    public static ModelProto DepthwiseBlock(long opset = 13)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, 1, 8, 12, 12);
        var h = b.Node("Conv", [x, b.RandomInitializer("expand.weight", 0.5f, 16, 8, 1, 1), b.RandomInitializer("expand.bias", 0.3f, 16)], "expand");
        h = b.Node("Clip", [h, b.Initializer("clip.min", [0f]), b.Initializer("clip.max", [6f])], "expand_relu6");
        var depthwise = b.RandomValues([16, 1, 3, 3], 1f);
        for (int i = 0; i < depthwise.Length; i++)
        {
            depthwise[i] *= MathF.Pow(50f, -(i / 9) / 15f);
        }

        h = b.Node("Conv", [h, b.Initializer("depthwise.weight", depthwise, 16, 1, 3, 3), b.RandomInitializer("depthwise.bias", 0.3f, 16)], "depthwise", null,
            Int("group", 16), Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1));
        h = b.Node("Clip", [h, b.Initializer("clip2.min", [0f]), b.Initializer("clip2.max", [6f])], "depthwise_relu6");
        b.Node("Conv", [h, b.RandomInitializer("project.weight", 0.4f, 8, 16, 1, 1), b.RandomInitializer("project.bias", 0.3f, 8)], "project", "y");
        b.Output("y", DataType.Float, 1, 8, 12, 12);
        return b.Model;
    }

    /// <summary>x[1,8,10,10] → depthwise Conv 3×3 (group 8, bias) → Clip(0, 6) → y: MobileNet's depthwise + Relu6.</summary>
    public static ModelProto DepthwiseRelu6(long opset = 13)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, 1, 8, 10, 10);
        var h = b.Node("Conv", [x, b.RandomInitializer("dw.weight", 1f, 8, 1, 3, 3), b.RandomInitializer("dw.bias", 0.5f, 8)], "dw", null,
            Int("group", 8), Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1));
        b.Node("Clip", [h, b.Initializer("clip.min", [0f]), b.Initializer("clip.max", [6f])], "relu6", "y");
        b.Output("y", DataType.Float, 1, 8, 10, 10);
        return b.Model;
    }

    /// <summary>
    /// A MobileNetV3 squeeze-and-excitation block: x[1,8,6,6] → Conv 1×1 → HardSwish → (GlobalAveragePool → Conv 1×1
    /// (4) → Relu → Conv 1×1 (8) → HardSigmoid) → Mul with the HardSwish output → y.
    /// </summary>
    public static ModelProto SqueezeExcite(long opset = 14)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, 1, 8, 6, 6);
        var h = b.Node("Conv", [x, b.RandomInitializer("c1.weight", 0.6f, 8, 8, 1, 1), b.RandomInitializer("c1.bias", 0.3f, 8)], "c1", "c1_out");
        h = b.Node("HardSwish", [h], "hswish", "hswish_out");
        var g = b.Node("GlobalAveragePool", [h], "gap", "gap_out");
        g = b.Node("Conv", [g, b.RandomInitializer("reduce.weight", 0.8f, 4, 8, 1, 1), b.RandomInitializer("reduce.bias", 0.3f, 4)], "reduce", "reduce_out");
        g = b.Node("Relu", [g], "relu", "relu_out");
        g = b.Node("Conv", [g, b.RandomInitializer("expand.weight", 0.8f, 8, 4, 1, 1), b.RandomInitializer("expand.bias", 0.3f, 8)], "expand", "expand_out");
        g = b.Node("HardSigmoid", [g], "hsigmoid", "gate");
        b.Node("Mul", [h, g], "excite", "y");
        b.Output("y", DataType.Float, 1, 8, 6, 6);
        return b.Model;
    }

    /// <summary>x[1,4,5,5] → ConvTranspose 3×3 stride 2 (weight [4 in, 6 out, 3, 3], bias) → y[1,6,11,11].</summary>
    public static ModelProto ConvTransposeUpsample(long opset = 13)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, 1, 4, 5, 5);
        // Output channels differ in scale, so a per-channel weight on the wrong axis would show.
        var weight = b.RandomValues([4, 6, 3, 3], 1f);
        for (int i = 0; i < weight.Length; i++)
        {
            weight[i] *= 0.1f + (i / 9 % 6);
        }

        b.Node("ConvTranspose", [x, b.Initializer("up.weight", weight, 4, 6, 3, 3), b.RandomInitializer("up.bias", 0.3f, 6)], "up", "y",
            Ints("kernel_shape", 3, 3), Ints("strides", 2, 2));
        b.Output("y", DataType.Float, 1, 6, 11, 11);
        return b.Model;
    }

    /// <summary>x[1,3,8,8] → Conv (4) → Resize ×2 nearest → Conv (2) → y[1,2,16,16].</summary>
    public static ModelProto ConvResizeConv(long opset = 13)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, 1, 3, 8, 8);
        var h = b.Node("Conv", [x, b.RandomInitializer("c1.weight", 0.5f, 4, 3, 3, 3), b.RandomInitializer("c1.bias", 0.3f, 4)], "c1", "c1_out", Ints("pads", 1, 1, 1, 1));
        h = b.Node("Resize", [h, "", b.Initializer("up.scales", [1f, 1f, 2f, 2f], 4)], "up", "up_out", new AttributeProto { Name = "mode", Type = AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8("nearest") });
        b.Node("Conv", [h, b.RandomInitializer("c2.weight", 0.5f, 2, 4, 3, 3), b.RandomInitializer("c2.bias", 0.3f, 2)], "c2", "y", Ints("pads", 1, 1, 1, 1));
        b.Output("y", DataType.Float, 1, 2, 16, 16);
        return b.Model;
    }

    /// <summary>x[1,3,8,8] → Conv (2, bias) → Sigmoid → y: a probability map's head.</summary>
    public static ModelProto ConvSigmoid(long opset = 13)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, 1, 3, 8, 8);
        var h = b.Node("Conv", [x, b.RandomInitializer("logits.weight", 1f, 2, 3, 3, 3), b.RandomInitializer("logits.bias", 0.5f, 2)], "logits", "logits_out", Ints("pads", 1, 1, 1, 1));
        b.Node("Sigmoid", [h], "sigmoid", "y");
        b.Output("y", DataType.Float, 1, 2, 8, 8);
        return b.Model;
    }

    /// <summary>
    /// Six Convs (input channels <paramref name="channels"/>, <paramref name="kernel"/>×<paramref name="kernel"/>,
    /// <paramref name="group"/> groups, bias) each followed by a HardSwish, on x[1, channels, size, size] → y: every
    /// Conv is an island between float ops, as in MobileNetV3 exports. The models the never-slower rule was measured on
    /// (size 56).
    /// </summary>
    public static ModelProto ConvIslands(int channels, int kernel, int group, int size = 16, long opset = 14)
    {
        var b = new ModelBuilder(opset);
        var h = b.Input("x", DataType.Float, 1, channels, size, size);
        int pad = kernel / 2;
        for (int i = 0; i < 6; i++)
        {
            h = b.Node("Conv", [h, b.RandomInitializer($"conv{i}.weight", 0.2f, channels, channels / group, kernel, kernel), b.RandomInitializer($"conv{i}.bias", 0.1f, channels)],
                $"conv{i}", null, Int("group", group), Ints("pads", pad, pad, pad, pad));
            h = b.Node("HardSwish", [h], $"hardswish{i}");
        }

        b.Node("Identity", [h], "output", "y");
        b.Output("y", DataType.Float, 1, channels, size, size);
        return b.Model;
    }
}
