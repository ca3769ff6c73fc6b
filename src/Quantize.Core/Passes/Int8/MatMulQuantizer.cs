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
        if (node.Input.Count != 2 || rewrite.Weights.Find(scope, node.Input[1]) is not { } weight
            || !rewrite.IsQuantizableFloatWeight(weight, rank: 2, out var values, out var statistics))
        {
            return false;
        }

        int k = (int)weight.Tensor.Dims[0];
        int n = (int)weight.Tensor.Dims[1];
        var names = rewrite.Weights.GetOrCreate(weight, "matmul", () =>
        {
            bool perColumn = rewrite.PerColumn(weight, statistics);
            return Int8Initializers.Add(rewrite, weight, SymmetricWeights.Quantize(values, k, n, perColumn, statistics), [k, n], string.Empty, zeroPointPerColumn: false);
        });

        IntegerMatMulChain.Emit(rewrite, scope, node.Input[0], names, node.Output[0], Int8Rewrite.Stem(node));
        BiasAddOrder.PutConstantSecond(node.Output[0], scope, rewrite);
        scope.Replace(node);
        rewrite.Context.Result.RecordQuantized(node);
        return true;
    }
}
