using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int8;

/// <summary>
/// MatMul(A float32, B constant 2-D float32) → the fused integer chain of <see cref="IntegerMatMulChain"/>.
/// Per-channel scales run along axis 1 (one per output column N).
/// </summary>
internal sealed class MatMulQuantizer : IDynamicOpQuantizer
{
    public string OpType => "MatMul";

    public bool TryQuantize(NodeProto node, Int8RewriteScope scope, Int8Rewrite rewrite)
    {
        // MatMul's inputs share one type constraint, so a float32 weight implies a float32 activation:
        // no type inference needed (it would cost an ONNX Runtime session over the whole model).
        if (node.Input.Count != 2)
        {
            return false;
        }

        // A weight read through a Transpose (a tied lm_head) is quantized transposed back into B[K, N].
        var transpose = Graph.WeightTranspose.Find(scope.Index, node.Input[1]);
        if (rewrite.Weights.Find(scope, transpose?.Input[0] ?? node.Input[1]) is not { } weight
            || !rewrite.IsQuantizableFloatWeight(weight, rank: 2, out var values, out var statistics))
        {
            return false;
        }

        int k = (int)weight.Tensor.Dims[transpose is null ? 0 : 1];
        int n = (int)weight.Tensor.Dims[transpose is null ? 1 : 0];
        if (transpose is not null)
        {
            // Measured and quantized as stored, [N, K], and only the bytes transposed: no float copy of a table that is
            // hundreds of MB in a decoder.
            statistics = SymmetricWeights.MeasureTransposed(values, n, k);
            rewrite.Weights.MarkReplaced(transpose.Output[0]);
        }

        var names = rewrite.Weights.GetOrCreate(weight, transpose is null ? "matmul" : "matmul-transposed", () =>
        {
            bool perColumn = rewrite.PerColumn(weight, statistics);
            var quantized = transpose is null
                ? SymmetricWeights.Quantize(values, k, n, perColumn, statistics)
                : SymmetricWeights.QuantizeTransposed(values, n, k, perColumn, statistics);
            return Int8Initializers.Add(rewrite, weight, quantized, [k, n], string.Empty, zeroPointPerColumn: false);
        });

        IntegerMatMulChain.Emit(rewrite, scope, node.Input[0], names, node.Output[0], Int8Rewrite.Stem(node));
        BiasAddOrder.PutConstantSecond(node.Output[0], scope, rewrite);
        scope.Replace(node);
        rewrite.Context.Result.RecordQuantized(node);
        return true;
    }
}
