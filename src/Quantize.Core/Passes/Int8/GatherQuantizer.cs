using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int8;

/// <summary>
/// An embedding lookup Gather(table constant float, ids) along axis 0 → Gather(table int8, ids) →
/// DequantizeLinear. Gathering first means only the rows a run actually reads are dequantized, and the
/// graph still produces float rows for whatever follows.
/// <para>
/// Scales: one per tensor by default (what ONNX Runtime's quantizer does). With per-channel on (and
/// opset ≥ 13 for per-axis DequantizeLinear) there is one scale per embedding dimension, dequantized along
/// the gathered rows' last axis: transformer embeddings carry a few outlier dimensions whose range would
/// otherwise set the step size for every dimension. Per-row scales would need a second Gather and a Mul
/// instead of one DequantizeLinear, for less benefit on such tables.
/// </para>
/// </summary>
internal sealed class GatherQuantizer : IDynamicOpQuantizer
{
    /// <summary>DequantizeLinear exists from opset 10; per-axis scales from 13.</summary>
    public const long MinimumOpset = 10;

    private const long PerAxisOpset = 13;

    public string OpType => "Gather";

    public bool TryQuantize(NodeProto node, Int8RewriteScope scope, Int8Rewrite rewrite)
    {
        if (node.Input.Count != 2 || rewrite.DefaultOpset < MinimumOpset
            || rewrite.Weights.Find(scope, node.Input[0]) is not { } table
            || !rewrite.IsQuantizableFloatWeight(table, rank: null, out var values, out var statistics))
        {
            return false;
        }

        int rank = table.Tensor.Dims.Count;
        long axis = node.Attribute.FirstOrDefault(a => a.Name == "axis")?.I ?? 0;
        if (axis != 0 && axis != -rank)
        {
            return false;
        }

        int columns = (int)table.Tensor.Dims[rank - 1];
        int rows = values.Length / columns;
        bool perColumn = rank == 2 && rewrite.DefaultOpset >= PerAxisOpset && rewrite.PerColumn(table, statistics);
        var names = rewrite.Weights.GetOrCreate(table, perColumn ? "gather-per-column" : "gather", () =>
            Int8Initializers.Add(rewrite, table, SymmetricWeights.Quantize(values, rows, columns, perColumn, statistics), [.. table.Tensor.Dims], string.Empty, zeroPointPerColumn: true));

        var stem = Int8Rewrite.Stem(node);
        var gatheredRows = rewrite.Fresh($"{node.Output[0]}_quantized");
        var gather = rewrite.NewNode("Gather", $"{stem}_quantized", [names.Values, node.Input[1]], [gatheredRows]);
        gather.Attribute.AddRange(node.Attribute);
        var dequantize = rewrite.NewNode("DequantizeLinear", $"{stem}_DequantizeLinear", [gatheredRows, names.Scale, names.ZeroPoint], [node.Output[0]]);
        if (perColumn)
        {
            dequantize.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = -1 });
        }

        scope.Replace(node);
        scope.Add(gather);
        scope.Add(dequantize);
        rewrite.Context.Result.RecordQuantized(node);
        return true;
    }
}
