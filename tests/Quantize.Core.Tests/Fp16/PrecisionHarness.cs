using Google.Protobuf;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Tests.Fp16;

/// <summary>
/// Shared steps of the FP16 and BF16 pass tests: write a catalog model, quantize it through the engine
/// (which also makes ONNX Runtime load the result), run float and converted models side by side.
/// </summary>
internal static class PrecisionHarness
{
    public sealed record Converted(string FloatPath, string OutputPath, QuantizeResult Result, ModelProto Model);

    public static Converted Convert(ModelProto model, QuantizeOptions options, string name)
    {
        var folder = RealModels.ScratchFolder(name);
        var floatPath = Path.Combine(folder, "float.onnx");
        File.WriteAllBytes(floatPath, model.ToByteArray());
        return QuantizeFile(floatPath, options, Path.Combine(folder, "converted.onnx"));
    }

    public static Converted QuantizeFile(string floatPath, QuantizeOptions options, string outputPath)
    {
        var result = QuantizeEngine.Quantize(floatPath, outputPath, options);
        var (written, _) = ModelReader.Load(outputPath);
        return new(floatPath, outputPath, result, written);
    }

    /// <summary>Catalog models by name, each with the inputs it is run on (deterministic values).</summary>
    public static (ModelProto Model, Dictionary<string, OrtRunner.Input> Inputs) Catalog(string name) => name switch
    {
        "Mlp" => (TestModelCatalog.Mlp(), Floats("x", 1, 2, 64)),
        "NonTopological" => (TestModelCatalog.NonTopological(), Floats("x", 1, 2, 64)),
        "SmallCnn" => (TestModelCatalog.SmallCnn(), Floats("x", 2, 1, 3, 16, 16)),
        "AttentionBlock" => (TestModelCatalog.AttentionBlock(), Floats("x", 3, 2, 5, 32)),
        "ConstantAndIf-true" => (TestModelCatalog.ConstantAndIf(), WithCondition(Floats("x", 4, 4, 32), true)),
        "ConstantAndIf-false" => (TestModelCatalog.ConstantAndIf(), WithCondition(Floats("x", 4, 4, 32), false)),
        "Embedding" => (TestModelCatalog.Embedding(), new() { ["ids"] = new(new long[] { 0, 7, 499, 3, 250, 42, 42, 1 }, [2, 4]) }),
        "Float32Islands" => (TestModelCatalog.Float32Islands(), Floats("x", 5, 1, 4, 8, 8)),
        "LoopOverOuterOutput" => (TestModelCatalog.LoopOverOuterOutput(), Floats("x", 6, 4)),
        _ => throw new ArgumentException(name),
    };

    public static Dictionary<string, OrtRunner.Input> Floats(string name, int seed, params long[] shape)
    {
        var random = new Random(seed);
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return new() { [name] = new(values, shape) };
    }

    private static Dictionary<string, OrtRunner.Input> WithCondition(Dictionary<string, OrtRunner.Input> inputs, bool condition)
    {
        inputs["cond"] = new(new[] { condition }, []);
        return inputs;
    }

    public static IEnumerable<NodeProto> AllNodes(ModelProto model) => GraphWalker.AllGraphs(model.Graph).SelectMany(g => g.Node);

    public static int Count(ModelProto model, string opType) => AllNodes(model).Count(n => n.OpType == opType);

    public static IEnumerable<TensorProto> AllInitializers(ModelProto model) => GraphWalker.AllGraphs(model.Graph).SelectMany(g => g.Initializer);

    public static DataType InitializerType(ModelProto model, string name) => AllInitializers(model).Single(i => i.Name == name).ElementType();

    public static DataType DeclaredType(ValueInfoProto value) => (DataType)value.Type.TensorType.ElemType;

    /// <summary>Largest absolute difference relative to the float output's largest magnitude (at least 1).</summary>
    public static double RelativeMaxDiff(float[] expected, float[] actual) =>
        Similarity.MaxAbsDiff(expected, actual) / Math.Max(1.0, expected.Max(MathF.Abs));

    /// <summary>
    /// The MLP as an IR 3 exporter writes it: every initializer also declared as a graph input (they were
    /// not yet separable), with the opset given.
    /// </summary>
    public static ModelProto Ir3Mlp(long opset)
    {
        var model = TestModelCatalog.Mlp(opset);
        model.IrVersion = 3;
        foreach (var initializer in model.Graph.Initializer)
        {
            model.Graph.Input.Add(ModelBuilder.ValueInfo(initializer.Name, initializer.ElementType(), [.. initializer.Dims.Cast<object>()]));
        }

        return model;
    }
}
