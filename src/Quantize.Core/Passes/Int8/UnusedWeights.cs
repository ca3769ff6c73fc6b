using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int8;

/// <summary>
/// Removes float weights the pass replaced once nothing reads them any more (a weight also read by a node
/// that stayed float, or that is a graph output, is kept).
/// </summary>
internal static class UnusedWeights
{
    public static void Remove(ModelProto model, IReadOnlySet<string> replaced)
    {
        if (replaced.Count == 0)
        {
            return;
        }

        var read = new HashSet<string>(StringComparer.Ordinal);
        foreach (var graph in GraphWalker.AllGraphs(model.Graph))
        {
            read.UnionWith(graph.Output.Select(o => o.Name));
            foreach (var node in graph.Node)
            {
                read.UnionWith(node.Input);
            }
        }

        bool IsDead(string name) => replaced.Contains(name) && !read.Contains(name);
        foreach (var graph in GraphWalker.AllGraphs(model.Graph))
        {
            var removedInitializers = graph.Initializer.Where(t => IsDead(t.Name)).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            if (removedInitializers.Count > 0)
            {
                graph.Initializer.KeepOnly(t => !removedInitializers.Contains(t.Name));
                // IR < 4 lists every initializer as a graph input; without its initializer it would become a required input.
                graph.Input.KeepOnly(i => !removedInitializers.Contains(i.Name));
            }

            graph.Node.KeepOnly(n => !(n.OpType == "Constant" && n.Output.Count == 1 && IsDead(n.Output[0])));
        }
    }
}
