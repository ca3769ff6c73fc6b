using System.Numerics;
using System.Numerics.Tensors;

namespace Quantize.Core.Numerics;

/// <summary>
/// Linear quantization of float data: q = clamp(round_half_even(x / scale) + zeroPoint, qmin, qmax).
/// Divides (never multiplies by 1/scale) so results match ONNX Runtime's reference quantizer bit for bit.
/// </summary>
public static class LinearQuantizer
{
    /// <summary>Quantizes <paramref name="values"/> into signed bytes.</summary>
    public static void QuantizeToInt8(ReadOnlySpan<float> values, QuantizationParameters p, int qmin, int qmax, Span<sbyte> destination)
    {
        CheckLengths(values.Length, destination.Length);
        Span<float> scratch = stackalloc float[Math.Min(values.Length, 1024)];
        for (int start = 0; start < values.Length; start += scratch.Length)
        {
            int count = Math.Min(scratch.Length, values.Length - start);
            var chunk = scratch[..count];
            ScaleRoundClamp(values.Slice(start, count), p, qmin, qmax, chunk);
            VectorNarrowing.ToSBytes(chunk, destination.Slice(start, count));
        }
    }

    /// <summary>Quantizes <paramref name="values"/> into unsigned bytes.</summary>
    public static void QuantizeToUInt8(ReadOnlySpan<float> values, QuantizationParameters p, int qmin, int qmax, Span<byte> destination)
        => QuantizeTo(values, p, qmin, qmax, destination);

    /// <summary>Quantizes one value (the scalar reference the vector paths must agree with).</summary>
    public static int Quantize(float value, QuantizationParameters p, int qmin, int qmax)
    {
        float q = MathF.Round(value / p.Scale, MidpointRounding.ToEven) + p.ZeroPoint;
        return (int)Math.Clamp(q, qmin, qmax);
    }

    /// <summary>Dequantizes one value: (q − zeroPoint) × scale.</summary>
    public static float Dequantize(int q, QuantizationParameters p) => (q - p.ZeroPoint) * p.Scale;

    /// <summary>
    /// Quantizes through a float scratch chunk (SIMD for the arithmetic) and narrows to <typeparamref name="T"/>;
    /// the values are already clamped into T's range, so the conversion is exact.
    /// </summary>
    private static void QuantizeTo<T>(ReadOnlySpan<float> values, QuantizationParameters p, int qmin, int qmax, Span<T> destination)
        where T : struct, INumberBase<T>
    {
        CheckLengths(values.Length, destination.Length);
        var scratch = new float[Math.Min(values.Length, 8192)];
        for (int start = 0; start < values.Length; start += scratch.Length)
        {
            int count = Math.Min(scratch.Length, values.Length - start);
            var chunk = scratch.AsSpan(0, count);
            ScaleRoundClamp(values.Slice(start, count), p, qmin, qmax, chunk);
            var target = destination.Slice(start, count);
            for (int i = 0; i < count; i++)
            {
                target[i] = T.CreateTruncating(chunk[i]);
            }
        }
    }

    private static void ScaleRoundClamp(ReadOnlySpan<float> values, QuantizationParameters p, int qmin, int qmax, Span<float> destination)
    {
        // Same float32 operations, in the same order, as the scalar Quantize above: divide, round half
        // to even, add the zero point, clamp. SIMD through TensorPrimitives.
        TensorPrimitives.Divide(values, p.Scale, destination);
        TensorPrimitives.Round(destination, MidpointRounding.ToEven, destination);
        TensorPrimitives.Add(destination, p.ZeroPoint, destination);
        TensorPrimitives.Clamp(destination, qmin, qmax, destination);
    }

    private static void CheckLengths(int source, int destination)
    {
        if (destination < source)
        {
            throw new ArgumentException($"Destination holds {destination} elements but {source} are needed.", nameof(destination));
        }
    }
}
