using Google.Protobuf;
using Quantize.Core.Calibration;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.Tests.Int8Static;

/// <summary>Calibrates a model exactly (<see cref="ExactRanges"/>), runs the real engine with the ranges, and reads back what it wrote.</summary>
internal static class StaticHarness
{
    public sealed record Outcome(QuantizeResult Result, ModelProto Model, string InputPath, string OutputPath, ActivationRanges Ranges);

    public static Outcome QuantizeModel(ModelProto model, List<Dictionary<string, OrtRunner.Input>>? samples = null, StaticInt8Options? options = null, string name = "static")
    {
        samples ??= ExactRanges.RandomSamples(model, 8);
        var ranges = ExactRanges.Compute(model, samples);
        var folder = RealModels.ScratchFolder(name);
        var input = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(input, model.ToByteArray());
        return QuantizeFile(input, ranges, options, folder);
    }

    public static Outcome QuantizeFile(string input, ActivationRanges ranges, StaticInt8Options? options = null, string? folder = null)
    {
        folder ??= RealModels.ScratchFolder("static");
        var output = Path.Combine(folder, "model.qdq.onnx");
        var result = QuantizeEngine.Quantize(input, output, new QuantizeOptions { Precision = Precision.Int8, Static = options ?? new StaticInt8Options() }, ranges);
        return new Outcome(result, ModelProto.Parser.ParseFrom(File.ReadAllBytes(output)), input, output, ranges);
    }

    public static int Count(ModelProto model, string opType) =>
        GraphWalker.AllGraphs(model.Graph).SelectMany(g => g.Node).Count(n => n.OpType == opType);

    public static IEnumerable<NodeProto> Nodes(ModelProto model, string opType) => model.Graph.Node.Where(n => n.OpType == opType);

    public static TensorProto Initializer(ModelProto model, string name) => model.Graph.Initializer.Single(t => t.Name == name);

    /// <summary>The DequantizeLinear that produces input <paramref name="index"/> of <paramref name="node"/>.</summary>
    public static NodeProto DequantizeFeeding(ModelProto model, NodeProto node, int index) =>
        model.Graph.Node.Single(n => n.OpType == "DequantizeLinear" && n.Output[0] == node.Input[index]);

    /// <summary>
    /// Asserts max |expected − actual| ≤ <paramref name="relative"/> × max |expected|: static INT8 error
    /// is a few quantization steps of the output's calibrated range.
    /// </summary>
    public static void Close(float[] expected, float[] actual, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        double range = expected.Max(v => Math.Abs(v));
        double worst = Similarity.MaxAbsDiff(expected, actual);
        Assert.True(worst <= relative * range, $"max |diff| {worst:G4} exceeds {relative:P1} of the output range {range:G4}");
    }
}
