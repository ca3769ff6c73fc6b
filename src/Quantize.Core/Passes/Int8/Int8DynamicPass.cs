using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int8;

/// <summary>
/// INT8 dynamic quantization: weights stored int8 (symmetric), activations quantized to uint8 at run time.
/// MatMul and Gemm with constant weights become the DynamicQuantizeLinear → MatMulInteger chain ONNX
/// Runtime fuses into one kernel; embedding Gathers read an int8 table and dequantize the gathered rows;
/// LSTMs become the fused DynamicQuantizeLSTM. Conv, GRU and RNN stay float (see <see cref="Run"/>).
/// </summary>
public sealed class Int8DynamicPass : IQuantizationPass
{
    /// <summary>DynamicQuantizeLinear, the head of every MatMul chain, exists from opset 11.</summary>
    public const long MatMulMinimumOpset = 11;

    /// <summary>Recurrent ops ONNX Runtime has no integer kernel for.</summary>
    private static readonly string[] UnfusedRecurrentOps = ["GRU", "RNN"];

    private static readonly IDynamicOpQuantizer[] Quantizers = [new MatMulQuantizer(), new GemmQuantizer(), new GatherQuantizer(), new LstmQuantizer()];

    /// <inheritdoc/>
    public Precision Precision => Precision.Int8;

    /// <inheritdoc />
    public IReadOnlyList<EmittedOperator> EmittedOperators { get; } = [new(Opsets.Microsoft, "DynamicQuantizeLSTM", "1.6.0")];

    /// <inheritdoc/>
    public void Run(PassContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rewrite = new Int8Rewrite(context);
        var opTypes = GraphWalker.AllGraphs(context.Model.Graph).SelectMany(g => g.Node).Where(IsDefaultDomain).Select(n => n.OpType).ToHashSet(StringComparer.Ordinal);
        var active = Quantizers.Where(q => opTypes.Contains(q.OpType)).ToList();

        if (rewrite.DefaultOpset < MatMulMinimumOpset)
        {
            var leftFloat = active.Where(q => q.OpType is "MatMul" or "Gemm").Select(q => q.OpType).ToList();
            active.RemoveAll(q => q.OpType is "MatMul" or "Gemm");
            foreach (var opType in leftFloat)
            {
                var reason = $"the model imports opset {rewrite.DefaultOpset}, and DynamicQuantizeLinear needs opset {MatMulMinimumOpset}; the opset is not raised because that would change the meaning of other ops";
                rewrite.Skip(opType, reason);
                context.Result.Notes.Add($"{opType} left in float: {reason}.");
            }
        }

        if (opTypes.Contains("Conv"))
        {
            context.Result.Notes.Add("Conv left in float: dynamic ConvInteger (u8×s8) has no fast CPU kernel in ONNX Runtime and runs slower than float Conv.");
        }

        foreach (var recurrent in UnfusedRecurrentOps.Where(opTypes.Contains))
        {
            context.Result.Notes.Add($"{recurrent} left in float: ONNX Runtime has no fused integer {recurrent} kernel (LSTM has DynamicQuantizeLSTM).");
        }

        if (active.Count > 0)
        {
            Rewrite(context.Model.Graph, outer: null, active, rewrite);
            UnusedWeights.Remove(context.Model, rewrite.Weights.Replaced);
            if (rewrite.OutlierWeights.Count > 0)
            {
                context.Result.Notes.Add($"{rewrite.OutlierWeights.Count} weight(s) use per-column scales although per-tensor was asked for: a few outlier columns would have made one scale's rounding error over {SymmetricWeights.OutlierErrorRatio}× larger ({string.Join(", ", rewrite.OutlierWeights.Take(5))}{(rewrite.OutlierWeights.Count > 5 ? ", ..." : string.Empty)}).");
            }
        }
    }

    private static void Rewrite(GraphProto graph, Int8RewriteScope? outer, IReadOnlyList<IDynamicOpQuantizer> quantizers, Int8Rewrite rewrite)
    {
        var scope = new Int8RewriteScope(graph, outer);
        var originalNodes = graph.Node.ToList();
        foreach (var node in originalNodes)
        {
            if (!IsDefaultDomain(node) || rewrite.Context.Excluded.Matches(node))
            {
                continue;
            }

            int before = graph.Initializer.Count;
            if (quantizers.FirstOrDefault(q => q.OpType == node.OpType)?.TryQuantize(node, scope, rewrite) == true)
            {
                rewrite.Context.DoneWith(graph.Initializer.Skip(before));
            }
        }

        // Subgraphs after their parent, so that weights they read from it resolve against the parent's index.
        foreach (var node in originalNodes)
        {
            foreach (var subgraph in GraphWalker.Subgraphs(node))
            {
                Rewrite(subgraph, scope, quantizers, rewrite);
            }
        }

        scope.RemoveReplacedNodes();
    }

    private static bool IsDefaultDomain(NodeProto node) => node.Domain is "" or "ai.onnx";
}
