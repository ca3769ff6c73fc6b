using System.Buffers;
using System.Runtime.InteropServices;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Onnx;

/// <summary>
/// The values of a float tensor as <see cref="ReadOnlyMemory{T}"/>: a view of raw_data without copying
/// when the tensor stores them there, so passes can hand weights to parallel workers (spans cannot be
/// captured) without a transient copy of hundreds of MB.
/// </summary>
internal static class FloatMemory
{
    /// <summary>The tensor's values as floats (a view of FLOAT raw_data, otherwise a converted copy).</summary>
    public static ReadOnlyMemory<float> ReadFloatMemory(this TensorProto tensor) =>
        tensor.ElementType() == DataType.Float && !tensor.RawData.IsEmpty
            ? new RawFloats(tensor.RawData.Memory).Memory
            : tensor.ReadFloats();

    /// <summary>Reinterprets little-endian float bytes; the bytes stay owned by the ByteString.</summary>
    private sealed class RawFloats(ReadOnlyMemory<byte> bytes) : MemoryManager<float>
    {
        public override Span<float> GetSpan() => MemoryMarshal.Cast<byte, float>(MemoryMarshal.AsMemory(bytes).Span);

        public override MemoryHandle Pin(int elementIndex = 0) =>
            throw new NotSupportedException("Raw float views are read through spans only.");

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
