using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Testing.TestModels;

public static partial class TestModelCatalog
{
    /// <summary>The MatMul of <see cref="FragileMlp"/> whose input carries an outlier channel.</summary>
    public const string FragileLayer = "fc2";

    /// <summary>
    /// Three MatMul layers, one of them fragile: x[batch,32] → fc1 → Relu → ×boost → fc2 → Relu → fc3 → Relu → fc4 → y[batch,16].
    /// The boost multiplies channel 0 of fc2's input by 1000 and fc2's weight row 0 is divided by 1000, so the
    /// float model computes the same as without it, but fc2's input now spans ~1000× the range of its other
    /// channels: one 8-bit activation scale over that range rounds every ordinary channel to a few levels, and
    /// fc2's result is wrecked while fc1, fc3 and fc4 quantize well.
    /// </summary>
    public static ModelProto FragileMlp(int seed = 7)
    {
        const int width = 32;
        const float boost = 1000f;
        var b = new ModelBuilder(opset: 17, seed: seed);
        var x = b.Input("x", DataType.Float, "batch", width);
        var h = b.Node("Relu", [b.Node("MatMul", [x, b.RandomInitializer("fc1.weight", 0.3f, width, width)], "fc1")], "relu1");

        var scale = Enumerable.Repeat(1f, width).ToArray();
        scale[0] = boost;
        h = b.Node("Mul", [h, b.Initializer("boost", scale, width)], "boost_mul");
        var fc2Weight = b.RandomValues([width, width], 0.3f);
        for (int column = 0; column < width; column++)
        {
            fc2Weight[column] /= boost;
        }

        h = b.Node("Relu", [b.Node("MatMul", [h, b.Initializer("fc2.weight", fc2Weight, width, width)], FragileLayer)], "relu2");
        h = b.Node("Relu", [b.Node("MatMul", [h, b.RandomInitializer("fc3.weight", 0.3f, width, width)], "fc3")], "relu3");
        b.Node("MatMul", [h, b.RandomInitializer("fc4.weight", 0.3f, width, 16)], "fc4", "y");
        b.Output("y", DataType.Float, "batch", 16);
        return b.Model;
    }
}
