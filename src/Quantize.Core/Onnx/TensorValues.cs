using System.Runtime.InteropServices;
using Google.Protobuf;
using Quantize.Core.Numerics;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Onnx;

/// <summary>Reads and builds tensor payloads, whichever field (raw_data or typed fields) holds them.</summary>
public static class TensorValues
{
    /// <summary>The tensor's element type.</summary>
    public static DataType ElementType(this TensorProto tensor) => (DataType)tensor.DataType;

    /// <summary>Number of elements (product of dims; 1 for a scalar).</summary>
    public static long ElementCount(this TensorProto tensor)
    {
        long count = 1;
        foreach (var d in tensor.Dims)
        {
            count *= d;
        }

        return count;
    }

    /// <summary>Bytes the tensor's payload occupies in the file.</summary>
    public static long PayloadBytes(this TensorProto tensor) =>
        tensor.RawData.Length + (tensor.FloatData.Count * 4L) + (tensor.Int32Data.Count * 4L) + (tensor.Int64Data.Count * 8L)
        + (tensor.DoubleData.Count * 8L) + (tensor.Uint64Data.Count * 8L) + tensor.StringData.Sum(s => (long)s.Length);

    /// <summary>Reads a FLOAT, FLOAT16, BFLOAT16 or DOUBLE tensor as float32 values.</summary>
    public static float[] ReadFloats(this TensorProto tensor)
    {
        var count = checked((int)tensor.ElementCount());
        switch (tensor.ElementType())
        {
            case DataType.Float:
                if (!tensor.RawData.IsEmpty)
                {
                    return MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
                }

                return [.. tensor.FloatData];
            case DataType.Double:
                if (!tensor.RawData.IsEmpty)
                {
                    return [.. MemoryMarshal.Cast<byte, double>(tensor.RawData.Span).ToArray().Select(d => (float)d)];
                }

                return [.. tensor.DoubleData.Select(d => (float)d)];
            case DataType.Float16:
                return ReadSixteenBit(tensor, count, bits => (float)BitConverter.UInt16BitsToHalf(bits));
            case DataType.Bfloat16:
                return ReadSixteenBit(tensor, count, BFloat16Converter.ToSingle);
            default:
                throw new NotSupportedException($"Tensor '{tensor.Name}' has element type {tensor.ElementType()}, not a float type.");
        }
    }

    /// <summary>
    /// The values of a FLOAT tensor without copying when they are in raw_data (the usual case for large
    /// weights); other storage falls back to <see cref="ReadFloats"/>. Large models hold hundreds of MB of
    /// weights, and a transient float copy of each would raise peak memory for nothing.
    /// </summary>
    public static ReadOnlySpan<float> FloatView(this TensorProto tensor) =>
        tensor.ElementType() == DataType.Float && !tensor.RawData.IsEmpty
            ? MemoryMarshal.Cast<byte, float>(tensor.RawData.Span)
            : tensor.ReadFloats();

    /// <summary>Reads an INT64 or INT32 tensor as longs (shapes, axes, indices).</summary>
    public static long[] ReadInt64s(this TensorProto tensor) => tensor.ElementType() switch
    {
        DataType.Int64 => tensor.RawData.IsEmpty ? [.. tensor.Int64Data] : MemoryMarshal.Cast<byte, long>(tensor.RawData.Span).ToArray(),
        DataType.Int32 => tensor.RawData.IsEmpty ? [.. tensor.Int32Data.Select(i => (long)i)] : [.. MemoryMarshal.Cast<byte, int>(tensor.RawData.Span).ToArray().Select(i => (long)i)],
        _ => throw new NotSupportedException($"Tensor '{tensor.Name}' has element type {tensor.ElementType()}, not an integer type."),
    };

    /// <summary>Creates a tensor whose payload is <paramref name="raw"/> (little-endian element bytes).</summary>
    public static TensorProto Create(string name, DataType type, IEnumerable<long> dims, byte[] raw)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = UnsafeByteOperations.UnsafeWrap(raw) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    /// <summary>Creates a tensor from unmanaged values of the matching element type.</summary>
    public static TensorProto Create<T>(string name, DataType type, IEnumerable<long> dims, ReadOnlySpan<T> values)
        where T : unmanaged
        => Create(name, type, dims, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>A float32 tensor.</summary>
    public static TensorProto FromFloats(string name, IEnumerable<long> dims, ReadOnlySpan<float> values) => Create(name, DataType.Float, dims, values);

    /// <summary>A scalar (rank 0) float32 tensor.</summary>
    public static TensorProto Scalar(string name, float value) => Create(name, DataType.Float, [], [value]);

    private static float[] ReadSixteenBit(TensorProto tensor, int count, Func<ushort, float> convert)
    {
        var result = new float[count];
        if (!tensor.RawData.IsEmpty)
        {
            var bits = MemoryMarshal.Cast<byte, ushort>(tensor.RawData.Span);
            for (int i = 0; i < count; i++)
            {
                result[i] = convert(bits[i]);
            }
        }
        else
        {
            // ONNX stores 16-bit floats in int32_data, one per element, when raw_data is not used.
            for (int i = 0; i < count; i++)
            {
                result[i] = convert((ushort)tensor.Int32Data[i]);
            }
        }

        return result;
    }
}
