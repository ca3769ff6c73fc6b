using Quantize.Core.Diagnostics;
using Quantize.Core.Graph;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Onnx;

/// <summary>
/// Checks what every stored tensor claims against what it holds, before any pass sizes a buffer from its
/// dimensions: dimensions must be non-negative with a product that fits (overflow-checked) in what one array can
/// hold, and the stored payload must have exactly the bytes or values those dimensions need. A file that lies
/// (a few bytes claiming a trillion elements, or a truncated payload) is <see cref="ErrorCodes.InconsistentTensor"/>
/// naming the tensor, never an allocation failure or an index error later on.
/// </summary>
internal static class TensorSizes
{
    /// <summary>Throws for the first tensor of <paramref name="model"/> whose claims do not hold.</summary>
    public static void Check(ModelProto model, string modelPath)
    {
        foreach (var tensor in ModelTensors.All(model))
        {
            Check(tensor, modelPath);
        }
    }

    private static void Check(TensorProto tensor, string modelPath)
    {
        QuantizeException Inconsistent(string what) => new(ErrorCodes.InconsistentTensor, modelPath,
            $"Tensor '{tensor.Name}' in '{modelPath}' {what}; the file is corrupt or was written by a faulty exporter.");

        long elements = 1;
        foreach (var dim in tensor.Dims)
        {
            if (dim < 0)
            {
                throw Inconsistent($"has a negative dimension ({dim})");
            }

            // Overflow-checked: dimensions near 2^63 must not wrap around into a small, plausible count.
            if (dim != 0 && elements > long.MaxValue / dim)
            {
                throw Inconsistent($"claims more elements than a 64-bit count can hold (dims [{string.Join(", ", tensor.Dims)}])");
            }

            elements *= dim;
        }

        var type = tensor.ElementType();
        if (!tensor.RawData.IsEmpty)
        {
            if (RawBytes(type, elements) is long expected && expected != tensor.RawData.Length)
            {
                throw Inconsistent($"has dims [{string.Join(", ", tensor.Dims)}] ({elements} {type} elements, {expected} bytes) but holds {tensor.RawData.Length} bytes");
            }

            return;
        }

        if (TypedCount(tensor, type) is long held && held != elements)
        {
            throw Inconsistent($"has dims [{string.Join(", ", tensor.Dims)}] ({elements} elements) but holds {held} values");
        }
    }

    /// <summary>The raw_data bytes <paramref name="elements"/> of <paramref name="type"/> need; null when the type has no fixed size.</summary>
    private static long? RawBytes(DataType type, long elements)
    {
        int? bits = type switch
        {
            DataType.Float or DataType.Int32 or DataType.Uint32 => 32,
            DataType.Double or DataType.Int64 or DataType.Uint64 or DataType.Complex64 => 64,
            DataType.Complex128 => 128,
            DataType.Float16 or DataType.Bfloat16 or DataType.Int16 or DataType.Uint16 => 16,
            DataType.Int8 or DataType.Uint8 or DataType.Bool => 8,
            DataType.Int4 or DataType.Uint4 => 4,
            _ => null,
        };
        if (bits is not int b)
        {
            return null;
        }

        // elements ≤ long.MaxValue; bits ≤ 128: compute in decimal-safe steps to avoid overflow.
        return elements > long.MaxValue / b ? long.MaxValue : ((elements * b) + 7) / 8;
    }

    /// <summary>How many values the typed field that holds <paramref name="type"/> stores; null when the count is not one per element.</summary>
    private static long? TypedCount(TensorProto tensor, DataType type) => type switch
    {
        DataType.Float => tensor.FloatData.Count,
        DataType.Double => tensor.DoubleData.Count,
        DataType.Int64 => tensor.Int64Data.Count,
        DataType.Int32 or DataType.Int16 or DataType.Int8 or DataType.Uint16 or DataType.Uint8 or DataType.Bool or DataType.Float16 or DataType.Bfloat16 => tensor.Int32Data.Count,
        DataType.Uint32 or DataType.Uint64 => tensor.Uint64Data.Count,
        DataType.String => tensor.StringData.Count,
        _ => null,
    };
}
