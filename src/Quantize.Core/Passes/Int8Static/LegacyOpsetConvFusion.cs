using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int8Static;

/// <summary>
/// Models below opset 10 cannot be left to ONNX Runtime's QDQ fusion for Conv: it turns DQ→Conv→Q into the
/// default-domain QLinearConv, which opset 8 or 9 does not have, and the session then fails to load
/// ("No Op registered for QLinearConv with domain_version of 8"). So for those models we do the fusion
/// ourselves, into com.microsoft QLinearConv (same inputs and attributes, registered from opset 1 of that
/// domain), and leave the opset alone.
/// </summary>
internal static class LegacyOpsetConvFusion
{
    /// <summary>The first default-domain opset with QLinearConv and QLinearMatMul.</summary>
    public const long QLinearOpset = 10;

    public static int Fuse(GraphProto graph, string domain)
    {
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        var readers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output)
            {
                producers[output] = node;
            }

            foreach (var input in node.Input)
            {
                readers[input] = readers.GetValueOrDefault(input) + 1;
            }
        }

        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var removed = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        var added = new List<NodeProto>();
        foreach (var conv in graph.Node.Where(n => n.OpType == "Conv" && n.Domain is "" or "ai.onnx"))
        {
            var dequantized = conv.Input.Select(i => i.Length > 0 ? producers.GetValueOrDefault(i) : null).ToList();
            if (conv.Input.Count < 2 || dequantized.Any(d => d is null || d.OpType != "DequantizeLinear" || d.Domain != domain)
                || readers.GetValueOrDefault(conv.Output[0]) != 1 || graphOutputs.Contains(conv.Output[0]))
            {
                continue;
            }

            var quantize = graph.Node.First(n => n.Input.Count > 0 && n.Input[0] == conv.Output[0]);
            if (quantize.OpType != "QuantizeLinear" || quantize.Domain != domain || quantize.Input.Count < 3)
            {
                continue;
            }

            var fused = new NodeProto { OpType = "QLinearConv", Domain = Opsets.Microsoft, Name = conv.Name };
            fused.Input.AddRange(dequantized[0]!.Input.Take(3));
            fused.Input.AddRange(dequantized[1]!.Input.Take(3));
            fused.Input.Add(quantize.Input[1]);
            fused.Input.Add(quantize.Input[2]);
            if (dequantized.Count > 2)
            {
                fused.Input.Add(dequantized[2]!.Input[0]);
            }

            fused.Output.Add(quantize.Output[0]);
            fused.Attribute.AddRange(conv.Attribute);
            removed.Add(conv);
            removed.Add(quantize);
            added.Add(fused);
        }

        if (removed.Count == 0)
        {
            return 0;
        }

        var kept = graph.Node.Where(n => !removed.Contains(n)).Concat(added).ToList();
        graph.Node.Clear();
        graph.Node.AddRange(kept);
        RemoveUnreadDequantizers(graph);
        return added.Count;
    }

    /// <summary>DequantizeLinear nodes whose only readers were fused away.</summary>
    private static void RemoveUnreadDequantizers(GraphProto graph)
    {
        var read = graph.Node.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
        var kept = graph.Node.Where(n => n.OpType != "DequantizeLinear" || read.Contains(n.Output[0])).ToList();
        graph.Node.Clear();
        graph.Node.AddRange(kept);
    }
}
