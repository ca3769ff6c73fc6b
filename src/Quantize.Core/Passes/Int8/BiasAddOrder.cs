using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int8;

/// <summary>
/// ONNX Runtime folds a bias Add into MatMulIntegerToFloat only when the bias is the Add's second input
/// (a constant 1-D initializer). PyTorch exports <c>Add(bias, MatMul)</c> as often as <c>Add(MatMul, bias)</c>;
/// Add is commutative and broadcasts symmetrically, so swapping the operands changes nothing but lets
/// the bias fuse.
/// </summary>
internal static class BiasAddOrder
{
    public static void PutConstantSecond(string product, Int8RewriteScope scope, Int8Rewrite rewrite)
    {
        var consumers = scope.Index.Consumers(product);
        if (consumers.Count != 1 || scope.Index.IsGraphOutput(product))
        {
            return;
        }

        var add = consumers[0];
        if (add.OpType != "Add" || add.Domain is not ("" or "ai.onnx") || add.Input.Count != 2 || rewrite.Context.Excluded.Matches(add)
            || add.Input[1] != product || add.Input[0] == product)
        {
            return;
        }

        if (rewrite.Weights.Find(scope, add.Input[0]) is { } bias && bias.Tensor.Dims.Count == 1)
        {
            (add.Input[0], add.Input[1]) = (add.Input[1], add.Input[0]);
        }
    }
}
