using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Fp16;

/// <summary>
/// Renames tensor references across a graph and the subgraphs nested in it. Subgraphs read enclosing
/// values by name, so a rename that stopped at the graph's own nodes would leave them dangling.
/// </summary>
internal static class ReferenceRewriter
{
    /// <summary>
    /// Points every reader of <paramref name="from"/> at <paramref name="to"/>: node inputs here and in nested
    /// subgraphs, and nested subgraph outputs (a subgraph may return an enclosing value). A subgraph that
    /// defines its own <paramref name="from"/> shadows the outer one and is left alone. This graph's own
    /// outputs are not readers and keep their names.
    /// </summary>
    public static void ReplaceReaders(GraphProto graph, string from, string to)
    {
        foreach (var node in graph.Node)
        {
            for (int i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == from)
                {
                    node.Input[i] = to;
                }
            }

            foreach (var subgraph in GraphWalker.Subgraphs(node))
            {
                if (!DefinesLocally(subgraph, from))
                {
                    ReplaceReaders(subgraph, from, to);
                    foreach (var output in subgraph.Output.Where(o => o.Name == from))
                    {
                        output.Name = to;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Renames the definition of <paramref name="from"/> in <paramref name="graph"/> (node output or
    /// initializer, with its value_info) and every reader of it, leaving this graph's outputs and inputs as declared.
    /// </summary>
    public static void RenameDefinition(GraphProto graph, string from, string to)
    {
        foreach (var node in graph.Node)
        {
            for (int i = 0; i < node.Output.Count; i++)
            {
                if (node.Output[i] == from)
                {
                    node.Output[i] = to;
                }
            }
        }

        foreach (var initializer in graph.Initializer.Where(i => i.Name == from))
        {
            initializer.Name = to;
        }

        foreach (var value in graph.ValueInfo.Where(v => v.Name == from))
        {
            value.Name = to;
        }

        ReplaceReaders(graph, from, to);
    }

    private static bool DefinesLocally(GraphProto graph, string name) =>
        graph.Input.Any(i => i.Name == name) || graph.Initializer.Any(i => i.Name == name) || graph.Node.Any(n => n.Output.Contains(name));
}
