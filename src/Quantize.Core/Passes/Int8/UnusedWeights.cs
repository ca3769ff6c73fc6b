using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int8;

/// <summary>
/// Removes float weights the pass replaced once nothing reads them any more (a weight also read by a node
/// that stayed float, or that is a graph output, is kept), with the Constant or Transpose nodes that produced them.
/// </summary>
internal static class UnusedWeights
{
    public static void Remove(ModelProto model, IReadOnlySet<string> replaced)
    {
        if (replaced.Count == 0)
        {
            return;
        }

        // First the nodes that only produced a replaced weight (a Constant, or the Transpose of a tied lm_head), which
        // frees what they read; then the initializers.
        while (RemoveDeadProducers(model, replaced))
        {
        }

        var read = Reads(model);
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
        }
    }

    private static bool RemoveDeadProducers(ModelProto model, IReadOnlySet<string> replaced)
    {
        var read = Reads(model);
        bool removed = false;
        foreach (var graph in GraphWalker.AllGraphs(model.Graph))
        {
            int before = graph.Node.Count;
            graph.Node.KeepOnly(n => !(n.OpType is "Constant" or "Transpose" && n.Output.Count == 1 && replaced.Contains(n.Output[0]) && !read.Contains(n.Output[0])));
            removed |= graph.Node.Count != before;
        }

        return removed;
    }

    private static HashSet<string> Reads(ModelProto model)
    {
        var read = new HashSet<string>(StringComparer.Ordinal);
        foreach (var graph in GraphWalker.AllGraphs(model.Graph))
        {
            read.UnionWith(graph.Output.Select(o => o.Name));
            foreach (var node in graph.Node)
            {
                read.UnionWith(node.Input);
            }
        }

        return read;
    }
}
