using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int8;

/// <summary>
/// One graph being rewritten: its index (built before any change, so lookups see the original graph),
/// the nodes replaced so far, and the activations already quantized by a DynamicQuantizeLinear.
/// </summary>
internal sealed class Int8RewriteScope
{
    private readonly HashSet<NodeProto> _replaced = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, DynamicQuantizedActivation> _activations = new(StringComparer.Ordinal);

    public Int8RewriteScope(GraphProto graph, Int8RewriteScope? outer)
    {
        Outer = outer;
        Index = new GraphIndex(graph, outer?.Index);
    }

    public Int8RewriteScope? Outer { get; }

    public GraphIndex Index { get; }

    public GraphProto Graph => Index.Graph;

    /// <summary>Marks <paramref name="node"/> for removal once the graph has been walked.</summary>
    public void Replace(NodeProto node) => _replaced.Add(node);

    /// <summary>Adds a new node; the engine sorts the graph before writing, so position does not matter.</summary>
    public void Add(NodeProto node) => Graph.Node.Add(node);

    /// <summary>The DynamicQuantizeLinear outputs already made for <paramref name="activation"/> in this graph.</summary>
    public DynamicQuantizedActivation? QuantizedActivation(string activation) => _activations.GetValueOrDefault(activation);

    public void RememberQuantizedActivation(string activation, DynamicQuantizedActivation quantized) => _activations[activation] = quantized;

    /// <summary>Removes the replaced nodes, keeping everything else in order.</summary>
    public void RemoveReplacedNodes()
    {
        if (_replaced.Count == 0)
        {
            return;
        }

        var kept = Graph.Node.Where(n => !_replaced.Contains(n)).ToList();
        Graph.Node.Clear();
        Graph.Node.AddRange(kept);
    }
}

/// <summary>The three outputs of a DynamicQuantizeLinear: uint8 values, scale, zero point.</summary>
internal sealed record DynamicQuantizedActivation(string Values, string Scale, string ZeroPoint);
