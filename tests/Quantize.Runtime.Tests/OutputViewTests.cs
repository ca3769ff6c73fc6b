using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Quantize.Runtime.Tests;

/// <summary>
/// Caller memory bound as an ONNX Runtime value is viewed, not copied, and the typed views (span, shape, tensor
/// span) agree with the bytes and the shape ONNX Runtime holds.
/// </summary>
public sealed class OutputViewTests
{
    [Fact]
    public void A_bound_buffer_is_viewed_in_place_as_span_shape_and_tensor_span()
    {
        float[] data = [.. Enumerable.Range(0, 24).Select(i => i * 0.5f)];
        using var bound = BoundTensor.Input<float>(data, TensorElementType.Float, [2, 3, 4]);

        var span = OutputValues.Span<float>(bound.Value);
        Assert.True(Unsafe.AreSame(ref MemoryMarshal.GetReference(span), ref data[0]), "the span copied the buffer");
        Assert.Equal([2L, 3, 4], OutputValues.Shape(bound.Value));

        nint[]? lengths = null;
        var tensor = OutputValues.TensorSpan<float>(bound.Value, ref lengths);
        Assert.Equal([(nint)2, 3, 4], lengths!);
        Assert.Equal(24, tensor.FlattenedLength);
        Assert.True(Unsafe.AreSame(ref data[0], ref Unsafe.AsRef(in tensor.GetPinnableReference())), "the tensor span copied the buffer");
        Assert.Equal(data[(1 * 12) + (2 * 4) + 3], tensor[1, 2, 3]);
        var cached = lengths;
        _ = OutputValues.TensorSpan<float>(bound.Value, ref lengths);
        Assert.Same(cached, lengths);
    }

    [Fact]
    public void Float16_bytes_read_as_Half()
    {
        Half[] data = [(Half)1.5f, (Half)(-2f), (Half)0.25f];
        using var bound = BoundTensor.Input<Half>(data, TensorElementType.Float16, [3]);

        Assert.Equal(data, OutputValues.Span<Half>(bound.Value).ToArray());
    }

    [Fact]
    public void String_tensors_round_trip_and_nulls_become_empty()
    {
        using var bound = BoundTensor.Strings(new[] { "héllo", null!, "world" }, [3]);

        Assert.Equal(["héllo", "", "world"], OutputValues.Strings(bound.Value));
    }

    [Fact]
    public void Allocated_outputs_have_the_requested_types_and_shapes()
    {
        using var outputs = OutputSet.Allocate([TensorElementType.Float, TensorElementType.Int64], [[2, 5], [7]]);

        Assert.Equal([2L, 5], OutputValues.Shape(outputs[0]));
        Assert.Equal(10, OutputValues.Span<float>(outputs[0]).Length);
        Assert.Equal(7, OutputValues.Span<long>(outputs[1]).Length);
    }
}
