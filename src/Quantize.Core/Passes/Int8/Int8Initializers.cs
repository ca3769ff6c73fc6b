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
        Store(rewrite, weight, names, matrix, dims, parameterDims, zeroPointPerColumn ? parameterDims : []);
        return names;
    }

    /// <summary>
    /// Adds <paramref name="matrix"/> under <paramref name="names"/> to the graph owning <paramref name="weight"/>:
    /// the int8 values shaped <paramref name="dims"/>, the scales shaped <paramref name="scaleDims"/>, and
    /// all-zero int8 zero points shaped <paramref name="zeroPointDims"/>.
    /// </summary>
    public static void Store(Int8Rewrite rewrite, ConstantWeight weight, QuantizedWeightNames names, QuantizedMatrix matrix, long[] dims, long[] scaleDims, long[] zeroPointDims)
    {
        var store = rewrite.Weights;
        store.AddInitializer(weight.Owner, TensorValues.Create(names.Values, DataType.Int8, dims, matrix.Values));
        store.AddInitializer(weight.Owner, TensorValues.FromFloats(names.Scale, scaleDims, matrix.Scales));
        int zeroPoints = (int)zeroPointDims.Aggregate(1L, (a, b) => a * b);
        store.AddInitializer(weight.Owner, TensorValues.Create<sbyte>(names.ZeroPoint, DataType.Int8, zeroPointDims, new sbyte[zeroPoints]));
    }
}
