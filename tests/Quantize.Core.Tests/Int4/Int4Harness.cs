using Google.Protobuf;
using Quantize.Core;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.Tests.Int4;

/// <summary>Quantizes test models through the real engine (files in, files out, ORT verification on) and runs them.</summary>
internal static class Int4Harness
{
    internal sealed record Outcome(string InputPath, string OutputPath, ModelProto Model, QuantizeResult Result);

    public static QuantizeOptions Options(int? blockSize = 32, bool symmetric = true, int accuracyLevel = 4, bool standard = false, IReadOnlyList<string>? exclude = null, long minElements = 16) =>
        new()
        {
            Precision = Precision.Int4,
            BlockSize = blockSize,
            Symmetric = symmetric,
            AccuracyLevel = accuracyLevel,
            StandardOnnxInt4 = standard,
            Exclude = exclude ?? [],
            MinElements = minElements,
        };

    public static Outcome Run(ModelProto model, QuantizeOptions options, string name = "int4")
    {
        var folder = RealModels.ScratchFolder(name);
        var input = Path.Combine(folder, "float.onnx");
        var output = Path.Combine(folder, "int4.onnx");
        File.WriteAllBytes(input, model.ToByteArray());
        var result = QuantizeEngine.Quantize(input, output, options);
        return new Outcome(input, output, ModelReader.Load(output).Model, result);
    }

    public static int Count(ModelProto model, string opType) =>
        GraphWalker.AllGraphs(model.Graph).Sum(g => g.Node.Count(n => n.OpType == opType));

    public static IEnumerable<NodeProto> Nodes(ModelProto model, string opType) =>
        GraphWalker.AllGraphs(model.Graph).SelectMany(g => g.Node).Where(n => n.OpType == opType);

    public static long Attribute(NodeProto node, string name) => node.Attribute.Single(a => a.Name == name).I;

    public static float[] RandomFloats(int count, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1) * scale)];
    }

    /// <summary>
    /// Runs the float and the quantized model on the same inputs and returns, per output, the relative
    /// RMS error ‖q − f‖ / ‖f‖ (the measure the documented tolerances use).
    /// </summary>
    public static Dictionary<string, double> RelativeErrors(Outcome outcome, IReadOnlyDictionary<string, OrtRunner.Input> inputs)
    {
        var expected = OrtRunner.Run(outcome.InputPath, inputs);
        var actual = OrtRunner.Run(outcome.OutputPath, inputs);
        return expected.ToDictionary(e => e.Key, e => RelativeError(e.Value, actual[e.Key]), StringComparer.Ordinal);
    }

    public static double RelativeError(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            diff += Math.Pow(actual[i] - (double)expected[i], 2);
            norm += (double)expected[i] * expected[i];
        }

        return Math.Sqrt(diff / norm);
    }

    public static float[] Identity(int n)
    {
        var values = new float[n * n];
        for (int i = 0; i < n; i++)
        {
            values[(i * n) + i] = 1f;
        }

        return values;
    }
}
