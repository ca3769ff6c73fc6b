using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Int8Static;

/// <summary>
/// An embedding lookup, Gather(constant float table, ids) along axis 0: the table is stored int8 and the
/// Gather reads it directly, with one DequantizeLinear after it, so each run dequantizes only the rows it
/// gathered (a DequantizeLinear in front would rebuild the whole float table every run). Per column
/// (one scale per embedding dimension) when per-channel is on and the opset has per-axis Q/DQ.
/// </summary>
internal sealed class EmbeddingGatherQuantizer : IStaticOpQuantizer
{
    public IReadOnlyCollection<string> OpTypes { get; } = ["Gather"];

    public bool TryQuantize(NodeProto node, QdqRewrite rewrite)
    {
        if (node.Input.Count != 2 || rewrite.Weights.Find(rewrite.Scope, node.Input[0]) is not { } table
            || table.Tensor.ElementType() != DataType.Float || table.Tensor.Dims.Count < 1 || table.Tensor.ElementCount() < rewrite.Context.Options.MinElements)
        {
            return false;
        }

        int rank = table.Tensor.Dims.Count;
        long axis = node.Attribute.FirstOrDefault(a => a.Name == "axis")?.I ?? 0;
        var values = table.Tensor.ReadFloats();
        if ((axis != 0 && axis != -rank) || !values.All(float.IsFinite))
        {
            return false;
        }

        var format = rewrite.Format;
        bool perColumn = rank >= 2 && format.Options.PerChannel && format.DefaultOpset >= QdqFormat.PerAxisOpset;
        int? columnAxis = perColumn ? rank - 1 : null;
        long[] dims = [.. table.Tensor.Dims];
        var names = rewrite.Weights.GetOrCreate(table, $"qdq gather columns={perColumn}", () =>
        {
            var parameters = PerAxisWeights.Parameters(values, dims, columnAxis, format.WeightRange, symmetric: true);
            return rewrite.StoreWeight(table, PerAxisWeights.Quantize(values, dims, columnAxis, parameters, format.WeightRange), dims);
        });

        var gathered = rewrite.Names.Fresh($"{node.Output[0]}_quantized");
        var output = node.Output[0];
        node.Input[0] = names.Values;
        node.Output[0] = gathered;
        rewrite.AddDequantize(gathered, names.Scale, names.ZeroPoint, output, perColumn ? -1 : null, exactName: true);
        rewrite.Context.Result.RecordQuantized(node);
        return true;
    }
}
