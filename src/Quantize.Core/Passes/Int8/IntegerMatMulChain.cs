using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int8;

/// <summary>
/// Emits the dynamic-quantization form of Y = A × B for a float activation A and an int8 weight B:
/// DynamicQuantizeLinear(A) → MatMulInteger(A_q, B_q, A_zp, B_zp) → Cast(float) → Mul(·, Mul(A_scale, B_scale)).
/// This is exactly the chain ONNX Runtime's CPU optimizer fuses at load (MatMulIntegerToFloatFusion,
/// then DynamicQuantizeMatMulFusion when the DynamicQuantizeLinear feeds nothing else), so the shape here
/// is dictated by those fusions:
/// <list type="bullet">
/// <item>The scale product is its own Mul with A's scale first and B's second: the fused kernel takes its
/// inputs in that order, and the Mul must feed only this chain, so it is never shared.</item>
/// <item>Cast and MatMulInteger outputs feed only the next node of the chain.</item>
/// <item>B, its scale and zero point are initializers; per-column scales/zero points of shape [N] are
/// supported by the fused kernels.</item>
/// </list>
/// One DynamicQuantizeLinear per activation and graph is shared by every MatMul reading it (Q/K/V
/// projections): it then fuses to MatMulIntegerToFloat rather than DynamicQuantizeMatMul, and the
/// activation is quantized once instead of once per consumer.
/// </summary>
internal static class IntegerMatMulChain
{
    /// <summary>Writes the chain into <paramref name="scope"/>; its last node produces <paramref name="output"/>.</summary>
    public static void Emit(Int8Rewrite rewrite, Int8RewriteScope scope, string activation, QuantizedWeightNames weight, string output, string stem)
    {
        var a = QuantizeActivation(rewrite, scope, activation);

        var product = rewrite.Fresh($"{stem}_MatMulInteger_out");
        scope.Add(rewrite.NewNode("MatMulInteger", $"{stem}_MatMulInteger", [a.Values, weight.Values, a.ZeroPoint, weight.ZeroPoint], [product]));

        var asFloat = rewrite.Fresh($"{stem}_Cast_out");
        var cast = rewrite.NewNode("Cast", $"{stem}_Cast", [product], [asFloat]);
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float });
        scope.Add(cast);

        var scale = rewrite.Fresh($"{stem}_scale");
        scope.Add(rewrite.NewNode("Mul", $"{stem}_scale_Mul", [a.Scale, weight.Scale], [scale]));
        scope.Add(rewrite.NewNode("Mul", $"{stem}_output_Mul", [asFloat, scale], [output]));
    }

    private static DynamicQuantizedActivation QuantizeActivation(Int8Rewrite rewrite, Int8RewriteScope scope, string activation)
    {
        if (scope.QuantizedActivation(activation) is { } existing)
        {
            return existing;
        }

        var quantized = new DynamicQuantizedActivation(
            rewrite.Fresh($"{activation}_quantized"),
            rewrite.Fresh($"{activation}_scale"),
            rewrite.Fresh($"{activation}_zero_point"));
        scope.Add(rewrite.NewNode("DynamicQuantizeLinear", $"{activation}_DynamicQuantizeLinear", [activation], [quantized.Values, quantized.Scale, quantized.ZeroPoint]));
        scope.RememberQuantizedActivation(activation, quantized);
        return quantized;
    }
}
