using Quantize.Core.Onnx;

namespace Quantize.Core.Graph;

/// <summary>
/// The last tidy-up before a model is written: initializers no node in any graph reads (and no graph returns), and
/// <c>value_info</c> entries for tensors no graph defines any more. Passes replace weights and tensors (a bias's
/// quantization parameters that ended up folded, BatchNormalization parameters after fusion), and ONNX Runtime prints
/// one warning per unused initializer every time an app loads the model.
/// </summary>
internal static class UnusedDefinitions
{
    /// <summary>Removes them from every graph of <paramref name="model"/>; graph inputs are never touched (they are the model's interface).</summary>
    public static void Remove(ModelProto model)
    {
        var graphs = GraphWalker.AllGraphs(model.Graph).ToList();
        var read = new HashSet<string>(StringComparer.Ordinal);
        var defined = new HashSet<string>(StringComparer.Ordinal);
        foreach (var graph in graphs)
        {
            read.UnionWith(graph.Output.Select(o => o.Name));
            defined.UnionWith(graph.Input.Select(i => i.Name));
            defined.UnionWith(graph.Initializer.Select(i => i.Name));
            foreach (var node in graph.Node)
            {
                // A subgraph's reads of enclosing values are node inputs inside it, so this covers them too.
                read.UnionWith(node.Input);
                defined.UnionWith(node.Output);
            }
        }

        foreach (var graph in graphs)
        {
            var inputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            // From IR 4 an initializer listed as an input is an overridable input: part of the interface, kept. Before IR 4
            // every initializer had to be listed, so there an unread one goes together with its input entry.
            bool legacyInputs = model.IrVersion < 4 && ReferenceEquals(graph, model.Graph);
            var unused = graph.Initializer
                .Where(i => !read.Contains(i.Name) && (legacyInputs || !inputs.Contains(i.Name)))
                .Select(i => i.Name)
                .ToHashSet(StringComparer.Ordinal);
            if (unused.Count > 0)
            {
                graph.Initializer.KeepOnly(i => !unused.Contains(i.Name));
                if (legacyInputs)
                {
                    graph.Input.KeepOnly(i => !unused.Contains(i.Name));
                }
            }

            graph.ValueInfo.KeepOnly(v => defined.Contains(v.Name) && !unused.Contains(v.Name));
        }
    }
}
