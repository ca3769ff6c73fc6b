using Quantize.Core.Onnx;

namespace Quantize.Core.Graph;

/// <summary>
/// Hands out tensor and node names that are unused anywhere in a model (subgraphs included). Names are
/// derived from a hint plus a counter, so the same input always yields the same names.
/// </summary>
public sealed class NameAllocator
{
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    /// <summary>Reserves every name already present in <paramref name="model"/>.</summary>
    public NameAllocator(ModelProto model)
    {
        foreach (var graph in GraphWalker.AllGraphs(model.Graph))
        {
            _used.UnionWith(graph.Input.Select(v => v.Name));
            _used.UnionWith(graph.Output.Select(v => v.Name));
            _used.UnionWith(graph.ValueInfo.Select(v => v.Name));
            _used.UnionWith(graph.Initializer.Select(t => t.Name));
            foreach (var node in graph.Node)
            {
                _used.Add(node.Name);
                _used.UnionWith(node.Input);
                _used.UnionWith(node.Output);
            }
        }
    }

    /// <summary>Returns <paramref name="hint"/> if free, else <c>hint_1</c>, <c>hint_2</c>…; the name is then taken.</summary>
    public string Fresh(string hint)
    {
        if (_used.Add(hint))
        {
            return hint;
        }

        for (int i = 1; ; i++)
        {
            var candidate = $"{hint}_{i}";
            if (_used.Add(candidate))
            {
                return candidate;
            }
        }
    }
}
