using Quantize.Core.Onnx;

namespace Quantize.Core.Graph;

/// <summary>
/// Lookups over one graph that every pass needs: who produces and who consumes a tensor, and which
/// tensors are constants (initializers or Constant-node values, including those of enclosing graphs).
/// Build it again after a pass changes the graph's structure.
/// </summary>
public sealed class GraphIndex
{
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> _initializers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeProto> _constantNodes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _graphOutputs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _graphInputs = new(StringComparer.Ordinal);

    /// <summary>Indexes <paramref name="graph"/>; <paramref name="outer"/> supplies constants visible from enclosing scopes.</summary>
    public GraphIndex(GraphProto graph, GraphIndex? outer = null)
    {
        Graph = graph;
        Outer = outer;
        foreach (var initializer in graph.Initializer)
        {
            _initializers[initializer.Name] = initializer;
        }

        _graphInputs.UnionWith(graph.Input.Select(i => i.Name));
        _graphOutputs.UnionWith(graph.Output.Select(o => o.Name));
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output)
            {
                if (output.Length > 0)
                {
                    _producers[output] = node;
                }
            }

            foreach (var input in node.Input.Concat(GraphWalker.OuterScopeInputs(node)).Distinct(StringComparer.Ordinal))
            {
                if (input.Length == 0)
                {
                    continue;
                }

                if (!_consumers.TryGetValue(input, out var list))
                {
                    _consumers[input] = list = [];
                }

                list.Add(node);
            }

            if (node.OpType == "Constant" && node.Domain is "" or "ai.onnx" && node.Output.Count == 1
                && node.Attribute.FirstOrDefault(a => a.Name == "value")?.T is not null)
            {
                _constantNodes[node.Output[0]] = node;
            }
        }
    }

    /// <summary>The indexed graph.</summary>
    public GraphProto Graph { get; }

    /// <summary>The index of the enclosing graph, if this is a subgraph.</summary>
    public GraphIndex? Outer { get; }

    /// <summary>The node producing <paramref name="tensor"/> in this graph, if any.</summary>
    public NodeProto? Producer(string tensor) => _producers.GetValueOrDefault(tensor);

    /// <summary>Nodes of this graph reading <paramref name="tensor"/> (directly or from inside their subgraphs).</summary>
    public IReadOnlyList<NodeProto> Consumers(string tensor) => _consumers.TryGetValue(tensor, out var list) ? list : [];

    /// <summary>True if <paramref name="tensor"/> is one of this graph's outputs.</summary>
    public bool IsGraphOutput(string tensor) => _graphOutputs.Contains(tensor);

    /// <summary>True if <paramref name="tensor"/> is one of this graph's declared inputs.</summary>
    public bool IsGraphInput(string tensor) => _graphInputs.Contains(tensor);

    /// <summary>
    /// The constant value of <paramref name="tensor"/>: an initializer (that is not overridable as a graph
    /// input) or a Constant node's value, here or in an enclosing graph; null when it is computed.
    /// </summary>
    public TensorProto? Constant(string tensor)
    {
        if (_initializers.TryGetValue(tensor, out var initializer))
        {
            // An initializer also listed as a graph input is a default the caller may override (IR >= 4),
            // except in IR < 4 models where every initializer had to be listed; callers that care check IR.
            return initializer;
        }

        if (_constantNodes.TryGetValue(tensor, out var node))
        {
            return node.Attribute.First(a => a.Name == "value").T;
        }

        if (_producers.ContainsKey(tensor) || _graphInputs.Contains(tensor))
        {
            return null;
        }

        return Outer?.Constant(tensor);
    }

    /// <summary>True if the constant <paramref name="tensor"/> is stored as an initializer of this graph.</summary>
    public bool IsInitializer(string tensor) => _initializers.ContainsKey(tensor);

    /// <summary>The Constant node holding <paramref name="tensor"/> in this graph, if it is one.</summary>
    public NodeProto? ConstantNode(string tensor) => _constantNodes.GetValueOrDefault(tensor);
}
