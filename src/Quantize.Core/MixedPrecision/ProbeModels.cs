using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.MixedPrecision;

/// <summary>
/// Copies of the float and the quantized model that also output the result of every quantized node, the way
/// ONNX Runtime's QDQ debugging tools compare activations. Each probed tensor leaves both copies under one
/// shared new name (through an Identity), so the two sessions' outputs pair up by name. In the quantized
/// model a node's result is read where its consumers read it: after the QuantizeLinear→DequantizeLinear pair
/// when static INT8 gave it one (which also covers a Relu absorbed into that pair).
/// </summary>
internal static class ProbeModels
{
    /// <summary>A probed node and the output name its result has in both probe models.</summary>
    public sealed record Probe(QuantizedNode Node, string Output);

    /// <summary>
    /// Adds the probes to <paramref name="floatModel"/> and <paramref name="quantizedModel"/> (both changed in
    /// place). Nodes whose result is not a main-graph tensor of both models (nodes inside subgraphs) are left out.
    /// </summary>
    public static IReadOnlyList<Probe> Add(ModelProto floatModel, ModelProto quantizedModel, IReadOnlyList<QuantizedNode> nodes)
    {
        var floatIndex = new GraphIndex(floatModel.Graph);
        var quantizedIndex = new GraphIndex(quantizedModel.Graph);
        var taken = Names(floatModel).Concat(Names(quantizedModel)).ToHashSet(StringComparer.Ordinal);
        var probes = new List<Probe>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (!seen.Add(node.Name) || node.Output.Length == 0 || floatIndex.Producer(node.Output) is null
                || ReadPoint(node.Output, quantizedIndex) is not { } quantizedTensor)
            {
                continue;
            }

            var output = FreeName($"probe_{probes.Count}", taken);
            AddOutput(floatModel.Graph, node.Output, output);
            AddOutput(quantizedModel.Graph, quantizedTensor, output);
            probes.Add(new Probe(node, output));
        }

        return probes;
    }

    /// <summary>Where consumers read <paramref name="tensor"/> in the quantized graph; null when the graph has no such tensor.</summary>
    private static string? ReadPoint(string tensor, GraphIndex index)
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
