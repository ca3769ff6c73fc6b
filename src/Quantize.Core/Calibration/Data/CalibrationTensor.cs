using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Calibration.Data;

/// <summary>
/// One input tensor of a calibration sample: element type, shape and little-endian C-order bytes. Kept as
/// raw bytes so every reader (npy, npz, pb, images, text) produces the same thing and feeding ORT is a
/// single copy whatever the element type.
/// </summary>
public sealed class CalibrationTensor
{
    /// <summary>Creates a tensor; <paramref name="data"/> must hold exactly the shape's elements.</summary>
    public CalibrationTensor(DataType elementType, long[] shape, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        int size = ElementSize(elementType) ?? throw new ArgumentException($"Unsupported element type {elementType}.", nameof(elementType));
        long count = ElementCountOf(shape);
        if (count * size != data.Length)
        {
            throw new ArgumentException($"{data.Length} bytes do not hold {count} elements of {elementType}.", nameof(data));
        }

        ElementType = elementType;
        Shape = shape;
        Data = data;
    }

    /// <summary>The ONNX element type.</summary>
    public DataType ElementType { get; }

    /// <summary>Dimensions (empty for a scalar).</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The elements, little-endian, C order.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Number of elements.</summary>
    public long ElementCount => ElementCountOf(Shape);

    /// <summary>A float32 tensor.</summary>
    public static CalibrationTensor FromFloats(ReadOnlySpan<float> values, params long[] shape) =>
        new(DataType.Float, shape, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>An int64 tensor.</summary>
    public static CalibrationTensor FromInt64s(ReadOnlySpan<long> values, params long[] shape) =>
        new(DataType.Int64, shape, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>An int32 tensor.</summary>
    public static CalibrationTensor FromInt32s(ReadOnlySpan<int> values, params long[] shape) =>
        new(DataType.Int32, shape, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>The elements as float32 when the tensor is float32 (graph inputs are observed from the sample itself).</summary>
    public ReadOnlySpan<float> FloatSpan =>
        ElementType == DataType.Float ? MemoryMarshal.Cast<byte, float>(Data.Span) : throw new InvalidOperationException($"Tensor is {ElementType}, not float.");

    /// <summary>Bytes per element of the types calibration data can carry; null for others.</summary>
    public static int? ElementSize(DataType type) => type switch
    {
        DataType.Float or DataType.Int32 => 4,
        DataType.Double or DataType.Int64 => 8,
        DataType.Float16 or DataType.Bfloat16 => 2,
        DataType.Uint8 or DataType.Int8 or DataType.Bool => 1,
        _ => null,
    };

    /// <summary>Copies the tensor into a new ORT-owned value (the caller disposes it).</summary>
    public OrtValue ToOrtValue()
    {
        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, (TensorElementType)(int)ElementType, [.. Shape]);
        Data.Span.CopyTo(value.GetTensorMutableRawData());
        return value;
    }

    private static long ElementCountOf(IReadOnlyList<long> shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            count = d < 0 ? throw new ArgumentException($"Negative dimension {d}.", nameof(shape)) : checked(count * d);
        }

        return count;
    }
}
