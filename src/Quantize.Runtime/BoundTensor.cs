using System.ComponentModel;
using System.Buffers;
using System.Runtime.CompilerServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Quantize.Runtime;

/// <summary>
/// An <see cref="OrtValue"/> that views caller memory in place, plus the pin that keeps that memory from
/// moving. Disposing releases the value first and then the pin.
/// </summary>
/// <remarks>
/// We create the value from a raw pointer (<c>CreateTensorValueWithData</c>) rather than ONNX Runtime's
/// generic <c>CreateTensorValueFromMemory&lt;T&gt;</c> because the wrapper's element types include
/// <see cref="Half"/>, which ONNX Runtime does not know as a type argument even though it is bit for bit
/// its float16; the element type is passed explicitly instead.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)] // called by generated code; not for IntelliSense
public readonly struct BoundTensor : IDisposable
{
    private readonly MemoryHandle _pin;

    private BoundTensor(OrtValue value, MemoryHandle pin)
    {
        Value = value;
        _pin = pin;
    }

    /// <summary>The ONNX Runtime value viewing the caller's memory.</summary>
    public OrtValue Value { get; }

    /// <summary>Binds read-only caller memory as an input tensor without copying it.</summary>
    /// <typeparam name="T">The element type; must have the layout of <paramref name="elementType"/>.</typeparam>
    /// <param name="data">The elements, row-major; exactly as many as <paramref name="shape"/> holds.</param>
    /// <param name="elementType">The ONNX element type.</param>
    /// <param name="shape">The tensor's shape.</param>
    /// <returns>The bound tensor; dispose it after the run.</returns>
    public static BoundTensor Input<T>(ReadOnlyMemory<T> data, TensorElementType elementType, long[] shape)
        where T : unmanaged =>
        Create(System.Runtime.InteropServices.MemoryMarshal.AsMemory(data), elementType, shape);

    /// <summary>Binds writable caller memory as an output tensor; ONNX Runtime writes the results into it.</summary>
    /// <typeparam name="T">The element type; must have the layout of <paramref name="elementType"/>.</typeparam>
    /// <param name="data">The buffer; at least as many elements as <paramref name="shape"/> holds (the prefix is used).</param>
    /// <param name="elementType">The ONNX element type.</param>
    /// <param name="shape">The tensor's shape.</param>
    /// <returns>The bound tensor; dispose it after the run.</returns>
    public static BoundTensor Output<T>(Memory<T> data, TensorElementType elementType, long[] shape)
        where T : unmanaged => Create(data, elementType, shape);

    /// <summary>
    /// Creates a string tensor. Strings are the one exception to zero-copy binding: ONNX Runtime stores
    /// them as UTF-8 in native memory, so each element is converted and copied.
    /// </summary>
    /// <param name="data">The strings, row-major; exactly as many as <paramref name="shape"/> holds.</param>
    /// <param name="shape">The tensor's shape.</param>
    /// <returns>The tensor; dispose it after the run.</returns>
    public static BoundTensor Strings(ReadOnlyMemory<string> data, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
        try
        {
            var span = data.Span;
            for (int i = 0; i < span.Length; i++)
            {
                value.StringTensorSetElementAt((span[i] ?? string.Empty).AsSpan(), i);
            }
        }
        catch
        {
            value.Dispose();
            throw;
        }

        return new BoundTensor(value, default);
    }

    /// <summary>Creates an output tensor that ONNX Runtime allocates and owns (used where no caller buffer exists).</summary>
    /// <param name="elementType">The ONNX element type.</param>
    /// <param name="shape">The tensor's shape.</param>
    /// <returns>The tensor; whoever keeps the results disposes it.</returns>
    public static OrtValue Allocate(TensorElementType elementType, long[] shape) =>
        OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, elementType, shape);

    private static unsafe BoundTensor Create<T>(Memory<T> data, TensorElementType elementType, long[] shape)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(shape);
        var pin = data.Pin();
        try
        {
            long bytes = (long)data.Length * Unsafe.SizeOf<T>();
            var value = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, elementType, shape, (IntPtr)pin.Pointer, bytes);
            return new BoundTensor(value, pin);
        }
        catch
        {
            pin.Dispose();
            throw;
        }
    }

    /// <summary>Releases the value, then unpins the memory.</summary>
    public void Dispose()
    {
        Value?.Dispose();
        _pin.Dispose();
    }
}
