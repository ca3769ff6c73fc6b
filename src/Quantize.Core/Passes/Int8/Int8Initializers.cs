using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Int8;

/// <summary>Stores a <see cref="QuantizedMatrix"/> as initializers: int8 values, float scale(s), int8 zero point(s).</summary>
internal static class Int8Initializers
{
    /// <summary>
    /// Adds the initializers for <paramref name="matrix"/> (shape <paramref name="dims"/>) to the graph owning
    /// <paramref name="weight"/>. Per-column scales and zero points are 1-D of the column count; per-tensor
    /// ones are scalars. The zero point is a scalar 0 unless <paramref name="zeroPointPerColumn"/>:
    /// MatMulInteger accepts a scalar zero point beside per-column scales (and the integer kernel then takes
    /// its faster uniform-zero-point path), while per-axis DequantizeLinear needs one per scale.
    /// </summary>
    public static QuantizedWeightNames Add(Int8Rewrite rewrite, ConstantWeight weight, QuantizedMatrix matrix, long[] dims, string suffix, bool zeroPointPerColumn)
    {
        var names = new QuantizedWeightNames(
            rewrite.Fresh($"{weight.Name}{suffix}_quantized"),
            rewrite.Fresh($"{weight.Name}{suffix}_scale"),
            rewrite.Fresh($"{weight.Name}{suffix}_zero_point"));
        long[] parameterDims = matrix.PerColumn ? [matrix.Scales.Length] : [];
        var store = rewrite.Weights;
        store.AddInitializer(weight.Owner, TensorValues.Create(names.Values, DataType.Int8, dims, matrix.Values));
        store.AddInitializer(weight.Owner, TensorValues.FromFloats(names.Scale, parameterDims, matrix.Scales));
        long[] zeroPointDims = zeroPointPerColumn ? parameterDims : [];
        store.AddInitializer(weight.Owner, TensorValues.Create<sbyte>(names.ZeroPoint, DataType.Int8, zeroPointDims, new sbyte[zeroPointPerColumn ? matrix.Scales.Length : 1]));
        return names;
    }
}
