using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int4;

/// <summary>
/// Drops float weights nothing reads any more (their initializer or Constant node, plus any graph-input
/// or value_info entry naming them), and the Transposes that fed weights to rewritten MatMuls once nothing
/// reads them. A weight still read by a node left in float, by a subgraph or as a graph output stays.
/// </summary>
internal static class DeadWeightRemover
{
    /// <summary>Removes those of <paramref name="weights"/> and <paramref name="transposes"/> that the model no longer references.</summary>
    public static void Remove(ModelProto model, IEnumerable<ConstantWeight> weights, IEnumerable<NodeProto> transposes)
    {
        var transposeList = transposes.Distinct(ReferenceEqualityComparer.Instance).Cast<NodeProto>().ToList();
        if (transposeList.Count > 0)
        {
            var read = References(model);
            foreach (var graph in GraphWalker.AllGraphs(model.Graph))
            {
                foreach (var transpose in transposeList.Where(t => !read.Contains(t.Output[0])))
                {
                    RemoveByReference(graph.Node, transpose);
                }
            }
        }

        Remove(model, weights);
    }

    private static HashSet<string> References(ModelProto model)
    {
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var graph in GraphWalker.AllGraphs(model.Graph))
        {
            foreach (var node in graph.Node)
            {
                referenced.UnionWith(node.Input);
            }

            referenced.UnionWith(graph.Output.Select(o => o.Name));
        }

        return referenced;
    }

    /// <summary>Removes those of <paramref name="weights"/> that the model no longer references.</summary>
    private static void Remove(ModelProto model, IEnumerable<ConstantWeight> weights)
    {
        var referenced = References(model);
        foreach (var weight in weights)
        {
            if (referenced.Contains(weight.Name))
            {
                continue;
            }

            var graph = weight.Owner.Graph;
            if (weight.ConstantNode is { } constant)
            {
                RemoveByReference(graph.Node, constant);
            }
            else
            {
                RemoveByReference(graph.Initializer, weight.Tensor);
            }

            RemoveNamed(graph.Input, weight.Name);
            RemoveNamed(graph.ValueInfo, weight.Name);
        }
    }

    private static void RemoveByReference<T>(IList<T> list, T item)
        where T : class
    {
        // Not List.Remove: protobuf messages compare by value, which would compare whole payloads.
        for (int i = 0; i < list.Count; i++)
        {
            if (ReferenceEquals(list[i], item))
            {
                list.RemoveAt(i);
                return;
            }
        }
    }

    private static void RemoveNamed(Google.Protobuf.Collections.RepeatedField<ValueInfoProto> list, string name)
    {
        for (int i = list.Count - 1; i >= 0; i--)
        {
            if (list[i].Name == name)
            {
                list.RemoveAt(i);
            }
        }
    }
}
