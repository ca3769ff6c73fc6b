using System.Runtime.InteropServices;
using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Calibration.Data;

/// <summary>
/// Turns an ONNX <see cref="TensorProto"/> (the ONNX test-data <c>input_K.pb</c> files) into a calibration
/// tensor, whether its elements are in <c>raw_data</c> or in the typed repeated fields.
/// </summary>
public static class TensorProtoConverter
{
    /// <summary>Converts <paramref name="tensor"/>; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="FormatException">The tensor's type is unsupported or its data does not match its dims.</exception>
    public static CalibrationTensor ToCalibrationTensor(TensorProto tensor, string source)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw new FormatException($"'{source}' keeps its data in an external file; calibration reads self-contained tensors.");
        }

        var type = tensor.ElementType();
        int size = CalibrationTensor.ElementSize(type) ?? throw new FormatException($"'{source}' holds {type} elements, which calibration does not read.");
        long count = tensor.Dims.Aggregate(1L, (a, d) => d < 0 ? throw new FormatException($"'{source}' has a negative dimension.") : checked(a * d));
        byte[] data = tensor.HasRawData ? tensor.RawData.ToByteArray() : TypedFieldBytes(tensor, type, count, size);
        if (data.Length != count * size)
        {
            throw new FormatException($"'{source}' declares {count} elements of {type} but holds {data.Length} bytes.");
        }

        return new CalibrationTensor(type, [.. tensor.Dims], data);
    }

    private static byte[] TypedFieldBytes(TensorProto tensor, DataType type, long count, int size)
    {
        switch (type)
        {
            case DataType.Float:
                return MemoryMarshal.AsBytes<float>([.. tensor.FloatData]).ToArray();
            case DataType.Double:
                return MemoryMarshal.AsBytes<double>([.. tensor.DoubleData]).ToArray();
            case DataType.Int64:
                return MemoryMarshal.AsBytes<long>([.. tensor.Int64Data]).ToArray();
            case DataType.Int32:
                return MemoryMarshal.AsBytes<int>([.. tensor.Int32Data]).ToArray();
            default:
                // int32_data carries the narrower types one element per entry (float16/bfloat16 as their bit pattern).
                if (tensor.Int32Data.Count != count)
                {
                    return [];
                }

                var bytes = new byte[count * size];
                for (int i = 0; i < count; i++)
                {
                    int v = tensor.Int32Data[i];
                    if (size == 2)
                    {
                        bytes[2 * i] = (byte)v;
                        bytes[(2 * i) + 1] = (byte)(v >> 8);
                    }
                    else
                    {
                        bytes[i] = (byte)v;
                    }
                }

                return bytes;
        }
    }
}
