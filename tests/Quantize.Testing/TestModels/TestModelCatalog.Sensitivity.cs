using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Testing.TestModels;

public static partial class TestModelCatalog
{
    /// <summary>The MatMul of <see cref="FragileMlp"/> whose input carries an outlier channel.</summary>
    public const string FragileLayer = "fc2";

    /// <summary>
    /// Four MatMul layers, one of them fragile: x[batch,32] → fc1 → Relu → fc2 → Relu → fc3 → Relu → fc4 → y[batch,16].
    /// fc1's output column 0 is scaled by 1000 and fc2's weight row 0 divided by 1000, so the float model
    /// computes what it would without the scaling, but fc2's input now has one channel ~1000× larger than the
    /// others: a single 8-bit scale over that range rounds every ordinary channel to a few levels, so fc2's
    /// result is wrecked, while fc1 (whose outlier is a weight column, which per-column scales absorb), fc3 and
    /// fc4 quantize well.
    /// </summary>
    /// <remarks>A larger <paramref name="boost"/> makes it worse: at 1e6 every ordinary channel of fc2's input rounds to zero and the model collapses.</remarks>
    public static ModelProto FragileMlp(int seed = 7, float boost = 1000f)
    {
        const int width = 32;
        var b = new ModelBuilder(opset: 17, seed: seed);
        var x = b.Input("x", DataType.Float, "batch", width);
        var fc1Weight = b.RandomValues([width, width], 0.3f);
        var fc2Weight = b.RandomValues([width, width], 0.3f);
        for (int i = 0; i < width; i++)
        {
            fc1Weight[i * width] *= boost; // column 0 of fc1 (row-major K×N)
            fc2Weight[i] /= boost;         // row 0 of fc2
        }

        var h = b.Node("Relu", [b.Node("MatMul", [x, b.Initializer("fc1.weight", fc1Weight, width, width)], "fc1")], "relu1");
        h = b.Node("Relu", [b.Node("MatMul", [h, b.Initializer("fc2.weight", fc2Weight, width, width)], FragileLayer)], "relu2");
        h = b.Node("Relu", [b.Node("MatMul", [h, b.RandomInitializer("fc3.weight", 0.3f, width, width)], "fc3")], "relu3");
        b.Node("MatMul", [h, b.RandomInitializer("fc4.weight", 0.3f, width, 16)], "fc4", "y");
        b.Output("y", DataType.Float, "batch", 16);
        return b.Model;
    }

    /// <summary>Seeded inputs for <see cref="FragileMlp"/>: <paramref name="count"/> samples of x[1,32] in [-1, 1).</summary>
    public static IReadOnlyList<float[]> FragileMlpSamples(int count, int seed = 11)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, 32).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray())];
    }
}
