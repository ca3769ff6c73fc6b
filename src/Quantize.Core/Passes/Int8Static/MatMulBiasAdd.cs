using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int8Static;

/// <summary>
/// The bias half of a Linear layer exported as MatMul followed by Add(constant), as transformer exports
/// write it. Static INT8 keeps that Add float, so the MatMul runs with a float output (ONNX Runtime's
/// MatMulIntegerToFloat) instead of rounding the projection to 8 bits only to add a vector to it: the
/// projections' outputs carry the outlier dimensions of the residual stream, and on all-MiniLM-L6-v2
/// quantizing them cost the mean embedding cosine 0.926 against 0.990 — and the float form runs faster.
/// </summary>
internal static class MatMulBiasAdd
{
    /// <summary>True when <paramref name="node"/> is an Add of a constant to the output of a MatMul.</summary>
    public static bool Matches(NodeProto node, QdqRewrite rewrite)
    {
        if (node.OpType != "Add" || node.Input.Count != 2)
        {
            return false;
        }

        bool constant0 = rewrite.Weights.Find(rewrite.Scope, node.Input[0]) is not null;
        bool constant1 = rewrite.Weights.Find(rewrite.Scope, node.Input[1]) is not null;
        if (constant0 == constant1)
        {
            return false;
        }

        var activation = constant0 ? node.Input[1] : node.Input[0];
        return rewrite.Scope.Index.Producer(activation)?.OpType == "MatMul";
    }
}
