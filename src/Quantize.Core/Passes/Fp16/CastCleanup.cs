using Quantize.Core.Graph;
using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Fp16;

/// <summary>
/// Removes Casts that conversion made pointless: identities (a float32 Cast retargeted to float16 whose
/// input is already float16) and lossless round trips (float16 → float32 → float16 reads the first input
/// again). A Cast that produces a graph output is kept, since the output's name must stay defined.
/// </summary>
internal static class CastCleanup
{
    /// <summary>Cleans every graph of the model; returns the number of Cast nodes removed.</summary>
    public static int Run(GraphProto main, Func<string, DataType?> typeOf)
    {
        int removed = 0;
        foreach (var graph in GraphWalker.AllGraphs(main).ToList())
        {
            removed += RemoveRedundant(graph, typeOf);
            removed += RemoveUnused(graph);
        }

        return removed;
    }

    private static int RemoveRedundant(GraphProto graph, Func<string, DataType?> typeOf)
    {
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        int removed = 0;
        bool changed = true;
        while (changed)
        {
            changed = false;
            var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
            foreach (var node in graph.Node)
            {
                foreach (var output in node.Output)
                {
                    producers[output] = node;
                }
            }

            foreach (var cast in graph.Node.Where(IsCast))
            {
                var input = cast.Input[0];
                var output = cast.Output[0];
                if (outputs.Contains(output))
                {
                    continue;
                }

                var to = (DataType)cast.Attribute.First(a => a.Name == "to").I;
                string? replacement = null;
                if (typeOf(input) == to)
                {
                    replacement = input;
                }
                else if (producers.TryGetValue(input, out var first) && IsCast(first)
                    && typeOf(first.Input[0]) is { } original && original == to && IsLosslessWidening(original, typeOf(input)))
                {
                    replacement = first.Input[0];
                }

                if (replacement is not null)
                {
                    ReferenceRewriter.ReplaceReaders(graph, output, replacement);
                    graph.Node.Remove(cast);
                    removed++;
                    changed = true;
                    break; // the producer map is stale now
                }
            }
        }

        return removed;
    }

    /// <summary>Drops Casts nobody reads any more (the first half of a removed round trip). Casts have no side effects.</summary>
    private static int RemoveUnused(GraphProto graph)
    {
        int removed = 0;
        bool changed = true;
        while (changed)
        {
            var used = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var node in graph.Node)
            {
                used.UnionWith(node.Input);
                used.UnionWith(GraphWalker.OuterScopeInputs(node));
            }

            var dead = graph.Node.Where(n => IsCast(n) && !used.Contains(n.Output[0])).ToList();
            foreach (var node in dead)
            {
                graph.Node.Remove(node);
            }

            removed += dead.Count;
            changed = dead.Count > 0;
        }

        return removed;
    }

    private static bool IsCast(NodeProto node) =>
        node.OpType == "Cast" && node.Domain is "" or "ai.onnx" && node.Input.Count == 1 && node.Output.Count == 1
        && node.Attribute.Any(a => a.Name == "to");

    private static bool IsLosslessWidening(DataType from, DataType? to) => (from, to) switch
    {
        (DataType.Float16 or DataType.Bfloat16, DataType.Float or DataType.Double) => true,
        (DataType.Float, DataType.Double) => true,
        _ => false,
    };
}
