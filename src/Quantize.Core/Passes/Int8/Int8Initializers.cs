using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Int8;

/// <summary>Stores a <see cref="QuantizedMatrix"/> as initializers: int8 values, float scale(s), int8 zero point(s).</summary>
internal static class Int8Initializers
{
    /// <summary>
    /// Adds the initializers for <paramref name="matrix"/> (shape <paramref name="dims"/>) to the graph owning
    /// <paramref name="weight"/>. Per-column scales and zero points are 1-D of the column count; per-tensor
    /// ones are scalars.
    /// </summary>
    public static QuantizedWeightNames Add(Int8Rewrite rewrite, ConstantWeight weight, QuantizedMatrix matrix, long[] dims, string suffix)
    {
        var names = new QuantizedWeightNames(
            rewrite.Fresh($"{weight.Name}{suffix}_quantized"),
            rewrite.Fresh($"{weight.Name}{suffix}_scale"),
            rewrite.Fresh($"{weight.Name}{suffix}_zero_point"));
        long[] parameterDims = matrix.PerColumn ? [matrix.Scales.Length] : [];
        var store = rewrite.Weights;
        store.AddInitializer(weight.Owner, TensorValues.Create<sbyte>(names.Values, DataType.Int8, dims, matrix.Values));
        store.AddInitializer(weight.Owner, TensorValues.FromFloats(names.Scale, parameterDims, matrix.Scales));
        store.AddInitializer(weight.Owner, TensorValues.Create<sbyte>(names.ZeroPoint, DataType.Int8, parameterDims, new sbyte[matrix.Scales.Length]));
        return names;
    }
}
