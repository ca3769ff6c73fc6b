using Quantize.Core.Onnx;

namespace Quantize.Core.Graph;

/// <summary>
/// Gives every unnamed node a name, so that each node can be excluded, overridden and reported by name.
/// The name comes from the node's op type and first output (e.g. <c>MatMul_124</c> for an unnamed MatMul
/// writing tensor 124), not from its position: ONNX Runtime's pre-processing for static INT8 removes and
/// reorders nodes but keeps tensor names, so the same node gets the same name in the original and the
/// pre-processed graph.
/// </summary>
public static class NodeNames
{
    /// <summary>Names every unnamed node of <paramref name="model"/> (subgraphs included); returns how many were named.</summary>
    public static int AssignMissing(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var unnamed = GraphWalker.AllGraphs(model.Graph).SelectMany(g => g.Node).Where(n => n.Name.Length == 0).ToList();
        if (unnamed.Count == 0)
        {
            return 0;
        }

        var names = new NameAllocator(model);
        foreach (var node in unnamed)
        {
            var output = node.Output.FirstOrDefault(o => o.Length > 0);
            node.Name = names.Fresh(output is null ? node.OpType : $"{node.OpType}_{output}");
        }

        return unnamed.Count;
    }
}
