using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace Quantize.Runtime;

/// <summary>Typed, copy-free views of output values.</summary>
[EditorBrowsable(EditorBrowsableState.Never)] // called by generated code; not for IntelliSense
public static class OutputValues
{
    /// <summary>
    /// The tensor's elements as <typeparamref name="T"/>, viewing ONNX Runtime's buffer. Reinterprets the
    /// raw bytes so that <see cref="Half"/> works for float16 outputs; the generated code guarantees the
    /// element type matches.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="value">A tensor value.</param>
    /// <returns>The elements; valid while <paramref name="value"/> is alive.</returns>
    public static ReadOnlySpan<T> Span<T>(OrtValue value)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(value);
        return MemoryMarshal.Cast<byte, T>(value.GetTensorMutableRawData());
    }

    /// <summary>The tensor's shape (one native query; callers cache it).</summary>
    /// <param name="value">A tensor value.</param>
    /// <returns>The dimensions.</returns>
    public static long[] Shape(OrtValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.GetTensorTypeAndShape().Shape;
    }

    /// <summary>
    /// The tensor as a <see cref="ReadOnlyTensorSpan{T}"/>: <see cref="Span{T}"/> with the shape, row-major, no copy.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="value">A tensor value.</param>
    /// <param name="lengths">The caller's cache of the shape as <see cref="nint"/> lengths (filled on first use).</param>
    /// <returns>The tensor span; valid while <paramref name="value"/> is alive.</returns>
    public static ReadOnlyTensorSpan<T> TensorSpan<T>(OrtValue value, ref nint[]? lengths)
        where T : unmanaged
    {
        lengths ??= Array.ConvertAll(Shape(value), d => checked((nint)d));
        return new ReadOnlyTensorSpan<T>(Span<T>(value), lengths);
    }

    /// <summary>The elements of a string tensor (decoded from UTF-8, so copied).</summary>
    /// <param name="value">A string tensor value.</param>
    /// <returns>The strings, row-major.</returns>
    public static string[] Strings(OrtValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.GetStringTensorAsArray();
    }
}
