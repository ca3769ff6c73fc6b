using Quantize.Core.Onnx;

namespace Quantize.Core.Graph;

/// <summary>
/// Puts a graph's nodes (and its subgraphs' nodes) in a stable topological order. Exporters leave nodes
/// out of order and our passes insert nodes where convenient; sorting once before writing gives a valid
/// and deterministic file. Ties keep the original relative order.
/// </summary>
public static class TopologicalSorter
{
    /// <summary>Sorts <paramref name="graph"/> and every nested subgraph in place.</summary>
    public static void SortAll(GraphProto graph)
    {
        foreach (var g in GraphWalker.AllGraphs(graph))
        {
            Sort(g);
        }
    }

    /// <summary>Sorts one graph's node list in place. Nodes in a cycle keep their original order at the end.</summary>
    public static void Sort(GraphProto graph)
    {
        var nodes = graph.Node.ToList();
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < nodes.Count; i++)
        {
            foreach (var output in nodes[i].Output)
            {
                if (output.Length > 0)
                {
                    producer[output] = i;
                }
            }
        }

        var pending = new int[nodes.Count];
        var consumers = new List<int>[nodes.Count];
        for (int i = 0; i < nodes.Count; i++)
        {
            consumers[i] = [];
        }

        for (int i = 0; i < nodes.Count; i++)
        {
            var dependencies = new HashSet<int>();
            foreach (var input in nodes[i].Input.Concat(GraphWalker.OuterScopeInputs(nodes[i])))
            {
                if (input.Length > 0 && producer.TryGetValue(input, out var p) && p != i && dependencies.Add(p))
                {
                    consumers[p].Add(i);
                }
            }

            pending[i] = dependencies.Count;
        }

        // A min-heap on the original index keeps the order stable and deterministic.
        var ready = new PriorityQueue<int, int>();
        for (int i = 0; i < nodes.Count; i++)
        {
            if (pending[i] == 0)
            {
                ready.Enqueue(i, i);
            }
        }

        var order = new List<int>(nodes.Count);
        var placed = new bool[nodes.Count];
        while (ready.TryDequeue(out var i, out _))
        {
            order.Add(i);
            placed[i] = true;
            foreach (var c in consumers[i])
            {
                if (--pending[c] == 0)
                {
                    ready.Enqueue(c, c);
                }
            }
        }

        for (int i = 0; i < nodes.Count; i++)
        {
            if (!placed[i])
            {
                order.Add(i);
            }
        }

        graph.Node.Clear();
        graph.Node.AddRange(order.Select(i => nodes[i]));
    }
}
