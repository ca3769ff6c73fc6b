using Quantize.Core.Onnx;

namespace Quantize.Core.Graph;

/// <summary>Enumerates every tensor a model stores: initializers and Constant-node values, in every subgraph.</summary>
public static class ModelTensors
{
    /// <summary>All stored tensors of <paramref name="model"/>, in file order.</summary>
    public static IEnumerable<TensorProto> All(ModelProto model)
    {
        foreach (var graph in GraphWalker.AllGraphs(model.Graph))
        {
            foreach (var initializer in graph.Initializer)
            {
                yield return initializer;
            }

            foreach (var node in graph.Node)
            {
                foreach (var attribute in node.Attribute)
                {
                    if (attribute.T is not null)
                    {
                        yield return attribute.T;
                    }

                    foreach (var tensor in attribute.Tensors)
                    {
                        yield return tensor;
                    }
                }
            }
        }
    }
}
