using Quantize.Core.Onnx;

namespace Quantize.Core.Graph;

/// <summary>Walks a graph and the subgraphs held in node attributes (If, Loop, Scan...).</summary>
public static class GraphWalker
{
    /// <summary>The graph itself, then every nested subgraph, depth first, in a stable order.</summary>
    public static IEnumerable<GraphProto> AllGraphs(GraphProto root)
    {
        var stack = new Stack<GraphProto>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var graph = stack.Pop();
            yield return graph;
            var children = new List<GraphProto>();
            foreach (var node in graph.Node)
            {
                children.AddRange(Subgraphs(node));
            }

            for (int i = children.Count - 1; i >= 0; i--)
            {
                stack.Push(children[i]);
            }
        }
    }

    /// <summary>The subgraphs directly held by <paramref name="node"/>'s attributes.</summary>
    public static IEnumerable<GraphProto> Subgraphs(NodeProto node)
    {
        foreach (var attribute in node.Attribute)
        {
            if (attribute.G is not null)
            {
                yield return attribute.G;
            }

            foreach (var graph in attribute.Graphs)
            {
                yield return graph;
            }
        }
    }

    /// <summary>
    /// Names a node's subgraphs read from enclosing scopes (inputs not produced inside them), which are
    /// implicit inputs of the node for ordering and use counting.
    /// </summary>
    public static IEnumerable<string> OuterScopeInputs(NodeProto node)
    {
        var result = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var graph in Subgraphs(node))
        {
            CollectOuterScopeInputs(graph, result);
        }

        return result;
    }

    private static void CollectOuterScopeInputs(GraphProto graph, SortedSet<string> result)
    {
        var local = new HashSet<string>(StringComparer.Ordinal);
        local.UnionWith(graph.Input.Select(i => i.Name));
        local.UnionWith(graph.Initializer.Select(i => i.Name));
        foreach (var node in graph.Node)
        {
            local.UnionWith(node.Output);
        }

        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input.Concat(OuterScopeInputs(node)))
            {
                if (input.Length > 0 && !local.Contains(input))
                {
                    result.Add(input);
                }
            }
        }

        foreach (var output in graph.Output)
        {
            if (!local.Contains(output.Name))
            {
                result.Add(output.Name);
            }
        }
    }
}
