using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int8Static;

/// <summary>
/// A Conv that static INT8 would make slower than float on ONNX Runtime's CPU provider: an island between float ops
/// (its input is a graph input or comes from a float op, so it needs its own QuantizeLinear, and only float ops read its output, so they
/// need a DequantizeLinear) whose integer kernel saves less than those two passes over memory cost. Measured on
/// 56×56 maps between HardSwish ops, six in a row (docs/measured-results.md, "Never slower by default"): depthwise
/// and other grouped Convs 0.43–0.57× float, 1×1 with 32 input channels 0.68×; 1×1 with 64 inputs 1.09× and 3×3 with
/// 32 inputs 1.52× faster. So a grouped Conv, or one with fewer than <see cref="MinimumMultiplyAdds"/> multiply-adds
/// per output value, stays float when it is such an island. The same Convs between quantized ops are fast (MLSD's
/// depthwise QLinearConvs run 2.3–3.3× faster than float) and are not affected.
/// </summary>
internal static class SlowConvIsland
{
    /// <summary>Multiply-adds per output value (input channels per group × kernel size) below which an island is slower.</summary>
    public const long MinimumMultiplyAdds = 64;

    /// <summary>True when <paramref name="node"/> (a Conv with constant <paramref name="weightDims"/>) would be such an island.</summary>
    public static bool Applies(NodeProto node, long[] weightDims, string outputTarget, QdqRewrite rewrite)
    {
        if (node.OpType != "Conv" || !rewrite.Format.Options.AvoidSlowPatterns)
        {
            return false;
        }

        long group = NodeAttributes.Find(node, "group")?.I ?? 1;
        long multiplyAdds = weightDims.Skip(1).Aggregate(1L, (a, b) => a * b);
        if (group == 1 && multiplyAdds >= MinimumMultiplyAdds)
        {
            return false;
        }

        var index = rewrite.Scope.Index;
        // The input is a float graph input or written by a float op: not yet quantized, so it needs its own QuantizeLinear.
        bool floatInput = !rewrite.IsQuantized(node.Input[0]);
        var readers = index.Consumers(outputTarget);
        bool floatReaders = !index.IsGraphOutput(outputTarget) && readers.Count > 0 && !readers.Any(r => MayRunOnIntegers(r, outputTarget, rewrite));
        return floatInput && floatReaders;
    }

    /// <summary>
    /// False when <paramref name="reader"/> of <paramref name="tensor"/> is sure to stay float: not an integer op, or an
    /// element-wise one with another input that no integer op writes (HardSwish inlined as x · HardSigmoid(x)).
    /// </summary>
    private static bool MayRunOnIntegers(NodeProto reader, string tensor, QdqRewrite rewrite) =>
        rewrite.IsIntegerOp(reader)
        && (!ElementwiseQuantizer.Types.Contains(reader.OpType) || reader.Input.Where(i => i.Length > 0 && i != tensor).All(i =>
            rewrite.IsQuantized(i) || rewrite.Weights.Find(rewrite.Scope, i) is not null || (rewrite.Scope.Index.Producer(i) is { } producer && rewrite.IsIntegerOp(producer))));
}
