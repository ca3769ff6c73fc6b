using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Testing.TestModels;

public static partial class TestModelCatalog
{
    /// <summary>
    /// A chain of <paramref name="nodes"/> nodes over a [1, 8] float input: Add of a small weight, Relu, and every
    /// 1000th step a Cast to double and back, so element types change along the chain (type inference must carry
    /// them across any segmenting). For scaling measurements of the passes and the graph helpers.
    /// </summary>
    public static ModelProto Chain(int nodes)
    {
        var b = new ModelBuilder(opset: 17);
        var current = b.Input("x", DataType.Float, 1, 8);
        for (int i = 0; i < nodes; i++)
        {
            current = (i % 1000) switch
            {
                998 => b.Node("Cast", [current], $"to_double_{i}", attributes: ModelBuilder.Int("to", (long)DataType.Double)),
                999 => b.Node("Cast", [current], $"to_float_{i}", attributes: ModelBuilder.Int("to", (long)DataType.Float)),
                _ when i % 2 == 0 => b.Node("Add", [current, b.Initializer($"w{i}", [.. Enumerable.Repeat(0.25f, 8)], 8)], $"add_{i}"),
                _ => b.Node("Relu", [current], $"relu_{i}"),
            };
        }

        b.Output(current, DataType.Float, 1, 8);
        return b.Model;
    }
}
