using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.MixedPrecision;

/// <summary>
/// Copies of the float and the quantized model that also output, for every quantized node, its result and
/// its activation input, the way ONNX Runtime's QDQ debugging tools compare activations. Each probed tensor
/// leaves both copies under one shared new name (through an Identity), so the two sessions' outputs pair up
/// by name. A node's result is read where its consumers read it: after the QuantizeLinear→DequantizeLinear
/// pair when static INT8 gave it one (so its output quantization counts as its own error, and a Relu absorbed
/// into that pair is accounted for). Its input is read as it arrives, before the node's own input quantization.
/// </summary>
internal static class ProbeModels
{
    /// <summary>A probed node: the output names its result and its activation input (null when it reads only constants and graph inputs) have in both probe models.</summary>
    public sealed record Probe(QuantizedNode Node, string Result, string? Input);

    /// <summary>
    /// Adds the probes to <paramref name="floatModel"/> and <paramref name="quantizedModel"/> (both changed in
    /// place). Nodes whose result is not a main-graph tensor of both models (nodes inside subgraphs) are left out.
    /// </summary>
    public static IReadOnlyList<Probe> Add(ModelProto floatModel, ModelProto quantizedModel, IReadOnlyList<QuantizedNode> nodes)
    {
        var floatIndex = new GraphIndex(floatModel.Graph);
        var quantizedIndex = new GraphIndex(quantizedModel.Graph);
        var floatNodes = floatModel.Graph.Node.Where(n => n.Name.Length > 0).DistinctBy(n => n.Name).ToDictionary(n => n.Name, StringComparer.Ordinal);
        var taken = Names(floatModel).Concat(Names(quantizedModel)).ToHashSet(StringComparer.Ordinal);
        var outputs = new Dictionary<(string Float, string Quantized), string>();
        string Expose(string floatTensor, string quantizedTensor)
        {
            if (!outputs.TryGetValue((floatTensor, quantizedTensor), out var name))
            {
                name = FreeName($"probe_{outputs.Count}", taken);
                AddOutput(floatModel.Graph, floatTensor, name);
                AddOutput(quantizedModel.Graph, quantizedTensor, name);
                outputs[(floatTensor, quantizedTensor)] = name;
            }

            return name;
        }

        var probes = new List<Probe>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (!seen.Add(node.Name) || node.Output.Length == 0 || floatIndex.Producer(node.Output) is null
                || ResultReadPoint(node.Output, quantizedIndex) is not { } quantizedResult)
            {
                continue;
            }

            string? input = null;
            if (floatNodes.TryGetValue(node.Name, out var floatNode) && ActivationInput(floatNode, floatIndex) is { } activation
                && InputReadPoint(activation, floatIndex, quantizedIndex) is { } quantizedInput)
            {
                input = Expose(activation, quantizedInput);
            }

            probes.Add(new Probe(node, Expose(node.Output, quantizedResult), input));
        }

        return probes;
    }

    /// <summary>The first input computed by another node (not a constant, not a graph input); null when there is none.</summary>
    private static string? ActivationInput(NodeProto node, GraphIndex index) =>
        node.Input.FirstOrDefault(i => i.Length > 0 && index.Producer(i) is { } producer && producer.OpType != "Constant" && index.Constant(i) is null);

    /// <summary>Where consumers read <paramref name="tensor"/> in the quantized graph; null when the graph has no such tensor.</summary>
    internal static string? ResultReadPoint(string tensor, GraphIndex index)
    {
        if (index.Producer(tensor) is null)
        {
            return null;
        }

        var consumers = index.Consumers(tensor);
        if (consumers.Count == 1 && consumers[0].OpType == "QuantizeLinear"
            && index.Consumers(consumers[0].Output[0]).FirstOrDefault(c => c.OpType == "DequantizeLinear") is { } dequantize)
        {
            return dequantize.Output[0];
        }

        return tensor;
    }

    /// <summary>
    /// The quantized model's counterpart of the activation <paramref name="tensor"/>: the same tensor, unless its
    /// producer changed (a Relu absorbed into the producer's QuantizeLinear leaves its name on the producer's
    /// raw result; the value consumers see is then after the Q/DQ pair).
    /// </summary>
    private static string? InputReadPoint(string tensor, GraphIndex floatIndex, GraphIndex quantizedIndex)
    {
        var producer = quantizedIndex.Producer(tensor);
        if (producer is null)
        {
            return null;
        }

        return producer.OpType == floatIndex.Producer(tensor)?.OpType ? tensor : ResultReadPoint(tensor, quantizedIndex);
    }

    private static void AddOutput(GraphProto graph, string tensor, string output)
    {
        var identity = new NodeProto { OpType = "Identity", Name = output };
        identity.Input.Add(tensor);
        identity.Output.Add(output);
        graph.Node.Add(identity);
        graph.Output.Add(new ValueInfoProto { Name = output });
    }

    private static string FreeName(string hint, HashSet<string> taken)
    {
        var name = hint;
        for (int i = 1; !taken.Add(name); i++)
        {
            name = $"{hint}_{i}";
        }

        return name;
    }

    private static IEnumerable<string> Names(ModelProto model) =>
        GraphWalker.AllGraphs(model.Graph).SelectMany(g =>
            g.Node.SelectMany(n => n.Output.Append(n.Name))
                .Concat(g.Input.Select(i => i.Name))
                .Concat(g.Output.Select(o => o.Name))
                .Concat(g.Initializer.Select(i => i.Name)));
}
