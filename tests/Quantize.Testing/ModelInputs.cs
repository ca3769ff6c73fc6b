using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Testing;

/// <summary>
/// Deterministic inputs for any of the test models: symbolic dimensions become small fixed sizes, floats
/// are seeded values in [-1, 1), integer inputs are ids below <see cref="MaxId"/>, booleans are given.
/// </summary>
public static class ModelInputs
{
    /// <summary>Upper bound (exclusive) for generated integer ids; the test embedding tables have 500 rows.</summary>
    public const int MaxId = 500;

    public static Dictionary<string, OrtRunner.Input> For(ModelProto model, int seed = 3, bool condition = true)
    {
        var random = new Random(seed);
        var initializers = model.Graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = new Dictionary<string, OrtRunner.Input>(StringComparer.Ordinal);
        foreach (var input in model.Graph.Input.Where(i => !initializers.Contains(i.Name)))
        {
            var tensorType = input.Type.TensorType;
            var shape = tensorType.Shape.Dim.Select(d => d.HasDimValue ? d.DimValue : SizeOf(d.DimParam)).ToArray();
            int count = checked((int)shape.Aggregate(1L, (a, b) => a * b));
            inputs[input.Name] = (DataType)tensorType.ElemType switch
            {
                DataType.Float => new OrtRunner.Input(Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray(), shape),
                DataType.Int64 => new OrtRunner.Input(Enumerable.Range(0, count).Select(_ => (long)random.Next(MaxId)).ToArray(), shape),
                DataType.Int32 => new OrtRunner.Input(Enumerable.Range(0, count).Select(_ => random.Next(MaxId)).ToArray(), shape),
                DataType.Bool => new OrtRunner.Input(Enumerable.Repeat(condition, count).ToArray(), shape),
                var other => throw new NotSupportedException($"Input '{input.Name}' of type {other}"),
            };
        }

        return inputs;
    }

    private static long SizeOf(string symbol) => symbol switch
    {
        "batch" => 2,
        "seq" => 5,
        _ => 3,
    };
}
