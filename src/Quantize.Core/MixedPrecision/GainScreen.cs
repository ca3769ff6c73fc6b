using Microsoft.ML.OnnxRuntime;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Evaluation;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;
using Quantize.Core.Passes.Int8Static;

namespace Quantize.Core.MixedPrecision;

/// <summary>
/// The end-to-end gain of keeping each quantized node in float, for every node at the cost of one session: a
/// copy of the quantized model that also computes each node in float, from the input the quantized node reads
/// and with the float model's weights, behind a switch (a scalar graph input s: result = quantized + s ·
/// (float − quantized)). Running it with one switch on is the quantized model with just that node in float,
/// without quantizing again. Re-quantizing once per node would cost a quantization, a session and an
/// evaluation each (minutes on a BERT-sized model); a local error that does not look at the outputs is a poor
/// guide (a transformer's value projections have large relative errors that attention averages away).
/// </summary>
internal static class GainScreen
{
    /// <summary>Samples the screen runs on at most: every node costs one run per sample.</summary>
    public const int MaxSamples = 8;

    /// <summary>
    /// Node name → worst output cosine with only that node in float minus worst output cosine of the full
    /// quantization, on the first <see cref="MaxSamples"/> evaluation samples. Nodes the screen cannot switch
    /// (inside subgraphs, FP16/BF16 results, a Relu absorbed into the node's output) are absent.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Measure(QualityCheck check, string quantizedPath, IReadOnlyList<QuantizedNode> nodes, string folder)
    {
        var samples = check.EvaluationSamples ?? throw new InvalidOperationException("The gain screen needs evaluation samples.");
        if (check.QuantizeOptions.Precision is not (Precision.Int8 or Precision.Int4))
        {
            return new Dictionary<string, double>();
        }

        var floatModel = check.IsStatic ? StaticPreprocessor.Optimize(check.InputPath, check.QuantizeOptions.Static) : ModelReader.Load(check.InputPath).Model;
        var switched = ModelReader.Load(quantizedPath).Model;
        var switches = AddSwitches(floatModel, switched, nodes);
        floatModel = null;
        if (switches.Count == 0)
        {
            return new Dictionary<string, double>();
        }

        var path = Path.Combine(folder, MixAttempts.ScratchName("switched.onnx"));
        TopologicalSorter.SortAll(switched.Graph);
        ModelWriter.Save(switched, path);
        switched = null;
        try
        {
            return Run(check.InputPath, path, switches, samples);
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + ".data");
        }
    }

    private static Dictionary<string, double> Run(string floatPath, string switchedPath, List<(string Node, string Switch)> switches, CalibrationDataOptions samples)
    {
        using var pair = ModelPair.Open(floatPath, switchedPath);
        // Index 0 is the full quantization (every switch off); index i + 1 has switch i on.
        var accumulators = Enumerable.Range(0, switches.Count + 1).Select(_ => pair.Outputs.Select(o => new MetricsAccumulator(o, classScores: false)).ToArray()).ToArray();
        using var off = OrtValue.CreateTensorValueFromMemory(new float[] { 0 }, []);
        using var on = OrtValue.CreateTensorValueFromMemory(new float[] { 1 }, []);
        using var runOptions = new RunOptions();
        float[] floatBuffer = [], switchedBuffer = [];
        foreach (var sample in new CalibrationDataReader(pair.Inputs, samples with { MaxSamples = Math.Min(samples.MaxSamples ?? MaxSamples, MaxSamples) }).Read())
        {
            using var floatFeed = ModelPair.Feed(pair.Float, sample.Inputs);
            using var expected = pair.Run(pair.Float, floatFeed, runOptions, sample.Source);
            using var switchedFeed = ModelPair.Feed(pair.Quantized, sample.Inputs);
            string[] names = [.. switchedFeed.Names, .. switches.Select(s => s.Switch)];
            var values = new OrtValue[names.Length];
            switchedFeed.Values.CopyTo(values, 0);
            for (int setting = 0; setting <= switches.Count; setting++)
            {
                for (int s = 0; s < switches.Count; s++)
                {
                    values[switchedFeed.Values.Length + s] = s + 1 == setting ? on : off;
                }

                using var actual = pair.Quantized.Run(runOptions, names, values, [.. pair.Outputs]);
                for (int o = 0; o < pair.Outputs.Count; o++)
                {
                    if (OrtTensors.TryReadFloats(expected[o], ref floatBuffer, out var reference)
                        && OrtTensors.TryReadFloats(actual[o], ref switchedBuffer, out var quantized) && reference.Length == quantized.Length)
                    {
                        accumulators[setting][o].Add(reference, quantized);
                    }
                }
            }
        }

        double Worst(MetricsAccumulator[] outputs) => outputs.Where(a => a.SampleCount > 0).Select(a => a.Result().Cosine).DefaultIfEmpty(1).Min();
        double baseline = Worst(accumulators[0]);
        var gains = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int s = 0; s < switches.Count; s++)
        {
            gains[switches[s].Node] = Worst(accumulators[s + 1]) - baseline;
        }

        return gains;
    }

    /// <summary>Adds a float copy and a switch per node to <paramref name="quantized"/>; returns (node, switch input) pairs.</summary>
    private static List<(string Node, string Switch)> AddSwitches(ModelProto floatModel, ModelProto quantized, IReadOnlyList<QuantizedNode> nodes)
    {
        var graph = quantized.Graph;
        var floatIndex = new GraphIndex(floatModel.Graph);
        var quantizedIndex = new GraphIndex(graph);
        var floatNodes = floatModel.Graph.Node.Where(n => n.Name.Length > 0).DistinctBy(n => n.Name).ToDictionary(n => n.Name, StringComparer.Ordinal);
        var quantizedNodes = graph.Node.Where(n => n.Name.Length > 0).DistinctBy(n => n.Name).ToDictionary(n => n.Name, StringComparer.Ordinal);
        var names = new NameAllocator(quantized);
        var switches = new List<(string, string)>();
        foreach (var node in nodes.DistinctBy(n => n.Name))
        {
            if (!floatNodes.TryGetValue(node.Name, out var original) || original.Output.Count == 0 || original.Output[0] != node.Output
                || ProbeModels.ResultReadPoint(node.Output, quantizedIndex) is not { } read || quantizedIndex.Producer(read) is not { } producer
                || FloatCopy(original, floatIndex, quantizedIndex, quantizedNodes.GetValueOrDefault(node.Name), names, graph) is not { } copy)
            {
                continue;
            }

            // The quantized result moves to a fresh name; the switch's Add writes the old one, so every reader
            // (graph outputs and subgraphs included) now reads the switched value.
            var quantizedResult = names.Fresh(read + "_quantized_result");
            producer.Output[producer.Output.IndexOf(read)] = quantizedResult;
            var switchInput = names.Fresh($"switch_{switches.Count}");
            graph.Input.Add(new ValueInfoProto { Name = switchInput, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() } } });
            var difference = Add(graph, "Sub", names, [copy, quantizedResult]);
            var scaled = Add(graph, "Mul", names, [difference, switchInput]);
            graph.Node.Add(Node("Add", names.Fresh(read + "_switched"), [quantizedResult, scaled], read));
            switches.Add((node.Name, switchInput));
        }

        return switches;
    }

    /// <summary>
    /// A float copy of <paramref name="original"/> in the quantized graph: constant inputs from the float model
    /// (added under fresh names), computed inputs as the quantized node reads them (after their Q/DQ pair in
    /// static INT8). Returns its result's name, or null when an input has no counterpart.
    /// </summary>
    private static string? FloatCopy(NodeProto original, GraphIndex floatIndex, GraphIndex quantizedIndex, NodeProto? quantizedNode, NameAllocator names, GraphProto graph)
    {
        var copy = original.Clone();
        copy.Name = names.Fresh(original.Name + "_float");
        var initializers = new List<TensorProto>();
        for (int i = 0; i < copy.Input.Count; i++)
        {
            var input = copy.Input[i];
            if (input.Length == 0)
            {
                continue;
            }

            if (floatIndex.Constant(input) is { } constant)
            {
                var value = constant.Clone();
                value.Name = names.Fresh(input + "_float");
                initializers.Add(value);
                copy.Input[i] = value.Name;
            }
            else if (quantizedNode is not null && quantizedNode.OpType == original.OpType && i < quantizedNode.Input.Count)
            {
                copy.Input[i] = quantizedNode.Input[i];
            }
            else if (quantizedIndex.Producer(input) is null && !quantizedIndex.IsGraphInput(input))
            {
                return null;
            }
        }

        for (int o = 0; o < copy.Output.Count; o++)
        {
            copy.Output[o] = copy.Output[o].Length == 0 ? string.Empty : names.Fresh(copy.Output[o] + "_float");
        }

        graph.Initializer.AddRange(initializers);
        graph.Node.Add(copy);
        return copy.Output[0];
    }

    private static string Add(GraphProto graph, string opType, NameAllocator names, string[] inputs)
    {
        var output = names.Fresh($"{inputs[0]}_{opType}");
        graph.Node.Add(Node(opType, names.Fresh(output), inputs, output));
        return output;
    }

    private static NodeProto Node(string opType, string name, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }
}
