using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int8Static;

/// <summary>
/// Ops that only move, select or take the maximum of values: their outputs reuse the input's scale and zero
/// point, so ONNX Runtime drops the DequantizeLinear/QuantizeLinear around them and runs them on the
/// integers. They are quantized only when their input already is (after a quantized op): in front of a
/// float producer a Q/DQ pair would only add work.
/// </summary>
internal sealed class SharedParameterQuantizer : IStaticOpQuantizer
{
    /// <summary>Ops with integer kernels from these opsets (MaxPool int8 from 12, Resize int8 from 11).</summary>
    private static readonly Dictionary<string, long> MinimumOpsets = new(StringComparer.Ordinal)
    {
        ["Reshape"] = 1,
        ["Transpose"] = 1,
        ["Squeeze"] = 1,
        ["Unsqueeze"] = 1,
        ["Flatten"] = 1,
        ["Slice"] = 1,
        ["Gather"] = 1,
        ["Expand"] = 1,
        ["Tile"] = 1,
        ["Split"] = 1,
        ["TopK"] = 1,
        ["MaxPool"] = 12,
        ["Resize"] = 11,
    };

    public IReadOnlyCollection<string> OpTypes => MinimumOpsets.Keys;

    public bool TryQuantize(NodeProto node, QdqRewrite rewrite)
    {
        if (node.Input.Count == 0 || rewrite.Format.DefaultOpset < MinimumOpsets[node.OpType] || !rewrite.IsQuantized(node.Input[0]))
        {
            return false;
        }

        // MaxPool's optional second output holds indices; TopK's second too: only float values share parameters.
        int sharedOutputs = node.OpType is "Split" ? node.Output.Count : 1;
        if (node.OpType == "MaxPool" && node.Output.Count > 1 && node.Output[1].Length > 0)
        {
            return false;
        }

        for (int i = 0; i < sharedOutputs; i++)
        {
            if (node.Output[i].Length > 0)
            {
                rewrite.Share(node.Output[i], node.Input[0]);
            }
        }

        rewrite.Context.Result.RecordQuantized(node);
        return true;
    }
}
