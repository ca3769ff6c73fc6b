using Google.Protobuf;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.Tests.Int8;

/// <summary>Runs the real engine on a test model and gives back what it wrote.</summary>
internal static class Int8TestSupport
{
    public sealed record Outcome(QuantizeResult Result, ModelProto Model, string InputPath, string OutputPath);

    public static Outcome QuantizeModel(ModelProto model, QuantizeOptions? options = null, string name = "int8")
    {
        var folder = RealModels.ScratchFolder(name);
        var input = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(input, model.ToByteArray());
        return QuantizeFile(input, options, folder);
    }

    public static Outcome QuantizeFile(string input, QuantizeOptions? options = null, string? folder = null)
    {
        folder ??= RealModels.ScratchFolder("int8");
        var output = Path.Combine(folder, "model.int8.onnx");
        var result = QuantizeEngine.Quantize(input, output, options ?? new QuantizeOptions { Precision = Precision.Int8 });
        return new Outcome(result, ModelProto.Parser.ParseFrom(File.ReadAllBytes(output)), input, output);
    }

    /// <summary>How many nodes of <paramref name="opType"/> the model has, subgraphs included.</summary>
    public static int Count(ModelProto model, string opType) =>
        GraphWalker.AllGraphs(model.Graph).SelectMany(g => g.Node).Count(n => n.OpType == opType);

    public static IEnumerable<TensorProto> Initializers(ModelProto model) =>
        GraphWalker.AllGraphs(model.Graph).SelectMany(g => g.Initializer);

    public static bool HasTensor(ModelProto model, string name) => ModelTensors.All(model).Any(t => t.Name == name);

    public static float[] RandomFloats(int count, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1) * scale)];
    }

    /// <summary>
    /// Asserts |expected − actual| ≤ <paramref name="relative"/> × max|expected| element-wise: dynamic INT8
    /// error scales with the output's range, not with each element.
    /// </summary>
    public static void Close(float[] expected, float[] actual, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        double range = expected.Max(v => Math.Abs(v));
        double worst = Similarity.MaxAbsDiff(expected, actual);
        Assert.True(worst <= relative * range, $"max |diff| {worst:G4} exceeds {relative:P1} of the output range {range:G4}");
    }
}
