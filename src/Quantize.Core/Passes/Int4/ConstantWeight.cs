using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int4;

/// <summary>A constant tensor a node reads, and the graph that stores it (the node's own or an enclosing one).</summary>
/// <param name="Name">The tensor's name.</param>
/// <param name="Tensor">Its value.</param>
/// <param name="Owner">The index of the graph holding the initializer or Constant node.</param>
/// <param name="ConstantNode">The Constant node producing it, or null for an initializer.</param>
internal sealed record ConstantWeight(string Name, TensorProto Tensor, GraphIndex Owner, NodeProto? ConstantNode)
{
    /// <summary>
    /// Finds <paramref name="name"/> as seen from the graph of <paramref name="index"/>: null when a node or
    /// a graph input (that is not also an initializer) computes it in the nearest scope that defines it.
    /// </summary>
    public static ConstantWeight? Find(GraphIndex index, string name)
    {
        for (var scope = index; scope is not null; scope = scope.Outer)
        {
            if (scope.IsInitializer(name))
            {
                return new ConstantWeight(name, scope.Constant(name)!, scope, null);
            }

            if (scope.ConstantNode(name) is { } node)
            {
                return new ConstantWeight(name, scope.Constant(name)!, scope, node);
            }

            if (scope.Producer(name) is not null || scope.IsGraphInput(name))
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>
    /// True when callers may feed their own value: from IR 4 on, an initializer also listed as a graph input
    /// is only a default. (IR 3 models had to list every initializer as an input, so there it means nothing.)
    /// </summary>
    public bool IsOverridable(ModelProto model) => ConstantNode is null && model.IrVersion >= 4 && Owner.IsGraphInput(Name);
}
