using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Numerics;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Evaluation;

/// <summary>
/// Moves evaluation tensors between our samples and ONNX Runtime: outputs of any numeric type read as float
/// (fp16/bf16 widened, integers and bools compared as their values), and sample inputs fed in the element
/// type a session declares (a model whose float inputs were converted to fp16 still takes the same sample).
/// </summary>
internal static class OrtTensors
{
    /// <summary>
    /// The output's elements as float. A float32 output is read without copying (valid while
    /// <paramref name="value"/> lives); others are converted into <paramref name="buffer"/>, grown as needed.
    /// False for values that are not numeric tensors (sequences, maps, strings).
    /// </summary>
    public static bool TryReadFloats(OrtValue value, ref float[] buffer, out ReadOnlySpan<float> values)
    {
        values = default;
        if (!value.IsTensor)
        {
            return false;
        }

        var info = value.GetTensorTypeAndShape();
        int count = checked((int)info.ElementCount);
        if (info.ElementDataType == TensorElementType.Float)
        {
            values = value.GetTensorDataAsSpan<float>();
            return true;
        }

        if (buffer.Length < count)
        {
            buffer = new float[count];
        }

        var destination = buffer.AsSpan(0, count);
        switch (info.ElementDataType)
        {
            case TensorElementType.Float16:
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(value.GetTensorDataAsSpan<byte>()), destination);
                break;
            case TensorElementType.BFloat16:
                var bits = MemoryMarshal.Cast<byte, ushort>(value.GetTensorDataAsSpan<byte>());
                for (int i = 0; i < count; i++)
                {
                    destination[i] = BFloat16Converter.ToSingle(bits[i]);
                }

                break;
            case TensorElementType.Double:
                TensorPrimitives.ConvertTruncating(value.GetTensorDataAsSpan<double>(), destination);
                break;
            case TensorElementType.Int64:
                TensorPrimitives.ConvertTruncating(value.GetTensorDataAsSpan<long>(), destination);
                break;
            case TensorElementType.Int32:
                TensorPrimitives.ConvertTruncating(value.GetTensorDataAsSpan<int>(), destination);
                break;
            case TensorElementType.Int16:
                TensorPrimitives.ConvertTruncating(value.GetTensorDataAsSpan<short>(), destination);
                break;
            case TensorElementType.Int8:
                TensorPrimitives.ConvertTruncating(value.GetTensorDataAsSpan<sbyte>(), destination);
                break;
            case TensorElementType.UInt8:
            case TensorElementType.Bool:
                TensorPrimitives.ConvertTruncating(value.GetTensorDataAsSpan<byte>(), destination);
                break;
            default:
                return false;
        }

        values = destination;
        return true;
    }

    /// <summary>The last dimension of a tensor value (the row length for top-1), 0 for scalars.</summary>
    public static int LastDimension(OrtValue value)
    {
        var shape = value.GetTensorTypeAndShape().Shape;
        return shape.Length == 0 ? 0 : checked((int)shape[^1]);
    }

    /// <summary>
    /// <paramref name="tensor"/> as a new ORT value of <paramref name="wanted"/> element type (the caller
    /// disposes it): a copy when the types match, a float32 ↔ fp16/bf16 conversion when only the float width
    /// differs. Anything else is fed as it is and ORT names the mismatch.
    /// </summary>
    public static OrtValue ToOrtValue(CalibrationTensor tensor, TensorElementType wanted)
    {
        var have = (TensorElementType)(int)tensor.ElementType;
        if (have == wanted || tensor.ElementType != DataType.Float || wanted is not (TensorElementType.Float16 or TensorElementType.BFloat16))
        {
            return tensor.ToOrtValue();
        }

        var values = tensor.FloatSpan;
        var converted = new ushort[values.Length];
        if (wanted == TensorElementType.Float16)
        {
            HalfConverter.ToHalf(values, converted);
        }
        else
        {
            BFloat16Converter.ToBFloat16(values, converted);
        }

        return new CalibrationTensor((DataType)(int)wanted, [.. tensor.Shape], MemoryMarshal.AsBytes(converted.AsSpan()).ToArray()).ToOrtValue();
    }
}
